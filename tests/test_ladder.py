"""The career ladder: import, mapping, coverage, review forms and the peer brief."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from brag import ladder as L
from brag.entry import Entry
from brag.errors import BragError
from brag.journal import Journal

TODAY = dt.date(2026, 6, 30)

CSV = """\
competency,level,expectation,tree,signals
Technical direction,Senior,"Shapes the direction of the team's area; writes proposals.",B,"words: rfc, design doc; leverage: strategic"
Technical direction,Staff,Sets org-wide technical direction.,B,
Mentorship,Senior,Mentors engineers on the team.,B,"words: mentor*; areas: people"
Mentorship,Staff,Grows senior engineers across teams.,,
Delivery,Senior,Drives complex projects to done.,A,leverage: execution
Delivery,Staff,Drives multi-team projects to done.,A,
"""  # noqa: E501

MD_TABLE = """\
# Acme engineering ladder

Exported from the wiki.

| Competency | Level | Expectation | Tree | Signals |
|---|---|---|:-:|---|
| Technical direction | Senior | Shapes the direction of the team's area; writes proposals. | B | words: rfc, design doc; leverage: strategic |
| Technical direction | Staff | Sets org-wide technical direction. | B | |
| Mentorship | Senior | Mentors engineers on the team. | B | words: mentor*; areas: people |
| Mentorship | Staff | Grows senior engineers across teams. | | |
| Delivery | Senior | Drives complex projects to done. | A | leverage: execution |
| Delivery | Staff | Drives multi-team projects to done. | A | |
"""  # noqa: E501

MD_OUTLINE = """\
# Acme engineering ladder

## Technical direction
Tree: B
Signals: words: rfc, design doc; leverage: strategic

### Senior
Shapes the direction of the team's area;
writes proposals.

### Staff
Sets org-wide technical direction.

## Mentorship
- Tree: B
- Signals: words: mentor*; areas: people

### Senior
Mentors engineers on the team.

### Staff
Grows senior engineers across teams.

