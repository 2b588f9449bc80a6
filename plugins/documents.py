"""The documents that decide careers: 1:1 agenda, self-review, promotion brief, status.

Built-in exporters; each builds a plain dict and renders it with a template
named ``KIND.FORMAT.j2`` (copy one into the journal's ``templates/`` folder to
change it; ``brag export --list`` shows which file is in use). ``--format
json`` writes the dict itself.

Configuration in ``brag.toml``::

    [user]
    name = "Sam Rivera"
    level = "senior"          # where you are
    target_level = "staff"    # default for promo-brief --target and the coach

    [coach]
    gap_days = 21             # a stretch without entries longer than this is a gap

    [lenses.board]            # your own audience: brag export status --audience board
    extends = "exec"
    weights = { revenue = 2.5, risk = 1.5 }

    [glossary]                # plain words for your team's jargon
    "blue-green deploy" = "switch-over release with instant rollback"

    [impact.keywords]         # words that mark an impact area
    revenue = ["upsell", "arr"]
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from typing import Any

import click

import brag
from brag import coach, impact
from brag.entry import AREAS, Entry
from brag.exporting import ExportContext, Exporter

LEVERAGE_ORDER = ("execution", "strategic", "interpersonal", "expert")
LEVERAGE_MEANING = {
    "execution": "drove complex projects to done",
    "strategic": "saw and sold new opportunities",
    "interpersonal": "trust, network, mentoring",
    "expert": "rare skills",
}
AREA_TITLES = {
    "revenue": "Revenue",
    "cost": "Cost",
    "risk": "Risk and reliability",
    "customer": "Customer experience",
    "retention": "Retention",
    "velocity": "Engineering velocity",
    "quality": "Quality",
    "people": "People",
    "strategy": "Strategy",
    "": "Other work",
}
INCIDENT_SOURCES = ("pagerduty", "incidents", "incident", "opsgenie")
ASK_TAGS = ("ask", "blocked", "decision", "help")
RISK_TAGS = ("risk", "incident")
PROMO_WORD_LIMIT = 600

STATE_ONE_ON_ONE = "export-one-on-one"


# -- shared pieces -------------------------------------------------------------


def _window(ctx: ExportContext, default_days: int) -> tuple[dt.date, dt.date]:
    """The period a document covers: the one asked for, else the last ``default_days``."""
    until = ctx.until or ctx.today
    since = ctx.since or (until - dt.timedelta(days=default_days - 1))
    return since, until


def _within(ctx: ExportContext, since: dt.date, until: dt.date) -> list[Entry]:
    return [e for e in ctx.entries if since <= e.date <= until]


def _user(ctx: ExportContext, target: str | None = None) -> dict[str, str]:
    user = ctx.config.get("user", {})
    name = str(user.get("name", "") or "").strip() if isinstance(user, dict) else ""
    level, target_level = coach.levels(ctx.config, target)
    return {"name": name, "level": level, "target": target_level}


def _span(since: dt.date, until: dt.date) -> str:
    if since.year == until.year:
        if since.month == until.month:
            return f"{since:%b} {since.day}–{until.day}, {until.year}"
        return f"{since:%b} {since.day} – {until:%b} {until.day}, {until.year}"
    return f"{since:%b} {since.day}, {since.year} – {until:%b} {until.day}, {until.year}"


def _base(
    ctx: ExportContext, kind: str, title: str, since: dt.date, until: dt.date, entries: list[Entry]
) -> dict[str, Any]:
    return {
        "kind": kind,
        "title": title,
        "since": since.isoformat(),
        "until": until.isoformat(),
        "span": _span(since, until),
        "today": ctx.today.isoformat(),
        "audience": {"name": ctx.lens.name, "description": ctx.lens.description},
        "count": len(entries),
        "empty": not entries,
        "how_to_add": [
            'brag add "Cut checkout errors 40%" --impact "…" --date YYYY-MM-DD',
            "brag import github --since " + since.isoformat(),
            f"brag list --since {since.isoformat()} (check what the journal holds)",
        ],
    }


def _bullet(ctx: ExportContext, entry: Entry, score: impact.Score | None = None) -> dict[str, Any]:
    """One exported item: the hook's (or built-in) impact-first wording plus its facts."""
    framed = ctx.reframe(entry)
    found = impact.analyse(entry, ctx.keywords)
    return {
        "id": entry.id,
        "date": entry.date.isoformat(),
        "title": entry.title,
        "headline": framed.headline,
        "outcome": framed.outcome,
        "action": framed.action,
        "text": framed.text,
        "link": framed.link,
        "areas": list(found.areas),
        "leverage": found.leverage,
        "tree": found.tree,
        "with": list(entry.with_),
        "metrics": [m.describe() for m in found.metrics],
        "quantified": bool(found.metrics),
        "score": (score or ctx.score(entry)).total,
    }


