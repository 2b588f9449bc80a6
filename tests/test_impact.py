"""Tests for brag.impact: metrics, areas, leverage, trees, lenses, scoring, reframing."""

from __future__ import annotations

import datetime as dt
import math
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brag import impact
from brag.entry import Entry
from brag.errors import BragError, ConfigError
from brag.impact import (
    GLOSSARY,
    LENSES,
    Metric,
    areas_for,
    entry_metrics,
    find_metrics,
    get_lens,
    is_activity_phrasing,
    jargon_in,
    leverage_for,
    load_glossary,
    load_keywords,
    load_lenses,
    metric_from_dict,
    rank,
    reframe,
    score,
    translate,
    tree_b_target,
    tree_balance,
    tree_for,
)

TODAY = dt.date(2026, 3, 14)


def make(title: str, **fields: object) -> Entry:
    fields.setdefault("date", dt.date(2026, 3, 1))
    return Entry(title=title, **fields)  # type: ignore[arg-type]


def summary(text: str) -> list[tuple[str, float, str]]:
    return [(m.kind, m.value, m.unit) for m in find_metrics(text)]


# -- 1. metric recognition ----------------------------------------------------

MATCHING = [
    # percentages
    ("cart abandonment down 3%", [("percent", 3, "%")]),
    ("conversion rose 15 percent", [("percent", 15, "%")]),
    ("15 per cent fewer tickets", [("percent", 15, "%")]),
    ("99.9% uptime for the quarter", [("percent", 99.9, "%")]),
    ("+15% conversion", [("percent", 15, "%")]),
    ("signups up 2 percentage points", [("percent", 2, "pp")]),
    ("15% reduction in spend", [("percent", 15, "%")]),
    # money
    ("saved $2.3M", [("money", 2_300_000, "$")]),
    ("for a $400K investment", [("money", 400_000, "$")]),
    ("€40k saved in licences", [("money", 40_000, "€")]),
    ("a £1.2bn pipeline", [("money", 1_200_000_000, "£")]),
    ("worth 1.2 million dollars", [("money", 1_200_000, "$")]),
    ("$12,000/month in VM spend", [("money", 12_000, "$/month")]),
    ("$2.3M a year", [("money", 2_300_000, "$/year")]),
    ("$2.3M ARR", [("money", 2_300_000, "$/year")]),
    ("USD 40,000 budget", [("money", 40_000, "$")]),
    ("cut AWS bill by $40k/month", [("money", 40_000, "$/month")]),
    # durations
    ("builds now take 2.5s", [("duration", 2.5, "s")]),
    ("a 45 minutes meeting", [("duration", 45, "min")]),
    ("a 3-day outage", [("duration", 3, "day")]),
    ("saved 5 hours a week", [("duration", 5, "h/week")]),
    ("saved ~200 engineer-hours per quarter", [("duration", 200, "h/quarter")]),
    # multipliers
    ("3x throughput", [("multiplier", 3, "x")]),
    ("10× fewer pages", [("multiplier", 10, "x")]),
    ("2.5x faster CI", [("multiplier", 2.5, "x")]),
    ("doubled throughput", [("multiplier", 2, "x")]),
    ("build time halved", [("multiplier", 0.5, "x")]),
    ("reduced pages by half", [("multiplier", 0.5, "x")]),
    # counts
    ("rolled out to 12 teams", [("count", 12, "teams")]),
    ("serves 40k users", [("count", 40_000, "users")]),
    ("1,200 customers migrated", [("count", 1200, "customers")]),
    ("after 3 incidents", [("count", 3, "incidents")]),
    ("onboarded 5 engineers", [("count", 5, "engineers")]),
    ("fixed 40 flaky tests", [("count", 40, "flaky tests")]),
    ("across three teams", [("count", 3, "teams")]),
    ("a dozen services", [("count", 12, "services")]),
    ("1.2M requests/day", [("count", 1_200_000, "requests/day")]),
    ("10k rps at peak", [("count", 10_000, "rps")]),
    ("NPS up 12 points", [("count", 12, "points")]),
    # several in one sentence
    (
        "Reduced churn 15%, about $2.3M a year, for a $400K investment",
        [("percent", 15, "%"), ("money", 2_300_000, "$/year"), ("money", 400_000, "$")],
    ),
]


@pytest.mark.parametrize(("text", "expected"), MATCHING, ids=[t for t, _ in MATCHING])
def test_find_metrics_recognises(text: str, expected: list[tuple[str, float, str]]) -> None:
    assert summary(text) == [(k, pytest.approx(v), u) for k, v, u in expected]