## Delivery
Tree: A
Signals: leverage: execution
### Senior
Drives complex projects to done.
### Staff
Drives multi-team projects to done.
"""


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def entry(eid: str, date: str, title: str, **fields: object) -> Entry:
    with_ = fields.pop("with_", [])
    return Entry(title=title, date=dt.date.fromisoformat(date), id=eid, with_=with_, **fields)  # type: ignore[arg-type]


# -- import and the file format -------------------------------------------------


def test_csv_and_markdown_round_trip_to_the_same_ladder_toml(tmp_path: Path) -> None:
    from_csv = L.import_ladder(write(tmp_path / "ladder.csv", CSV))
    from_table = L.import_ladder(write(tmp_path / "ladder.md", MD_TABLE))
    from_outline = L.import_ladder(write(tmp_path / "outline.md", MD_OUTLINE))
    assert from_csv.problems == from_table.problems == from_outline.problems == []
    text = L.dump_ladder(from_csv.ladder)
    assert L.dump_ladder(from_table.ladder) == text
    assert L.dump_ladder(from_outline.ladder) == text
    # ladder.toml reads back to the same structure and writes the same bytes.
    saved = write(tmp_path / "ladder.toml", text)
    loaded = L.load_ladder(saved)
    assert L.dump_ladder(loaded) == text
    assert loaded.levels == ["Senior", "Staff"]
    assert [c.id for c in loaded.competencies] == ["technical-direction", "mentorship", "delivery"]
    direction = loaded.competencies[0]
    assert direction.tree == "B"
    assert direction.expectations["Senior"].endswith("area; writes proposals.")
    assert direction.signals.words == ("rfc", "design doc")
    assert direction.signals.leverage == ("strategic",)
    assert loaded.get("mentorship").signals.areas == ("people",)  # type: ignore[union-attr]
    # Writing the same ladder again changes nothing.
    assert L.write_ladder(saved, from_table.ladder) is False
    assert saved.read_text() == text


def test_import_reports_what_it_could_not_read_by_row_and_line(tmp_path: Path) -> None:
    csv_text = CSV + ",Staff,no name here,,\nDelivery,,no level,,\nDelivery,Staff,Another text,C,\n"
    csv_text += "Mentorship,Principal,Sponsors staff engineers.,,flavour: kind\n"
    result = L.import_ladder(write(tmp_path / "l.csv", csv_text))
    assert result.problems == [
        "row 8: no competency name; skipped",
        "row 9: no level for 'Delivery'; skipped",
        "row 10: tree 'C' is not A or B; ignored",
        "row 10: a second expectation for 'Delivery' at 'Staff'; kept the first",
        "row 11: signal kind 'flavour' unknown (use words, areas, leverage, tags)",
    ]
    # Everything readable was kept.
    assert result.ladder.levels == ["Senior", "Staff", "Principal"]
    assert result.ladder.get("mentorship").expectations["Principal"] == "Sponsors staff engineers."  # type: ignore[union-attr]
    assert result.ladder.get("delivery").expectations["Staff"].startswith("Drives multi-team")  # type: ignore[union-attr]

    outline = MD_OUTLINE.replace("## Delivery\n", "## Delivery\nSome stray prose.\n")
    outline = outline.replace("### Staff\nDrives multi-team projects to done.\n", "### Staff\n")
    result = L.import_ladder(write(tmp_path / "o.md", outline))
    stray = outline.split("\n").index("Some stray prose.") + 1
    empty = max(i for i, line in enumerate(outline.split("\n"), 1) if line == "### Staff")
    assert result.problems == [
        f"line {stray}: text outside a level heading; ignored",
        f"line {empty}: no expectation text under 'Staff'; skipped",
    ]


def test_import_wide_table_guesses_tree_and_signals_from_the_name(tmp_path: Path) -> None:
    text = (
        "| Competency | Senior | Staff |\n|---|---|---|\n"
        "| **Delivery** | Drives projects. | Drives programs. |\n"
        "| Mentorship | Mentors one person.<br>Interviews. | |\n"
        "| Glue work | Notices what nobody owns. | Fixes it across teams. |\n"
    )
    result = L.import_ladder(write(tmp_path / "wide.md", text))
    lad = result.ladder
    assert lad.levels == ["Senior", "Staff"]
    assert [c.id for c in lad.competencies] == ["delivery", "mentorship", "glue-work"]
    assert lad.get("mentorship").expectations == {"Senior": "Mentors one person. Interviews."}  # type: ignore[union-attr]
    assert [c.tree for c in lad.competencies] == ["A", "B", "A"]
    builtin = L.default_ladder()
    assert lad.get("delivery").signals == builtin.get("execution").signals  # type: ignore[union-attr]
    assert lad.get("glue-work").signals == L.Signals()  # type: ignore[union-attr]
    assert result.problems == [
        "no tree given for 3 competencies, guessed from the name (Delivery A, Mentorship B, "
        "Glue work A); change them in ladder.toml if wrong",
        "no signals given for 2 competencies, taken from the built-in ladder by name "
        "(Delivery from Execution, Mentorship from Mentorship and hiring); change them in "
        "ladder.toml if wrong",
        "no signals for Glue work: entries map to it only by a pin or a tag equal to the id",
    ]


def test_import_reads_spreadsheet_and_wiki_quirks(tmp_path: Path) -> None:
    # Semicolons (European spreadsheets), a quoted cell over two lines, a BOM.
    csv_text = (
        "\ufeffCompetency;Level;Expectation;Tree\n"
        'Delivery;Senior;"Drives projects.\nUnblocks the team.";A\n'
        "Delivery;Staff;Drives programs.;A\n"
    )
    lad = L.import_ladder(write(tmp_path / "eu.csv", csv_text)).ladder
    assert lad.get("delivery").expectations == {  # type: ignore[union-attr]
        "Senior": "Drives projects. Unblocks the team.",
        "Staff": "Drives programs.",
    }
    # An outline whose expectations have their own sub-headings: levels are the
    # headings that repeat under each competency, deeper ones are text.
    outline = (
        "## Delivery\nTree: A\n### Senior\nDrives projects.\n#### Examples\nThe billing move.\n"
        "### Staff\nDrives programs.\n## Direction\nTree: B\n### Senior\nWrites proposals.\n"
    )
    lad = L.import_ladder(write(tmp_path / "o.md", outline)).ladder
    assert lad.levels == ["Senior", "Staff"]
    assert (
        lad.get("delivery").expectations["Senior"] == "Drives projects. Examples The billing move."
    )  # type: ignore[union-attr]
    assert lad.get("direction").expectations == {"Senior": "Writes proposals."}  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "l.csv",
            "skill,level,expectation\nX,Senior,Y\n",
            "l.csv:1: the header needs a 'competency'",
        ),
        (
            "l.csv",
            "competency,level\nX,Senior\n",
            "l.csv:1: the header needs 'competency', 'level'",
        ),
        ("l.md", "Just prose, no table.\n", "l.md: no table with a header row"),
        ("l.csv", "", "l.csv: the file is empty"),
        ("l.json", "{}", "l.json: import reads .csv, .tsv or .md files"),
    ],
)
def test_import_of_an_unusable_file_is_one_clear_error(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    path = write(tmp_path / name, text)
    with pytest.raises(L.LadderError) as caught:
        L.import_ladder(path)
    assert str(caught.value).startswith(str(tmp_path / message.split(":")[0]) + ":")
    assert message.split(":", 1)[1].strip() in str(caught.value)


LADDER_TOML = """\
name = "Acme"
levels = ["senior", "staff"]

