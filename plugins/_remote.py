"""What the GitHub, GitLab and PagerDuty importers share: tokens, options, and
turning untrusted remote text into entry fields.

Titles and descriptions come from other people's servers: they are cleaned of
control characters and bounded in length here, stored only as TOML strings and
Markdown text (never as paths: the journal slugifies file names itself), and
never executed or interpreted.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import click

from brag.entry import Entry, stable_id
from brag.errors import BragError, ConfigError, ImportSourceError
from brag.importing import ImportContext

if TYPE_CHECKING:
    from brag.http import Client

TITLE_MAX = 200
IMPACT_MAX = 500
BODY_MAX = 4000

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_SECTION = re.compile(
    r"^\s{0,3}(?:#{1,6}\s*|\*\*|__)?\s*(impact|why|motivation)\b\s*(?:\*\*|__)?\s*[:?]?"
    r"(?:\*\*|__)?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_HEADING = re.compile(r"^\s{0,3}(#{1,6}\s|\*\*[^*]+\*\*\s*:?\s*$)")
_NOT_PROSE = re.compile(r"^\s*(- \[[ xX]\]|!\[|<img|\||[-+=*_]{3,}\s*$)")


def clean_text(text: Any, limit: int) -> str:
    """``text`` as safe, bounded plain text: no control or bidi-override characters."""
    from brag.text import strip_control

    if not isinstance(text, str):
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    # Whole escape sequences go ("\x1b[2J", not just the ESC), then bidi overrides.
    text = _CONTROL.sub("", strip_control(text)).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def clean_title(text: Any, fallback: str) -> str:
    flat = " ".join(clean_text(text, TITLE_MAX * 2).split())
    if len(flat) > TITLE_MAX:
        flat = flat[: TITLE_MAX - 1].rstrip() + "…"
    return flat or fallback


def extract_impact(description: Any) -> str:
    """An explicit "Impact"/"Why" section of a description, else its first paragraph."""
    text = clean_text(description, 20_000)
    if not text:
        return ""
    lines = _HTML_COMMENT.sub("", text).split("\n")
    for i, line in enumerate(lines):
        m = _SECTION.match(line)
        if not m:
            continue
        rest = m.group("rest").strip()
        # "Why" must be a heading or a label, not the first word of a sentence.
        is_label = (
            rest == "" or re.match(r"^\s{0,3}(#|\*\*|__)", line) or ":" in line[: m.end(1) + 4]
        )
        if not is_label:
            continue
        paragraph = [rest] if rest else []
        for follow in lines[i + 1 :]:
            if _HEADING.match(follow):
                break
            if not follow.strip():
                if paragraph:
                    break
                continue
            paragraph.append(follow.strip())
        found = _flatten(paragraph)
        if found:
            return found
    return first_paragraph(lines)


def first_paragraph(lines: list[str]) -> str:
    paragraph: list[str] = []
    for line in lines:
        if not line.strip():
            if paragraph:
                break
            continue
        if _HEADING.match(line) or _NOT_PROSE.match(line):
            if paragraph:
                break
            continue
        paragraph.append(line.strip())
    return _flatten(paragraph)


def _flatten(lines: list[str]) -> str:
    parts: list[str] = []
    for line in lines:
        bullet = re.match(r"^[-*+]\s+(.*)$", line)
        if bullet and parts:
            parts[-1] = parts[-1].rstrip(";.") + ";"
        parts.append(bullet.group(1) if bullet else line)
    text = " ".join(" ".join(parts).split())
    if len(text) > IMPACT_MAX:
        text = text[: IMPACT_MAX - 1].rstrip() + "…"
    return text


def tag_for(label: Any) -> str:
    """A label or repository name as a tag: lower case, spaces as dashes."""
    text = clean_title(label, "").lower()
    # Tags may become file or URL names in exports: letters, digits, "+", "_", "-" only.
    text = re.sub(r"[^\w+]+", "-", text).strip("-_")
    return text[:60].rstrip("-")


def local_date(stamp: Any) -> dt.date | None:
    """The local calendar day of an ISO 8601 timestamp ("2026-03-04T17:12:00Z")."""
    if not isinstance(stamp, str) or not stamp.strip():
        return None
    text = stamp.strip().replace("Z", "+00:00").replace("z", "+00:00")
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if when.tzinfo is None:
        return when.date()
    return when.astimezone().date()


def parse_time(stamp: Any) -> dt.datetime | None:
    if not isinstance(stamp, str) or not stamp.strip():
        return None
    try:
        when = dt.datetime.fromisoformat(stamp.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def declare_settings(source: str) -> None:
    """Declare the ``[import.SOURCE]`` keys every remote importer reads besides its options."""
    from brag.config import register_section

    register_section(
        f"import.{source}",
        "",
        [("max_wait", "int", "Longest wait for a rate limit, in seconds.")],
        owner=__name__,
    )


def who_option(flag: str, metavar: str, help: str) -> click.Option:
    """Whose work to import (``--user``, ``--user-id``); the token's owner by default."""
    return click.Option([flag], metavar=metavar, help=help)