PAIRS = [
    ("Cut checkout p99 from 800ms to 200ms", "duration", "ms", 800, 200, -0.75),
    ("p99: 800ms → 200ms", "duration", "ms", 800, 200, -0.75),
    ("800ms -> 200ms", "duration", "ms", 800, 200, -0.75),
    ("800ms to 200ms", "duration", "ms", 800, 200, -0.75),
    ("from 3 days to 4 hours", "duration", "h", 72, 4, 4 / 72 - 1),
    ("latency: 1.2s → 300ms", "duration", "ms", 1200, 300, -0.75),
    ("took onboarding from 2 weeks to 3 days", "duration", "day", 14, 3, 3 / 14 - 1),
    ("CI went from 12m to 4m", "duration", "min", 12, 4, 4 / 12 - 1),
    ("from 800 to 200ms", "duration", "ms", 800, 200, -0.75),
    ("went from $1.2M to $800K", "money", "$", 1_200_000, 800_000, -1 / 3),
    ("error rate from 12% to 3%", "percent", "%", 12, 3, -0.75),
    ("from 40 to 12 flaky tests", "count", "flaky tests", 40, 12, -0.7),
    ("down from 12 to 3 incidents/month", "count", "incidents/month", 12, 3, -0.75),
    ("storage 1.5 TB to 300 GB", "count", "GB", 1500, 300, -0.8),
    ("queue depth from 40 to 10", "change", "", 40, 10, -0.75),
]


@pytest.mark.parametrize(
    ("text", "kind", "unit", "before", "after", "change"), PAIRS, ids=[p[0] for p in PAIRS]
)
def test_before_after_pairs_become_a_relative_change(
    text: str, kind: str, unit: str, before: float, after: float, change: float
) -> None:
    [metric] = find_metrics(text)
    assert (metric.kind, metric.unit) == (kind, unit)
    assert metric.before == pytest.approx(before)
    assert metric.after == pytest.approx(after)
    assert metric.value == pytest.approx(after)
    assert metric.change == pytest.approx(change)
    assert metric.is_pair


NOT_METRICS = [
    "upgraded to v2.3.1",
    "moved to Python 3.11",
    "Node 18 services",
    "bumped from 3.9 to 3.12",
    "shipped on 2026-03-14",
    "shipped on March 3",
    "on Mar 3rd, 2026",
    "3 March standup",
    "PR #123 merged",
    "PR 4521 and pull request 77",
    "fixed JIRA-123 and CVE-2024-1234",
    "p99 and p50 dashboards",
    "k8s, i18n, ec2 and s3",
    "arm64, x86_64, sha256, utf-8, HTTP/2, IPv6, OAuth2, 2FA",
    "roadmap for 2025",
    "in 2025 we rebuilt it",
    "from 2019 to 2023",
    "Q3 2026 planning and FY25 budget",
    "reverted commit 3f2a9c1d",
    "paged at 2am, fixed by 14:00",
    "standup at 9:30 am",
    "fixed N+1 queries",
    "reduced sev 1 incidents",
    "see github.com/org/repo/pull/4521?page=3 on localhost:8080",
    "the 3rd attempt, 99th percentile",
    "release 2.0 to 3.0",
    "a 3 x 4 grid",
    "back in the 1990s",
    "worked on 3",
    "",
]


@pytest.mark.parametrize("text", NOT_METRICS)
def test_find_metrics_ignores_identifiers(text: str) -> None:
    assert find_metrics(text) == []


def test_metric_text_is_the_matched_span() -> None:
    [money, duration] = find_metrics("Saved $12,000/month and cut CI from 20 min to 5 min.")
    assert money.text == "$12,000/month"
    assert duration.text == "from 20 min to 5 min"


def test_direction_words_set_the_change_of_a_percentage() -> None:
    up, down, neutral = find_metrics("signups up 20%; churn reduced by 5%; coverage at 80%")
    assert up.change == pytest.approx(0.20)
    assert down.change == pytest.approx(-0.05)
    assert neutral.change is None
    [risk] = find_metrics("reduced risk 20%")  # "risk" is not "rise"
    assert risk.change == pytest.approx(-0.20)
    [fewer] = find_metrics("15% fewer pages")
    assert fewer.change == pytest.approx(-0.15)


def test_ranges_are_not_before_after_pairs() -> None:
    [metric] = find_metrics("a 5 to 10 minutes job")
    assert not metric.is_pair and metric.value == 10


def test_metric_is_frozen_and_hashable() -> None:
    metric = find_metrics("3x")[0]
    with pytest.raises(AttributeError):
        metric.value = 4  # type: ignore[misc]
    assert {metric, find_metrics("3x")[0]} == {metric}


def test_describe_renders_pairs_with_their_change() -> None:
    [metric] = find_metrics("from 800ms to 200ms")
    assert metric.describe() == "800ms → 200ms (-75%)"


