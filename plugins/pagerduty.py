"""``brag import pagerduty``: the incidents you acknowledged, resolved or worked on.

Configure it in brag.toml (every key is optional; the command-line options of
the same names win)::

    [import.pagerduty]
    user_id = "PXPGF42"                 # default: the token's own user (GET /users/me)
    api_url = "https://api.eu.pagerduty.com"   # EU service region
    max_wait = 60                       # longest rate-limit wait, in seconds

The token comes from ``PAGERDUTY_TOKEN`` (a REST API v2 user token), sent as
``Authorization: Token token=…``; it is never read from or written to the
journal.

``GET /incidents?user_ids[]=`` only lists incidents still assigned to you, so
resolved ones are found through your log entries (``GET /users/{id}/log_entries``:
acknowledge, resolve, assign, annotate), grouped by incident, then each new
incident is read once (``GET /incidents/{id}``). The date range is asked for
in windows of at most 180 days, the API's limit; with no ``--since`` and no
earlier run, the last 365 days are imported.

Each entry arrives framed for impact: area ``risk``, leverage ``execution``,
your role, the urgency and service, and the time from trigger to resolution
in ``impact`` and ``metrics``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from brag.entry import Entry, stable_id
from brag.errors import ImportSourceError
from brag.hookspecs import hookimpl
from brag.importing import ImportContext, Importer

from . import _remote

NAME = "pagerduty"
DEFAULT_API_URL = "https://api.pagerduty.com"
WINDOW = dt.timedelta(days=180)
FIRST_RUN = dt.timedelta(days=365)
PAGE_LIMIT = 100

# Log entry type -> the user's role, when the user is the one who did it.
ROLES = {
    "acknowledge_log_entry": "acknowledged",
    "resolve_log_entry": "resolved",
    "assign_log_entry": "assigned",
    "annotate_log_entry": "annotated",
}


@hookimpl
def register_importers(register: Any) -> None:
    _remote.declare_settings(NAME)
    register(
        Importer(
            name=NAME,
            help=(
                "PagerDuty incidents you acknowledged, resolved, were assigned or annotated. "
                "Token from PAGERDUTY_TOKEN."
            ),
            fetch=fetch,
            examples=(
                "brag import pagerduty",
                "brag import pagerduty --since last-quarter",
            ),
            params=[
                _remote.who_option(
                    "--user-id", "ID", "Whose incidents (default: the token's user)."
                ),
                _remote.api_url_option(DEFAULT_API_URL),
            ],
        )
    )


@dataclass
class _Incident:
    id: str
    summary: str
    html_url: str
    first_seen: str
    roles: set[str] = field(default_factory=set)
    resolved_by_user_at: str = ""


def fetch(ctx: ImportContext) -> Iterator[Entry | tuple[str, str]]:
    with _remote.connect(
        ctx,
        NAME,
        service="PagerDuty",
        default_api_url=DEFAULT_API_URL,
        token_vars=("PAGERDUTY_TOKEN",),
        no_token="set PAGERDUTY_TOKEN to a REST API user token (My Profile → User Settings)",
        headers=lambda token: {
            "Authorization": f"Token token={token}",
            "Accept": "application/vnd.pagerduty+json;version=2",
        },
    ) as client:
        yield from _fetch(ctx, client)


def _windows(ctx: ImportContext) -> list[tuple[dt.datetime, dt.datetime]]:
    end_day = ctx.until or dt.date.today()
    start_day = ctx.since or (end_day - FIRST_RUN)
    if start_day > end_day:
        return []
    start = dt.datetime.combine(start_day, dt.time()).astimezone()
    end = dt.datetime.combine(end_day + dt.timedelta(days=1), dt.time()).astimezone()
    windows = []
    while start < end:
        stop = min(start + WINDOW, end)
        windows.append((start, stop))
        start = stop
    return windows


def _fetch(ctx: ImportContext, client: Any) -> Iterator[Entry | tuple[str, str]]:
    user_id = _remote.option_str(ctx, "user_id")
    if not user_id:
        response = client.get("users/me")
        data = response.data if isinstance(response.data, dict) else {}
        user_id = _remote.field_str(_remote.field_dict(data, "user"), "id")
        if not user_id:
            raise client.malformed(response, "no 'user.id' in GET /users/me")
    incidents: dict[str, _Incident] = {}
    ctx.progress.start("PagerDuty: your log entries")
    for since, until in _windows(ctx):
        params = {"since": since.isoformat(), "until": until.isoformat(), "time_zone": "UTC"}
        path = f"users/{quote(user_id, safe='')}/log_entries"
        for items in client.offset_pages(path, "log_entries", params, limit=PAGE_LIMIT):
            for log in items:
                ctx.progress.advance()
                _collect(client, log, user_id, incidents)
    known = ctx.journal.index.source_keys()
    ctx.progress.start("PagerDuty: incidents", total=len(incidents))
    for incident in incidents.values():
        ctx.progress.advance()
        worked = incident.roles - {"notified"}
        if not worked:
            yield (f"incident {incident.id}", "only notified, not worked on")
            continue
        if (NAME, incident.id) in known:
            # Already in the journal: no need to read its details again.
            day = _remote.local_date(incident.first_seen) or dt.date.today()
            yield Entry(
                title=incident.summary or incident.id,
                date=day,
                source=NAME,
                source_id=incident.id,
            )
            continue
        response = client.get(f"incidents/{quote(incident.id, safe='')}")
        body = response.data if isinstance(response.data, dict) else {}
        details = body.get("incident")
        if not isinstance(details, dict):
            raise client.malformed(response, "no 'incident' object")
        yield _entry(incident, details)


def _collect(client: Any, log: Any, user_id: str, incidents: dict[str, _Incident]) -> None:
    if not isinstance(log, dict):
        raise ImportSourceError("PagerDuty: a log entry is not an object; nothing was imported")
    ref = log.get("incident")
    if not isinstance(ref, dict) or not isinstance(ref.get("id"), str):
        return  # not about an incident
    incident = incidents.get(ref["id"])
    if incident is None:
        incident = incidents[ref["id"]] = _Incident(
            id=ref["id"],
            summary=_remote.clean_title(ref.get("summary"), ref["id"]),
            html_url=_remote.field_str(ref, "html_url"),
            first_seen=_remote.field_str(log, "created_at"),
        )
    kind = log.get("type")
    agent = _remote.field_dict(log, "agent")
    by_user = agent.get("id") == user_id
    role = ROLES.get(kind) if isinstance(kind, str) else None
    if role == "assigned":
        assignees = _remote.field_list(log, "assignees")
        if by_user or any(isinstance(a, dict) and a.get("id") == user_id for a in assignees):
            incident.roles.add(role)
    elif role and by_user:
        incident.roles.add(role)
        if role == "resolved":
            incident.resolved_by_user_at = _remote.field_str(log, "created_at")
    else:
        incident.roles.add("notified")


def _entry(incident: _Incident, data: dict[str, Any]) -> Entry:
    created = _remote.parse_time(data.get("created_at"))
    if created is None:
        raise ImportSourceError(
            f"PagerDuty: incident {incident.id} has no valid 'created_at'; nothing was imported"
        )
    status = _remote.field_str(data, "status")
    resolved = _remote.parse_time(data.get("resolved_at"))
    if resolved is None and status == "resolved":
        resolved = _remote.parse_time(incident.resolved_by_user_at) or _remote.parse_time(
            data.get("last_status_change_at")
        )
    urgency = _remote.field_str(data, "urgency")
    service_ref = _remote.field_dict(data, "service")
    service = _remote.clean_title(service_ref.get("summary"), "")
    roles = [r for r in ROLES.values() if r in incident.roles]
    title = _remote.clean_title(data.get("title") or data.get("summary"), incident.summary)
    minutes = None
    if resolved is not None and resolved >= created:
        minutes = round((resolved - created).total_seconds() / 60)
    tags = ["incident"]
    if service and _remote.tag_for(service) not in tags:
        tags.append(_remote.tag_for(service))
    extra: dict[str, Any] = {"incident_role": roles}
    if urgency:
        extra["urgency"] = urgency
    if service:
        extra["service"] = service
    if isinstance(data.get("incident_number"), int):
        extra["incident_number"] = data["incident_number"]
    url = _remote.field_str(data, "html_url") or incident.html_url
    return Entry(
        id=stable_id(NAME, incident.id),
        title=title,
        date=created.astimezone().date(),
        tags=tags,
        impact=_impact(roles, urgency, service, minutes, status),
        metrics=[{"name": "time to resolve", "value": minutes, "unit": "min"}]
        if minutes is not None
        else [],
        areas=["risk"],
        leverage="execution",
        source=NAME,
        source_id=incident.id,
        url=url,
        extra=extra,
    )


def _impact(roles: list[str], urgency: str, service: str, minutes: int | None, status: str) -> str:
    if "acknowledged" in roles and "resolved" in roles:
        did = "Acknowledged and resolved"
    elif "resolved" in roles:
        did = "Resolved"
    elif "acknowledged" in roles:
        did = "Acknowledged"
    elif "assigned" in roles:
        did = "Was assigned"
    else:
        did = "Worked on"
    what = f"{urgency}-urgency incident" if urgency else "incident"
    article = "an" if what[0] in "aeiou" else "a"
    text = f"{did} {article} {what}" + (f" on {service}" if service else "")
    if minutes is not None:
        text += f"; resolved {_duration(minutes)} after it was triggered"
    elif status and status != "resolved":
        text += f" (still {status})"
    return text + "."


def _duration(minutes: int) -> str:
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"