def _tags(entry: Entry) -> set[str]:
    return {t.strip().lower() for t in entry.tags}


def _is_incident(entry: Entry, keywords: Any) -> bool:
    if entry.source.lower() in INCIDENT_SOURCES or _tags(entry) & set(RISK_TAGS):
        return True
    return "risk" in impact.analyse(entry, keywords).areas[:1]


def _is_ask(entry: Entry) -> bool:
    return bool(_tags(entry) & set(ASK_TAGS))


def _is_cross_team(entry: Entry, keywords: Any) -> bool:
    found = impact.analyse(entry, keywords)
    return bool(entry.with_ or found.broad or found.leverage == "interpersonal")


def _review(
    ctx: ExportContext, entries: list[Entry], target: str, since: dt.date, until: dt.date
) -> coach.Review:
    return coach.review(
        entries,
        today=ctx.today,
        target=target,
        glossary=ctx.glossary,
        keywords=ctx.keywords,
        per_entry=False,
        max_gap_days=coach.gap_days(ctx.config),
        since=since,
        until=until,
    )


def _finding(f: coach.Finding) -> dict[str, str]:
    return {"kind": f.kind, "problem": f.problem, "fix": f.fix}


def _money_total(entries: list[Entry], keywords: Any) -> float:
    """Measured money a year: each entry's largest amount, monthly and weekly annualised."""
    total = 0.0
    for entry in entries:
        best = 0.0
        for m in impact.analyse(entry, keywords).metrics:
            if m.kind != "money" or m.is_pair:
                continue
            unit = m.unit.lower()
            factor = (
                12 if "month" in unit else 52 if "week" in unit else 4 if "quarter" in unit else 1
            )
            best = max(best, m.value * factor)
        total += best
    return total


def _money(value: float) -> str:
    if value >= 1e6:
        return f"${value / 1e6:.1f}M"
    if value >= 1e3:
        return f"${value / 1e3:.0f}k"
    return f"${value:.0f}"


# -- one-on-one ----------------------------------------------------------------


def build_one_on_one(ctx: ExportContext) -> dict[str, Any]:
    since = ctx.since
    remembered = ""
    if since is None:
        last = ctx.journal.read_state(STATE_ONE_ON_ONE).get("last")
        if isinstance(last, dt.date) and last <= ctx.today:
            since, remembered = last, last.isoformat()
        else:
            since = ctx.today - dt.timedelta(days=13)
    until = ctx.until or ctx.today
    entries = _within(ctx, since, until)
    user = _user(ctx, ctx.options.get("target"))
    data = _base(ctx, "one-on-one", "1:1 agenda", since, until, entries)
    data["since_last"] = remembered
    data["user"] = user
    ranked = ctx.ranked(entries)
    kw = ctx.keywords
    risks = [(e, s) for e, s in ranked if _is_incident(e, kw) and not _is_ask(e)]
    asks = [(e, s) for e, s in ranked if _is_ask(e)]
    used = {e.id for e, _ in risks} | {e.id for e, _ in asks}
    wins = [(e, s) for e, s in ranked if e.id not in used][:5]
    used |= {e.id for e, _ in wins}
    cross = [(e, s) for e, s in ranked if e.id not in used and _is_cross_team(e, kw)][:3]
    data["wins"] = [_bullet(ctx, e, s) for e, s in wins]
    data["cross_team"] = [_bullet(ctx, e, s) for e, s in cross]
    data["risks"] = [_risk(ctx, e, s) for e, s in risks[:3]]
    data["asks"] = [_bullet(ctx, e, s) for e, s in asks[:3]]
    review = _review(
        ctx, ctx.entries if ctx.since is None else entries, user["target"], since, until
    )
    data["career"] = coach.career_questions(review, limit=2)
    data["more"] = max(0, len(entries) - len(wins) - len(cross) - len(risks[:3]) - len(asks[:3]))
    data["minutes"] = {"wins": 10, "cross_team": 5, "risks": 5, "asks": 5, "career": 5}
    return data


def _risk(ctx: ExportContext, entry: Entry, score: impact.Score) -> dict[str, Any]:
    item = _bullet(ctx, entry, score)
    seeing = " ".join(entry.title.split())
    addressing = " ".join(entry.impact.split())
    if not ctx.lens.technical:
        seeing = impact.translate(seeing, ctx.glossary)
        addressing = impact.translate(addressing, ctx.glossary)
    item["seeing"] = seeing
    item["addressing"] = addressing or "Not yet: let's decide who owns it."
    return item


