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
from brag.entry import Entry
from brag.exporting import ExportContext, Exporter
from brag.plugins._documents import (
    AREA_TITLES,
    LEVERAGE_MEANING,
    LEVERAGE_ORDER,
    STATE_ONE_ON_ONE,
    _base,
    _bullet,
    _done,
    _finding,
    _has_tag,
    _is_ask,
    _is_cross_team,
    _is_risk,
    _money,
    _money_phrase,
    _money_totals,
    _others_say,
    _own_ladder,
    _pick,
    _review,
    _span,
    _user,
    _window,
    _with_terms,
    _within,
    _work_and_feedback,
)

# -- one-on-one ----------------------------------------------------------------


CAREER_DAYS = 90  # the balance behind the 1:1's career questions


def _one_on_one_since(ctx: ExportContext) -> tuple[dt.date, str]:
    """Where the agenda starts: --since, else the last 1:1 export, else two weeks ago."""
    if ctx.since is not None:
        return ctx.since, ""
    last = ctx.journal.read_state(STATE_ONE_ON_ONE).get("last")
    if isinstance(last, dt.date) and last <= ctx.today:
        return last, last.isoformat()
    return ctx.today - dt.timedelta(days=13), ""


def window_one_on_one(ctx: ExportContext) -> tuple[dt.date, dt.date]:
    since, _ = _one_on_one_since(ctx)
    until = ctx.until or ctx.today
    return min(since, until - dt.timedelta(days=CAREER_DAYS - 1)), until


def _window_days(days: int) -> Any:
    def window(ctx: ExportContext) -> tuple[dt.date, dt.date]:
        return _window(ctx, days)

    return window


def _status_window(ctx: ExportContext) -> tuple[dt.date, dt.date]:
    return _window(ctx, 30 if ctx.options.get("cadence") == "monthly" else 7)


def build_one_on_one(ctx: ExportContext) -> dict[str, Any]:
    since, remembered = _one_on_one_since(ctx)
    until = ctx.until or ctx.today
    entries, feedback = _work_and_feedback(_within(ctx, since, until))
    user = _user(ctx, ctx.options.get("target"))
    data = _base(ctx, "one-on-one", "1:1 agenda", since, until, entries)
    _others_say(data, feedback)
    data["since_last"] = remembered
    data["user"] = user
    ranked = ctx.ranked(entries)
    read = ctx.analysis
    risks = [(e, s) for e, s in ranked if _is_risk(e, ctx.analysis)]
    asks = [(e, s) for e, s in ranked if _is_ask(e, ctx.analysis)]
    used = {e.id for e, _ in risks} | {e.id for e, _ in asks}
    wins = _pick(ctx, [(e, s) for e, s in ranked if e.id not in used], 5)
    used |= {e.id for e, _ in wins}
    cross = [(e, s) for e, s in ranked if e.id not in used and _is_cross_team(e, read)][:3]
    data["wins"] = [_bullet(ctx, e, s) for e, s in wins]
    data["cross_team"] = [_bullet(ctx, e, s) for e, s in cross]
    data["risks"] = [_risk(ctx, e, s) for e, s in risks[:3]]
    data["asks"] = [_bullet(ctx, e, s) for e, s in asks[:3]]
    career_since = until - dt.timedelta(days=CAREER_DAYS - 1)
    if ctx.since is not None:
        career_since = max(career_since, ctx.since)  # only what was read: say so
    recent = _done(_within(ctx, career_since, until), ctx)
    review = _review(ctx, recent, user["target"], career_since, until)
    data["career"] = coach.career_questions(review, limit=2)
    data["career_span"] = _span(career_since, until)
    data["more"] = max(0, len(entries) - len(wins) - len(cross) - len(risks[:3]) - len(asks[:3]))
    data["minutes"] = {"wins": 10, "cross_team": 5, "risks": 5, "asks": 5, "career": 5}
    return _with_terms(ctx, data)


