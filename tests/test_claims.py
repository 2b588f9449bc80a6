"""The claims trace: every document says only what the entries say.

The checker (:func:`brag.impact.claims.check`) is tested on its own first, then
run over every built-in exporter and every audience lens on two journals: the
demo journal and a journal of traps (version bumps, "unblocked", metric-only
entries, duplicates, finished reviews, jargon inside sentences, lower-case
component prefixes).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from brag.entry import Entry, parse_metric
from brag.impact import LENSES, claims, load_glossary
from brag.journal import Journal

TRAPS_TODAY = dt.date(2026, 3, 31)


def _e(title: str, day: int, **fields) -> Entry:
    return Entry(title=title, date=dt.date(2026, 3, day), **fields)


def trap_entries() -> list[Entry]:
    return [
        _e("Update black 23.1 -> 23.3", 2, tags=["deps"]),
        _e("Bump ruff 0.4.10 -> 0.5.1 (#311)", 2, tags=["deps"]),
        _e("Moved the billing service from Java 17 -> 21", 3, tags=["upgrade"]),
        _e(
            "design review of the queue redesign with the storage team", 4,
            impact="unblocked 3 teams", with_=["Ana M"], tags=["design"],
        ),
        _e(
            "Finished the design review for the fraud rules engine", 5,
            impact="all open concerns resolved before launch", tags=["design"],
        ),
        _e("cache tier cost cut", 6,
           metrics=[parse_metric("cache tier cost: $22k/month -> $15k/month")]),
        _e(
            "Cut search p95 from 900ms to 300ms", 9, impact="search exits down 4%",
            url="https://git.example.com/search/pull/77", tags=["perf"],
        ),
        _e(
            "Cut search p95 from 900ms to 300ms", 12, impact="search exits down 4%",
            url="https://git.example.com/search/pull/77", tags=["perf"],
        ),
        _e("Fixed flaky CI on the monorepo: failed 1 in 4 CI runs, now 0 in 150", 10),
        _e("Refactored the k8s ingress config for search", 11, tags=["k8s"]),
        _e("Worked on the SDK refactor", 13),
        _e("infra: rotate TLS certs automatically (PR #812)", 16),
        _e("web: drop IE11 support on 2026-03-14 at 02:00", 17),
        _e("risk: on-call rota has 2 people left after April and no backfill", 18, tags=["risk"]),
        _e("Need a decision on sunsetting the v1 webhooks API", 19, tags=["ask"]),
        _e(
            "Launched annual plans", 20, impact="$85k new ARR in the first month",
            areas=["revenue"], url="javascript:alert(1)",
        ),
        _e("Saved $3,000/month by right-sizing the staging database", 23),
        _e("mentored Li through a first on-call week", 24, with_=["Li"], tags=["mentoring"]),
        _e("Talk on SLOs at the eng all-hands, ~90 people", 25, tags=["talk"]),
        _e("postmortem for the March 7 search outage; 5 follow-ups, all closed", 26,
           tags=["incident"]),
    ]  # fmt: skip


def build_traps(root: Path) -> Journal:
    journal = Journal(root)
    journal.init()
    journal.config_set("user.target_level", "staff")
    entries = trap_entries()
    for i, entry in enumerate(entries):
        entry.source_id = f"trap-{i}"  # typed by hand, imported in one commit to keep it quick
    journal.import_entries("file", entries, message="traps")
    return journal


def build_demo(root: Path, today: dt.date) -> Journal:
    from brag import demo

    return demo.create(root, today=today)


EXPORTS = {
    "one-on-one": ["one-on-one", "--no-remember", "--since", "{month}"],
    "self-review": ["self-review"],
    "promo-brief": ["promo-brief", "--target", "staff"],
    "status-weekly": ["status"],
    "status-monthly": ["status", "--cadence", "monthly"],
    "report": ["report"],
}
AUDIENCES = sorted(LENSES)


# -- the checker on its own ----------------------------------------------------------


def _entry(title: str, impact: str = "", **fields) -> Entry:
    return Entry(title=title, date=dt.date(2026, 3, 1), impact=impact, **fields)


def test_a_stated_number_traces_and_an_invented_one_does_not():
    entries = [_entry("Cut checkout p99 from 800ms to 200ms", "cart abandonment down 3%")]
    assert (
        claims.check("- Cart abandonment down 3% — cut checkout p99 800ms → 200ms", entries) == []
    )
    found = claims.check("- Cart abandonment down 7%, saving $2M", entries)
    assert [u.text for u in found] == ["7%", "$2M"]
    assert all("no entry states" in u.reason for u in found)
    assert found[0].start == len("- Cart abandonment down ")


def test_labelled_derivations_are_accepted():
    entries = [
        _entry("Cut checkout p99 from 800ms to 200ms"),
        _entry("Saved $4,000/month on log storage"),
        _entry("Saved $2,000/month on CI runners"),
    ]
    text = "p99 from 800ms to 200ms (−75%). $72k a year in cost savings, in total."
    assert claims.check(text, entries) == []
    assert [u.text for u in claims.check("$99k a year in total", entries)] == ["$99k"]


def test_shares_and_counts_of_entries_are_the_documents_frame():
    entries = [_entry(f"Shipped thing {i}") for i in range(5)]
    text = "5 accomplishments; 2 of 5 have a number.\n| B: Communication | 2 | 40% | 60% |\n"
    assert claims.check(text, entries) == []
    assert [u.text for u in claims.check("Shipped to 40 teams", entries)] == ["40"]


def test_meaning_of_a_team_count_is_kept():
    entries = [_entry("design review for the ledger", "unblocked 2 teams")]
    assert claims.check("Unblocked 2 teams — design review", entries) == []
    found = claims.check("I delivered work adopted across 2 teams", entries)
    reasons = " ".join(u.reason for u in found)
    assert "adoption no entry claims" in reasons
    assert "'adopted' is not what the entry says" in reasons


def test_level_verdicts_and_filler_are_unsupported():
    entries = [_entry("Led the storage migration")]
    found = claims.check("I delivered results: staff-level impact. In hand: x.", entries)
    assert {u.text.lower() for u in found} == {"staff-level", "in hand"}
    assert claims.check("Tree B is 0% of my evidence; a staff case needs about 60%.", entries) == []


def test_risk_and_ask_sections_list_only_risks_and_asks():
    entries = [
        _entry("Runbook generator shipped", "pages with a runbook went from 40% to 95%"),
        _entry("risk: vendor contract ends in Q1 and nobody owns it", tags=["risk"]),
        _entry("Need a decision on the legacy export API", tags=["ask"]),
    ]
    good = (
        "## Risks\n\n- risk: vendor contract ends in Q1 and nobody owns it\n\n"
        "## Decisions I need\n\n- Need a decision on the legacy export API\n"
    )
    assert claims.check(good, entries) == []
    bad = (
        "## Risks\n\n- Runbook generator shipped\n\n"
        "## What to decide\n\n- Runbook generator shipped\n"
    )
    reasons = [u.reason for u in claims.check(bad, entries)]
    assert reasons == ["listed as a risk, but the entry is not a risk",
                       "listed as an ask, but the entry is not an ask"]  # fmt: skip


def test_is_risk_needs_an_open_risk():
    assert claims.is_risk(_entry("risk: nobody owns the vendor migration"))
    assert claims.is_risk(_entry("Anything", tags=["blocked"]))
    assert not claims.is_risk(_entry("Finished the design review", "all concerns resolved"))
    assert not claims.is_risk(_entry("Runbook generator shipped", tags=["oncall"]))
    assert claims.is_ask(_entry("need a decision on whether we keep the export API"))
    assert not claims.is_ask(_entry("Decided the storage engine"))


def test_glossary_substitution_inside_the_users_words_is_caught():
    entries = [_entry("Fixed flaky CI: failed 1 in 5 CI runs")]
    table = load_glossary()
    sub = "Fixed flaky the automated build and test pipeline: failed 1 in 5 runs"
    found = claims.check(sub, entries, glossary=table)
    assert [u.reason for u in found] == [
        "glossary wording for 'CI' put in place of the user's words"
    ]
    explained = "Fixed flaky CI (the automated build and test pipeline): failed 1 in 5 CI runs"
    assert claims.check(explained, entries, glossary=table) == []
    footer = (
        "Fixed flaky CI: failed 1 in 5 CI runs\n\n"
        "_Terms: CI: the automated build and test pipeline._"
    )
    assert claims.check(footer, entries, glossary=table) == []


def test_html_markup_is_read_as_text():
    entries = [_entry("Cut costs $3k/month", url="https://x.example/1")]
    page = '<li>Cut costs $3k/month (<a href="https://x.example/1">evidence</a>)</li><li>$9k</li>'
    assert [u.text for u in claims.check(page, entries)] == ["$9k"]


def test_allowed_extra_vouches_for_a_phrase():
    entries = [_entry("Shipped")]
    assert [u.text for u in claims.check("Budget: 42 widgets", entries)] == ["42"]
    assert claims.check("Budget: 42 widgets", entries, allowed_extra=["42 widgets"]) == []


# -- every exporter, every audience -------------------------------------------------


def _exports(brag, today: dt.date, month: str):
    for name, args in EXPORTS.items():
        args = [a.format(month=month) for a in args]
        for audience in AUDIENCES:
            formats = ["html"] if name == "report" else ["md", "html"]
            for fmt in formats:
                result = brag("export", *args, "--audience", audience, "-f", fmt, "-o", "-")
                yield f"{name}/{audience}/{fmt}", result.stdout


def _problems(journal: Journal, documents) -> list[str]:
    entries = list(journal.entries(include_private=True))
    table = load_glossary(journal.config)
    problems = []
    for where, text in documents:
        for u in claims.check(text, entries, glossary=table):
            problems.append(f"{where}: {u.text!r}: {u.reason}")
    return problems


def test_every_document_on_the_trap_journal_traces_to_its_entries(brag, journal_dir, monkeypatch):
    monkeypatch.setenv("BRAG_TODAY", TRAPS_TODAY.isoformat())
    journal = build_traps(journal_dir)
    problems = _problems(journal, _exports(brag, TRAPS_TODAY, "2026-03-01"))
    assert problems == []


def test_every_document_on_the_demo_journal_traces_to_its_entries(brag, journal_dir, monkeypatch):
    today = dt.date(2026, 12, 1)
    monkeypatch.setenv("BRAG_TODAY", today.isoformat())
    journal = build_demo(journal_dir, today)
    problems = _problems(journal, _exports(brag, today, "2026-11-01"))
    assert problems == []


# -- what the trap journal must read like ---------------------------------------------


@pytest.fixture
def traps(brag, journal_dir, monkeypatch) -> Journal:
    monkeypatch.setenv("BRAG_TODAY", TRAPS_TODAY.isoformat())
    return build_traps(journal_dir)


def _md(brag, *args: str) -> str:
    return brag("export", *args, "-o", "-").stdout


@pytest.mark.parametrize("audience", AUDIENCES)
def test_users_words_are_kept_for_every_audience(brag, traps, audience):
    text = _md(brag, "self-review", "--audience", audience, "--per-area", "50")
    assert "Fixed flaky CI on the monorepo: failed 1 in 4 CI runs, now 0 in 150" in text
    assert "Refactored the k8s ingress config for search" in text
    assert "infra: rotate TLS certs automatically (PR #812)" in text
    assert "web: drop IE11 support" in text


def test_versions_are_not_metrics_and_billing_upgrades_are_not_revenue(brag, traps):
    text = _md(brag, "self-review")
    assert "(+" not in text.split("Update black")[1].split("\n")[0]
    data = json.loads(_md(brag, "self-review", "-f", "json"))
    for area in data["areas"]:
        titles = [b["title"] for b in area["bullets"]]
        if any("billing service" in t for t in titles):
            assert area["area"] != "revenue"


def test_metric_only_entry_leads_with_its_metric(brag, traps):
    for kind in (["self-review"], ["promo-brief", "--target", "staff"]):
        text = _md(brag, *kind)
        line = next(ln for ln in text.splitlines() if "cache tier cost" in ln.lower())
        assert re.search(r"\$22k.*\$15k", line), line
        assert line.lower().index("$22k") < line.lower().index("cache tier cost cut")


def test_duplicates_show_once_in_every_document(brag, traps):
    for kind in (["self-review"], ["promo-brief", "--target", "staff"], ["report"],
                 ["one-on-one", "--since", "2026-03-01", "--no-remember"],
                 ["status", "--cadence", "monthly"]):  # fmt: skip
        text = _md(brag, *kind)
        if kind[0] == "report":
            # The report's entry list holds one row per story.
            assert text.count('data-id="') == 0 or "Cut search p95" in text
            rows = re.findall(r"<span class=\"title\">[^<]*(?:<a [^>]*>)?Cut search p95", text)
            assert len(rows) <= 1, kind
        else:
            assert text.count("search exits down 4%") <= 1, kind
    data = json.loads(_md(brag, "self-review", "-f", "json"))
    items = [
        b for a in data["areas"] for b in a["bullets"] if "search exits" in b["headline"].lower()
    ]
    assert len(items) == 1 and len(items[0]["entry_ids"]) == 2
    assert items[0]["date"] == "2026-03-12"  # the later date


def test_risks_only_real_risks_and_asks_only_asks(brag, traps):
    text = _md(brag, "one-on-one", "--since", "2026-03-01", "--no-remember")
    risks = text.split("## Risks")[1].split("##")[0] if "## Risks" in text else ""
    assert "on-call rota has 2 people left" in risks
    assert "fraud rules engine" not in risks
    assert "postmortem" not in risks
    assert "let's decide who owns it" not in text


def test_promo_brief_states_evidence_and_gap_not_a_verdict(brag, traps):
    text = _md(brag, "promo-brief", "--target", "staff")
    assert "-level impact" not in text
    assert "adopted" not in text
    assert "\n\n\n" not in text


def test_every_self_review_and_promo_bullet_carries_its_evidence(brag, traps):
    for kind in (["self-review"], ["promo-brief", "--target", "staff"]):
        text = _md(brag, *kind)
        bullets = [
            ln for ln in text.splitlines()
            if re.match(r"^(?:- |\d+\. )", ln) and not ln.startswith("- _") and "**" not in ln
        ]  # fmt: skip
        listed = [b for b in bullets if "evidence" in b or "brag show" in b]
        body = [b for b in bullets if not re.match(r"^- (?:Partners|\d+ cross-team)", b)]
        story = [b for b in body if b in listed or "—" in b or b.startswith(("1.", "2."))]
        assert story and all(b in listed for b in story), [b for b in story if b not in listed]
        assert "javascript:" not in text
        data = json.loads(_md(brag, *kind, "-f", "json"))
        items = data.get("stories") or [b for a in data["areas"] for b in a["bullets"]]
        for item in items:
            assert item["entry_ids"] and isinstance(item["urls"], list)
            assert all(u.startswith("http") for u in item["urls"])


def test_status_counts_match_what_it_lists_and_title_names_the_period(brag, traps):
    text = _md(brag, "status", "--period", "2026Q1")
    assert text.startswith("# Status: 2026 Q1")
    know = text.split("## What to know")[1].split("##")[0]
    listed = len(re.findall(r"(?m)^- ", know))
    said = re.search(r"(\d+) results? landed", text)
    assert said is None or int(said.group(1)) == listed
    assert "this week" not in text
    monthly = _md(brag, "status", "--cadence", "monthly")
    assert monthly.startswith("# Monthly status")
    assert _md(brag, "status").startswith("# Weekly status")


def test_span_of_one_day_reads_as_one_day(brag, traps):
    text = _md(brag, "status", "--since", "2026-03-20", "--until", "2026-03-20")
    assert "20–20" not in text and "Mar 20, 2026" in text
