"""The documents, end to end through the CLI on a realistic journal.

Golden files in tests/golden/ pin every exporter's output on the fixture journal
(tests/fixtures_journal.py) as of a fixed day. After an intended change, run
``BRAG_UPDATE_GOLDEN=1 pytest tests/test_exporters.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import fixtures_journal as fx
import pytest

from brag import hookimpl, manager
from brag.journal import Journal

from conftest import git

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("BRAG_UPDATE_GOLDEN") == "1"

CASES = {
    "one-on-one.md": ["one-on-one", "--since", "2026-06-01", "--no-remember"],
    "one-on-one.txt": ["one-on-one", "--since", "2026-06-01", "--no-remember", "-f", "txt"],
    "self-review.md": ["self-review", "--period", "2026H1"],
    "self-review.html": ["self-review", "--period", "2026H1", "-f", "html"],
    "promo-brief.md": ["promo-brief"],
    "promo-brief.json": ["promo-brief", "-f", "json"],
    "status.md": ["status", "--cadence", "monthly"],
    "status.txt": ["status", "-f", "txt"],
    "status-exec.md": ["status", "--cadence", "monthly", "--audience", "exec"],
}


@pytest.fixture
def fixture_journal(journal_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Journal:
    monkeypatch.setenv("BRAG_TODAY", fx.TODAY.isoformat())
    return fx.build(journal_dir)


def export(brag, *args: str, expect: int = 0):
    return brag("export", *args, expect=expect)


def as_json(brag, *args: str) -> dict:
    return json.loads(export(brag, *args, "-f", "json").stdout)


@pytest.mark.parametrize("golden", sorted(CASES))
def test_golden(brag, fixture_journal, golden):
    out = export(brag, *CASES[golden]).stdout
    path = GOLDEN / golden
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(out, encoding="utf-8")
    assert path.exists(), f"missing {path}: run with BRAG_UPDATE_GOLDEN=1"
    assert out == path.read_text(encoding="utf-8")


def test_golden_files_cover_every_builtin_exporter():
    kinds = {name.split(".")[0].removesuffix("-exec") for name in CASES}
    assert kinds == {"one-on-one", "self-review", "promo-brief", "status"}


def test_fixture_covers_every_area_and_leverage_type():
    from brag import impact
    from brag.entry import AREAS, LEVERAGE

    entries = [fx.make_entry(*row) for row in fx.ENTRIES]
    assert len(entries) >= 30
    assert {a for e in entries for a in impact.areas_for(e)[0]} >= set(AREAS)
    assert {impact.leverage_for(e)[0] for e in entries} == set(LEVERAGE)
    assert {impact.tree_for(e) for e in entries} == {"A", "B"}


# -- structure ---------------------------------------------------------------------


def _bullets(data: dict) -> list[dict]:
    found = []
    for key in ("wins", "cross_team", "asks", "stories", "know", "decide"):
        found += data.get(key, [])
    for area in data.get("areas", []):
        found += area["bullets"]
    return found


@pytest.mark.parametrize(
    "args",
    [
        ["one-on-one", "--since", "2026-01-01", "--no-remember"],
        ["self-review", "--period", "2026H1"],
        ["promo-brief"],
        ["status", "--period", "2026H1"],
    ],
)
def test_bullets_lead_with_the_number(brag, fixture_journal, args):
    data = as_json(brag, *args)
    bullets = _bullets(data)
    assert bullets
    for b in bullets:
        if b["quantified"] and b["action"] and re.search(r"\d", b["title"] + b["outcome"]):
            first_digit = re.search(r"\d", b["headline"]).start()
            assert first_digit < b["headline"].index(" — "), b["headline"]
            assert b["headline"].startswith(b["outcome"])


def test_markdown_bullets_put_outcome_before_action(brag, fixture_journal):
    out = export(brag, "self-review", "--period", "2026H1").stdout
    lines = [line for line in out.splitlines() if line.startswith("- ") and " — " in line]
    assert len(lines) > 15
    numbered = [
        line
        for line in lines
        if re.search(r"\d", re.split(r" \((?:\[evidence\]|`brag show)", line)[0])
    ]
    for line in numbered:
        before, _, after = line.partition(" — ")
        assert re.search(r"\d", before), line
    # The method comes second: "Reduced churn 15% … — shipped the checklist".
    assert "- Reduced first-month churn 15%, about $2.3M a year — shipped the guided" in out


def test_promo_brief_is_one_page_with_numbers(brag, fixture_journal):
    out = export(brag, "promo-brief").stdout
    assert len(out.split()) <= 600
    data = as_json(brag, "promo-brief")
    assert 3 <= len(data["stories"]) <= 5
    assert all(re.search(r"\d", s["headline"]) for s in data["stories"])
    # The evidence and the gap, never a verdict on the level.
    assert "-level" not in data["headline"] and re.search(r"\$\d", data["headline"])
    assert data["case"].startswith("Against staff: Tree B (communication and influence) is ")
    assert [row["expected"] for row in data["tree"]["rows"]] == ["40%", "60%"]
    assert {lev["type"] for lev in data["leverage"]} == {
        "execution",
        "strategic",
        "interpersonal",
        "expert",
    }
    assert "Maya (product)" in data["scope"]["partners"]
    assert data["gaps"] and all(g["fix"] for g in data["gaps"])


def test_promo_brief_carries_through_what_is_tagged_as_planned(brag, fixture_journal):
    """A tag "next", "plan" or "planned", in any case or spacing, makes an entry a
    next step; without one, the recent strategic proposals are."""
    before = as_json(brag, "promo-brief")["next"]
    assert not any("Pilot the shared ledger" in step for step in before)
    brag("add", "Pilot the shared ledger with two teams", "-t", "Planned", "-d", "2026-06-20")
    after = as_json(brag, "promo-brief")["next"]
    assert after[0] == "Carry through: Pilot the shared ledger with two teams"
    assert len(after) <= 3
    # The last two planned ones of the period, oldest first.
    brag("add", "Sketch the archive service", "-t", "next", "-d", "2026-05-01")
    brag("add", "Draft the Q3 migration plan", "-t", " PLAN ", "-d", "2026-06-25")
    later = as_json(brag, "promo-brief")["next"]
    assert later[:2] == [
        "Carry through: Pilot the shared ledger with two teams",
        "Carry through: Draft the Q3 migration plan",
    ]


def test_promo_brief_target_option_and_bad_level(brag, fixture_journal):
    data = as_json(brag, "promo-brief", "--target", "principal")
    assert data["tree"]["rows"][1]["expected"] == "80%"
    result = export(brag, "promo-brief", "--target", "wizard", expect=1)
    assert "unknown target level 'wizard'" in result.stderr
    assert "Traceback" not in result.output


def test_private_entries_only_with_include_private(brag, fixture_journal):
    for args in (["self-review", "--period", "2026H1"], ["promo-brief"],
                 ["one-on-one", "--since", "2026-01-01", "--no-remember"],
                 ["status", "--period", "2026H1"]):  # fmt: skip
        for fmt in ("md", "json"):
            out = export(brag, *args, "-f", fmt).stdout
            for title in fx.PRIVATE_TITLES:
                assert title not in out
    out = export(brag, "self-review", "--period", "2026H1", "--include-private", "--per-area", "9")
    assert "Salary band conversation" in out.stdout or "staff promotion case" in out.stdout


def _order(brag, audience: str) -> list[str]:
    data = as_json(brag, "self-review", "--period", "2026H1", "--audience", audience)
    return [b["id"] for b in _bullets(data)]


def test_every_audience_lens_changes_the_order(brag, fixture_journal):
    (fixture_journal.root / "brag.toml").write_text(
        fx.CONFIG + '\n[lenses.board]\nextends = "exec"\nweights = { risk = 3.0, people = 2.5 }\n'
    )
    orders = {
        lens: _order(brag, lens) for lens in ("manager", "exec", "cfo", "cto", "peer", "board")
    }
    lenses = list(orders)
    for i, a in enumerate(lenses):
        for b in lenses[i + 1 :]:
            assert orders[a] != orders[b], f"{a} and {b} give the same order"
    cfo = as_json(brag, "self-review", "--period", "2026H1", "--audience", "cfo")
    assert cfo["areas"][0]["area"] in ("cost", "revenue")
    cto = as_json(brag, "self-review", "--period", "2026H1", "--audience", "cto")
    assert cto["areas"][0]["area"] in ("risk", "velocity")


def test_lens_changes_phrasing_for_non_engineers(brag, fixture_journal):
    manager_out = export(brag, "self-review", "--period", "2026H1").stdout
    peer_out = export(brag, "self-review", "--period", "2026H1", "--audience", "peer").stdout
    # The user's words stay for every reader; a manager's copy explains the jargon
    # once, in a glossary line at the end.
    assert "CI runs 3x faster" in peer_out and "CI runs 3x faster" in manager_out
    assert "The automated build and test pipeline runs" not in manager_out
    assert "_Terms: " in manager_out and "CI: the automated build and test pipeline" in manager_out
    assert "_Terms: " not in peer_out


def test_unknown_audience_is_one_line(brag, fixture_journal):
    result = export(brag, "status", "--audience", "martians", expect=1)
    assert result.stderr.strip().startswith("Error: unknown audience 'martians'")
    assert "Traceback" not in result.output


@pytest.mark.parametrize("kind", ["one-on-one", "self-review", "promo-brief", "status"])
@pytest.mark.parametrize("fmt", ["md", "html", "json"])
def test_empty_period_explains_how_to_add_entries(brag, fixture_journal, kind, fmt):
    args = [kind, "--since", "2025-01-01", "--until", "2025-03-31", "-f", fmt]
    if kind == "one-on-one":
        args.append("--no-remember")
    out = export(brag, *args).stdout
    if fmt == "json":
        data = json.loads(out)
        assert data["empty"] is True and data["count"] == 0
        assert any(line.startswith("brag add") for line in data["how_to_add"])
    else:
        assert "Nothing recorded for" in out
        assert "brag add" in out and "2025-01-01" in out


def test_empty_journal_status_is_a_document_not_a_crash(brag, journal, monkeypatch):
    monkeypatch.setenv("BRAG_TODAY", "2026-06-30")
    out = export(brag, "status").stdout
    assert out.startswith("# Weekly status")
    assert "Nothing recorded for Jun 24–30, 2026" in out


def test_bad_today_is_one_line(brag, fixture_journal, monkeypatch):
    monkeypatch.setenv("BRAG_TODAY", "someday")
    result = export(brag, "status", expect=1)
    assert "BRAG_TODAY='someday' is not a date" in result.stderr


# -- the 1:1 agenda ----------------------------------------------------------------


def test_one_on_one_sections(brag, fixture_journal):
    data = as_json(brag, "one-on-one", "--since", "2026-05-01")
    assert len(data["wins"]) <= 5 and data["wins"]
    risk_ids = {r["id"] for r in data["risks"]}
    assert "a0000026" in risk_ids  # tagged risk, still open
    assert "a0000032" not in risk_ids  # an incident already mitigated is not a risk
    assert {"a0000024", "a0000035"} <= {a["id"] for a in data["asks"]}  # tagged blocked/ask
    assert risk_ids.isdisjoint(a["id"] for a in data["asks"])
    assert data["career"] and all(q.endswith("?") for q in data["career"])
    assert data["career"][0].startswith("I'm at 50% communication and influence work against")
    out = export(brag, "one-on-one", "--since", "2026-05-01", "--no-remember").stdout
    assert "## Risks I'm seeing" in out
    assert "**Seeing:**" in out and "**Doing:** Disk will fill in about 5 weeks" in out
    assert "Not yet" not in out
    assert sum(data["minutes"].values()) == 30
    assert len(out.split()) < 450  # readable in a 30-minute meeting


def test_one_on_one_remembers_the_last_meeting(brag, fixture_journal, monkeypatch):
    monkeypatch.setenv("BRAG_TODAY", "2026-06-10")
    first = export(brag, "one-on-one").stdout
    assert "_May 28 – Jun 10, 2026" in first  # no previous 1:1: the last two weeks
    assert git(fixture_journal.root, "log", "-1", "--format=%s").strip() == (
        "brag: remember export-one-on-one"
    )
    assert git(fixture_journal.root, "status", "--porcelain").strip() == ""
    monkeypatch.setenv("BRAG_TODAY", "2026-06-30")
    second = as_json(brag, "one-on-one")
    assert second["since"] == "2026-06-10" and second["since_last"] == "2026-06-10"
    assert all(b["date"] >= "2026-06-10" for b in second["wins"])
    # JSON output and --no-remember leave the marker alone.
    assert git(fixture_journal.root, "log", "-1", "--format=%s").strip() == (
        "brag: remember export-one-on-one"
    )
    assert "since our last 1:1 (2026-06-10)" in export(brag, "one-on-one", "--no-remember").stdout


# -- self-review and status --------------------------------------------------------


def test_self_review_groups_by_area_strongest_first(brag, fixture_journal):
    data = as_json(brag, "self-review", "--period", "2026H1")
    # Two blocked requests and one open risk are not results.
    assert data["count"] == 31
    shown = {b["id"] for area in data["areas"] for b in area["bullets"]}
    assert not shown & {"a0000024", "a0000035", "a0000026"}
    titles = [a["area"] for a in data["areas"]]
    assert len(titles) == len(set(titles)) == 9
    for area in data["areas"]:
        scores = [b["score"] for b in area["bullets"]]
        assert scores == sorted(scores, reverse=True)
    assert data["summary"].startswith("31 accomplishments across 9 impact areas")
    assert [r["period"] for r in data["growth"]["rows"]] == ["2026 Q1", "2026 Q2"]
    kinds = {f["kind"] for f in data["develop"]}
    assert "tree" in kinds and "gap" not in kinds  # journal gaps are the coach's business
    develop = " ".join(f["problem"] + f["fix"] for f in data["develop"])
    assert "my evidence" in develop and "your" not in develop and "--with" not in develop


def test_status_is_know_feel_decide(brag, fixture_journal):
    out = export(brag, "status", "--cadence", "monthly").stdout
    know, feel, decide = (out.index(h) for h in ("## What to know", "## What to feel",
                                                  "## What to decide"))  # fmt: skip
    assert know < feel < decide
    data = as_json(brag, "status", "--cadence", "monthly")
    assert len(data["know"]) <= 3
    assert data["feel"].endswith("; 2 items need a decision from you.")
    assert {d["id"] for d in data["decide"]} == {"a0000030", "a0000035"}


# -- templates ---------------------------------------------------------------------


def test_export_list_shows_kinds_and_templates(brag, fixture_journal):
    out = brag("export", "--list").stdout
    for kind in ("one-on-one", "self-review", "promo-brief", "status"):
        assert kind in out
    assert "built-in (brag.templates/status.md.j2)" in out
    (fixture_journal.root / "templates").mkdir()
    (fixture_journal.root / "templates" / "status.md.j2").write_text("{{ title }}\n")
    rows = json.loads(brag("export", "--list", "--json").stdout)
    status = next(r for r in rows if r["kind"] == "status")
    origins = {t["template"]: t["origin"] for t in status["templates"]}
    assert origins["status.md.j2"] == str(fixture_journal.root / "templates" / "status.md.j2")
    assert origins["status.html.j2"].startswith("built-in")


def test_journal_template_overrides_the_builtin(brag, fixture_journal):
    folder = fixture_journal.root / "templates"
    folder.mkdir()
    (folder / "status.md.j2").write_text(
        "KNOW {% for b in know %}[{{ b.headline }}]{% endfor %}\nFEEL {{ feel }}\n"
    )
    out = export(brag, "status").stdout
    assert out.startswith("KNOW [Expected to deflect 30% of refund tickets")
    assert "FEEL 1 result above; 1 item needs a decision from you." in out
    # Other formats still use the built-in templates.
    assert export(brag, "status", "-f", "html").stdout.startswith("<!doctype html>")


def test_template_error_names_file_and_line(brag, fixture_journal):
    folder = fixture_journal.root / "templates"
    folder.mkdir()
    (folder / "status.md.j2").write_text("line one\nline two\n{% for b in know %}\nno end\n")
    result = export(brag, "status", expect=1)
    message = result.stderr.strip()
    assert message.startswith("Error: template ")
    assert f"{folder / 'status.md.j2'}:4:" in message or "status.md.j2:4:" in message
    assert "Traceback" not in result.output and len(message.splitlines()) == 1
    (folder / "status.md.j2").write_text("ok\n{{ know[0].missing_field }}\n")
    result = export(brag, "status", expect=1)
    assert "status.md.j2:2:" in result.stderr and "missing_field" in result.stderr


def test_html_escapes_entry_text(brag, fixture_journal):
    fixture_journal.add(
        fx.make_entry("b0000001", "2026-06-29", "<script>alert(1)</script> cut errors 50%", {})
    )
    out = export(brag, "status", "-f", "html").stdout
    assert "<script>alert(1)" not in out and "&lt;script&gt;" in out


# -- the reframe_entry hook ----------------------------------------------------------


class Rewording:
    @hookimpl
    def reframe_entry(self, entry, audience):
        if audience == "exec":
            return f"EXEC: {entry.title.upper()}"
        return None


def test_hook_reframe_entry(brag, fixture_journal):
    manager.get_plugin_manager().register(Rewording(), name="rewording")
    exec_out = export(brag, "status", "--audience", "exec").stdout
    assert "- EXEC: DESIGNED THE SELF-SERVE REFUND FLOW WITH SUPPORT (" in exec_out
    # None falls through to the built-in wording.
    manager_out = export(brag, "status").stdout
    assert "EXEC:" not in manager_out
    assert "- Expected to deflect 30% of refund tickets, about 900 a month — designed" in (
        manager_out
    )


def test_reframe_hook_with_wrong_type_is_one_line(brag, fixture_journal):
    class Broken:
        @hookimpl
        def reframe_entry(self, entry, audience):
            return 42

    manager.get_plugin_manager().register(Broken(), name="broken-reframe")
    result = export(brag, "status", expect=1)
    assert "reframe_entry plugin returned int" in result.stderr


def test_failed_export_writes_nothing_and_remembers_nothing(brag, fixture_journal, tmp_path):
    folder = fixture_journal.root / "templates"
    folder.mkdir()
    (folder / "one-on-one.md.j2").write_text("{{ wins[0].headline }\n")
    head = git(fixture_journal.root, "rev-parse", "HEAD")
    target = tmp_path / "agenda.md"
    result = export(brag, "one-on-one", "-o", str(target), expect=1)
    assert "one-on-one.md.j2:1:" in result.stderr
    assert not target.exists()
    assert git(fixture_journal.root, "rev-parse", "HEAD") == head
    assert not (fixture_journal.root / ".brag" / "state" / "export-one-on-one.toml").exists()


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ('[lenses.board]\nweights = { risk = "high" }\n',
         "Error: lenses.board.weights.risk must be a number >= 0"),
        ('[lenses.board]\nextends = "martians"\n',
         "Error: [lenses.board] extends unknown lens 'martians'"),
        ("[glossary]\nCI = 3\n", "Error: glossary.CI must be a string"),
        ('[impact.keywords]\nrevenue = "upsell"\ncost = 4\n',
         "Error: impact.keywords.cost must be a list of strings"),
        ('[user]\ntarget_level = "wizard"\n',
         "brag.toml:2: user.target_level must be a level (mid, senior, staff, principal)"),
        ('[user]\nlevel = "wizard"\n', "brag.toml:2: user.level must be a level"),
    ],
)  # fmt: skip
def test_bad_configuration_is_one_line(brag, fixture_journal, config, message):
    (fixture_journal.root / "brag.toml").write_text(config)
    result = export(brag, "promo-brief", expect=1)
    # brag.toml is checked when read: a wrong type names the file and line.
    assert message.removeprefix("Error: ") in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_export_benchmark_runs(tmp_path):
    """bench/bench_export.py keeps working (on a small journal; figures are not checked)."""
    import subprocess
    import sys

    bench = Path(__file__).parent.parent / "bench" / "bench_export.py"
    out = subprocess.run(
        [sys.executable, str(bench), "--entries", "300", "--runs", "1", "--keep",
         str(tmp_path / "bench-journal")],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    rows = [line for line in out.stdout.splitlines() if line.startswith("| ")]
    assert len(rows) == 1 + 5  # the header, then one row per export
    assert all(row.count(" ms |") == 4 for row in rows[1:])


def test_loading_the_documents_plugin_does_not_load_the_template_engine(journal):
    """Commands that load plugins (brag plugins, brag export --help) pay for Jinja2
    only when a document is rendered."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from brag.manager import exporters\n"
        "assert 'one-on-one' in exporters()\n"
        "assert 'brag.plugins.career_documents' in sys.modules\n"
        "print(sorted({'jinja2', 'rich', 'httpx'} & set(sys.modules)))\n"
    )
    env = {**os.environ, "BRAG_DIR": str(journal.root)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_repeated_stories_are_shown_once(brag, fixture_journal):
    repeats = [
        fx.make_entry(f"d000000{i}", f"2026-06-2{i}", f"Trimmed the {name} cloud bill", {
            "impact": f"Saved ${400 + i}k a year in cloud spend, {30 + i}% of the bill",
            "areas": ["cost", "revenue"], "leverage": "strategic",
            "with": ["Finance", "SRE", "Platform", "Data"],
        })
        for i, name in enumerate(("search", "billing", "ledger", "mobile"))
    ]  # fmt: skip
    fx.write_entries(fixture_journal, repeats, "repeats")
    data = as_json(brag, "promo-brief")
    saved = [s for s in data["stories"] if "in cloud spend" in s["headline"]]
    assert len(saved) == 1
    assert len(data["stories"]) == 5


def test_one_set_of_figures_for_the_same_window(brag, fixture_journal):
    """brag stats, the self-review, the promotion brief and the 1:1's career
    question give the same Tree B share for the same window."""
    window = ["--since", "2026-04-02", "--until", "2026-06-30"]  # the 1:1's 90 days
    stats = json.loads(brag("stats", *window, "--no-private", "--json").stdout)
    share = round(stats["tree"]["share_b"] * 100)
    review = as_json(brag, "self-review", *window)
    assert round(review["tree"]["share_b"] * 100) == share
    brief = as_json(brag, "promo-brief", *window)
    assert brief["tree"]["rows"][1]["share"] == f"{share}%"
    agenda = as_json(brag, "one-on-one")
    assert agenda["career_span"] == "Apr 2 – Jun 30, 2026"
    assert agenda["career"][0].startswith(f"I'm at {share}% communication and influence")


def test_one_on_one_twice_on_a_day_succeeds_with_nothing_to_record(
    fixture_journal, monkeypatch, tmp_path
):
    """Through the real console script: the second agenda of the day exits 0,
    says there is nothing new to record, and makes no commit."""
    import subprocess
    import sys

    script = Path(sys.executable).parent / "brag"
    monkeypatch.setenv("BRAG_TODAY", "2026-06-10")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(script), *args], capture_output=True, text=True, env=os.environ.copy(),
            timeout=120,
        )  # fmt: skip

    first = run("export", "one-on-one", "-o", str(tmp_path / "first.md"))
    assert first.returncode == 0, first.stderr
    head = git(fixture_journal.root, "rev-parse", "HEAD")
    second = run("export", "one-on-one", "-o", str(tmp_path / "second.md"))
    assert second.returncode == 0, second.stderr
    assert "Nothing new to record: the last 1:1 is already 2026-06-10." in second.stderr
    assert "Error" not in second.stderr
    assert git(fixture_journal.root, "rev-parse", "HEAD") == head
    assert (tmp_path / "second.md").read_text().startswith("# 1:1 agenda")
    assert git(fixture_journal.root, "status", "--porcelain").strip() == ""