def _risk(ctx: ExportContext, entry: Entry, score: impact.Score) -> dict[str, Any]:
    """A risk in the user's words: what they see and, only if the entry says so,
    what they are doing about it."""
    item = _bullet(ctx, entry, score)
    item["seeing"] = " ".join(entry.title.split()).rstrip(".")
    addressing = " ".join(entry.impact.split()).rstrip(".")
    item["addressing"] = addressing if addressing != item["seeing"] else ""
    return item


def remember_one_on_one(ctx: ExportContext) -> str | None:
    """Record today as the last 1:1, so the next agenda starts here (one commit).

    A second agenda on the same day has nothing new to record: it says so and
    succeeds, with no commit.
    """
    if ctx.options.get("no_remember") or ctx.format == "json":
        return None  # scripts reading the agenda must not move the marker
    if ctx.journal.read_state(STATE_ONE_ON_ONE).get("last") == ctx.today:
        return f"Nothing new to record: the last 1:1 is already {ctx.today.isoformat()}."
    ctx.journal.write_state(STATE_ONE_ON_ONE, {"last": ctx.today})
    return None


# -- self-review -----------------------------------------------------------------


def build_self_review(ctx: ExportContext) -> dict[str, Any]:
    if ctx.options.get("form") is not None:
        return _form_answers(ctx)
    since, until = _window(ctx, 365)
    entries, feedback = _work_and_feedback(_done(_within(ctx, since, until), ctx))
    per_area = int(ctx.options.get("per_area") or 5)
    user = _user(ctx, ctx.options.get("target"))
    data = _base(ctx, "self-review", "Self-review", since, until, entries)
    data["user"] = user
    _others_say(data, feedback)
    ranked = ctx.ranked(entries)
    read = ctx.analysis
    lens = ctx.lens
    groups: dict[str, list[tuple[Entry, impact.Score]]] = defaultdict(list)
    numbered: dict[str, int] = defaultdict(int)
    # The area an entry is told under: the one its reader weighs most (the first
    # named on a tie). A year has few distinct sets of areas: each is weighed once.
    leading: dict[tuple[str, ...], str] = {}
    for entry, s in ranked:
        found = read(entry)
        areas = found.areas
        if len(areas) > 1:
            area = leading.get(areas)
            if area is None:
                area = leading[areas] = max(areas, key=lens.weight)  # the first of the best
        else:
            area = areas[0] if areas else ""
        groups[area].append((entry, s))
        numbered[area] += found.quantified

    def strength(area: str) -> tuple[float, float, str]:
        # An area is as strong as its three best results: depth, not volume.
        scores = [s.total for _, s in groups[area]]
        return (-sum(scores[:3]), -max(scores), area)

    order = sorted(groups, key=strength)
    data["areas"] = [
        {
            "area": area,
            "title": AREA_TITLES.get(area, area.title()),
            "count": len(groups[area]),
            "quantified": numbered[area],
            "bullets": [_bullet(ctx, e, s) for e, s in groups[area][:per_area]],
            "more": max(0, len(groups[area]) - per_area),
        }
        for area in order
    ]
    quantified = sum(numbered.values())
    data["quantified"] = quantified
    totals, estimated = _money_totals(entries, read)
    data["money"] = {k: _money(v) for k, v in totals.items() if v}
    strongest = [AREA_TITLES.get(a, a).lower() for a in order[:2] if a]
    data["summary"] = _summary(
        len(entries), len(order), strongest, quantified, _money_phrase(totals, estimated)
    )
    data["top"] = data["areas"][0]["bullets"][0] if data["areas"] else None
    data["growth"] = _growth(entries, since, until, read)
    review = _review(ctx, entries, user["target"], since, until)
    # Gaps in the journal are for the coach; the review lists what to grow.
    data["develop"] = [_finding(f) for f in review.balance if f.kind != "gap"]
    data["tree"] = review.stats["tree"]
    return _with_terms(ctx, data)