@pytest.mark.parametrize(
    ("table", "kind", "value", "unit", "change"),
    [
        ({"name": "p99", "value": 200, "unit": "ms", "before": 800, "after": 200},
         "duration", 200, "ms", -0.75),
        ({"name": "savings", "value": 40000, "unit": "$/month"}, "money", 40000, "$/month", None),
        ({"name": "cost", "value": 2.3, "unit": "$M"}, "money", 2_300_000, "$", None),
        ({"name": "churn", "value": "15", "unit": "%"}, "percent", 15, "%", None),
        ({"name": "speedup", "value": 3, "unit": "x"}, "multiplier", 3, "x", None),
        ({"name": "teams", "value": 12, "unit": "teams"}, "count", 12, "teams", None),
        ({"name": "queue", "before": 40, "after": 10}, "change", 10, "", -0.75),
        ({"name": "revenue", "value": 2, "unit": "M"}, "count", 2_000_000, "", None),
        ({"name": "build", "value": "12", "unit": "m"}, "duration", 12, "min", None),
    ],
)  # fmt: skip
def test_metric_from_dict(
    table: dict[str, object], kind: str, value: float, unit: str, change: float | None
) -> None:
    metric = metric_from_dict(table)
    assert metric is not None
    assert (metric.kind, metric.unit, metric.name) == (kind, unit, table["name"])
    assert metric.value == pytest.approx(value)
    assert metric.change == (pytest.approx(change) if change is not None else None)


def test_metric_from_dict_without_a_number_is_skipped() -> None:
    assert metric_from_dict({"name": "vibes", "value": "great"}) is None


def test_entry_metrics_combines_fields_and_text_without_duplicates() -> None:
    entry = make(
        "Cut checkout p99 from 800ms to 200ms",
        impact="cart abandonment down 3%",
        body="p99 was 800ms before. Rolled out to 12 teams. `sleep 300ms` in code is ignored.",
        metrics=[{"name": "p99 latency", "value": 200, "unit": "ms", "before": 800, "after": 200}],
    )
    metrics = entry_metrics(entry)
    assert [(m.kind, m.unit) for m in metrics] == [
        ("duration", "ms"),
        ("percent", "%"),
        ("count", "teams"),
    ]
    assert metrics[0].name == "p99 latency"  # the structured field comes first


def test_entry_metrics_keeps_the_name_when_a_pair_replaces_a_single() -> None:
    entry = make(
        "Checkout from 800ms to 200ms",
        metrics=[{"name": "p99 latency", "value": 200, "unit": "ms"}],
    )
    [metric] = entry_metrics(entry)
    assert metric.is_pair and metric.name == "p99 latency"


def test_entry_metrics_prefers_a_pair_over_a_lone_number() -> None:
    entry = make("Checkout now 200ms", body="It went from 800ms to 200ms.")
    [metric] = entry_metrics(entry)
    assert metric.is_pair and metric.before == 800


# -- 2. impact areas ----------------------------------------------------------


def test_areas_infer_from_words_and_say_so() -> None:
    areas, inferred = areas_for(make("Cut AWS spend by $40k/month"))
    assert inferred is True
    assert areas[0] == "cost"


@pytest.mark.parametrize(
    ("title", "area"),
    [
        ("Raised checkout conversion 4%", "revenue"),
        ("Patched a critical CVE before the audit", "risk"),
        ("Halved outage minutes with automated failover", "risk"),
        ("Improved NPS for enterprise customers", "customer"),
        ("Cut churn among SMB accounts", "retention"),
        ("Made CI build time 3x faster", "velocity"),
        ("Quarantined 40 flaky tests", "quality"),
        ("Mentored two new hires through onboarding", "people"),
        ("Wrote the RFC and roadmap for multi-region", "strategy"),
    ],
)
def test_default_keywords_cover_every_area(title: str, area: str) -> None:
    areas, inferred = areas_for(make(title))
    assert inferred and areas[0] == area


def test_explicit_areas_win() -> None:
    entry = make("Cut AWS spend by $40k/month", areas=["People", "strategy"])
    assert areas_for(entry) == (["people", "strategy"], False)


def test_no_signal_means_no_area() -> None:
    assert areas_for(make("Did a thing")) == ([], True)


def test_load_keywords_merges_user_words() -> None:
    config = {"impact": {"keywords": {"revenue": ["take rate"], "compliance": "sox"}}}
    keywords = load_keywords(config)
    assert "take rate" in keywords["revenue"] and "revenue" in keywords["revenue"]
    assert keywords["compliance"] == ["sox"]
    assert "take rate" not in impact.AREA_KEYWORDS["revenue"]  # defaults untouched
    areas, _ = areas_for(make("Renegotiated the take rate"), keywords)
    assert areas == ["revenue"]
    assert areas_for(make("Passed the SOX review"), keywords)[0][0] == "compliance"


def test_load_keywords_rejects_bad_config() -> None:
    with pytest.raises(ConfigError):
        load_keywords({"impact": {"keywords": {"revenue": [1, 2]}}})
    assert load_keywords({}) == impact.AREA_KEYWORDS


