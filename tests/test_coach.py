"""brag coach, brag list --rank and brag show on the fixture journal."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import fixtures_journal as fx
import pytest

from brag import coach, impact
from brag.journal import Journal


@pytest.fixture
def fixture_journal(journal_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Journal:
    monkeypatch.setenv("BRAG_TODAY", fx.TODAY.isoformat())
    return fx.build(journal_dir)


def coach_json(brag, *args: str) -> dict:
    return json.loads(brag("coach", "--json", *args).stdout)


def by_entry(data: dict, entry_id: str) -> dict[str, dict]:
    return {f["kind"]: f for f in data["findings"] if f["entry_id"] == entry_id}


def test_every_finding_names_its_subject_and_a_fix(brag, fixture_journal):
    data = coach_json(brag)
    assert data["target"] == "staff" and data["level"] == "senior"
    assert data["findings"]
    for finding in data["findings"]:
        assert finding["problem"] and finding["fix"]
        if finding["entry_id"]:
            assert finding["entry_title"]


def test_activity_phrasing_is_flagged_with_a_rewrite(brag, fixture_journal):
    data = coach_json(brag)
    found = by_entry(data, "a0000005")  # "Worked on the flaky tests"
    assert "worked on" in found["activity"]["problem"]
    assert "brag edit a0000005 --impact" in found["activity"]["fix"]
    assert "activity" in by_entry(data, "a0000010")  # "Helped with the onboarding docs"
    assert "activity" not in by_entry(data, "a0000015")  # an outcome with numbers


def test_missing_numbers_are_flagged_with_an_area_hint(brag, fixture_journal):
    data = coach_json(brag)
    found = by_entry(data, "a0000020")  # "Fixed the invoice PDF rendering bug"
    assert found["quantify"]["problem"] == "No quantified outcome."
    assert "bugs, failures or errors before → after" in found["quantify"]["fix"]
    assert "quantify" not in by_entry(data, "a0000004")  # 800ms → 200ms


def test_jargon_is_flagged_with_plain_words(brag, fixture_journal):
    found = by_entry(coach_json(brag), "a0000019")
    assert "SLO" in found["jargon"]["problem"] and "k8s" in found["jargon"]["problem"]
    assert "'SLO' → 'reliability target'" in found["jargon"]["fix"]


def test_glossary_from_brag_toml_is_used(brag, fixture_journal):
    (fixture_journal.root / "brag.toml").write_text(
        fx.CONFIG + '\n[glossary]\n"ledger writer" = "accounting record service"\n'
    )
    found = by_entry(coach_json(brag), "a0000006")
    assert "'ledger writer' → 'accounting record service'" in found["jargon"]["fix"]


def test_long_gap_is_found(brag, fixture_journal):
    gaps = [f for f in coach_json(brag)["findings"] if f["kind"] == "gap"]
    assert len(gaps) == 1
    assert "2026-03-27 to 2026-05-04: 38 days" in gaps[0]["problem"]
    assert "brag add --date 2026-04-15" in gaps[0]["fix"]


def test_gap_days_is_configurable_and_validated(brag, fixture_journal):
    (fixture_journal.root / "brag.toml").write_text(fx.CONFIG + "\n[coach]\ngap_days = 5\n")
    gaps = [f for f in coach_json(brag)["findings"] if f["kind"] == "gap"]
    assert len(gaps) > 1
    (fixture_journal.root / "brag.toml").write_text(fx.CONFIG + '\n[coach]\ngap_days = "x"\n')
    result = brag("coach", expect=1)
    assert "brag.toml:8: coach.gap_days must be a whole number" in result.stderr


def test_tree_balance_against_the_target(brag, fixture_journal):
    data = coach_json(brag)
    tree = [f for f in data["findings"] if f["kind"] == "tree"]
    assert len(tree) == 1 and "a staff case needs about 60%" in tree[0]["problem"]
    assert data["stats"]["tree"]["target_b"] == 0.6
    # Aiming at senior (25% Tree B) the same journal is balanced enough.
    senior = coach_json(brag, "--target", "senior")
    assert not [f for f in senior["findings"] if f["kind"] == "tree"]


def test_unknown_target_is_one_line(brag, fixture_journal):
    result = brag("coach", "--target", "wizard", expect=1)
    assert result.stderr.strip() == (
        "Error: unknown target level 'wizard'; known levels: mid, senior, staff, principal"
    )


def test_skewed_leverage_and_areas(journal):
    entries = [
        fx.make_entry(f"c{i:07d}", f"2026-06-{i + 1:02d}", f"Tuned the query planner {i}", {
            "impact": f"Cut query time {10 + i}%", "leverage": "expert", "areas": ["quality"],
        })
        for i in range(8)
    ]  # fmt: skip
    result = coach.review(entries, today=dt.date(2026, 6, 10), target="staff", per_entry=False)
    problems = " ".join(f.problem for f in result.findings)
    assert "expert leverage" in problems and "slow path" in problems
    assert "No strategic leverage" in problems
    assert "No interpersonal leverage" in problems
    assert "Nothing this period is tied to revenue, cost, customers or retention." in problems
    assert "100% of your entries are about quality" in problems


def test_text_output_names_entries_and_limits_the_list(brag, fixture_journal):
    out = brag("coach").stdout
    assert out.startswith("Coach: 36 entries, 2025-07-01 to 2026-06-30, target staff")
    assert "a0000035 Vendor contract renewal for the CDN is stuck in procurement" in out
    assert "Fix: " in out
    assert "more (brag coach --all, or --json)" in out
    everything = brag("coach", "--all").stdout
    assert "a0000005 Worked on the flaky tests in CI (2026-02-03)" in everything
    assert "more (brag coach --all" not in everything


def test_coach_on_an_empty_journal(brag, journal):
    out = brag("coach").stdout
    assert "Nothing to review yet" in out


def test_coach_counts_one_entry_as_one_entry(brag, journal):
    brag("add", "Cut checkout p99 from 800ms to 200ms", "-i", "cart abandonment down 3%")
    assert brag("coach").stdout.startswith("Coach: 1 entry, ")
    brag("add", "Wrote the on-call guide", "-i", "pages answered 2x faster")
    assert brag("coach").stdout.startswith("Coach: 2 entries, ")


def test_levels_from_config():
    assert coach.levels({"user": {"level": "Senior Engineer"}}) == ("senior", "staff")
    assert coach.levels({"user": {"level": "junior"}}) == ("mid", "mid")
    assert coach.levels({"user": {"level": "staff", "target_level": "principal"}}) == (
        "staff",
        "principal",
    )
    assert coach.levels({"user": {}}, "staff") == ("", "staff")
    assert coach.levels({}) == ("", "")


# -- list --rank and show --------------------------------------------------------------


def test_list_rank_orders_by_score_for_the_audience(brag, fixture_journal):
    manager = json.loads(brag("list", "--rank", "--json").stdout)
    scores = [row["score"] for row in manager]
    assert scores == sorted(scores, reverse=True)
    cfo = json.loads(brag("list", "--rank", "--audience", "cfo", "--json").stdout)
    assert [r["id"] for r in cfo] != [r["id"] for r in manager]
    top = brag("list", "--rank", "-A", "cfo", "-n", "3").stdout.splitlines()
    assert len(top) == 3
    first_score = float(top[0].split()[0])
    assert first_score == cfo[0]["score"] and cfo[0]["id"] in top[0]


def test_list_audience_without_rank_is_an_error(brag, fixture_journal):
    result = brag("list", "--audience", "cfo", expect=1)
    assert "--audience only changes the order with --rank" in result.stderr


def test_show_explains_the_score(brag, fixture_journal):
    out = brag("show", "a0000015").stdout
    assert "Impact score for manager" in out
    assert "areas: retention, revenue (explicit); leverage: execution (explicit)" in out
    for part in ("evidence", "impact", "area", "scope", "leverage", "recency", "total"):
        assert f"\n  {part}" in out
    data = json.loads(brag("show", "a0000015", "--json", "--audience", "cfo").stdout)
    analysis = data["analysis"]
    assert analysis["audience"] == "cfo"
    parts = analysis["score"]["parts"]
    assert round(sum(p["points"] for p in parts), 2) == analysis["score"]["total"]
    assert analysis["reframed"].startswith("Reduced first-month churn 15%, about $2.3M a year")


def test_analysis_cache_is_kept_out_of_git_and_reused(brag, fixture_journal, git_run):
    brag("export", "self-review", "--period", "2026H1")
    cache = fixture_journal.root / ".git" / "brag" / "impact-cache.pickle"
    assert cache.is_file()
    assert git_run(fixture_journal.root, "status", "--porcelain").strip() == ""
    impact.clear_memo()
    assert impact.load_cache(cache) >= 34
    # An edited entry is analysed afresh, not served from the cache.
    brag("edit", "a0000020", "--impact", "Invoice errors fell from 40 to 2 a week")
    data = json.loads(brag("show", "a0000020", "--json").stdout)
    assert data["analysis"]["metrics"] == ["40 → 2 (-95%)"] or data["analysis"]["metrics"]


def test_corrupt_cache_is_ignored(brag, fixture_journal):
    cache = fixture_journal.root / ".git" / "brag" / "impact-cache.pickle"
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(b"not a pickle")
    impact.clear_memo()
    out = brag("export", "status").stdout
    assert "What to know" in out


def test_a_small_export_keeps_the_year_in_the_cache(brag, fixture_journal):
    brag("export", "self-review", "--period", "2026H1")
    cache = fixture_journal.root / ".git" / "brag" / "impact-cache.pickle"
    impact.clear_memo()
    year = impact.load_cache(cache)
    brag("export", "status", "--since", "2026-06-29")  # one entry's worth
    impact.clear_memo()
    assert impact.load_cache(cache) >= year


def test_no_numbers_at_all_reads_as_none_not_only_zero():
    import datetime as dt

    from brag import coach
    from brag.entry import Entry

    entries = [
        Entry(title=f"Shipped the {name} page", date=dt.date(2026, 3, day))
        for day, name in ((2, "pricing"), (9, "settings"), (16, "profile"), (23, "billing"))
    ]
    result = coach.review(entries, today=dt.date(2026, 3, 31), target="senior")
    problems = [f.problem for f in result.balance if f.kind == "quantify"]
    assert problems == [
        "None of the 4 entries has a number: they say what you did but not how much it mattered."
    ]


def test_coach_reports_the_same_win_recorded_twice():
    import datetime as dt

    from brag import coach
    from brag.entry import Entry

    first = Entry(
        title="Cut search p95 from 900ms to 300ms", date=dt.date(2026, 3, 9), id="aaaa0001"
    )
    again = Entry(
        title="Cut search p95 from 900ms to 300ms", date=dt.date(2026, 3, 12), id="aaaa0002"
    )
    later = Entry(
        title="Cut search p95 from 900ms to 300ms", date=dt.date(2026, 5, 1), id="aaaa0003"
    )
    result = coach.review([first, again, later], today=dt.date(2026, 5, 2))
    dupes = [f for f in result.findings if f.kind == "duplicate"]
    assert [(f.entry_id, f.problem.split(" (")[0]) for f in dupes] == [
        ("aaaa0002", "Looks like the same win as aaaa0001")
    ]  # more than 14 days apart is another story


def test_the_review_reuses_the_inboxs_duplicate_pairs_to_the_same_findings():
    """As ``brag coach`` runs it: the inbox counts the whole journal, the review
    its period, with the inbox's pairs; the findings are those of a review that
    compares the period's entries itself, with or without an entry retold."""
    import dataclasses

    from brag import duplicates
    from brag.entry import Entry
    from brag.inbox import counts, for_documents

    day = dt.date(2026, 1, 1)
    everything = []
    for k in range(240):
        title = ("Cut checkout latency", "Sped up search", "Fixed the login flake")[k % 3]
        metrics = [{"name": "p99", "before": 800, "after": 200, "unit": "ms"}] if k % 4 else []
        everything.append(
            Entry(title=title, date=day + dt.timedelta(days=k * 3 // 2), metrics=metrics)
        )
    today = everything[-1].date
    since = day + dt.timedelta(days=100)  # a chain crosses the period's start
    waiting = counts(everything, today=today)
    assert waiting.linked is not None and waiting["duplicates"]
    plain = dict(waiting)
    period = [e for e in everything if e.date >= since]
    told = [
        dataclasses.replace(e, outcome={"date": today, "summary": "p99 held at 200ms"})
        if n == 7
        else e
        for n, e in enumerate(period)
    ]
    for entries in (period, [for_documents(e) for e in told]):
        reused = coach.review(entries, today=today, since=since, inbox=waiting)
        again = coach.review(entries, today=today, since=since, inbox=plain)
        assert reused.to_dict() == again.to_dict()
        assert [f for f in reused.findings if f.kind == "duplicate"]
    assert (
        duplicates._groups_within(
            sorted(period, key=lambda e: (e.date, e.id)), duplicates.WINDOW_DAYS, waiting.linked
        )
        is not None
    )
