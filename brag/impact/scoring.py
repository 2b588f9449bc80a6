"""Stage 5, scoring: a transparent sum of named parts.

A user can see *why* one win outranks another: every point of a
:class:`Score` is accounted for in its ``parts``. :func:`_total` is the one
place the arithmetic lives; ranking calls it for every entry, and the
explained parts are built from the same point functions.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..entry import Entry
from .lenses import Lens
from .metrics import Metric, _format_number, _lazy, _singular

if TYPE_CHECKING:  # the analysis is built from this stage, not the reverse
    from .analysis import Analysis

#: Points for the best metric of each kind: money and percentages are what a
#: decision-maker can act on; a bare count is the weakest number.
METRIC_POINTS = {
    "money": 3.0,
    "percent": 2.5,
    "change": 2.0,
    "multiplier": 2.0,
    "duration": 1.5,
    "count": 1.0,
}

PAIR_BONUS = 1.0  # a before/after, or a stated direction, proves a change

AREA_POINTS = 3.0  # primary area, times the lens weight

SECONDARY_AREA_POINTS = 1.0  # each further area (two at most), times the lens weight

LEVERAGE_POINTS = {"execution": 1.0, "strategic": 2.0, "interpersonal": 2.0, "expert": 1.5}

UNPROVEN_AREA_FACTOR = 0.5  # areas count half when nothing shows the impact happened

IMPACT_POINTS = 1.0  # an impact statement that names an outcome

HALF_LIFE_DAYS = 180.0

RECENCY_FLOOR = 0.25  # a big win from last year still counts in a promotion case

SCOPE_CAP = 4.0

_BROAD_SCOPE = _lazy(
    r"(?i)\b(?:cross[\s-]team|cross[\s-]functional|org[\s-]wide|company[\s-]wide|"
    r"engineering[\s-]wide|platform[\s-]wide|industry[\s-]wide|across\s+(?:the\s+)?"
    r"(?:org|organi[sz]ation|company|engineering|teams|departments|all\s+teams)|"
    r"multiple\s+teams|several\s+teams|all\s+teams|every\s+team|multi[\s-]team)\b"
)

_TEAM_UNITS = ("team", "squad", "org", "organization", "organisation", "department", "division")

_REACH_UNITS = ("user", "customer", "client", "subscriber", "merchant", "account", "member")


class Score:
    """A score and the named parts that add up to it, so it can be explained.

    Ranking thousands of entries only needs ``total``; the ``parts`` (with the
    sentence explaining each) are worked out the first time they are asked for.
    """

    __slots__ = ("total", "_parts", "_explain")

    def __init__(
        self,
        total: float,
        parts: list[tuple[str, float, str]] | None = None,
        explain: Callable[[], list[tuple[str, float, str]]] | None = None,
    ) -> None:
        self.total = total
        self._parts = parts
        self._explain = explain

    @property
    def parts(self) -> list[tuple[str, float, str]]:
        if self._parts is None:
            self._parts = self._explain() if self._explain is not None else []
        return self._parts

    def __repr__(self) -> str:
        return f"Score(total={self.total!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Score):
            return NotImplemented
        return self.total == other.total and self.parts == other.parts

    __hash__ = None  # type: ignore[assignment]

    def explain(self) -> str:
        """One line per part, then the total: what ``brag show`` prints."""
        width = max((len(name) for name, _, _ in self.parts), default=5)
        lines = [f"{name:<{width}}  {points:+6.2f}  {why}" for name, points, why in self.parts]
        lines.append(f"{'total':<{width}}  {self.total:6.2f}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "parts": [{"name": n, "points": p, "why": w} for n, p, w in self.parts],
        }


def metric_points(metric: Metric) -> float:
    """How much one metric is worth as evidence (see METRIC_POINTS)."""
    points = METRIC_POINTS.get(metric.kind, 1.0)
    if metric.change is not None:
        points += PAIR_BONUS
    return points


def _total(found: Analysis, date: dt.date, lens: Lens, today: dt.date) -> float:
    """The score's total: the parts of :func:`_score_parts`, added in the same order.

    Evidence, impact and scope points come precomputed with the analysis; the
    lens-dependent parts use the same point functions as the explanation, so
    the two can never disagree. Ranking runs this for every entry.
    """
    proven = found.quantified or found.impact_points > 0
    running = (
        found.evidence_points
        + found.impact_points
        + _area_points(found.areas, lens, proven)
        + found.scope_points
        + _leverage_points(found.leverage, lens)
    )
    return round(running + _recency_points(date, round(running, 2), today), 2)


def _totals(pairs: Iterable[tuple[dt.date, Analysis]], lens: Lens, today: dt.date) -> list[float]:
    """:func:`_total` of each (date, analysis), the same arithmetic in the same order,
    with the parts that depend only on the lens and the areas, the leverage or the
    date worked out once per distinct value: a year has few of each."""
    areas_memo: dict[tuple[tuple[str, ...], bool], float] = {}
    leverage_memo: dict[str, float] = {}
    recency_memo: dict[dt.date, tuple[int, float]] = {}
    out = []
    for date, found in pairs:
        proven = found.quantified or found.impact_points > 0
        areas_key = (tuple(found.areas), proven)
        area = areas_memo.get(areas_key)
        if area is None:
            area = areas_memo[areas_key] = _area_points(found.areas, lens, proven)
        leverage = leverage_memo.get(found.leverage)
        if leverage is None:
            leverage = leverage_memo[found.leverage] = _leverage_points(found.leverage, lens)
        running = found.evidence_points + found.impact_points + area + found.scope_points + leverage
        recency = recency_memo.get(date)
        if recency is None:
            recency = recency_memo[date] = _recency_factor(date, today)
        age, factor = recency
        points = 0.0 if age <= 0 else round(-round(running, 2) * (1.0 - factor), 2)
        out.append(round(running + points, 2))
    return out


def _score_parts(
    entry: Entry, found: Analysis, lens: Lens, today: dt.date
) -> list[tuple[str, float, str]]:
    metrics = list(found.metrics)
    impact_part = _impact_part(entry, found.activity)
    proven = bool(metrics) or impact_part[1] > 0
    parts = [
        _evidence_part(metrics),
        impact_part,
        _area_part(found, lens, proven),
        _scope_part(entry, metrics, found.broad),
        _leverage_part(found, lens),
    ]
    subtotal = round(sum(points for _, points, _ in parts), 2)
    parts.append(_recency_part(entry, subtotal, today))
    return parts


def _evidence_part(metrics: list[Metric]) -> tuple[str, float, str]:
    if not metrics:
        return ("evidence", 0.0, "no numbers: add a metric (%, $, time saved, before → after)")
    ranked = sorted(metrics, key=metric_points, reverse=True)[:3]
    factors = (1.0, 0.5, 0.25)
    points = sum(metric_points(m) * f for m, f in zip(ranked, factors, strict=False))
    shown = ", ".join(
        f"{m.describe()} ({m.kind}{', change' if m.change is not None else ''}) "
        f"{metric_points(m):g}{'' if f == 1 else f'×{f:g}'}"
        for m, f in zip(ranked, factors, strict=False)
    )
    more = f"; {len(metrics) - 3} more not counted" if len(metrics) > 3 else ""
    return ("evidence", round(points, 2), f"{shown}{more}")


def _impact_part(entry: Entry, activity: bool) -> tuple[str, float, str]:
    impact = entry.impact.strip()
    if not impact:
        return ("impact", 0.0, "no impact statement")
    if activity:
        return ("impact", 0.0, "impact reads as activity, not outcome")
    return ("impact", IMPACT_POINTS, "states its outcome")


def _area_points(areas: Sequence[str], lens: Lens, proven: bool) -> float:
    if not areas:
        return 0.0
    weights = lens.weights
    if len(areas) == 1:
        points = AREA_POINTS * float(weights.get(areas[0], 1.0))
    else:
        # weights.get rather than lens.weight: ranking runs this for every entry.
        ranked = sorted(areas, key=lambda a: -float(weights.get(a, 1.0)))
        points = AREA_POINTS * float(weights.get(ranked[0], 1.0))
        for area in ranked[1:3]:
            points += SECONDARY_AREA_POINTS * float(weights.get(area, 1.0))
    if not proven:
        points *= UNPROVEN_AREA_FACTOR
    return round(points, 2)


def _area_part(found: Analysis, lens: Lens, proven: bool) -> tuple[str, float, str]:
    areas, inferred = found.areas, found.areas_inferred
    if not areas:
        return ("area", 0.0, "no impact area recognised (set areas = [...])")
    ranked = sorted(areas, key=lambda a: -lens.weight(a))
    primary, others = ranked[0], ranked[1:3]
    bits = [f"{primary} {AREA_POINTS:g}×{lens.weight(primary):g}"]
    for area in others:
        bits.append(f"{area} {SECONDARY_AREA_POINTS:g}×{lens.weight(area):g}")
    how = "inferred" if inferred else "explicit"
    why = f"{' + '.join(bits)} for {lens.name} ({how})"
    if not proven:
        # A claim of cost impact with no number or outcome is a topic, not a result.
        why += f", ×{UNPROVEN_AREA_FACTOR:g} with no number or outcome"
    return ("area", _area_points(areas, lens, proven), why)


def _scope_part(entry: Entry, metrics: list[Metric], broad: str) -> tuple[str, float, str]:
    points = 0.0
    bits: list[str] = []
    if entry.with_:
        collab = min(2.0, 0.5 * len(entry.with_))
        points += collab
        bits.append(f"{len(entry.with_)} collaborator{'s' * (len(entry.with_) != 1)} {collab:g}")
    if broad:
        points += 1.5
        bits.append(f"'{broad}' 1.5")
    teams = max(
        (m.value for m in metrics if m.kind == "count" and _unit_noun(m.unit) in _TEAM_UNITS),
        default=0.0,
    )
    if teams > 1:
        team_points = min(2.0, 0.2 * teams)
        points += team_points
        bits.append(f"{_format_number(teams)} teams {team_points:g}")
    audiences = [m for m in metrics if m.kind == "count" and _unit_noun(m.unit) in _REACH_UNITS]
    widest = max(audiences, key=lambda m: m.value, default=None)
    if widest is not None and widest.value >= 10:
        reach_points = round(min(1.5, 0.25 * math.log10(widest.value)), 2)
        points += reach_points
        bits.append(f"reaches {_format_number(widest.value)} {widest.unit} {reach_points:g}")
    if points > SCOPE_CAP:
        bits.append(f"capped at {SCOPE_CAP:g}")
        points = SCOPE_CAP
    if not bits:
        return ("scope", 0.0, "no collaborators or breadth recorded")
    return ("scope", round(points, 2), ", ".join(bits))


def _unit_noun(unit: str) -> str:
    noun = unit.split("/")[0].strip()
    return _singular(noun.lower()) if noun else ""


def _leverage_points(leverage: str, lens: Lens) -> float:
    return round(LEVERAGE_POINTS.get(leverage, 1.0) * float(lens.leverage.get(leverage, 1.0)), 2)


def _leverage_part(found: Analysis, lens: Lens) -> tuple[str, float, str]:
    leverage, inferred = found.leverage, found.leverage_inferred
    base = LEVERAGE_POINTS.get(leverage, 1.0)
    weight = lens.leverage_weight(leverage)
    how = "inferred" if inferred else "explicit"
    return ("leverage", _leverage_points(leverage, lens), f"{leverage} {base:g}×{weight:g} ({how})")


def _recency_factor(date: dt.date, today: dt.date) -> tuple[int, float]:
    age = (today - date).days
    if age <= 0:
        return age, 1.0
    return age, max(RECENCY_FLOOR, 0.5 ** (age / HALF_LIFE_DAYS))


def _recency_points(date: dt.date, subtotal: float, today: dt.date) -> float:
    age, factor = _recency_factor(date, today)
    return 0.0 if age <= 0 else round(-subtotal * (1.0 - factor), 2)


def _recency_part(entry: Entry, subtotal: float, today: dt.date) -> tuple[str, float, str]:
    age, factor = _recency_factor(entry.date, today)
    if age <= 0:
        return ("recency", 0.0, "current")
    note = " (floor)" if factor == RECENCY_FLOOR else ""
    return (
        "recency",
        _recency_points(entry.date, subtotal, today),
        f"{age} days old: ×{factor:.2f}{note} (half-life {HALF_LIFE_DAYS:g} days)",
    )