def _form_answers(ctx: ExportContext) -> dict[str, Any]:
    """``self-review --form``: each question of the review form answered in the
    user's own sentences within its limit; the count and evidence go beside."""
    from brag.ladder import form_answers, journal_form, journal_ladder

    if ctx.format == "html":
        raise brag.errors.BragError("--form writes Markdown or JSON: use -f md or -f json")
    since, until = _window(ctx, 365)
    entries = _done(_within(ctx, since, until), ctx)
    form = journal_form(ctx.journal.root, ctx.options.get("form") or None)
    data = _base(ctx, "self-review", form.title or "Self-review", since, until, entries)
    data["user"] = _user(ctx, ctx.options.get("target"))
    data["form"] = {"title": form.title, "path": form.path}
    data["answers"] = form_answers(
        form,
        entries,
        journal_ladder(ctx.journal.root),
        lens=ctx.lens,
        today=ctx.today,
        keywords=ctx.keywords,
    )
    return data


def _summary(n: int, areas: int, strongest: list[str], quantified: int, money: str) -> str:
    if not n:
        return ""
    parts = [f"{n} accomplishment{'s' * (n != 1)} across {areas} impact area{'s' * (areas != 1)}"]
    if strongest:
        parts.append(f"strongest in {' and '.join(strongest)}")
    text = ", ".join(parts) + "."
    if quantified:
        text += f" {quantified} of {n} have a measured outcome"
        text += f", including {money}." if money else "."
    else:
        text += " None has a measured outcome yet."
    return text


def _growth(entries: list[Entry], since: dt.date, until: dt.date, read: Any) -> dict[str, Any]:
    """Per quarter (per month for short periods): volume, evidence and Tree B share."""
    by_month = (until - since).days <= 124
    buckets: dict[str, list[Entry]] = defaultdict(list)
    period_of: dict[dt.date, str] = {}  # a year of entries falls on a few hundred days
    for entry in entries:
        day = entry.date
        key = period_of.get(day)
        if key is None:
            key = period_of[day] = (
                f"{day:%Y-%m}" if by_month else f"{day.year} Q{(day.month - 1) // 3 + 1}"
            )
        buckets[key].append(entry)
    rows = []
    for key in sorted(buckets):
        group = buckets[key]
        found = [read(e) for e in group]
        areas = Counter(f.areas[0] for f in found if f.areas)
        rows.append(
            {
                "period": key,
                "entries": len(group),
                "quantified": sum(1 for f in found if f.quantified),
                "tree_b": round(sum(1 for f in found if f.tree == "B") / len(group), 3),
                "top_area": areas.most_common(1)[0][0] if areas else "",
            }
        )
    return {"unit": "month" if by_month else "quarter", "rows": rows}


# -- promotion brief -------------------------------------------------------------