@pytest.mark.parametrize("kind, args", [("self-review", ["--per-area", "1"]), ("promo-brief", [])])
def test_money_totals_read_from_the_analysis_cache_are_the_same(
    brag, fixture_journal, monkeypatch, kind, args
):
    """A warm export sums each entry's money from its cached analysis: the same
    totals as a cold one, with only the bullets it shows decoding their metrics."""
    import shutil

    from brag import impact, outputs
    from brag.impact import analysis

    cold = as_json(brag, kind, *args)
    shutil.rmtree(outputs.folder(fixture_journal))  # no kept document: build it again
    impact.clear_memo()  # as a new process: every analysis comes from the cache file
    decoded: list[bytes] = []
    unpickle = analysis._unpickle
    monkeypatch.setattr(analysis, "_unpickle", lambda data: decoded.append(data) or unpickle(data))
    warm = as_json(brag, kind, *args)
    assert warm == cold
    if kind == "self-review":
        assert warm["money"] == {"revenue": "$4.2M", "savings": "$636k"}
        shown = sum(len(area["bullets"]) for area in warm["areas"])
    else:
        assert "$636k a year in cost savings and $4.2M in revenue" in warm["headline"]
        shown = len(warm["stories"]) + sum(len(row["examples"]) for row in warm["leverage"])
    quantified = sum(1 for row in fx.ENTRIES if fx.make_entry(*row).impact)
    assert 0 < len(decoded) <= shown < quantified