def remember_one_on_one(ctx: ExportContext) -> None:
    """Record today as the last 1:1, so the next agenda starts here (one commit)."""
    if ctx.options.get("no_remember") or ctx.format == "json":
        return  # scripts reading the agenda must not move the marker
    ctx.journal.write_state(STATE_ONE_ON_ONE, {"last": ctx.today})


# -- self-review -----------------------------------------------------------------


def build_self_review(ctx: ExportContext) -> dict[str, Any]:
    since, until = _window(ctx, 365)
    entries = _within(ctx, since, until)
    per_area = int(ctx.options.get("per_area") or 5)
    user = _user(ctx, ctx.options.get("target"))
    data = _base(ctx, "self-review", "Self-review", since, until, entries)
    data["user"] = user
    ranked = ctx.ranked(entries)
    kw = ctx.keywords
    groups: dict[str, list[tuple[Entry, impact.Score]]] = defaultdict(list)
    for entry, s in ranked:
        areas = impact.analyse(entry, kw).areas
        lens_areas = sorted(areas, key=lambda a: -ctx.lens.weight(a)) if areas else [""]
        groups[lens_areas[0]].append((entry, s))

    def strength(area: str) -> tuple[float, float, str]:
        scores = [s.total for _, s in groups[area]]
        return (-sum(scores[:per_area]), -max(scores), area)

    order = sorted(groups, key=strength)
    data["areas"] = [
        {
            "area": area,
            "title": AREA_TITLES.get(area, area.title()),
            "count": len(groups[area]),
            "quantified": sum(1 for e, _ in groups[area] if impact.analyse(e, kw).metrics),
            "bullets": [_bullet(ctx, e, s) for e, s in groups[area][:per_area]],
            "more": max(0, len(groups[area]) - per_area),
        }
        for area in order
    ]
    quantified = sum(1 for e in entries if impact.analyse(e, kw).metrics)
    data["quantified"] = quantified
    data["money"] = _money(_money_total(entries, kw)) if _money_total(entries, kw) else ""
    strongest = [AREA_TITLES.get(a, a).lower() for a in order[:2] if a]
    data["summary"] = _summary(len(entries), len(order), strongest, quantified, data["money"])
    data["top"] = data["areas"][0]["bullets"][0] if data["areas"] else None
    data["growth"] = _growth(entries, since, until, kw)
    review = _review(ctx, entries, user["target"], since, until)
    data["develop"] = [_finding(f) for f in review.balance]
    data["tree"] = review.stats["tree"]
    return data


def _summary(n: int, areas: int, strongest: list[str], quantified: int, money: str) -> str:
    if not n:
        return ""
    parts = [f"{n} accomplishment{'s' * (n != 1)} across {areas} impact area{'s' * (areas != 1)}"]
    if strongest:
        parts.append(f"strongest in {' and '.join(strongest)}")
    text = ", ".join(parts) + "."
    text += f" {quantified} of {n} have a measured outcome"
    text += f", including {money} a year in revenue and savings." if money else "."
    return text


def _growth(entries: list[Entry], since: dt.date, until: dt.date, kw: Any) -> dict[str, Any]:
    """Per quarter (per month for short periods): volume, evidence and Tree B share."""
    by_month = (until - since).days <= 124
    buckets: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        if by_month:
            key = f"{entry.date:%Y-%m}"
        else:
            key = f"{entry.date.year} Q{(entry.date.month - 1) // 3 + 1}"
        buckets[key].append(entry)
    rows = []
    for key in sorted(buckets):
        group = buckets[key]
        found = [impact.analyse(e, kw) for e in group]
        areas = Counter(f.areas[0] for f in found if f.areas)
        rows.append(
            {
                "period": key,
                "entries": len(group),
                "quantified": sum(1 for f in found if f.metrics),
                "tree_b": round(sum(1 for f in found if f.tree == "B") / len(group), 3),
                "top_area": areas.most_common(1)[0][0] if areas else "",
            }
        )
    return {"unit": "month" if by_month else "quarter", "rows": rows}


# -- promotion brief -------------------------------------------------------------