[[competency]]
id = "delivery"
name = "Delivery"
tree = "A"
expectations = { senior = "Drives projects.", staff = "Drives programs." }
signals = { leverage = ["execution"] }

[[competency]]
id = "direction"
name = "Org-wide technical direction"
tree = "B"

[competency.expectations]
staff = "Sets technical direction across teams."

[competency.signals]
words = ["rfc", "roadmap"]
tags = ["design"]
"""


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ('tree = "B"', 'tree = "C"', 14, "competency[2].tree must be A or B"),
        ('tags = ["design"]', 'tags = "design", 3', 21, "invalid TOML"),
        ('words = ["rfc", "roadmap"]', "words = [1, 2]", 20, "competency[2].signals.words must"),
        ('staff = "Sets', 'principal = "Sets', 17, "unknown key 'competency[2].expectations.princ"),
        ('id = "direction"', 'id = "delivery"', 12, "competency id 'delivery' is used twice"),
        ('signals = { leverage = ["execution"] }', 'signals = { leverage = ["hero"] }', 9,
         "leverage 'hero' is not one of"),
        ('name = "Acme"', 'nmae = "Acme"', 1, "unknown key 'nmae'"),
        ('levels = ["senior", "staff"]', "", 1, "missing 'levels"),
    ],
)  # fmt: skip
def test_malformed_ladder_file_names_file_and_line(
    tmp_path: Path, old: str, new: str, line: int, message: str
) -> None:
    assert old in LADDER_TOML
    path = write(tmp_path / "ladder.toml", LADDER_TOML.replace(old, new))
    with pytest.raises(L.LadderError) as caught:
        L.load_ladder(path)
    assert str(caught.value).startswith(f"{path}:{line}: "), str(caught.value)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_default_ladder_is_used_when_the_journal_has_none(journal: Journal) -> None:
    assert not (journal.root / L.LADDER_FILE).exists()
    found = L.journal_ladder(journal.root)
    assert found.is_default
    assert found.levels == ["mid", "senior", "staff", "principal"]
    # The default covers the four leverage types and both trees.
    leverage = {lev for c in found.competencies for lev in c.signals.leverage}
    assert leverage == {"execution", "strategic", "interpersonal", "expert"}
    assert {c.tree for c in found.competencies} == {"A", "B"}
    assert all(set(c.expectations) == set(found.levels) for c in found.competencies)
    # Its text is a valid ladder.toml, and a journal's own file replaces it.
    write(journal.root / L.LADDER_FILE, L.dump_ladder(found).replace("Execution", "Delivery"))
    mine = L.journal_ladder(journal.root)
    assert not mine.is_default
    assert mine.get("execution").name == "Delivery"  # type: ignore[union-attr]
    assert L.dump_ladder(L.load_ladder(journal.root / L.LADDER_FILE)) == L.dump_ladder(mine)


def test_default_ladder_gives_coverage_with_an_honest_gap(journal: Journal) -> None:
    journal.add(
        entry("e1", "2026-05-02", "Shipped the new search index", impact="Search 3x faster")
    )
    result = L.coverage(
        journal.entries(), L.journal_ladder(journal.root), "Staff Engineer", today=TODAY
    )
    assert result.target == "staff"
    rows = {c.id: c for c in result.competencies}
    assert rows["execution"].evidence == ["e1"]
    assert rows["direction"].gap and rows["direction"].evidence == []
    assert rows["direction"].expectation.startswith("Sets org-wide technical direction")


# -- mapping ---------------------------------------------------------------------


def custom_ladder(tmp_path: Path) -> L.Ladder:
    return L.load_ladder(write(tmp_path / "ladder.toml", LADDER_TOML))


def test_map_entry_says_which_signal_matched(tmp_path: Path) -> None:
    lad = custom_ladder(tmp_path)
    by_word = entry(
        "w1", "2026-03-01", "Wrote the RFCs for the storage roadmap", leverage="strategic"
    )
    assert [(m.competency, m.reason) for m in L.map_entry(by_word, lad)] == [
        ("direction", "word 'rfc'")
    ]
    by_tag = entry("t1", "2026-03-01", "Reviewed the queue proposal", tags=["design"])
    assert [m.reason for m in L.map_entry(by_tag, lad)][-1] == "tag 'design'"
    by_id_tag = entry("t2", "2026-03-01", "Paired on a bug", tags=["direction"], leverage="expert")
    assert [(m.competency, m.reason) for m in L.map_entry(by_id_tag, lad)] == [
        ("direction", "tag 'direction'")
    ]
    by_leverage = entry("l1", "2026-03-01", "Cut build time 40%", leverage="execution")
    assert [(m.competency, m.reason) for m in L.map_entry(by_leverage, lad)] == [
        ("delivery", "leverage 'execution' (stated)")
    ]
    nothing = entry("n1", "2026-03-01", "Tuned the query planner", leverage="expert")
    assert L.map_entry(nothing, lad) == []
    # Area signals, with the engine's inference made visible.
    default = L.default_ladder()
    churn = entry("a1", "2026-03-01", "Cut churn 2% with a win-back email", leverage="expert")
    reasons = {m.competency: m.reason for m in L.map_entry(churn, default)}
    assert reasons["business-impact"] == "impact area 'retention' (inferred)"
    assert reasons["expertise"] == "leverage 'expert' (stated)"
    # Prefix words and suffixes: "mentor*" finds "mentoring", "rfc" finds "RFCs".
    mentoring = entry("m1", "2026-03-01", "Mentoring two new hires", leverage="execution")
    assert "word 'mentor'" in {m.reason for m in L.map_entry(mentoring, default)}


def test_pins_in_front_matter_win_over_signals_and_survive_the_file(
    tmp_path: Path, journal: Journal
) -> None:
    lad = custom_ladder(tmp_path)
    saved = journal.add(entry("p1", "2026-04-01", "Drafted the roadmap RFC", leverage="execution"))
    assert {m.competency for m in L.map_entry(saved, lad)} == {"delivery", "direction"}

    assert L.set_pins(saved, lad, add=["direction"], remove=["delivery"]) is True
    assert L.set_pins(saved, lad, add=["direction"], remove=["delivery"]) is False
    journal.update(saved)
    text = (journal.root / saved.path).read_text()
    assert 'competencies = [\n    "direction",\n]' in text
    assert 'no_competencies = [\n    "delivery",\n]' in text

    # Read back through a fresh journal (its index) as every command does.
    (from_index,) = Journal(journal.root).entries()
    assert L.pins(from_index) == (["direction"], ["delivery"])
    again = journal.get("p1")
    assert [(m.competency, m.reason, m.pinned) for m in L.map_entry(again, lad)] == [
        ("direction", "pinned in the entry", True)
    ]
    # A pin maps even without any signal; the last word wins.
    L.set_pins(again, lad, add=["delivery"])
    assert L.pins(again) == (["direction", "delivery"], [])
    assert "no_competencies" not in again.extra
    quiet = entry("p2", "2026-04-02", "Tuned the query planner", leverage="expert")
    quiet.extra["competencies"] = ["delivery"]
    assert [m.reason for m in L.map_entry(quiet, lad)] == ["pinned in the entry"]

    with pytest.raises(L.LadderError, match=r"no competency 'nope' in the ladder \(ids: delivery"):
        L.set_pins(again, lad, add=["nope"])
    assert L.pins(again) == (["direction", "delivery"], [])


def test_pinned_competency_tree_feeds_the_tree(tmp_path: Path) -> None:
    lad = custom_ladder(tmp_path)
    e = entry("x1", "2026-04-01", "Cut build time 40%", leverage="execution")
    assert L.ladder_tree(e, lad) == "A"
    e.extra["competencies"] = ["direction"]
    assert L.ladder_tree(e, lad) == "B"
    assert L.ladder_tree(entry("x2", "2026-04-01", "Tuned GC", leverage="expert"), lad) == ""


# -- coverage ----------------------------------------------------------------------


def coverage_entries() -> list[Entry]:
    return [
        entry("d1", "2026-05-10", "Migrated billing to the new queue", leverage="execution",
              impact="Cut billing failures from 120 to 4 a week, saving $30k a year"),
        entry("d2", "2026-06-01", "Shipped the export button", leverage="execution"),
        entry("r1", "2025-03-01", "Wrote the RFC for the 2025 storage roadmap",
              leverage="strategic", impact="Aligned 3 teams"),
        entry("r2", "2026-04-01", "Drafted the RFC on data retention", leverage="strategic",
              private=True),
        entry("x1", "2026-02-01", "Tuned the query planner", leverage="expert"),
    ]  # fmt: skip


def test_coverage_and_gaps_at_two_target_levels(tmp_path: Path) -> None:
    lad = custom_ladder(tmp_path)
    window = (dt.date(2025, 7, 1), TODAY)
    staff = L.coverage(coverage_entries(), lad, "Staff", window, today=TODAY)
    assert staff.target == "staff"
    delivery, direction = staff.competencies
    assert delivery.expectation == "Drives programs."
    # Strongest first: the quantified migration outranks the newer, bare one.
    assert delivery.evidence == ["d1", "d2"]
    assert delivery.reasons["d1"] == "leverage 'execution' (stated)"
    assert not delivery.gap
    assert direction.gap and direction.evidence == []
    assert direction.expectation == "Sets technical direction across teams."
    assert direction.notes == [
        "evidence is older than the period: 1 entry, latest 2025-03-01 (r1)",
        "only evidence in the period is private: 1 entry (r2)",
    ]
    alone = [e for e in coverage_entries() if e.id != "r2"]
    result = L.coverage(alone, lad, "staff", window, today=TODAY)
    assert result.competencies[1].notes == [
        "only evidence is older than the period: 1 entry, latest 2025-03-01 (r1)"
    ]
    assert staff.unmapped == ["x1"]
    assert staff.stale_pins == {}
    assert [c.id for c in staff.gaps] == ["direction"]

    senior = L.coverage(coverage_entries(), lad, "senior", window, today=TODAY)
    delivery, direction = senior.competencies
    assert delivery.expectation == "Drives projects."
    # Nothing written for direction up to senior: said, not invented.
    assert direction.expectation == ""
    assert direction.notes[0] == "the ladder has no expectation for this competency up to senior"

    # With private entries included and the window widened, the gap closes.
    wide = L.coverage(
        coverage_entries(), lad, "staff", (dt.date(2025, 1, 1), TODAY), include_private=True
    )
    data = wide.to_dict()
    assert [c["evidence"] for c in data["competencies"]] == [["d1", "d2"], ["r2", "r1"]]
    assert [c["gap"] for c in data["competencies"]] == [False, False]
    assert data["competencies"][1]["name"] == "Org-wide technical direction"

    # A pin naming a competency the ladder no longer has is reported, not lost.
    renamed = coverage_entries()
    renamed[4].extra["competencies"] = ["tech-direction"]
    result = L.coverage(renamed, lad, "staff", window, today=TODAY)
    assert result.stale_pins == {"x1": ["tech-direction"]}
    assert result.unmapped == ["x1"]

    with pytest.raises(L.LadderError, match=r"level 'director' is not in the ladder"):
        L.coverage(coverage_entries(), lad, "director", window)


def test_coverage_default_window_is_the_last_twelve_months() -> None:
    assert L.default_window(TODAY) == (dt.date(2025, 7, 1), TODAY)
    result = L.coverage(coverage_entries(), L.default_ladder(), "staff", today=TODAY)
    assert (result.since, result.until) == (dt.date(2025, 7, 1), TODAY)
    rows = {c.id: c for c in result.competencies}
    assert "r1" not in rows["direction"].evidence


# -- review forms ----------------------------------------------------------------------

FORM = """\
title = "2026 mid-year review"

