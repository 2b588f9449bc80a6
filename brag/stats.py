"""Counting a journal: entries per month, by area, leverage and source, Tree A/B.

:func:`summarise` is shared by ``brag stats`` (terminal and ``--json``) and the
HTML report, so both always show the same numbers. Areas and leverage come from
:mod:`brag.impact` (the author's own fields win, otherwise inferred); each
entry counts once per chart, under its main (first) area.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .entry import AREAS, LEVERAGE, chronological

if TYPE_CHECKING:
    from .entry import Entry

UNCLASSIFIED = "unclassified"
TYPED = "typed"  # entries written by hand have no source
MONTH_NAMES = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def month_key(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def quarter_key(day: dt.date) -> str:
    return f"{day.year:04d}Q{(day.month - 1) // 3 + 1}"


def months_between(first: dt.date, last: dt.date) -> list[str]:
    """Every month from ``first`` to ``last`` inclusive, empty ones too."""
    keys = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return keys


def quarters_between(first: dt.date, last: dt.date) -> list[str]:
    keys = []
    year, quarter = first.year, (first.month - 1) // 3 + 1
    end = (last.year, (last.month - 1) // 3 + 1)
    while (year, quarter) <= end:
        keys.append(f"{year:04d}Q{quarter}")
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return keys


def bucket_label(key: str, short: bool = True) -> str:
    """ "2026-03" -> "Mar 26" (short) or "March 2026"; quarters stay "2026Q1"."""
    if "Q" in key:
        return key
    year, month = key.split("-")
    if short:
        return f"{MONTH_NAMES[int(month) - 1]} {year[2:]}"
    return dt.date(int(year), int(month), 1).strftime("%B %Y")


def summarise(
    entries: Iterable[Entry],
    *,
    target: str | None = None,
    keywords: Mapping[str, Sequence[str]] | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    by: str = "auto",
    today: dt.date | None = None,
    tree_of: Callable[[Entry], str] | None = None,
) -> dict[str, Any]:
    """Everything ``brag stats`` prints, as plain JSON-ready data.

    ``tree_of`` reads an entry's tree for the Tree A/B balance (see
    :func:`ladder_tree_of`: with the user's ladder, its competencies decide).

    ``by`` picks the time buckets of ``areas_over_time``: ``month``,
    ``quarter`` or ``auto`` (months for up to 18 months of data, else
    quarters). ``months`` always counts per month, empty months included,
    from ``since`` (or the first entry) to ``until`` (or the last entry).
    """
    from .impact import areas_for, leverage_for, tree_balance
    from .impact.figures import evidence

    items = sorted(entries, key=chronological)
    per_entry: list[dict[str, Any]] = []
    for entry in items:
        areas, areas_inferred = areas_for(entry, keywords)
        leverage, leverage_inferred = leverage_for(entry)
        per_entry.append(
            {
                "entry": entry,
                "areas": areas,
                "area": areas[0] if areas else UNCLASSIFIED,
                "areas_inferred": areas_inferred,
                "leverage": leverage,
                "leverage_inferred": leverage_inferred,
                "source": entry.source or TYPED,
            }
        )
    first = since or (items[0].date if items else None)
    last = until or (items[-1].date if items else None)
    if until is not None:
        # "this-year" ends in December: stop the chart at today (or the last entry).
        latest = max([today or dt.date.today(), *(e.date for e in items[-1:])])
        last = min(until, latest)
    months = months_between(first, last) if first and last and first <= last else []
    month_counts = dict.fromkeys(months, 0)
    for row in per_entry:
        key = month_key(row["entry"].date)
        month_counts[key] = month_counts.get(key, 0) + 1

    if by == "auto":
        by = "month" if len(months) <= 18 else "quarter"
    if by == "quarter":
        buckets = quarters_between(first, last) if first and last and first <= last else []
        key_of = quarter_key
    else:
        buckets = list(month_counts)
        key_of = month_key
    series = _area_series(per_entry)
    over_time: dict[str, dict[str, int]] = {b: {} for b in buckets}
    for row in per_entry:
        bucket = over_time.setdefault(key_of(row["entry"].date), {})
        bucket[row["area"]] = bucket.get(row["area"], 0) + 1

    area_counts = _count(row["area"] for row in per_entry)
    leverage_counts = {kind: 0 for kind in LEVERAGE}
    for row in per_entry:
        leverage_counts[row["leverage"]] = leverage_counts.get(row["leverage"], 0) + 1
    source_counts = _count(row["source"] for row in per_entry)
    # The balance counts results only, as every document does (one set of figures).
    results = evidence(items)
    balance = tree_balance(results, target or None, tree_of=tree_of)

    return {
        "since": first.isoformat() if first else None,
        "until": last.isoformat() if last else None,
        "total": len(items),
        "months": [{"month": k, "count": v} for k, v in sorted(month_counts.items())],
        "by": by,
        "areas_over_time": [
            {"bucket": b, "counts": {s: over_time[b][s] for s in series if s in over_time[b]}}
            for b in sorted(over_time)
        ],
        "areas": {s: area_counts[s] for s in series if s in area_counts},
        "leverage": leverage_counts,
        "sources": dict(sorted(source_counts.items(), key=lambda kv: (-kv[1], kv[0]))),
        "tree": balance,
        "_rows": per_entry,
    }


def _count(values: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


def _area_series(rows: list[dict[str, Any]]) -> list[str]:
    """Known areas in their usual order, then custom ones, then unclassified."""
    seen = {row["area"] for row in rows}
    custom = sorted(seen - set(AREAS) - {UNCLASSIFIED})
    last = [UNCLASSIFIED] if UNCLASSIFIED in seen else []
    return [a for a in AREAS if a in seen] + custom + last


def public(summary: Mapping[str, Any]) -> dict[str, Any]:
    """The summary without its per-entry working rows (for ``--json``)."""
    return {k: v for k, v in summary.items() if not k.startswith("_")}


# -- terminal rendering ---------------------------------------------------------------

_EIGHTHS = " ▏▎▍▌▋▊▉"


def bar(value: float, maximum: float, width: int = 30) -> str:
    """A bar of unicode blocks, ``width`` cells for ``maximum``, in eighths of a cell."""
    if maximum <= 0 or value <= 0:
        return ""
    eighths = max(1, round(width * 8 * value / maximum))
    full, rest = divmod(eighths, 8)
    return "█" * full + (_EIGHTHS[rest] if rest else "")


def _rows(counts: Mapping[str, int], width: int = 24) -> list[str]:
    if not counts:
        return ["  (none)"]
    name_w = max(len(name) for name in counts)
    maximum = max(counts.values())
    count_w = len(str(maximum))
    return [
        f"  {name:<{name_w}}  {count:>{count_w}}  {bar(count, maximum, width)}".rstrip()
        for name, count in counts.items()
    ]


def format_text(summary: Mapping[str, Any]) -> str:
    """The ``brag stats`` terminal view."""
    total = summary["total"]
    if not total:
        return 'No entries in this period. Add one: brag add "…"\n'
    lines = [f"{total} entries, {summary['since']} to {summary['until']}", ""]
    lines.append("Entries per month")
    months = {bucket_label(m["month"]): m["count"] for m in summary["months"]}
    lines += _rows(months, 30)
    lines += ["", "By impact area (main area of each entry)"]
    lines += _rows(dict(sorted(summary["areas"].items(), key=lambda kv: -kv[1])))
    lines += ["", "By leverage"]
    lines += _rows(summary["leverage"])
    lines += ["", "By source"]
    lines += _rows(summary["sources"])
    tree = summary["tree"]
    lines += ["", "Skill trees"]
    lines.append(
        f"  Tree A (technical) {tree['A']} ({tree['share_a']:.0%}) · "
        f"Tree B (influence) {tree['B']} ({tree['share_b']:.0%})"
    )
    if "target_b" in tree:
        expected = tree["target_b"]
        verdict = (
            "on track"
            if tree["gap_b"] <= 0
            else f"{tree['gap_b'] * 100:.0f} points short: record mentoring, proposals, "
            "cross-team alignment"
        )
        lines.append(f"  {tree['target']} expects Tree B ≥ {expected:.0%}: {verdict}")
    else:
        lines.append("  (add --target LEVEL, or set user.target_level, to compare)")
    waiting = summary.get("inbox")
    if waiting:
        lines += ["", "Inbox and feedback"]
        lines.append(
            f"  {waiting['inbox']} waiting (brag inbox) · {waiting['follow_ups_due']} "
            f"follow-ups due · {waiting['feedback']} feedback received"
        )
    return "\n".join(lines) + "\n"


def resolve_target(option: str | None, config: Mapping[str, Any]) -> str | None:
    """The target level: ``--target``, else ``user.target_level``; checked, one-line errors."""
    from .errors import BragError
    from .impact import tree_b_target

    if option:
        tree_b_target(option)
        return option
    user = config.get("user", {})
    configured = user.get("target_level") if isinstance(user, Mapping) else None
    if not configured:
        return None
    try:
        tree_b_target(str(configured))
    except BragError as exc:
        raise BragError(f"user.target_level in brag.toml: {exc}") from None
    return str(configured)


def ladder_tree_of(
    root: Any, keywords: Mapping[str, Sequence[str]] | None = None
) -> Callable[[Entry], str] | None:
    """With the journal's own ``ladder.toml``, how the Tree A/B balance reads an
    entry's tree (:func:`brag.ladder.entry_tree`); None without one."""
    from pathlib import Path

    from .impact import analyse
    from .ladder import LADDER_FILE, entry_tree, load_ladder

    path = Path(root) / LADDER_FILE
    if not path.is_file():
        return None
    ladder = load_ladder(path)
    return lambda entry: entry_tree(entry, ladder, analyse(entry, keywords))


def for_journal(
    journal: Any,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    target: str | None = None,
    include_private: bool = True,
) -> dict[str, Any]:
    """:func:`summarise` a journal's entries, with its brag.toml keywords and target level."""
    from .impact import load_keywords

    config = journal.config
    target = resolve_target(target, config)
    entries = list(
        journal.entries(
            since=since.isoformat() if since else None,
            until=until.isoformat() if until else None,
            include_private=include_private,
            newest_first=False,
        )
    )
    summary = summarise(
        entries,
        target=str(target) if target else None,
        keywords=load_keywords(config),
        since=since,
        until=until,
        tree_of=ladder_tree_of(journal.root, load_keywords(config)),
    )
    from .inbox import journal_counts

    # The inbox is the whole journal's, whatever the period.
    summary["inbox"] = journal_counts(journal, include_private=include_private)
    return summary