def build_promo_brief(ctx: ExportContext) -> dict[str, Any]:
    since, until = _window(ctx, 365)
    entries = _within(ctx, since, until)
    user = _user(ctx, ctx.options.get("target"))
    if not user["target"]:
        raise brag.errors.BragError(
            "promo-brief needs a target level: --target staff, or set [user] target_level "
            "in brag.toml (brag config set user.target_level staff)"
        )
    data = _base(ctx, "promo-brief", "Promotion brief", since, until, entries)
    data["user"] = user
    data["level_word"] = coach.LEVEL_WORDS.get(user["target"], user["target"])
    kw = ctx.keywords
    ranked = ctx.ranked(entries)
    numbered = [(e, s) for e, s in ranked if impact.analyse(e, kw).metrics]
    top = (numbered or ranked)[:5]
    data["stories"] = [_bullet(ctx, e, s) for e, s in top]
    used = {e.id for e, _ in top}
    by_lev: dict[str, list[tuple[Entry, impact.Score]]] = defaultdict(list)
    for entry, s in ranked:
        by_lev[impact.analyse(entry, kw).leverage].append((entry, s))
    data["leverage"] = [
        {
            "type": lev,
            "meaning": LEVERAGE_MEANING[lev],
            "count": len(by_lev[lev]),
            "examples": [
                _short_bullet(ctx, e, s) for e, s in
                ([p for p in by_lev[lev] if p[0].id not in used] or by_lev[lev])[:2]
            ],
        }
        for lev in LEVERAGE_ORDER
    ]  # fmt: skip
    partners = Counter(p.strip() for e in entries for p in e.with_ if p.strip())
    cross = [e for e in entries if _is_cross_team(e, kw)]
    teams = max(
        (m.value for e in entries for m in impact.analyse(e, kw).metrics
         if m.kind == "count" and re.match(r"(?i)teams?\b", m.unit)),
        default=0,
    )  # fmt: skip
    data["scope"] = {
        "partners": [p for p, _ in sorted(partners.items(), key=lambda kv: (-kv[1], kv[0]))][:8],
        "cross_team": len(cross),
        "teams": int(teams),
        "areas": [AREA_TITLES.get(a, a) for a in _area_counts(entries, kw)][:5],
    }
    review = _review(ctx, entries, user["target"], since, until)
    tree = review.stats["tree"]
    total = tree["A"] + tree["B"]
    expected_b = tree.get("target_b", 0.0)
    data["tree"] = {
        "rows": [
            {"tree": "A", "label": "Technical", "count": tree["A"],
             "share": _pct(tree["A"], total), "expected": f"{round((1 - expected_b) * 100)}%"},
            {"tree": "B", "label": "Communication and influence", "count": tree["B"],
             "share": _pct(tree["B"], total), "expected": f"{round(expected_b * 100)}%"},
        ],
        "met": tree["share_b"] + 0.05 >= expected_b,
    }  # fmt: skip
    data["gaps"] = [_finding(f) for f in review.balance if f.kind != "gap"][:4]
    data["next"] = _next_steps(ctx, entries, review)
    money = _money_total(entries, kw)
    data["headline"] = _headline(user, data["level_word"], money, data["scope"], top, ctx)
    return data


def _pct(n: int, total: int) -> str:
    return f"{round(100 * n / total)}%" if total else "0%"


