"""The ladder through the command line: coverage, show, import, people, the peer brief."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from brag.journal import Journal

TODAY = "2026-06-30"

CSV = """\
competency,level,expectation,tree,signals
Technical direction,Senior,"Shapes the direction of the team's area; writes proposals.",B,"words: rfc, design doc; leverage: strategic"
Technical direction,Staff,Sets org-wide technical direction.,B,
Mentorship,Senior,Mentors engineers on the team.,B,"words: mentor*; areas: people"
Mentorship,Staff,Grows senior engineers across teams.,B,
Delivery,Senior,Drives complex projects to done.,A,leverage: execution
Delivery,Staff,Drives multi-team projects to done.,A,
"""  # noqa: E501

MD_TABLE = """\
| Competency | Level | Expectation | Tree | Signals |
|---|---|---|:-:|---|
| Technical direction | Senior | Shapes the direction of the team's area; writes proposals. | B | words: rfc, design doc; leverage: strategic |
| Technical direction | Staff | Sets org-wide technical direction. | B | |
| Mentorship | Senior | Mentors engineers on the team. | B | words: mentor*; areas: people |
| Mentorship | Staff | Grows senior engineers across teams. | B | |
| Delivery | Senior | Drives complex projects to done. | A | leverage: execution |
| Delivery | Staff | Drives multi-team projects to done. | A | |
"""  # noqa: E501


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRAG_TODAY", TODAY)


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, check=True
    ).stdout


def add_work(brag) -> dict[str, str]:
    """A few entries; returns title -> id."""
    rows = [
        ("Wrote the RFC for the event bus", "Aligned 3 teams on one design", "2026-05-01",
         ["--with", "Sam Lee", "-t", "rfc", "--url", "https://example.com/rfc/7"]),
        ("Mentored two new hires through their first launch", "Both shipped in week 2",
         "2026-04-01", ["--with", "sam  lee"]),
        ("Migrated billing to the new queue", "Cut billing failures from 120 to 4 a week",
         "2026-03-01", ["-l", "execution", "--with", "Ana Ruiz"]),
        ("Drafted the 2025 storage roadmap", "Agreed by two directors", "2025-02-01",
         ["-l", "strategic"]),
    ]  # fmt: skip
    ids = {}
    for title, impact, date, extra in rows:
        out = brag("add", title, "-i", impact, "-d", date, *extra).stdout
        ids[title] = out.split()[1].rstrip(":")
    return ids


# -- brag ladder: coverage -------------------------------------------------------


def test_coverage_at_two_target_levels_text_and_json(brag, journal: Journal, tmp_path: Path):
    ids = add_work(brag)
    (tmp_path / "ladder.csv").write_text(CSV)
    brag("ladder", "import", str(tmp_path / "ladder.csv"))

    staff = json.loads(brag("ladder", "--target", "staff", "--json").stdout)
    assert staff["target"] == "Staff"
    assert (staff["since"], staff["until"]) == ("2025-07-01", "2026-06-30")
    rows = {c["id"]: c for c in staff["competencies"]}
    assert list(rows) == ["technical-direction", "mentorship", "delivery"]
    for row in staff["competencies"]:
        assert {"name", "evidence", "gap"} <= set(row)
    assert rows["technical-direction"]["name"] == "Technical direction"
    assert rows["technical-direction"]["evidence"] == [ids["Wrote the RFC for the event bus"]]
    assert rows["technical-direction"]["expectation"] == "Sets org-wide technical direction."
    assert rows["delivery"]["evidence"] == [ids["Migrated billing to the new queue"]]
    assert rows["mentorship"]["gap"] is False

    # Senior, and a window that leaves the migration and the mentoring out.
    senior = json.loads(
        brag("ladder", "-T", "senior", "-s", "2026-04-15", "-u", "2026-06-30", "--json").stdout
    )
    rows = {c["id"]: c for c in senior["competencies"]}
    assert senior["target"] == "Senior"
    assert rows["delivery"]["gap"] is True and rows["delivery"]["evidence"] == []
    assert rows["delivery"]["expectation"] == "Drives complex projects to done."
    assert rows["delivery"]["notes"] == [
        "only evidence is older than the period: 1 entry, latest 2026-03-01 "
        f"({ids['Migrated billing to the new queue']})"
    ]
    assert rows["mentorship"]["gap"] is True

    text = brag("ladder", "-T", "senior", "-s", "2026-04-15").stdout
    assert "Senior: your ladder (ladder.toml), 2026-04-15 to 2026-06-30" in text
    assert "1 of 3 competencies with evidence; 2 with none" in text
    assert "Delivery (Tree A): no evidence yet" in text
    assert "Expects (Senior): Drives complex projects to done." in text
    assert (
        f"{ids['Wrote the RFC for the event bus']} Wrote the RFC for the event bus [word 'rfc']"
        in text
    )


def test_coverage_target_defaults_from_the_users_level(brag, journal: Journal):
    add_work(brag)
    # No ladder.toml: the built-in ladder, and the level after [user] level.
    brag("config", "set", "user.level", "senior")
    data = json.loads(brag("ladder", "--json").stdout)
    assert data["target"] == "staff" and data["ladder"] == "brag default ladder"
    brag("config", "set", "user.target_level", "principal")
    assert json.loads(brag("ladder", "--json").stdout)["target"] == "principal"


def test_coverage_without_a_target_says_how_to_set_one(brag, journal: Journal):
    result = brag("ladder", expect=1)
    assert "no target level: give --target LEVEL" in result.stderr
    assert "Traceback" not in result.output
    result = brag("ladder", "-T", "director", expect=1)
    assert "level 'director' is not in the ladder" in result.stderr


# -- brag ladder show ------------------------------------------------------------


def test_show_says_when_the_ladder_is_the_built_in_one(brag, journal: Journal, tmp_path: Path):
    text = brag("ladder", "show").stdout
    assert text.startswith("The built-in ladder (no ladder.toml in the journal")
    assert "Mentorship and hiring (mentorship, Tree B)" in text
    data = json.loads(brag("ladder", "show", "--json").stdout)
    assert data["default"] is True and data["levels"] == ["mid", "senior", "staff", "principal"]

    (tmp_path / "ladder.csv").write_text(CSV)
    brag("ladder", "import", str(tmp_path / "ladder.csv"))
    text = brag("ladder", "show").stdout
    assert text.startswith("ladder.toml (ladder.toml)\nLevels: Senior, Staff\n")
    assert "  Staff: Sets org-wide technical direction.\n" in text
    assert "  Signals: words rfc, design doc; leverage strategic\n" in text
    data = json.loads(brag("ladder", "show", "--json").stdout)
    assert data["default"] is False
    assert [c["id"] for c in data["competency"]] == [
        "technical-direction",
        "mentorship",
        "delivery",
    ]


# -- brag ladder import ----------------------------------------------------------


def test_import_from_csv_and_markdown_writes_the_same_committed_ladder(
    brag, journal: Journal, tmp_path: Path
):
    (tmp_path / "ladder.csv").write_text(CSV)
    (tmp_path / "ladder.md").write_text(MD_TABLE)
    result = brag("ladder", "import", str(tmp_path / "ladder.csv"))
    assert result.stdout == (
        "Wrote ladder.toml: 3 competencies, levels Senior, Staff. Committed.\n"
    )
    written = (journal.root / "ladder.toml").read_text()
    assert git(journal.root, "log", "-1", "--format=%s") == (
        "brag: ladder imported from ladder.csv\n"
    )
    assert git(journal.root, "status", "--porcelain") == ""
    assert git(journal.root, "show", "HEAD:ladder.toml") == written

    # The same ladder from a Markdown table: nothing to change, no commit, exit 0.
    head = git(journal.root, "rev-parse", "HEAD")
    result = brag("ladder", "import", str(tmp_path / "ladder.md"))
    assert result.stdout.startswith("Nothing to change: ladder.toml already holds this ladder")
    assert (journal.root / "ladder.toml").read_text() == written
    assert git(journal.root, "rev-parse", "HEAD") == head
    # And again from the CSV.
    assert brag("ladder", "import", str(tmp_path / "ladder.csv")).stdout.startswith(
        "Nothing to change"
    )


def test_import_keeps_the_name_the_user_gave_the_ladder(brag, journal: Journal, tmp_path: Path):
    (tmp_path / "ladder.csv").write_text(CSV)
    brag("ladder", "import", str(tmp_path / "ladder.csv"))
    path = journal.root / "ladder.toml"
    path.write_text('name = "Acme ladder"\n' + path.read_text())
    git(journal.root, "commit", "-qam", "name the ladder")
    assert brag("ladder", "import", str(tmp_path / "ladder.csv")).stdout.startswith(
        "Nothing to change"
    )
    assert path.read_text().startswith('name = "Acme ladder"\n')


def test_import_reports_rows_it_skipped_and_keeps_the_rest(brag, journal: Journal, tmp_path: Path):
    (tmp_path / "ladder.csv").write_text(CSV + ",Staff,no name here,,\nDelivery,Staff,x,C,\n")
    result = brag("ladder", "import", str(tmp_path / "ladder.csv"))
    assert "ladder.csv: row 8: no competency name; skipped" in result.stderr
    assert "ladder.csv: row 9: tree 'C' is not A or B; ignored" in result.stderr
    assert result.stdout.startswith("Wrote ladder.toml: 3 competencies")


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("bad.csv", "team,level,expectation\nx,Senior,y\n",
         "bad.csv:1: the header needs a 'competency' column"),
        ("bad.md", "# Ladder\n\n| Team | Level | Expectation |\n|---|---|---|\n| A | B | x |\n",
         "bad.md:3: the header needs a 'competency' column"),
        ("bad.xlsx", "PK", "bad.xlsx: import reads .csv, .tsv or .md files"),
    ],
)  # fmt: skip
def test_malformed_import_is_one_error_with_file_and_line_and_writes_nothing(
    brag, journal: Journal, tmp_path: Path, name: str, text: str, message: str
):
    (tmp_path / "ladder.csv").write_text(CSV)
    brag("ladder", "import", str(tmp_path / "ladder.csv"))
    before = (journal.root / "ladder.toml").read_text()
    head = git(journal.root, "rev-parse", "HEAD")
    (tmp_path / name).write_text(text)
    result = brag("ladder", "import", str(tmp_path / name), expect=1)
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert (journal.root / "ladder.toml").read_text() == before
    assert git(journal.root, "rev-parse", "HEAD") == head
    assert git(journal.root, "status", "--porcelain") == ""


def test_import_of_a_missing_file_is_one_line(brag, journal: Journal, tmp_path: Path):
    result = brag("ladder", "import", str(tmp_path / "nope.csv"), expect=1)
    assert "nope.csv: cannot read" in result.stderr
    assert not (journal.root / "ladder.toml").exists()


def test_a_broken_ladder_toml_is_one_line_naming_file_and_line(brag, journal: Journal):
    (journal.root / "ladder.toml").write_text('levels = ["a"]\n\n[[competency]]\nid = "x"\n')
    result = brag("ladder", "show", expect=1)
    assert "ladder.toml:3: competency[1] needs 'name'" in result.stderr


# -- brag people -----------------------------------------------------------------


def test_people_counts_collaborators(brag, journal: Journal):
    add_work(brag)
    data = json.loads(brag("people", "--json").stdout)
    assert [(p["name"], p["count"]) for p in data] == [("Sam Lee", 2), ("Ana Ruiz", 1)]
    assert (data[0]["first"], data[0]["last"]) == ("2026-04-01", "2026-05-01")
    text = brag("people").stdout.splitlines()
    assert text[0].split() == ["Sam", "Lee", "2", "entries", "2026-04-01", "to", "2026-05-01"]
    assert text[1].split() == ["Ana", "Ruiz", "1", "entry", "2026-03-01"]
    # A period narrows the counts.
    data = json.loads(brag("people", "-s", "2026-04-15", "--json").stdout)
    assert [(p["name"], p["count"]) for p in data] == [("Sam Lee", 1)]


def test_people_with_nobody_recorded_says_how(brag, journal: Journal):
    assert "No collaborators recorded" in brag("people").stdout


# -- the real console script -----------------------------------------------------


def test_console_script_imports_and_reads_the_ladder(journal: Journal, tmp_path: Path):
    exe = Path(sys.executable).with_name("brag")
    env = {**os.environ, "BRAG_DIR": str(journal.root)}
    (tmp_path / "ladder.md").write_text(MD_TABLE)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(exe), *args], capture_output=True, text=True, env=env)

    first = run("ladder", "import", str(tmp_path / "ladder.md"))
    assert first.returncode == 0, first.stderr
    assert "Wrote ladder.toml" in first.stdout
    again = run("ladder", "import", str(tmp_path / "ladder.md"))
    assert again.returncode == 0 and again.stdout.startswith("Nothing to change")
    assert (
        run("add", "Mentored Ana", "-i", "she led the launch", "-d", "2026-05-02").returncode == 0
    )
    shown = run("ladder", "--target", "Staff", "--json")
    assert shown.returncode == 0, shown.stderr
    rows = {c["id"]: c for c in json.loads(shown.stdout)["competencies"]}
    assert len(rows["mentorship"]["evidence"]) == 1
    assert rows["technical-direction"]["gap"] is True
    bad = run("ladder", "--target", "L9")
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1


# -- brag export peer-brief ------------------------------------------------------


def test_peer_brief_lists_our_work_in_my_words_each_with_its_evidence(
    brag, journal: Journal, tmp_path: Path
):
    ids = add_work(brag)
    brag("config", "set", "user.name", "Sam Rivera")
    hidden = brag(
        "add", "Paired on the secret launch plan", "-d", "2026-05-03", "--with", "Sam Lee",
        "--private", "--url", "https://example.com/secret",
    ).stdout.split()[1].rstrip(":")  # fmt: skip
    odd = brag(
        "add", "reviewed sam's p99 fix", "-i", "p99 from 800ms to 200ms", "-d", "2026-05-04",
        "--with", "SAM LEE",
    ).stdout.split()[1].rstrip(":")  # fmt: skip
    # A link brag add refuses can still arrive in a synced or imported file.
    path = journal.root / json.loads(brag("show", odd, "--json").stdout)["path"]
    path.write_text(path.read_text().replace("+++\n", '+++\nurl = "javascript:alert(1)"\n', 1))
    git(journal.root, "commit", "-qam", "an unsafe link")
    text = brag("export", "peer-brief", "--for", "sam lee").stdout
    rfc = ids["Wrote the RFC for the event bus"]
    mentoring = ids["Mentored two new hires through their first launch"]
    assert text.startswith("# For Sam Lee: our work together\n\n_From Sam Rivera · 3 pieces")
    # The user's words as written, each bullet with its evidence: a safe link, else the command.
    assert (
        "- **Wrote the RFC for the event bus**: Aligned 3 teams on one design "
        "(May 1, 2026, [evidence](https://example.com/rfc/7))"
    ) in text
    assert (
        f"- **reviewed sam's p99 fix**: p99 from 800ms to 200ms (May 4, 2026, evidence: "
        f"`brag show {odd}`)"
    ) in text
    assert "javascript" not in text
    assert f"evidence: `brag show {mentoring}`" in text
    # Private work stays out; work with other people too.
    assert "secret" not in text and hidden not in text
    assert "Migrated billing" not in text
    # Two or three things to speak to, each under a competency, none twice.
    speak = text.split("## What it would help most if you spoke to\n\n")[1]
    points = [line for line in speak.splitlines() if line[:2] in ("1.", "2.", "3.")]
    assert 2 <= len(points) <= 3
    assert points[0].startswith("1. **Technical direction**: Wrote the RFC for the event bus")
    assert "(evidence" in points[0] or "([evidence]" in points[0]
    names = [p.split("**")[1] for p in points if "**" in p]
    assert len(names) == len(set(names))
    # The built-in ladder's expectations are not put in the company's mouth.
    assert "at staff:" not in text.lower()

    data = json.loads(brag("export", "peer-brief", "--for", "Sam Lee", "-f", "json").stdout)
    assert data["person"] == "Sam Lee" and data["count"] == 3
    assert [e["id"] for e in data["entries"]][0] == rfc
    assert data["entries"][0]["evidence"] == {
        "id": rfc,
        "href": "https://example.com/rfc/7",
        "ref": f"brag show {rfc}",
    }
    assert {e["id"] for e in data["entries"]} == {rfc, mentoring, odd}
    with_private = brag("export", "peer-brief", "--for", "Sam Lee", "--include-private").stdout
    assert "Paired on the secret launch plan" in with_private


def test_peer_brief_quotes_the_users_own_ladder_at_the_target(
    brag, journal: Journal, tmp_path: Path
):
    add_work(brag)
    (tmp_path / "ladder.csv").write_text(CSV)
    brag("ladder", "import", str(tmp_path / "ladder.csv"))
    brag("config", "set", "user.target_level", "Staff")
    text = brag("export", "peer-brief", "--for", "Sam Lee").stdout
    assert '   ladder.toml at Staff: "Sets org-wide technical direction."' in text
    assert '   ladder.toml at Staff: "Grows senior engineers across teams."' in text


def test_peer_brief_for_someone_not_in_the_journal_is_one_line(brag, journal: Journal):
    add_work(brag)
    result = brag("export", "peer-brief", "--for", "Bob", expect=1)
    assert result.stderr == (
        "Error: no entry names 'Bob' in 'with'; people in the journal: Sam Lee, Ana Ruiz\n"
    )
    result = brag("export", "peer-brief", expect=2)
    assert "--for" in result.stderr


# -- the coach -------------------------------------------------------------------


def test_coach_names_each_competency_without_evidence(brag, journal: Journal, tmp_path: Path):
    add_work(brag)
    brag("config", "set", "user.target_level", "staff")
    # The built-in ladder adds nothing: the balance checks already read it.
    data = json.loads(brag("coach", "--json").stdout)
    assert [f for f in data["findings"] if f["kind"] == "ladder"] == []

    (tmp_path / "ladder.csv").write_text(
        CSV + "Operational excellence,Staff,Reduces risk across several teams' services.,A,"
        "tags: incident\n"
    )
    brag("ladder", "import", str(tmp_path / "ladder.csv"))
    data = json.loads(brag("coach", "--json").stdout)
    found = [f for f in data["findings"] if f["kind"] == "ladder"]
    assert [f["problem"] for f in found] == [
        "No evidence yet for 'Operational excellence' at Staff; the expectation says: "
        '"Reduces risk across several teams\' services."'
    ]
    assert found[0]["fix"] == (
        "Note the work that shows it, or pin an entry that does "
        "(`brag edit ID --competency operational-excellence`)."
    )
    text = brag("coach").stdout
    assert "! No evidence yet for 'Operational excellence' at Staff" in text
    # A window without the mentoring and the migration: those are gaps too.
    data = json.loads(brag("coach", "-s", "2026-04-15", "--json").stdout)
    gaps = [f["problem"].split("'")[1] for f in data["findings"] if f["kind"] == "ladder"]
    assert gaps == ["Mentorship", "Delivery", "Operational excellence"]


# -- brag show and brag edit -----------------------------------------------------


def test_show_says_which_competencies_and_why_and_edit_pins_them(
    brag, journal: Journal, tmp_path: Path
):
    ids = add_work(brag)
    rfc = ids["Wrote the RFC for the event bus"]
    text = brag("show", rfc).stdout
    assert "Competencies (the built-in ladder)\n" in text
    assert "  Technical direction (direction): tag 'rfc'\n" in text

    (tmp_path / "ladder.csv").write_text(CSV)
    brag("ladder", "import", str(tmp_path / "ladder.csv"))
    text = brag("show", rfc).stdout
    assert (
        "Competencies (ladder.toml)\n  Technical direction (technical-direction): word 'rfc'\n"
        in (text)
    )
    head = git(journal.root, "rev-parse", "HEAD")
    assert brag("edit", rfc, "--competency", "delivery", "--no-competency", "technical-direction")
    data = json.loads(brag("show", rfc, "--json").stdout)
    assert data["competencies"] == ["delivery"]
    assert data["no_competencies"] == ["technical-direction"]
    assert data["analysis"]["competencies"] == [
        {"id": "delivery", "name": "Delivery", "reason": "pinned in the entry", "pinned": True}
    ]
    path = journal.root / data["path"]
    stored = path.read_text()
    assert 'competencies = [\n    "delivery",\n]' in stored
    assert 'no_competencies = [\n    "technical-direction",\n]' in stored
    assert git(journal.root, "rev-parse", "HEAD") != head
    assert git(journal.root, "status", "--porcelain") == ""

    # Already so: nothing to change, exit 0, no commit.
    head = git(journal.root, "rev-parse", "HEAD")
    result = brag("edit", rfc, "--competency", "delivery")
    assert result.stdout == f"Nothing to change: {rfc} already has those competencies\n"
    assert git(journal.root, "rev-parse", "HEAD") == head
    # The last word wins.
    brag("edit", rfc, "--competency", "technical-direction")
    data = json.loads(brag("show", rfc, "--json").stdout)
    assert [m["id"] for m in data["analysis"]["competencies"]] == [
        "technical-direction",
        "delivery",
    ]
    # An id the ladder lacks is one line, and the entry is unchanged.
    result = brag("edit", rfc, "--competency", "typo", expect=1)
    assert "no competency 'typo' in the ladder" in result.stderr
    assert path.read_text() == (journal.root / data["path"]).read_text()


def test_a_pin_left_by_a_renamed_competency_can_be_removed(brag, journal: Journal, tmp_path: Path):
    ids = add_work(brag)
    rfc = ids["Wrote the RFC for the event bus"]
    brag("edit", rfc, "--competency", "direction")  # the built-in ladder's id
    (tmp_path / "ladder.csv").write_text(CSV)
    brag("ladder", "import", str(tmp_path / "ladder.csv"))
    text = brag("ladder", "-T", "staff").stdout
    assert f"{rfc} pins competencies the ladder does not have: direction" in text
    brag("edit", rfc, "--no-competency", "direction")
    data = json.loads(brag("show", rfc, "--json").stdout)
    assert "competencies" not in data and "no_competencies" not in data
    assert "pins competencies" not in brag("ladder", "-T", "staff").stdout


# -- what the documents take from the ladder -------------------------------------


def test_against_ladder_chooses_two_stories_each_and_keeps_gaps(tmp_path: Path):
    import datetime as dt

    from brag import ladder as L
    from brag.entry import Entry

    (tmp_path / "ladder.csv").write_text(CSV + "Org strategy,Staff,Sets the org's strategy.,B,\n")
    lad = L.import_ladder(tmp_path / "ladder.csv").ladder
    day = dt.date(2026, 6, 30)
    entries = [
        Entry(title=f"Wrote RFC {n}", date=dt.date(2026, 5, n), id=f"r{n}", url=url)
        for n, url in ((1, "https://example.com/1"), (2, "javascript:alert(1)"), (3, ""))
    ]
    data = L.against_ladder(entries, lad, "staff", (dt.date(2025, 7, 1), day), today=day)
    rows = {r["id"]: r for r in data["competencies"]}
    assert data["level"] == "Staff"
    assert len(rows["technical-direction"]["stories"]) == 2
    assert rows["technical-direction"]["evidence_count"] == 3
    assert rows["delivery"]["gap"] and rows["delivery"]["stories"] == []
    assert data["gaps"] == ["Mentorship", "Delivery"]
    assert "org-strategy" in rows
    # A competency the ladder expects nothing of up to the level is left out.
    senior = L.against_ladder(entries, lad, "senior", (dt.date(2025, 7, 1), day), today=day)
    assert [r["id"] for r in senior["competencies"]] == [
        "technical-direction",
        "mentorship",
        "delivery",
    ]
    links = [L.evidence_link(e) for e in entries]
    assert links[0] == {"id": "r1", "href": "https://example.com/1", "ref": "brag show r1"}
    assert links[1] == {"id": "r2", "href": "", "ref": "brag show r2"}


def test_form_answers_fit_their_limits_with_the_evidence_beside_them(tmp_path: Path):
    import datetime as dt

    from brag import ladder as L
    from brag.entry import Entry

    (tmp_path / "form.toml").write_text(
        '[[question]]\ntext = "Accomplishments?"\nmax_chars = 90\n'
        '[[question]]\ntext = "Growth?"\nmax_words = 6\n'
    )
    form = L.load_form(tmp_path / "form.toml")
    entries = [
        Entry(title="Cut p99 latency", impact="Checkout p99 from 800ms to 200ms",
              date=dt.date(2026, 5, 1), id="a1", url="https://example.com/pr/1"),
        Entry(title="Migrated billing to the new queue", impact="Billing failures down 97%",
              date=dt.date(2026, 5, 2), id="a2"),
        Entry(title="Moved the nightly reports", impact="Reports land by 7am every day",
              date=dt.date(2026, 5, 3), id="a3"),
    ]  # fmt: skip
    answers = L.form_answers(form, entries, today=dt.date(2026, 6, 30))
    first, second = answers
    assert len(first["text"]) <= 90 and first["count"] == f"{len(first['text'])}/90 characters"
    assert first["text"].endswith(".") and first["entry_ids"]
    assert [e["id"] for e in first["evidence"]] == first["entry_ids"]
    assert set(first["entry_ids"]) | set(first["left_out"]) == {"a1", "a2", "a3"}
    # Whole sentences only: every sentence is one the user wrote.
    written = {s for e in entries for s in L.item_sentences(e)}
    assert first["text"].startswith(tuple(written))
    assert len(second["text"].split()) <= 6


def test_a_competencys_tree_feeds_the_one_tree_balance(brag, journal: Journal, tmp_path: Path):
    ids = add_work(brag)
    migration = ids["Migrated billing to the new queue"]
    brag("config", "set", "user.target_level", "staff")
    before = json.loads(brag("coach", "--json").stdout)["stats"]["tree"]
    (tmp_path / "ladder.csv").write_text(CSV)
    brag("ladder", "import", str(tmp_path / "ladder.csv"))
    # Pinned to a Tree B competency (and away from Delivery), the migration counts as B.
    brag("edit", migration, "--competency", "mentorship", "--no-competency", "delivery")
    after = json.loads(brag("coach", "--json").stdout)["stats"]["tree"]
    assert after["B"] == before["B"] + 1 and after["A"] == before["A"] - 1
    # The entry's own tree field still wins over its competencies.
    path = journal.root / json.loads(brag("show", migration, "--json").stdout)["path"]
    path.write_text(path.read_text().replace("+++\n", '+++\ntree = "A"\n', 1))
    git(journal.root, "commit", "-qam", "tree A by hand")
    assert json.loads(brag("coach", "--json").stdout)["stats"]["tree"]["B"] == before["B"]


def test_text_from_a_synced_ladder_or_entry_cannot_drive_the_terminal(
    brag, journal: Journal, tmp_path: Path
):
    (journal.root / "ladder.toml").write_text(
        'levels = ["Senior"]\n\n[[competency]]\nid = "x"\nname = "Evil\\u001b]0;pwned\\u0007 one"\n'
        '[competency.expectations]\nSenior = "Clears\\u001b[2J the screen"\n'
    )
    add_work(brag)
    path = next(p for p in (journal.root / "entries").rglob("*.md") if "with = [" in p.read_text())
    path.write_text(path.read_text().replace("with = [\n", 'with = [\n    "Eve\\u001b[31m",\n', 1))
    for args in (("ladder", "show"), ("ladder", "-T", "Senior"), ("people",)):
        out = brag(*args).output
        assert "\x1b" not in out and "\x07" not in out, args
    assert "Evil" in brag("ladder", "show").stdout
    assert "Eve[31m" in brag("people").stdout or "Eve" in brag("people").stdout


# -- self-review --form ----------------------------------------------------------

FORM = """\
title = "2026 mid-year review"