def build_promo_brief(ctx: ExportContext) -> dict[str, Any]:
    since, until = _window(ctx, 365)
    entries, feedback = _work_and_feedback(_done(_within(ctx, since, until), ctx))
    user = _user(ctx, ctx.options.get("target"))
    if not user["target"]:
        raise brag.errors.BragError(
            "promo-brief needs a target level: --target staff, or set [user] target_level "
            "in brag.toml (brag config set user.target_level staff)"
        )
    data = _base(ctx, "promo-brief", "Promotion brief", since, until, entries)
    data["user"] = user
    data["level_word"] = coach.LEVEL_WORDS.get(user["target"], user["target"])
    _others_say(data, feedback)
    read = ctx.analysis
    ranked = ctx.ranked(entries)
    # One pass over the period for every count the brief needs.
    found_by_id: dict[int, impact.Analysis] = {}
    partners: Counter[str] = Counter()
    area_counts: Counter[str] = Counter()
    cross = 0
    for entry in entries:
        found = found_by_id[id(entry)] = read(entry)
        for person in entry.with_:
            if person.strip():
                partners[person.strip()] += 1
        if found.areas:
            area_counts[found.areas[0]] += 1
        if entry.with_ or found.broad or found.leverage == "interpersonal":
            cross += 1
    totals, estimated = _money_totals(entries, read)
    numbered = [(e, s) for e, s in ranked if found_by_id[id(e)].quantified]
    top = _pick(ctx, numbered or ranked, 5)
    data["stories"] = [_bullet(ctx, e, s) for e, s in top]
    used = {e.id for e, _ in top}
    by_lev: dict[str, list[tuple[Entry, impact.Score]]] = defaultdict(list)
    for entry, s in ranked:
        by_lev[found_by_id[id(entry)].leverage].append((entry, s))
    data["leverage"] = [
        {
            "type": lev,
            "meaning": LEVERAGE_MEANING[lev],
            "count": len(by_lev[lev]),
            "examples": [
                _short_bullet(ctx, e, s) for e, s in
                _pick(ctx, [p for p in by_lev[lev] if p[0].id not in used] or by_lev[lev], 2)
            ],
        }
        for lev in LEVERAGE_ORDER
    ]  # fmt: skip
    by_count = sorted(area_counts.items(), key=lambda kv: (-kv[1], kv[0]))
    data["scope"] = {
        "partners": [p for p, _ in sorted(partners.items(), key=lambda kv: (-kv[1], kv[0]))][:8],
        "cross_team": cross,
        "areas": [AREA_TITLES.get(a, a) for a, _ in by_count][:5],
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
    # Competencies without evidence are in the ladder section, as gaps beside the rest.
    data["gaps"] = [_finding(f) for f in review.balance if f.kind not in ("gap", "ladder")][:4]
    ladder = _against_ladder(ctx, user["target"], since, until)
    if ladder is not None:
        data["ladder"] = ladder
    data["next"] = _next_steps(ctx, entries, review)
    data["money"] = {k: _money(v) for k, v in totals.items() if v}
    data["headline"] = _headline(user, _money_phrase(totals, estimated), data["scope"], top, ctx)
    data["case"] = _case(user, data["level_word"], tree, total, len(entries), len(numbered))
    return _with_terms(ctx, data)


def _against_ladder(
    ctx: ExportContext, target: str, since: dt.date, until: dt.date
) -> dict[str, Any] | None:
    """ "Against the <level> expectations": with the journal's own ladder, each
    competency expected at the level with its one or two strongest stories,
    and the gaps; None without a ladder.toml."""
    from brag.ladder import LadderError, against_ladder, target_level

    ladder = _own_ladder(ctx)
    if ladder is None:
        return None
    try:
        level = target_level(ladder, ctx.config, ctx.options.get("target"))
    except LadderError:
        try:
            level = ladder.level(target)
        except LadderError as exc:
            return {"level": "", "competencies": [], "gaps": [], "note": exc.reason}
    # Results only, as every figure counts them; older ones let a gap say so.
    entries = _done(ctx.entries, ctx)
    per = 2 if len(ladder.competencies) <= 6 else 1  # one page: choose, don't list
    section = against_ladder(
        entries, ladder, level, (since, until), lens=ctx.lens, today=ctx.today,
        keywords=ctx.keywords, include_private=ctx.include_private, per_competency=per,
    )  # fmt: skip
    by_id = {e.id: e for e in entries}
    for row in section["competencies"]:
        row["stories"] = [_short_bullet(ctx, by_id[i], ctx.score(by_id[i])) for i in row["stories"]]
    section["note"] = ""
    return section


def _case(
    user: dict[str, str], level_word: str, tree: dict[str, Any], total: int, n: int, numbered: int
) -> str:
    """The evidence against the target and the gap, stated, never a verdict."""
    expected = tree.get("target_b", 0.0)
    text = (
        f"Against {level_word}: Tree B (communication and influence) is {_pct(tree['B'], total)} "
        f"of my evidence ({tree['B']} of {total}); a {level_word} case needs about "
        f"{round(expected * 100)}%."
    )
    if tree["share_b"] + 0.05 >= expected:
        text += " The balance meets it."
    text += f" {numbered} of {n} entries have a measured outcome."
    return text


def _pct(n: int, total: int) -> str:
    return f"{round(100 * n / total)}%" if total else "0%"


def _short_bullet(ctx: ExportContext, entry: Entry, s: impact.Score) -> dict[str, Any]:
    item = _bullet(ctx, entry, s)
    outcome = item["outcome"]
    item["short"] = outcome if len(outcome) <= 110 else outcome[:107].rsplit(" ", 1)[0] + "…"
    return item


def _headline(
    user: dict[str, str],
    money: str,
    scope: dict[str, Any],
    top: list[tuple[Entry, impact.Score]],
    ctx: ExportContext,
) -> str:
    """What the case rests on, from the entries: money they state, cross-team
    work, else the strongest story's own outcome. No verdict on the level."""
    claims = []
    if money:
        claims.append(money.removesuffix(", in total") + " (in total)")
    if scope["cross_team"]:
        n = scope["cross_team"]
        claims.append(f"{n} cross-team initiative{'s' * (n != 1)}")
    if top and not money:
        claims.insert(0, ctx.reframe(top[0][0]).outcome)
    # The areas of the strongest stories, not the busiest ones: the headline
    # names what the case rests on.
    story_areas: list[str] = []
    for entry, _ in top:
        for area in ctx.analysis(entry).areas[:1]:
            title = AREA_TITLES.get(area, area).lower()
            if title not in story_areas:
                story_areas.append(title)
    areas = _join(story_areas[:3])
    if not claims:
        return ""
    lead = f"Strongest in {areas}: " if areas else ""
    return f"{lead}{'; '.join(claims)}."


def _join(words: list[str]) -> str:
    if len(words) <= 2:
        return " and ".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


#: What a promotion brief promises next, per kind of gap the coach found.
NEXT_FOR = {
    "tree": "One Tree B project a quarter: mentoring, a cross-team proposal, a design review "
    "or a talk.",
    "leverage": "Write and pitch one cross-team proposal with its business impact.",
    "areas": "Tie the next project to a business number: revenue, cost, customers or churn.",
    "quantify": "Measure before and after on every project from now on.",
}


_PLANNED = frozenset({"next", "plan", "planned"})
#: Found in the joined tags of every entry that has one of _PLANNED (and of some others).
_PLANNED_HINT = re.compile("|".join(sorted(_PLANNED)), re.IGNORECASE)


def _next_steps(ctx: ExportContext, entries: list[Entry], review: coach.Review) -> list[str]:
    steps: list[str] = []
    read = ctx.analysis
    # The last two entries (oldest first) tagged as planned, else the last two
    # strategic ones of the past 90 days: a year of entries is walked from its
    # end, and stops at two, or at the first older than 90 days. The cheap tests
    # first: one search of an entry's tags, joined, before each is trimmed and
    # compared.
    hint = _PLANNED_HINT.search
    carry: list[Entry] = []
    for entry in reversed(entries):
        if entry.tags and hint("\x1f".join(entry.tags)) and _has_tag(entry, _PLANNED):
            carry.insert(0, entry)
            if len(carry) == 2:
                break
    if not carry:
        recent = ctx.today - dt.timedelta(90)
        for entry in reversed(entries):
            if entry.date < recent:
                break
            if read(entry).leverage == "strategic":
                carry.insert(0, entry)
                if len(carry) == 2:
                    break
    for entry in carry:
        steps.append(f"Carry through: {ctx.reframe(entry).headline}")
    for finding in review.balance:
        step = NEXT_FOR.get(finding.kind)
        if step and step not in steps and len(steps) < 3:
            steps.append(step)
    return steps[:3] or ["Keep the current scope and add one cross-team initiative per quarter."]


# -- status ----------------------------------------------------------------------


def _status_title(ctx: ExportContext, cadence: str, since: dt.date, until: dt.date) -> str:
    """ "Weekly status", "Monthly status", or the period asked for: "Status: 2026 Q2"."""
    if ctx.since is None:
        return "Weekly status" if cadence == "weekly" else "Monthly status"
    from brag.dates import describe_period

    period = describe_period(since, until)
    if re.fullmatch(r"\d{4}[QH]\d", period):
        period = f"{period[:4]} {period[4:]}"
    elif " to " in period or re.fullmatch(r"\d{4}-\d{2}-\d{2}", period):
        period = _span(since, until)
    return f"Status: {period}"


def build_status(ctx: ExportContext) -> dict[str, Any]:
    cadence = ctx.options.get("cadence") or "weekly"
    since, until = _window(ctx, 7 if cadence == "weekly" else 30)
    # Results only: feedback received is quoted in the other documents.
    entries = _work_and_feedback(_within(ctx, since, until))[0]
    title = _status_title(ctx, cadence, since, until)
    data = _base(ctx, "status", title, since, until, entries)
    data["cadence"] = cadence
    data["period_word"] = (
        "this period" if ctx.since is not None else "this week" if cadence == "weekly"
        else "this month"
    )  # fmt: skip
    data["user"] = _user(ctx, None)
    ranked = ctx.ranked(entries)
    asks = [(e, s) for e, s in ranked if _is_ask(e, ctx.analysis)]
    risks = [(e, s) for e, s in ranked if _is_risk(e, ctx.analysis)]
    held = {e.id for e, _ in asks} | {e.id for e, _ in risks}
    results = [(e, s) for e, s in ranked if e.id not in held]
    know = _pick(ctx, results, 3)
    data["know"] = [_bullet(ctx, e, s) for e, s in know]
    data["risks"] = [_risk(ctx, e, s) for e, s in risks[:3]]
    data["decide"] = [_bullet(ctx, e, s) for e, s in asks[:3]]
    data["results"] = len(results)
    data["feel"] = _feel(len(entries), len(know), len(results), data["risks"], data["decide"])
    data["more"] = max(0, len(entries) - len(know) - len(data["risks"]) - len(data["decide"]))
    return _with_terms(ctx, data)


def _feel(
    n: int, listed: int, results: int, risks: list[dict[str, Any]], asks: list[dict[str, Any]]
) -> str:
    """One line on what the reader should take away, counting only what is listed."""
    if not n:
        return ""
    parts = []
    if results > listed:
        parts.append(f"The {listed} strongest of {results} results are above")
    else:
        parts.append(f"{listed} result{'s' * (listed != 1)} above")
    if risks:
        parts.append(f"{len(risks)} open risk{'s' * (len(risks) != 1)} below")
    if asks:
        need = "needs" if len(asks) == 1 else "need"
        parts.append(f"{len(asks)} item{'s' * (len(asks) != 1)} {need} a decision from you")
    else:
        parts.append("no decision asked of you")
    return "; ".join(parts) + "."


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
            help="1:1 agenda since the last one: wins, risks, asks, career.",
            build=build_one_on_one,
            examples=(
                "brag export one-on-one",
                "brag export one-on-one --since 2026-11-01 --no-remember",
                "brag export one-on-one -f html -o agenda.html",
            ),
            formats=("md", "txt", "html", "json"),
            after=remember_one_on_one,
            window=window_one_on_one,
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
            help="Self-review by impact area, strongest first, with evidence.",
            build=build_self_review,
            examples=(
                "brag export self-review --period 2026H2",
                "brag export self-review -p 2026H1 -A exec --per-area 3",
            ),
            window=_window_days(365),
            formats=("md", "html", "json"),
            params=[
                _target_option(),
                click.Option(
                    ["--per-area"],
                    type=click.IntRange(min=1),
                    metavar="N",
                    help="Items shown per impact area (default 5).",
                ),
                click.Option(
                    ["--form"],
                    metavar="FILE",
                    is_flag=False,
                    flag_value="",
                    default=None,
                    help="Answer a review form's questions within their limits "
                    "(FILE, default review-form.toml in the journal; docs/ladder.md).",
                ),
            ],
        )
    )
    register(
        Exporter(
            name="promo-brief",
            help="One-page promotion brief against a target level.",
            build=build_promo_brief,
            examples=(
                "brag export promo-brief -T staff",
                "brag export promo-brief -T staff -f html -o brief.html",
            ),
            window=_window_days(365),
            formats=("md", "html", "json"),
            params=[_target_option()],
        )
    )
    register(
        Exporter(
            name="status",
            help="Status update: what to know, to feel, to decide.",
            build=build_status,
            examples=(
                "brag export status",
                "brag export status --cadence monthly -A cto",
                "brag export status -s 'last friday' -f txt",
            ),
            window=_status_window,
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
    "build_one_on_one",
    "build_promo_brief",
    "build_self_review",
    "build_status",
    "register_exporters",
]