# -- 3. leverage and skill trees ----------------------------------------------


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Mentored two engineers through the migration", "interpersonal"),
        ("Ran hiring loops and interviewed 12 candidates", "interpersonal"),
        ("Aligned three teams on a shared schema", "interpersonal"),
        ("Wrote the proposal for a unified roadmap", "strategic"),
        ("Drafted RFC for the data strategy", "strategic"),
        ("Led the migration of 40 services", "execution"),
        ("Shipped dark mode", "execution"),
        ("Profiled the query planner and fixed a hot loop", "expert"),
        ("Found a compiler bug in the JIT", "expert"),
        ("Updated the README", "execution"),
    ],
)
def test_leverage_is_inferred_from_words(title: str, expected: str) -> None:
    assert leverage_for(make(title)) == (expected, True)


def test_explicit_leverage_wins() -> None:
    assert leverage_for(make("Mentored two engineers", leverage="expert")) == ("expert", False)


def test_leverage_from_tags_and_areas() -> None:
    assert leverage_for(make("Quarterly planning", tags=["strategic"])) == ("strategic", True)
    assert leverage_for(make("Quarterly planning", areas=["people"]))[0] == "interpersonal"


@pytest.mark.parametrize(
    ("entry", "tree"),
    [
        (make("Mentored a new hire"), "B"),
        (make("Presented the outage review at the all-hands"), "B"),
        (make("Wrote a design doc for search"), "B"),
        (make("Aligned payments and risk teams on retries", tags=["cross-team"]), "B"),
        (make("Interviewed 8 candidates"), "B"),
        (make("Kept stakeholders updated weekly during the launch"), "B"),
        (make("Design review", body="Reviewed the storage team's designs for v2."), "B"),
        (make("Fixed a memory leak in the uploader"), "A"),
        (make("Migrated 40 services to k8s"), "A"),
        (make("Mentored a new hire", extra={"tree": "a"}), "A"),
        (make("Tuned GC", leverage="interpersonal"), "B"),
    ],
)
def test_tree_for(entry: Entry, tree: str) -> None:
    assert tree_for(entry) == tree


def test_tree_balance_counts_shares_and_gap() -> None:
    entries = [
        make("Mentored a new hire"),
        make("Fixed a leak"),
        make("Tuned GC"),
        make("Shipped X"),
    ]
    balance = tree_balance(entries, target="Staff Engineer")
    assert (balance["A"], balance["B"], balance["total"]) == (3, 1, 4)
    assert balance["share_b"] == pytest.approx(0.25)
    assert balance["share_a"] + balance["share_b"] == pytest.approx(1.0)
    assert balance["target_b"] == 0.60
    assert balance["gap_b"] == pytest.approx(0.35)
    assert tree_balance([]) == {"A": 0, "B": 0, "total": 0, "share_a": 0.0, "share_b": 0.0}


@pytest.mark.parametrize(
    ("level", "share"),
    [("mid", 0.05), ("Senior", 0.25), ("senior engineer", 0.25), ("sr", 0.25), ("staff", 0.60),
     ("Principal Engineer", 0.80)],
)  # fmt: skip
def test_tree_b_target_accepts_plain_level_names(level: str, share: float) -> None:
    assert tree_b_target(level) == share


def test_tree_b_target_unknown_level() -> None:
    with pytest.raises(BragError, match="staff"):
        tree_b_target("wizard")


# -- 4. audience lenses -------------------------------------------------------


def test_builtin_lenses() -> None:
    assert set(LENSES) == {"manager", "exec", "cfo", "cto", "peer"}
    assert get_lens().name == "manager"
    cfo = get_lens("cfo")
    assert max(cfo.weights, key=cfo.weights.__getitem__) == "cost"
    assert {a for a, w in cfo.weights.items() if w >= 2.0} == {"cost", "revenue"}
    cto = get_lens("cto")
    assert {a for a, w in cto.weights.items() if w >= 1.9} == {"risk", "velocity"}
    exec_ = get_lens("exec")
    assert {a for a, w in exec_.weights.items() if w >= 1.8} == {"customer", "revenue", "strategy"}
    assert max(get_lens("manager").weights.items(), key=lambda kv: kv[1])[0] == "people"
    assert max(get_lens("peer").weights.items(), key=lambda kv: kv[1])[0] == "quality"
    assert [n for n, lens in LENSES.items() if lens.technical] == ["cto", "peer"]
    assert get_lens("CEO").name == "exec"


def test_unknown_lens_lists_the_known_ones() -> None:
    with pytest.raises(BragError) as excinfo:
        get_lens("investor")
    message = str(excinfo.value)
    assert "investor" in message
    assert all(name in message for name in LENSES)


def test_load_lenses_merges_user_lenses() -> None:
    config = {
        "lenses": {
            "board": {"description": "The board", "weights": {"revenue": 3}, "extends": "exec"},
            "cfo": {"weights": {"risk": 1.5}},
            "platform": {"weights": {"velocity": 2.5}, "technical": True},
        }
    }
    lenses = load_lenses(config)
    assert lenses["board"].weight("revenue") == 3.0
    assert lenses["board"].weight("customer") == LENSES["exec"].weight("customer")
    assert lenses["board"].technical is False
    assert lenses["cfo"].weight("risk") == 1.5
    assert lenses["cfo"].weight("cost") == LENSES["cfo"].weight("cost")
    assert lenses["platform"].weight("people") == LENSES["manager"].weight("people")
    assert lenses["platform"].technical is True
    assert LENSES["cfo"].weight("risk") == 1.0  # built-ins untouched
    assert get_lens("board", lenses).description == "The board"