[[question]]
text = "What were your most significant accomplishments this cycle?"
max_chars = 160

[[question]]
text = "How have you shaped technical direction?"
max_words = 14
competencies = ["direction"]

[[question]]
text = "Anything else?"
max_chars = 10
"""


def form_entries() -> list[Entry]:
    return [
        entry("f1", "2026-05-10", "Migrated billing to the new queue", leverage="execution",
              impact="Cut billing failures from 120 to 4 a week, saving $30k a year"),
        entry("f2", "2026-05-20", "Rebuilt the deploy pipeline", leverage="execution",
              impact="deploys went from 40 minutes to 9 minutes"),
        entry("f3", "2026-06-01", "Shipped the export button", leverage="execution"),
        entry("f4", "2026-04-01", "Wrote the RFC for the storage roadmap", leverage="strategic",
              impact="3 teams agreed on one plan for 2027"),
        entry("f5", "2026-03-01", "Ran the roadmap review for the platform group",
              leverage="strategic", impact="Two projects were cut and one was funded"),
    ]  # fmt: skip


def test_form_answers_fit_their_limits_in_whole_sentences(tmp_path: Path) -> None:
    form = L.load_form(write(tmp_path / "review-form.toml", FORM))
    assert form.title == "2026 mid-year review"
    assert [q.line for q in form.questions] == [3, 7, 12]
    entries = form_entries()
    answers = L.answer_form(form, entries, custom_ladder(tmp_path), today=TODAY)
    first, second, third = answers

    sentences = {e.id: L.item_sentences(e) for e in entries}
    for answer in answers:
        q = answer.question
        assert not q.max_chars or len(answer.text) <= q.max_chars
        assert not q.max_words or len(answer.text.split()) <= q.max_words
        # The text is exactly the chosen items' own sentences, nothing cut.
        rebuilt = [next(s for s in sentences[i] if s in answer.text) for i in answer.entry_ids]
        assert answer.text == " ".join(rebuilt)
        assert not answer.text or answer.text.endswith(".")

    # Impact first, in the user's words; the strongest evidence leads.
    assert first.entry_ids[0] == "f1"
    assert first.text.startswith(
        "Cut billing failures from 120 to 4 a week, saving $30k a year. Migrated billing"
    )
    assert first.left_out, "something did not fit in 160 characters"
    assert first.count == f"{len(first.text)}/160 characters"
    # The competency question draws only on direction evidence, within 14 words.
    assert set(second.entry_ids) <= {"f4", "f5"} and second.entry_ids
    assert "f1" not in second.left_out
    assert second.count == f"{len(second.text.split())}/14 words"
    # Nothing fits in 10 characters: an empty answer, all evidence listed as left out.
    assert third.text == "" and third.entry_ids == [] and third.left_out
    data = first.to_dict()
    assert data["question"].startswith("What were") and data["entry_ids"] == first.entry_ids


def test_form_answers_drop_whole_items_never_mid_word(tmp_path: Path) -> None:
    long_impact = "Removed a whole class of silent data corruption in the nightly ledger rollup"
    entries = [
        entry("g1", "2026-05-01", "Fixed the ledger rollup", impact=long_impact),
        entry("g2", "2026-05-02", "Cut p99 from 800ms to 200ms", impact="Checkout 4x faster"),
    ]
    for limit in range(1, 140):
        form = L.ReviewForm([L.Question("Q?", max_chars=limit)])
        (answer,) = L.answer_form(form, entries, today=TODAY)
        assert len(answer.text) <= limit
        for word in answer.text.split():
            assert (
                word
                in f"{long_impact}. Fixed the ledger rollup. Checkout 4x faster. Cut p99 "
                "from 800ms to 200ms.".split()
            )
        assert set(answer.entry_ids) | set(answer.left_out) == {"g1", "g2"}


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("max_chars = 160", "max_chars = -5", 5, "question[1].max_chars must be a positive"),
        ("max_chars = 160", 'max_chars = "160"', 5, "question[1].max_chars must be a positive"),
        ("max_words = 14", "max_words = true", 9, "question[2].max_words must be a positive"),
        ('competencies = ["direction"]', "competencies = [3]", 10, "question[2].competencies"),
        ('text = "Anything else?"', 'txt = "Anything else?"', 13, "unknown key 'question[3].txt'"),
        ("max_chars = 10", "max_chars = 10\nmax_chars = 11", 15, "invalid TOML"),
        ('title = "2026 mid-year review"', "title = 2026", 1, "title must be a non-empty"),
    ],
)
def test_malformed_form_names_file_and_line(
    tmp_path: Path, old: str, new: str, line: int, message: str
) -> None:
    assert old in FORM
    path = write(tmp_path / "review-form.toml", FORM.replace(old, new))
    with pytest.raises(L.LadderError) as caught:
        L.load_form(path)
    assert str(caught.value).startswith(f"{path}:{line}: "), str(caught.value)
    assert message in str(caught.value)


def test_form_naming_an_unknown_competency_points_at_its_question(tmp_path: Path) -> None:
    path = write(tmp_path / "review-form.toml", FORM.replace('["direction"]', '["mentoring"]'))
    with pytest.raises(L.LadderError) as caught:
        L.answer_form(L.load_form(path), form_entries(), custom_ladder(tmp_path))
    assert str(caught.value) == (
        f"{path}:7: the question names competencies the ladder does not have: mentoring"
    )


def test_journal_form_without_a_file_says_what_to_do(journal: Journal) -> None:
    with pytest.raises(L.LadderError, match="pass --form FILE or put review-form.toml"):
        L.journal_form(journal.root)
    write(journal.root / L.FORM_FILE, FORM)
    assert len(L.journal_form(journal.root).questions) == 3


# -- people and the peer brief ------------------------------------------------------------


def people_entries() -> list[Entry]:
    return [
        entry("s1", "2026-02-01", "Wrote the RFC for the storage roadmap", leverage="strategic",
              impact="3 teams agreed on one plan", with_=["Sam Lee", "Omar"]),
        entry("s2", "2026-03-01", "Migrated billing to the new queue", leverage="execution",
              impact="Cut billing failures from 120 to 4 a week", with_=["sam  lee"]),
        entry("s3", "2026-04-01", "Mentored Kofi through his first on-call", with_=["Sam Lee"]),
        entry("s4", "2026-05-01", "Tuned the query planner", leverage="expert", with_=["Omar"]),
        entry("s5", "2026-05-02", "Fixed a typo", leverage="expert"),
    ]  # fmt: skip


def test_people_counts_collaborators_ignoring_case_and_spacing() -> None:
    found = L.people(people_entries())
    assert [(p.name, p.count) for p in found] == [("Sam Lee", 3), ("Omar", 2)]
    assert found[0].to_dict() == {
        "name": "Sam Lee", "count": 3, "first": "2026-02-01", "last": "2026-04-01"
    }  # fmt: skip


def test_peer_brief_lists_work_together_outcomes_and_what_to_speak_to() -> None:
    brief = L.peer_brief_data(people_entries(), "sam lee", today=TODAY)
    assert brief["person"] == "Sam Lee"
    assert brief["count"] == 3
    assert {e["id"] for e in brief["entries"]} == {"s1", "s2", "s3"}
    # Strongest first: the quantified migration leads; entries without an impact add none.
    assert brief["outcomes"] == [
        {"id": "s2", "text": "Cut billing failures from 120 to 4 a week."},
        {"id": "s1", "text": "3 teams agreed on one plan."},
    ]
    speak = brief["speak_to"]
    assert 2 <= len(speak) <= 3
    assert len({s["entry_id"] for s in speak}) == len(speak)
    assert [(s["entry_id"], s["competency"]) for s in speak] == [
        ("s2", "business-impact"),
        ("s1", "direction"),
        ("s3", "mentorship"),
    ]
    assert speak[2]["reason"] == "word 'mentor'"
    with pytest.raises(BragError, match=r"no entry names 'Priya' in 'with'; people in the"):
        L.peer_brief_data(people_entries(), "Priya")


# -- the documentation stays true ------------------------------------------------------------


def test_docs_examples_parse(tmp_path: Path) -> None:
    doc = (Path(__file__).parent.parent / "docs" / "ladder.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```(\w+) title=\"([^\"]+)\"\n(.*?)```", doc, re.S)
    blocks_by_name = {name: body for _, name, body in blocks}
    assert set(blocks_by_name) == {
        "ladder.toml", "ladder.csv", "ladder.md", "ladder-outline.md", "review-form.toml"
    }  # fmt: skip
    documented = L.load_ladder(write(tmp_path / "ladder.toml", blocks_by_name["ladder.toml"]))
    expected = L.dump_ladder(documented).replace(f'name = "{documented.name}"\n', "")
    for name in ("ladder.csv", "ladder.md", "ladder-outline.md"):
        result = L.import_ladder(write(tmp_path / name, blocks_by_name[name]))
        assert result.problems == [], (name, result.problems)
        assert L.dump_ladder(result.ladder) == expected, name
    form = L.load_form(write(tmp_path / "review-form.toml", blocks_by_name["review-form.toml"]))
    answers = L.answer_form(form, form_entries(), documented, today=TODAY)
    assert [a.question.max_chars or a.question.max_words for a in answers] == [600, 80, 400]
    assert answers[0].entry_ids and len(answers[0].text) <= 600
    assert answers[1].text == ""  # no mentorship evidence: an honest empty answer
    assert {"f4", "f5"} & set(answers[2].entry_ids)