def test_bulk_leaves_no_collection_pending_and_cycles_are_still_collected():
    import gc
    import weakref

    from brag.exporting import bulk

    class Node:
        pass

    assert gc.isenabled()
    with bulk():
        assert not gc.isenabled()
        made = [[i] for i in range(50_000)]
        node = Node()
        node.me = node  # a cycle only the collector frees
        gone = weakref.ref(node)
    assert gc.isenabled()
    # What was made meanwhile joined the oldest generation: the next collections
    # do not walk it...
    young = len(gc.get_objects(generation=0)) + len(gc.get_objects(generation=1))
    assert young < 10_000
    assert len(made) == 50_000
    # ...yet garbage cycles among it are still freed by a full collection.
    del node
    gc.collect()
    assert gone() is None


def test_entries_select_kept_are_not_grouped_again_and_give_the_same_evidence(journal):
    """What ExportContext.select() keeps has no two entries of one story: evidence()
    told so skips the grouping and finds the same results; an entry retold with an
    outcome (a new object) makes it group again."""
    import dataclasses
    import datetime as dt
    import random

    from brag import duplicates
    from brag.entry import Entry
    from brag.exporting import ExportContext
    from brag.impact.figures import evidence

    r = random.Random(7)
    day = dt.date(2026, 3, 1)
    titles = [
        "Cut p99 from 800ms to 200ms",
        "Shipped search",
        "Migrated billing",
        "Ran the offsite",
    ]
    entries = []
    for i in range(300):
        metrics = [{"name": "p99", "before": 800, "after": 200, "unit": "ms"}] if i % 7 == 0 else []
        extra = {duplicates.DISTINCT_FIELD: [entries[-1].id]} if i % 11 == 0 and entries else {}
        entries.append(
            Entry(title=f"{r.choice(titles)}{'' if i % 3 else f' #{i}'}", id=f"{i:08x}",
                  date=day + dt.timedelta(days=r.randrange(120)), metrics=metrics, extra=extra)
        )  # fmt: skip
    entries.sort(key=lambda e: (e.date, e.id))
    context = ExportContext(journal=journal, entries=[], since=None, until=None)
    context.select(entries)
    kept = context.entries
    assert len(kept) < len(entries)  # there were duplicates to fold
    assert duplicates.groups(kept) == []
    assert context.one_story_each(kept) and context.one_story_each(kept[10:50])
    assert evidence(kept, one_story_each=True) == evidence(kept)
    retold = [*kept[:5], dataclasses.replace(kept[5]), *kept[6:]]
    assert not context.one_story_each(retold)
    assert not ExportContext(journal=journal, entries=[], since=None, until=None).one_story_each(
        kept
    )