@pytest.mark.parametrize(
    "spec",
    [
        {"weights": {"cost": "high"}},
        {"weights": {"cost": -1}},
        {"extends": "nobody"},
        {"technical": "yes"},
        {"colour": "blue"},
        "not a table",
    ],
)
def test_load_lenses_rejects_bad_config(spec: object) -> None:
    with pytest.raises(ConfigError):
        load_lenses({"lenses": {"mine": spec}})


# A fixed set of wins, identical except for area and leverage, so only the
# lens decides the order.
def win(title: str, impact: str, area: str, leverage: str = "execution") -> Entry:
    return make(title, impact=impact, areas=[area], leverage=leverage)


LENS_SET = [
    win("Moved batch jobs to spot instances", "down 20%", "cost"),
    win("Redesigned the signup flow", "activation up 20%", "customer"),
    win("Added automated failover", "outage minutes down 20%", "risk"),
    win("Fixed flaky integration tests", "failures down 20%", "quality"),
    win("Rebuilt the interview loop", "time to hire down 20%", "people", "interpersonal"),
]


@pytest.mark.parametrize(
    ("lens", "top"),
    [
        ("manager", "Rebuilt the interview loop"),
        ("exec", "Redesigned the signup flow"),
        ("cfo", "Moved batch jobs to spot instances"),
        ("cto", "Added automated failover"),
        ("peer", "Fixed flaky integration tests"),
    ],
)
def test_each_lens_puts_its_own_concern_first(lens: str, top: str) -> None:
    ranked = rank(LENS_SET, lens, today=dt.date(2026, 3, 1))
    assert ranked[0][0].title == top


def test_every_lens_orders_the_same_entries_differently() -> None:
    orders = {
        name: tuple(e.title for e, _ in rank(LENS_SET, name, today=dt.date(2026, 3, 1)))
        for name in LENSES
    }
    assert len(set(orders.values())) == len(LENSES)


# -- 5. scoring ---------------------------------------------------------------

SCORED = [
    make("Cut checkout p99 from 800ms to 200ms", impact="cart abandonment down 3%", tags=["perf"]),
    make("Rewrote the image pipeline, cutting storage costs by 40%", date=dt.date(2025, 6, 1)),
    make("Mentored two engineers", with_=["ana", "bo"], date=dt.date(2024, 1, 1)),
    make("Led an org-wide migration across 12 teams for 40k users"),
    make("Worked on stuff", impact="worked on stuff"),
    make("Future-dated entry", date=dt.date(2027, 1, 1)),
]


@pytest.mark.parametrize("lens", sorted(LENSES))
@pytest.mark.parametrize("entry", SCORED, ids=[e.title[:30] for e in SCORED])
def test_score_parts_sum_to_the_total(entry: Entry, lens: str) -> None:
    result = score(entry, lens, today=TODAY)
    assert [name for name, _, _ in result.parts] == [
        "evidence",
        "impact",
        "area",
        "scope",
        "leverage",
        "recency",
    ]
    assert math.isclose(sum(p for _, p, _ in result.parts), result.total, abs_tol=1e-9)
    assert all(isinstance(why, str) and why for _, _, why in result.parts)
    assert result.explain().splitlines()[-1].split()[-1] == f"{result.total:.2f}"


def test_score_is_deterministic() -> None:
    entry = SCORED[0]
    assert score(entry, "cto", today=TODAY) == score(entry, get_lens("cto"), today=TODAY)


def test_money_and_change_outweigh_counts() -> None:
    base = {"date": TODAY, "areas": ["cost"]}
    money = score(make("Saved $40k", **base), today=TODAY).parts[0][1]
    pair = score(make("Cut spend from 40 to 10 servers", **base), today=TODAY).parts[0][1]
    count = score(make("Touched 40 servers", **base), today=TODAY).parts[0][1]
    none = score(make("Touched servers", **base), today=TODAY).parts[0]
    assert money > count and pair > count
    assert none[1] == 0 and "no numbers" in none[2]


def test_scope_counts_collaborators_breadth_and_teams() -> None:
    lone = score(make("Shipped search", date=TODAY), today=TODAY).parts[3]
    wide = score(
        make("Led an org-wide rollout to 12 teams", date=TODAY, with_=["a", "b", "c"]),
        today=TODAY,
    ).parts[3]
    assert lone[1] == 0
    assert wide[1] == impact.SCOPE_CAP
    assert "collaborators" in wide[2] and "org-wide" in wide[2] and "12 teams" in wide[2]