def repeatable_option(flag: str, metavar: str, help: str) -> click.Option:
    """A repeatable filter such as ``--repo`` (read back with :func:`option_list`)."""
    return click.Option([flag], multiple=True, metavar=metavar, help=f"{help} (repeatable).")


def api_url_option(default: str, elsewhere: str = "") -> click.Option:
    """``--api-url``: another API root, such as a self-hosted server (``elsewhere``)."""
    more = f"; {elsewhere}" if elsewhere else ""
    return click.Option(["--api-url"], metavar="URL", help=f"API root (default {default}{more}).")


def option_list(ctx: ImportContext, name: str) -> list[str]:
    """A repeatable option (or a brag.toml string or list) as a clean list."""
    value = ctx.option(name)
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{name} must be a string or a list of strings")
    return [v.strip() for v in value if v.strip()]


def option_str(ctx: ImportContext, name: str, default: str = "") -> str:
    value = ctx.option(name, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise ConfigError(f"{name} must be a string")
    return value.strip()


def option_number(ctx: ImportContext, name: str) -> float | None:
    value = ctx.option(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{name} must be a number")
    return float(value)


def refuse_token_in_config(ctx: ImportContext, source: str, env: str) -> None:
    """A token written into brag.toml would be committed: refuse and say why."""
    section = ctx.journal.config.get("import", {}).get(source, {})
    if isinstance(section, dict) and any("token" in str(k).lower() for k in section):
        raise ConfigError(
            f"[import.{source}] in brag.toml holds a token: remove it (brag.toml is committed "
            f"to git) and set {env} in the environment instead"
        )


def token_from_env(names: tuple[str, ...]) -> tuple[str, str] | None:
    """The first of ``names`` set in the environment: (token, variable name)."""
    for name in names:
        value = os.environ.get(name, "").strip()
        if value:
            return value, name
    return None


def gh_cli_token(host: str | None) -> str | None:
    """``gh auth token`` when the GitHub CLI is installed and logged in."""
    import shutil
    import subprocess

    gh = shutil.which("gh")
    if not gh:
        return None
    args = [gh, "auth", "token"]
    if host and host not in ("github.com", "api.github.com"):
        args += ["--hostname", host]
    try:
        proc = subprocess.run(args, capture_output=True, text=True, timeout=15)
    except (OSError, subprocess.SubprocessError):
        return None
    token = proc.stdout.strip()
    return token if proc.returncode == 0 and token else None


def missing_token(service: str, hint: str) -> ImportSourceError:
    return ImportSourceError(f"{service}: no token found: {hint}")


def api_url_from_command_line() -> bool:
    """Whether ``--api-url`` was typed on this run's command line (not brag.toml)."""
    from click.core import ParameterSource

    current = click.get_current_context(silent=True)
    if current is None or "api_url" not in current.params:
        return False
    return current.get_parameter_source("api_url") == ParameterSource.COMMANDLINE


def pinned_api_url(ctx: ImportContext, source: str, service: str, default_api_url: str) -> str:
    """The API root to send the token to, once it passed :func:`brag.http.check_api_url`.

    brag.toml is synced from other machines, so an ``api_url`` found only there
    must be approved on this machine first (``approved_hosts``); one typed as
    ``--api-url`` is approved for this run, with a note on how to keep it.
    """
    from brag import machine
    from brag.http import HttpError, check_api_url

    api_url = option_str(ctx, "api_url", default_api_url) or default_api_url
    approved = machine.get("approved_hosts", [])
    approved = [str(a) for a in approved] if isinstance(approved, list) else []
    typed = api_url_from_command_line()
    pin = {"service": service, "default_url": default_api_url, "approved": approved}
    setting = "--api-url" if typed else f"[import.{source}] api_url"
    checked = check_api_url(api_url, from_command_line=typed, setting=setting, **pin)
    if typed:
        try:
            check_api_url(checked, **pin)
        except HttpError:
            from urllib.parse import urlsplit

            host = urlsplit(checked).netloc
            ctx.progress.log(
                f"{service}: sending the token to {host} for this run only; to allow it "
                f"from brag.toml too: brag config --machine approved_hosts {host}"
            )
    return checked


def connect(
    ctx: ImportContext,
    source: str,
    *,
    service: str,
    default_api_url: str,
    token_vars: tuple[str, ...],
    no_token: str,
    headers: Callable[[str], dict[str, str]],
    expired: str = "",
    api_root: Callable[[str], str] = lambda url: url,
    fallback: Callable[[str], tuple[str, str] | None] | None = None,
) -> Client:
    """The HTTP client for one service, with the token and options every remote
    importer reads the same way.

    A token in ``[import.SOURCE]`` is refused; ``api_url`` (through ``api_root``)
    and ``max_wait`` come from the options; the token is the first of
    ``token_vars`` set in the environment, else what ``fallback(api_url)`` finds
    (a token and how to replace it), else ``no_token`` says how to get one.
    ``headers(token)`` authenticates; ``expired`` is added to the hint a 401 shows.
    The API root must pass :func:`pinned_api_url` before any token is looked up.
    """
    from brag.http import Client

    refuse_token_in_config(ctx, source, token_vars[0])
    api_url = api_root(pinned_api_url(ctx, source, service, default_api_url))
    found = token_from_env(token_vars)
    if found:
        token, hint = found[0], f"check {found[1]}{expired}"
    else:
        other = fallback(api_url) if fallback else None
        if other is None:
            raise missing_token(service, no_token)
        token, hint = other
    return Client(
        api_url,
        service=service,
        headers=headers(token),
        secrets=(token,),
        token_hint=hint,
        progress=ctx.progress,
        max_wait=option_number(ctx, "max_wait"),
    )


def field_dict(data: dict[str, Any], key: str) -> dict[str, Any]:
    """``data[key]`` if it is a JSON object, else an empty one."""
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def field_list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    return value if isinstance(value, list) else []


def field_str(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


# -- reviews: pull/merge requests the user reviewed -------------------------------------

REVIEW_ROLLUP = 5
REVIEW_TAG = "review"


def today() -> dt.date:
    """The local date that decides which weeks are finished."""
    return dt.date.today()


def reviews_option() -> click.Option:
    """``--reviews``: also import what the user reviewed (``reviews = true`` in brag.toml)."""
    return click.Option(
        ["--reviews"],
        is_flag=True,
        default=None,
        help="Also import merged PRs you reviewed (one entry each, or one per busy week).",
    )


def review_rollup_option() -> click.Option:
    return click.Option(
        ["--review-rollup"],
        type=click.IntRange(min=0),
        metavar="N",
        help=f"Roll up a finished week with more than N reviews into one entry "
        f"(default {REVIEW_ROLLUP}).",
    )


def option_flag(ctx: ImportContext, name: str) -> bool:
    value = ctx.option(name, False)
    if not isinstance(value, bool):
        raise ConfigError(f"{name} must be true or false")
    return value


def review_threshold(ctx: ImportContext) -> int:
    value = ctx.option("review_rollup")
    if value is None:
        return REVIEW_ROLLUP
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError("review_rollup must be a whole number, 0 or more")
    return value


def review_window(ctx: ImportContext, epoch: dt.date) -> tuple[dt.date, dt.date]:
    """The import window widened to whole ISO weeks (Monday to Sunday), so that a
    week is always counted whole, whatever day a run starts or resumes from."""
    start = ctx.since or epoch
    end = ctx.until or today()
    monday = start - dt.timedelta(days=start.weekday())
    sunday = end + dt.timedelta(days=6 - end.weekday())
    return max(monday, epoch), sunday


def iso_week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass
class Reviewed:
    """A merged pull/merge request someone else wrote and the user reviewed."""

    ref: str  # "acme/api#12", "group/project!45"
    title: str  # the request's own title, verbatim (cleaned)
    author: str
    merged: dt.date
    url: str
    tags: list[str] = field(default_factory=list)

    @property
    def source_id(self) -> str:
        return f"review:{self.ref}"


def review_entries(
    ctx: ImportContext, source: str, reviewed: list[Reviewed], noun: str
) -> Iterator[Entry | tuple[str, str]]:
    """Entries for ``reviewed``, week by ISO week: one per review, or one roll-up
    for a finished week holding more than the threshold.

    A week still in progress is left for a later run. A week is decided once:
    a week already imported review by review stays that way (new ones are
    added individually), and a roll-up, once written, is never rewritten
    (a review turning up later for its week is added on its own).
    """
    threshold = review_threshold(ctx)
    known = ctx.journal.index.source_keys()
    removed = ctx.journal.removed_imports()
    now = today()
    weeks: dict[str, list[Reviewed]] = {}
    for review in sorted(reviewed, key=lambda r: (r.merged, r.ref)):
        weeks.setdefault(iso_week(review.merged), []).append(review)
    for week, items in weeks.items():
        sunday = items[0].merged + dt.timedelta(days=6 - items[0].merged.weekday())
        if sunday >= now:
            for review in items:
                yield (review.ref, f"week {week} still in progress, imported once it ends")
            continue
        rollup_key = (source, f"reviews:{week}")
        individually = any(
            (source, r.source_id) in known or (source, r.source_id) in removed for r in items
        )
        if rollup_key in removed:
            yield _rollup_entry(source, week, items, noun)  # reported as removed with brag rm
            continue
        if rollup_key in known:
            covered = _rolled_up_refs(ctx, known[rollup_key])
            late = [r for r in items if covered is not None and r.ref not in covered]
            yield _rollup_entry(source, week, [r for r in items if r not in late], noun)
            for review in late:
                yield _review_entry(source, review)
            continue
        if len(items) > threshold and not individually:
            yield _rollup_entry(source, week, items, noun)
            continue
        for review in items:
            yield _review_entry(source, review)


def _rolled_up_refs(ctx: ImportContext, path: str) -> set[str] | None:
    """The requests an existing roll-up lists (its ``reviewed`` field); None when
    that cannot be told (then the whole week counts as rolled up)."""
    try:
        entry = ctx.journal.read_file(path)
    except (BragError, OSError):
        return None
    refs = entry.extra.get("reviewed")
    if not isinstance(refs, list):
        return None
    return {r for r in refs if isinstance(r, str)}


def _review_entry(source: str, review: Reviewed) -> Entry:
    link = f"[{review.ref}]({review.url})" if review.url else review.ref
    return Entry(
        id=stable_id(source, review.source_id),
        title=f"Reviewed {review.title}",
        date=review.merged,
        tags=_review_tags([review]),
        leverage="interpersonal",
        with_=[review.author] if review.author else [],
        source=source,
        source_id=review.source_id,
        url=review.url,
        body=f"Reviewed {link} by {review.author or 'an unknown author'}, "
        f"merged {review.merged.isoformat()}.\n",
    )


def _rollup_entry(source: str, week: str, items: list[Reviewed], noun: str) -> Entry:
    authors = list(dict.fromkeys(r.author for r in items if r.author))
    lines = []
    for r in items:
        link = f"[{r.ref}]({r.url})" if r.url else r.ref
        lines.append(f"- {link} {r.title} ({r.author or 'unknown author'}, {r.merged.isoformat()})")
    count = len(items)
    return Entry(
        id=stable_id(source, f"reviews:{week}"),
        title=f"Reviewed {count} {noun if count != 1 else noun.rstrip('s')} in week {week}",
        date=max((r.merged for r in items), default=_week_sunday(week)),
        tags=_review_tags(items),
        leverage="interpersonal",
        with_=authors,
        source=source,
        source_id=f"reviews:{week}",
        body="\n".join(lines) + "\n",
        extra={"reviewed": [r.ref for r in items]},
    )


def _week_sunday(week: str) -> dt.date:
    year, number = week.split("-W")
    return dt.date.fromisocalendar(int(year), int(number), 7)


def _review_tags(items: list[Reviewed]) -> list[str]:
    tags = [REVIEW_TAG]
    for review in items:
        for tag in review.tags:
            if tag and tag not in tags:
                tags.append(tag)
    return tags