def _area_counts(entries: list[Entry], kw: Any) -> list[str]:
    counts = Counter(a for e in entries for a in impact.analyse(e, kw).areas[:1])
    return [a for a, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def _short_bullet(ctx: ExportContext, entry: Entry, s: impact.Score) -> dict[str, Any]:
    item = _bullet(ctx, entry, s)
    outcome = item["outcome"]
    item["short"] = outcome if len(outcome) <= 110 else outcome[:107].rsplit(" ", 1)[0] + "…"
    return item


def _headline(
    user: dict[str, str],
    level_word: str,
    money: float,
    scope: dict[str, Any],
    top: list[tuple[Entry, impact.Score]],
    ctx: ExportContext,
) -> str:
    who = user["name"] or "I"
    verb = "delivered"
    claims = []
    if money:
        claims.append(f"{_money(money)} a year in measured revenue and savings")
    if scope["teams"] > 1:
        claims.append(f"work adopted across {scope['teams']} teams")
    elif scope["cross_team"]:
        claims.append(f"{scope['cross_team']} cross-team initiatives")
    if not claims and top:
        outcome = ctx.reframe(top[0][0]).outcome
        claims.append(outcome[:1].lower() + outcome[1:])
    areas = ", ".join(a.lower() for a in scope["areas"][:3])
    text = f"{who} {verb} {' and '.join(claims) if claims else 'results'}"
    if areas:
        text += f" in {areas}"
    return f"{text}: {level_word}-level impact."


def _next_steps(ctx: ExportContext, entries: list[Entry], review: coach.Review) -> list[str]:
    steps: list[str] = []
    kw = ctx.keywords
    planned = [e for e in entries if _tags(e) & {"next", "plan", "planned"}]
    proposals = [
        e for e in entries
        if impact.analyse(e, kw).leverage == "strategic" and e.date >= ctx.today - dt.timedelta(90)
    ]  # fmt: skip
    for entry in (planned or proposals)[-2:]:
        steps.append(f"Carry through: {ctx.reframe(entry).headline}")
    for finding in review.balance:
        if finding.kind in ("tree", "leverage") and len(steps) < 3:
            steps.append(finding.fix.split(". ")[0].rstrip(".") + ".")
    return steps[:3] or ["Keep the current scope and add one cross-team initiative per quarter."]


# -- status ----------------------------------------------------------------------


def build_status(ctx: ExportContext) -> dict[str, Any]:
    cadence = ctx.options.get("cadence") or "weekly"
    since, until = _window(ctx, 7 if cadence == "weekly" else 30)
    entries = _within(ctx, since, until)
    label = "Weekly" if cadence == "weekly" else "Monthly"
    data = _base(ctx, "status", f"{label} status", since, until, entries)
    data["cadence"] = cadence
    data["user"] = _user(ctx, None)
    kw = ctx.keywords
    ranked = ctx.ranked(entries)
    asks = [(e, s) for e, s in ranked if _is_ask(e)]
    risks = [(e, s) for e, s in ranked if _is_incident(e, kw) and not _is_ask(e)]
    ask_ids = {e.id for e, _ in asks}
    know = [(e, s) for e, s in ranked if e.id not in ask_ids][:3]
    data["know"] = [_bullet(ctx, e, s) for e, s in know]
    data["risks"] = [_risk(ctx, e, s) for e, s in risks[:2] if (e, s) not in know]
    data["decide"] = [_bullet(ctx, e, s) for e, s in asks[:3]]
    data["feel"] = _feel(len(entries), len(know), risks, asks)
    data["more"] = max(0, len(entries) - len(know) - len(data["decide"]))
    return data


def _feel(
    n: int,
    landed: int,
    risks: list[tuple[Entry, impact.Score]],
    asks: list[tuple[Entry, impact.Score]],
) -> str:
    """One line for the reader's confidence: what to feel, stated plainly."""
    if not n:
        return ""
    if asks:
        n_asks = len(asks)
        need = f"{n_asks} item{'s' * (n_asks != 1)} that need{'s' * (n_asks == 1)} a decision"
        return f"On track, with {need} from you (below)."
    if risks:
        return (
            f"Confident: {landed} result{'s' * (landed != 1)} landed; "
            f"{len(risks)} risk{'s' * (len(risks) != 1)} in hand, nothing needs you."
        )
    return f"Confident: {landed} result{'s' * (landed != 1)} landed and nothing is at risk."


# -- registration ----------------------------------------------------------------


def _target_option() -> click.Option:
    return click.Option(
        ["--target", "-T"],
        metavar="LEVEL",
        help="Target level (default: [user] target_level in brag.toml).",
    )


@brag.hookimpl
def register_exporters(register: Any) -> None:
    register(
        Exporter(
            name="one-on-one",
            help="1:1 agenda since the last one: wins, cross-team work, risks, asks, career.",
            build=build_one_on_one,
            formats=("md", "txt", "html", "json"),
            after=remember_one_on_one,
            params=[
                _target_option(),
                click.Option(
                    ["--no-remember"],
                    is_flag=True,
                    help="Do not record this as the last 1:1 (JSON output never does).",
                ),
            ],
        )
    )
    register(
        Exporter(
            name="self-review",
            help="Self-review: the period by impact area, strongest first, with evidence.",
            build=build_self_review,
            formats=("md", "html", "json"),
            params=[
                _target_option(),
                click.Option(
                    ["--per-area"],
                    type=click.IntRange(min=1),
                    metavar="N",
                    help="Items shown per impact area (default 5).",
                ),
            ],
        )
    )
    register(
        Exporter(
            name="promo-brief",
            help="One-page promotion brief against a target level.",
            build=build_promo_brief,
            formats=("md", "html", "json"),
            params=[_target_option()],
        )
    )
    register(
        Exporter(
            name="status",
            help="Leadership status update: what to know, what to feel, what to decide.",
            build=build_status,
            formats=("md", "txt", "html", "json"),
            params=[
                click.Option(
                    ["--cadence"],
                    type=click.Choice(["weekly", "monthly"]),
                    help="Default window when no period is given (default weekly).",
                )
            ],
        )
    )


__all__ = [
    "AREAS",
    "build_one_on_one",
    "build_promo_brief",
    "build_self_review",
    "build_status",
    "register_exporters",
]