def test_recency_decays_with_a_half_life() -> None:
    entry = make("Saved $40k", areas=["cost"], date=dt.date(2026, 1, 1))
    fresh = score(entry, today=dt.date(2026, 1, 1))
    half = score(entry, today=dt.date(2026, 1, 1) + dt.timedelta(days=180))
    ancient = score(entry, today=dt.date(2030, 1, 1))
    assert fresh.parts[-1][1] == 0
    assert half.total == pytest.approx(fresh.total / 2, abs=0.02)
    assert ancient.total == pytest.approx(fresh.total * impact.RECENCY_FLOOR, abs=0.02)


def test_unproven_areas_count_half() -> None:
    vague = score(make("Billing work", areas=["cost"], date=TODAY), "cfo", today=TODAY)
    proven = score(make("Billing work saved $1k", areas=["cost"], date=TODAY), "cfo", today=TODAY)
    assert vague.parts[2][1] == pytest.approx(proven.parts[2][1] / 2)


def test_rank_ties_break_by_date_then_title() -> None:
    same = {"areas": ["cost"], "leverage": "execution"}
    older = make("Zeta", date=dt.date(2026, 1, 1), **same)
    newer_b = make("Beta", date=dt.date(2026, 2, 1), **same)
    newer_a = make("alpha", date=dt.date(2026, 2, 1), **same)
    # A reference date before all three keeps recency out of it.
    ranked = rank([older, newer_b, newer_a], "cfo", today=dt.date(2025, 1, 1))
    assert [e.title for e, _ in ranked] == ["alpha", "Beta", "Zeta"]


def test_score_explains_every_part() -> None:
    entry = make(
        "Led an org-wide migration across 12 teams for 40k users",
        impact="saved $120k/year",
        with_=["ana"],
        leverage="execution",
        areas=["cost"],
    )
    text = score(entry, "cfo", today=dt.date(2026, 9, 1)).explain()
    for needle in ("$120k/year", "states its outcome", "cost 3×2.2 for cfo (explicit)",
                   "org-wide", "12 teams", "reaches 40,000 users", "execution 1×1 (explicit)",
                   "184 days old"):  # fmt: skip
        assert needle in text


def test_score_to_dict_is_json_ready() -> None:
    data = score(SCORED[0], today=TODAY).to_dict()
    assert set(data) == {"total", "parts"}
    assert {"name", "points", "why"} == set(data["parts"][0])


# -- 6. reframing -------------------------------------------------------------


def test_reframe_leads_with_the_impact_and_its_number() -> None:
    entry = make(
        "Cut checkout p99 from 800ms to 200ms",
        impact="cart abandonment down 3%.",
        url="https://github.com/acme/shop/pull/4521",
    )
    result = reframe(entry, "peer")
    assert result.headline == "Cart abandonment down 3% — cut checkout p99 from 800ms to 200ms"
    assert result.text == result.headline + " (https://github.com/acme/shop/pull/4521)"
    assert result.link == "https://github.com/acme/shop/pull/4521"
    assert result.action == "cut checkout p99 from 800ms to 200ms"
    assert result.outcome == "Cart abandonment down 3%"
    assert result.headline.index("3%") < result.headline.index("—")
    assert [m.kind for m in result.metrics] == ["duration", "percent"]
    assert "revenue" in result.areas


def test_reframe_adds_a_number_to_an_impact_without_one() -> None:
    entry = make("Cut checkout p99 from 800ms to 200ms", impact="faster checkout")
    result = reframe(entry, "peer")
    assert result.outcome == "Faster checkout (800ms → 200ms, -75%)"
    assert result.headline.startswith("Faster checkout (800ms")


def test_reframe_moves_the_numbered_clause_first() -> None:
    result = reframe(make("Rewrote the image pipeline, cutting storage costs by 40%"), "peer")
    assert result.headline == "Cutting storage costs by 40% — rewrote the image pipeline"
    result = reframe(make("Wrote the RFC for sharding, which cut p99 latency 3x"), "peer")
    assert result.headline.startswith("Cut p99 latency 3x — ")


def test_reframe_states_the_relative_change_of_a_pair() -> None:
    result = reframe(make("Cut checkout p99 from 800ms to 200ms"), "cto")
    assert result.headline == "Cut checkout p99 from 800ms to 200ms (-75%)"


def test_reframe_without_numbers_keeps_the_title() -> None:
    result = reframe(make("Shipped dark mode."))
    assert (result.headline, result.action, result.text) == (
        "Shipped dark mode",
        "",
        "Shipped dark mode",
    )


@pytest.mark.parametrize("lens", ["manager", "exec", "cfo", "peer", "cto"])
def test_every_lens_keeps_the_users_words(lens: str) -> None:
    # Jargon is explained next to the user's words in a document (a glossary
    # line), never substituted inside them.
    entry = make("Moved 40 services to k8s and cut p99 latency from 800ms to 200ms")
    result = reframe(entry, lens)
    assert "Moved 40 services to k8s and cut p99 latency from 800ms to 200ms" in result.text
    assert "our container platform" not in result.text