def test_money_an_entry_calls_an_estimate_stays_an_estimate(brag, journal, monkeypatch):
    """ "estimated $240k of orders saved" is neither "$240k" nor "in revenue": the
    brief and the self-review keep the word "estimated", tell revenue kept in an
    incident apart from revenue earned, and say how much of a mixed total is
    estimated."""
    monkeypatch.setenv("BRAG_TODAY", "2026-06-30")
    brag("add", "Kept checkout open through the Black Friday peak", "-d", "2026-05-02",
         "-i", "estimated $240k of orders saved", "-a", "revenue")  # fmt: skip
    brag("add", "Cut search infra spend", "-d", "2026-05-09", "-a", "cost",
         "-m", "search infra cost: $31k/month -> $13k/month")  # fmt: skip
    brief = as_json(brag, "promo-brief", "--target", "staff", "--period", "2026H1")
    assert (
        "$216k a year in cost savings and an estimated $240k of revenue protected"
        in brief["headline"]
    ), brief["headline"]
    review = as_json(brag, "self-review", "--period", "2026H1")
    assert "an estimated $240k of revenue protected, in total" in review["summary"]
    assert "$240k in revenue" not in review["summary"]
    assert review["money"] == {"protected": "$240k", "savings": "$216k"}
    # Revenue earned beside it: three kinds, never one sum.
    brag("add", "Launched the gift-card upsell", "-d", "2026-05-20", "-a", "revenue",
         "-i", "$60k in new revenue in its first month")  # fmt: skip
    review = as_json(brag, "self-review", "--period", "2026H1")
    assert (
        "$216k a year in cost savings, $60k in revenue and an estimated $240k of revenue "
        "protected, in total" in review["summary"]
    ), review["summary"]
    # A measured figure beside an estimate of one kind: the total says how much.
    brag("add", "Fixed the card retry bug", "-d", "2026-05-25", "-a", "revenue",
         "-i", "$30k of orders saved in the first week")  # fmt: skip
    review = as_json(brag, "self-review", "--period", "2026H1")
    assert "$270k of revenue protected ($240k of it estimated)" in review["summary"], review[
        "summary"
    ]