[[question]]
text = "What were your most significant accomplishments this cycle?"
max_chars = 120

[[question]]
text = "How have you helped others grow?"
max_words = 12
competencies = ["mentorship"]
"""


def test_self_review_form_answers_fit_their_limits_with_count_and_evidence_beside(
    brag, journal: Journal, tmp_path: Path
):
    import re

    ids = add_work(brag)
    (tmp_path / "ladder.csv").write_text(CSV)
    brag("ladder", "import", str(tmp_path / "ladder.csv"))
    (tmp_path / "form.toml").write_text(FORM)
    data = json.loads(
        brag("export", "self-review", "--form", str(tmp_path / "form.toml"), "-f", "json").stdout
    )
    first, second = data["answers"]
    assert first["question"] == "What were your most significant accomplishments this cycle?"
    assert 0 < len(first["text"]) <= 120
    assert len(second["text"].split()) <= 12
    assert second["entry_ids"] == [ids["Mentored two new hires through their first launch"]]
    # Whole sentences the user wrote, never a word cut: every word is one of theirs.
    words = set()
    for title in ids:
        words |= set(re.findall(r"\w+", title.lower()))
    for row in data["answers"]:
        assert row["text"].endswith((".", "!", "?"))
        assert {"question", "text", "entry_ids"} <= set(row)
    text = brag("export", "self-review", "--form", str(tmp_path / "form.toml")).stdout
    assert text.startswith("# 2026 mid-year review")
    block = text.split("## What were your most significant accomplishments this cycle?\n\n")[1]
    answer, beside = block.split("\n\n")[:2]
    assert answer == first["text"]
    assert beside.startswith(f"_{len(first['text'])}/120 characters · evidence: ")
    rfc = ids["Wrote the RFC for the event bus"]
    if rfc in first["entry_ids"]:
        assert f"[{rfc}](https://example.com/rfc/7)" in beside
    assert "`brag show " in text
    # The count and the links are beside the answer, never inside it.
    assert "characters" not in first["text"] and "brag show" not in first["text"]


def test_self_review_form_from_the_journal_and_its_errors(brag, journal: Journal, tmp_path: Path):
    add_work(brag)
    result = brag("export", "self-review", "--form", expect=1)
    assert "no review form at" in result.stderr and "review-form.toml" in result.stderr
    (journal.root / "review-form.toml").write_text(FORM.replace('"mentorship"', '"delivery"'))
    # The form names a competency the built-in ladder lacks: file and line.
    result = brag("export", "self-review", "--form", expect=1)
    assert "review-form.toml:7: the question names competencies the ladder does not have: " in (
        result.stderr
    )
    (tmp_path / "ladder.csv").write_text(CSV)
    brag("ladder", "import", str(tmp_path / "ladder.csv"))
    assert "## How have you helped others grow?" in brag("export", "self-review", "--form").stdout
    (tmp_path / "bad.toml").write_text('[[question]]\ntext = "x"\nmax_chars = "lots"\n')
    result = brag("export", "self-review", "--form", str(tmp_path / "bad.toml"), expect=1)
    assert "bad.toml:3:" in result.stderr
    assert "Traceback" not in result.output
    # Without --form the self-review is the usual document.
    assert brag("export", "self-review").stdout.startswith("# Self-review")


# -- the promotion brief against the ladder ---------------------------------------


def test_promo_brief_gains_the_ladder_section_only_with_a_ladder(
    brag, journal: Journal, tmp_path: Path
):
    ids = add_work(brag)
    plain = brag("export", "promo-brief", "--target", "staff").stdout
    assert "Against the" not in plain
    plain_json = brag("export", "promo-brief", "--target", "staff", "-f", "json").stdout
    assert "ladder" not in json.loads(plain_json)

    (tmp_path / "ladder.csv").write_text(CSV)
    brag("ladder", "import", str(tmp_path / "ladder.csv"))
    text = brag("export", "promo-brief", "--target", "staff").stdout
    section = text.split("## Against the Staff expectations\n\n")[1].split("\n## ")[0]
    lines = [ln for ln in section.splitlines() if ln.startswith("- ")]
    assert [ln.split("**")[1] for ln in lines] == ["Technical direction", "Mentorship", "Delivery"]
    assert "([evidence](https://example.com/rfc/7))" in lines[0]
    assert all("evidence" in ln or "brag show" in ln for ln in lines)
    data = json.loads(brag("export", "promo-brief", "--target", "staff", "-f", "json").stdout)
    rows = {r["id"]: r for r in data["ladder"]["competencies"]}
    assert [s["id"] for s in rows["technical-direction"]["stories"]] == [
        ids["Wrote the RFC for the event bus"]
    ]
    assert all(len(r["stories"]) <= 2 for r in rows.values())
    # A gap is said honestly, and the gaps list does not repeat it.
    late = brag("export", "promo-brief", "--target", "staff", "-s", "2026-04-15").stdout
    section = late.split("## Against the Staff expectations\n\n")[1].split("\n## ")[0]
    assert "- **Delivery**: no evidence in this period yet." in section
    assert late.count("No evidence yet for") == 0
    assert "\n\n\n" not in late
    html = brag("export", "promo-brief", "--target", "staff", "-f", "html", "-o", "-").stdout
    assert "<h2>Against the Staff expectations</h2>" in html


def test_stats_and_the_promo_brief_give_the_same_tree_figure_with_a_ladder(
    brag, journal: Journal, tmp_path: Path
):
    ids = add_work(brag)
    (tmp_path / "ladder.csv").write_text(CSV)
    brag("ladder", "import", str(tmp_path / "ladder.csv"))
    migration = ids["Migrated billing to the new queue"]
    before = json.loads(brag("stats", "-s", "2025-07-01", "--json").stdout)["tree"]
    brag("edit", migration, "--competency", "mentorship", "--no-competency", "delivery")
    stats = json.loads(brag("stats", "-s", "2025-07-01", "--json").stdout)["tree"]
    assert stats["B"] == before["B"] + 1
    brief = json.loads(brag("export", "promo-brief", "-T", "staff", "-f", "json").stdout)
    rows = {r["tree"]: r["count"] for r in brief["tree"]["rows"]}
    assert rows == {"A": stats["A"], "B": stats["B"]}