@pytest.mark.parametrize(
    "title",
    ["python: drop 3.8 support", "web/ui: fix the date picker", "k8s: rotate certificates"],
)
def test_reframe_keeps_a_lower_case_component_prefix(title: str) -> None:
    assert reframe(make(title), "exec").headline == title


@pytest.mark.parametrize(
    ("title", "action"),
    [
        # A pull request's imperative reads as the action after the outcome...
        ("Introduce SLOs and burn-rate alerts for checkout", "introduce SLOs and burn-rate"),
        ("Parallelise the test suite", "parallelise the test suite"),
        ("Sold the platform team on shared CI runners", "sold the platform team"),
        # ...but a name the title starts with keeps its capital.
        ("Stripe webhooks retried with backoff", "Stripe webhooks retried"),
        ("Postgres upgrade to 16 for the ledger", "Postgres upgrade to 16"),
    ],
)
def test_the_action_after_the_outcome_starts_in_lower_case_only_for_a_verb(
    title: str, action: str
) -> None:
    result = reframe(make(title, impact="pages down 70%"), "manager")
    assert result.headline.startswith("Pages down 70% — " + action), result.headline


def test_a_metric_given_with_metric_leads_the_bullet() -> None:
    from brag.entry import parse_metric

    metric = parse_metric("search infra cost: $31k/month -> $19k/month")
    entry = make("search infra cost cut", metrics=[metric])
    result = reframe(entry, "cfo")
    assert result.headline.startswith("Search infra cost $31")
    assert result.headline.endswith("— search infra cost cut")


def test_reframe_reports_areas_with_custom_keywords() -> None:
    keywords = load_keywords({"impact": {"keywords": {"revenue": ["take rate"]}}})
    entry = make("Renegotiated the take rate")
    assert reframe(entry, keywords=keywords).areas == ["revenue"]
    assert reframe(entry).areas == []


def test_reframe_does_not_split_on_a_colon() -> None:
    result = reframe(make("Checkout latency: 1.2s → 300ms"), "peer")
    assert result.headline == "Checkout latency: 1.2s → 300ms (-75%)"


def test_reframe_is_deterministic() -> None:
    entry = SCORED[0]
    assert reframe(entry, "exec") == reframe(entry, "exec")


def test_translate_handles_case_articles_and_repeats() -> None:
    assert translate("Fixed the CI pipeline") == "Fixed the automated build and test pipeline"
    assert translate("k8s migration") == "Our container platform migration"
    assert translate("MTTR from 4h to 30m") == "Time to recover from incidents from 4h to 30m"
    assert translate("merged 3 PRs") == "merged 3 code changes"
    assert translate("flaky tests in CI/CD").startswith(
        "Unreliable automated tests in the automated"
    )
    assert translate("citadel and prodigy") == "citadel and prodigy"  # whole words only


def test_jargon_in_lists_terms_once_in_order() -> None:
    assert jargon_in("Our SLO for k8s, and the other k8s SLO") == ["SLO", "k8s"]
    assert jargon_in("Plain words only") == []


def test_load_glossary_adds_overrides_and_removes() -> None:
    glossary = load_glossary(
        {"glossary": {"ARR": "yearly recurring revenue", "ci": "", "k8s": "the cluster"}}
    )
    assert glossary["ARR"] == "yearly recurring revenue"
    assert "CI" not in glossary and "CI" in GLOSSARY
    assert glossary["k8s"] == "the cluster"
    assert translate("CI on k8s", glossary) == "CI on the cluster"
    with pytest.raises(ConfigError):
        load_glossary({"glossary": {"CI": 3}})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("worked on the billing migration", True),
        ("Helped with onboarding", True),
        ("Was involved in the launch", True),
        ("participated in the incident review", True),
        ("Responsible for the payments API", True),
        ("responsible for 3 services", True),
        ("Helped cut churn 15%", False),
        ("Reduced churn 15%", False),
        ("Cart abandonment down 3%", False),
        ("", False),
    ],
)
def test_is_activity_phrasing(text: str, expected: bool) -> None:
    assert is_activity_phrasing(text) is expected


# -- module hygiene -----------------------------------------------------------


def test_import_is_light() -> None:
    """Exporters and the CLI import this module; it must not pull heavy libraries."""
    code = (
        "import sys, brag.impact; "
        "heavy = {'jinja2', 'git', 'httpx', 'rich', 'click', 'pluggy'} & set(sys.modules); "
        "print(sorted(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_public_api_is_exported() -> None:
    for name in impact.__all__:
        assert hasattr(impact, name), name
    assert isinstance(find_metrics("3x")[0], Metric)


def test_fast_total_matches_the_explained_parts() -> None:
    """Ranking uses precomputed parts; the explanation must add up to the same total."""
    import datetime as _dt
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    import fixtures_journal as fx

    from brag.impact import LENSES

    entries = [fx.make_entry(*row) for row in fx.ENTRIES] + list(SCORED)
    for lens in LENSES:
        for day in (fx.TODAY, _dt.date(2027, 6, 1), _dt.date(2025, 1, 1)):
            for entry in entries:
                result = score(entry, lens, today=day)
                explained = round(sum(p for _, p, _ in result.parts), 2)
                assert result.total == explained, (entry.title, lens, day)


def test_each_lens_leads_with_the_numbers_its_reader_wants():
    from brag.impact import reframe

    entry = Entry(
        title="Moved search indexing to spot instances",
        impact="index builds 3x faster",
        date=dt.date(2026, 3, 1),
        metrics=[{"name": "compute spend saved", "value": 72, "unit": "$k"}],
    )
    cfo = reframe(entry, "cfo").headline
    assert cfo.startswith("Index builds 3x faster (compute spend saved $72k)")
    assert reframe(entry, "manager").headline.startswith("Index builds 3x faster — ")
    assert reframe(entry, "cto").headline.startswith("Index builds 3x faster — ")


def test_a_bare_number_is_not_lifted_out_of_its_sentence():
    from brag.impact import reframe

    entry = Entry(
        title="Ship order service phase one to 100% of traffic",
        impact="Order changes now deploy independently, 6 times a week instead of 1",
        date=dt.date(2026, 3, 1),
    )
    # "(100%)" next to the impact would read as a result the entry never states.
    assert "(100%)" not in reframe(entry, "cfo").headline


def test_user_lens_can_set_its_lead(tmp_path):
    from brag.errors import ConfigError
    from brag.impact import load_lenses

    lenses = load_lenses({"lenses": {"board": {"extends": "exec", "lead": ["count"]}}})
    assert lenses["board"].lead == ("count",)
    assert lenses["exec"].lead == ("money", "percent", "count")
    with pytest.raises(ConfigError, match="lead must be a list"):
        load_lenses({"lenses": {"x": {"lead": ["vibes"]}}})


# -- numbers that are not evidence, for any text ---------------------------------------

_n = st.integers(min_value=0, max_value=99)
_word = st.sampled_from(["fixed", "the", "flaky", "job", "on", "checkout", "for", "team", "and"])
_not_evidence = st.one_of(
    st.builds(lambda a, b: f"v{a}.{b}", _n, _n),
    st.builds(lambda a: f"v{a}", _n),
    st.builds(lambda a, b, c: f"{a}.{b}.{c}", _n, _n, _n),
    st.builds(
        lambda name, a, b: f"{name} {a}.{b}",
        st.sampled_from(["Python", "node", "Java", "postgres", "Go", "iOS", "React"]),
        _n,
        _n,
    ),
    st.builds(
        lambda verb, pkg, a, b, c: f"{verb} {pkg} {a}.{b} -> {a}.{c}",
        st.sampled_from(["Update", "update", "Upgraded", "bump", "Bumped"]),
        st.from_regex(r"[a-z]{2,8}", fullmatch=True),
        _n,
        _n,
        _n,
    ),
    st.dates(dt.date(1990, 1, 1), dt.date(2099, 12, 31)).map(dt.date.isoformat),
    st.dates(dt.date(1990, 1, 1), dt.date(2099, 12, 31)).map(lambda d: f"{d:%b} {d.day}, {d.year}"),
    st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.integers(0, 59)),
    st.builds(lambda n: f"#{n}", st.integers(1, 99999)),
    st.builds(lambda n: f"PR #{n}", st.integers(1, 99999)),
    st.builds(lambda n: f"PR {n}", st.integers(1, 99999)),
    st.builds(
        lambda p, n: f"{p}-{n}",
        st.sampled_from(["ADR", "PROJ", "JIRA", "INC"]),
        st.integers(1, 9999),
    ),
    st.from_regex(r"[0-9a-f]{7,12}", fullmatch=True).filter(
        lambda h: any(c.isalpha() for c in h) and any(c.isdigit() for c in h)
    ),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(_word, _not_evidence), min_size=1, max_size=8))
def test_versions_dates_and_ids_never_yield_a_metric(parts: list[str]) -> None:
    text = " ".join(parts)
    assert find_metrics(text) == [], text


@pytest.mark.parametrize("audience", ["manager", "cfo", "engineer", "exec"])
def test_ranking_a_year_gives_each_entry_its_own_score(audience):
    """rank() works the lens-dependent parts out once per distinct value; every
    total must still be exactly the one score() gives the entry alone."""
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    import gen_user

    entries = list(gen_user.generate(600, seed=4))
    day = max(e.date for e in entries)
    ranked = impact.rank(entries, audience, day, read=impact.analyse)
    assert len(ranked) == 600
    for entry, got in ranked:
        assert got.total == impact.score(entry, audience, day).total
    assert len({round(s.total, 2) for _, s in ranked}) > 50  # varied, not all alike
