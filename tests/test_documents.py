"""Front matter and document structure shared by the incidents and docs importers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from brag.documents import (
    DocumentError,
    as_date,
    first_paragraph,
    list_items,
    normalise_heading,
    parse_document,
    parse_simple_yaml,
    split_front_matter,
)


def test_simple_yaml():
    text = (
        'title: "Quoted: with colon"\n'
        "date: 2026-03-14\n"
        "draft: false\n"
        "count: 3\n"
        "tags: [db, 'sev 1']\n"
        "authors:\n  - Alice <a@x.org>\n  - Bob\n"
        "summary: |\n  line one\n  line two\n"
        "owner:\n  name: Alice\n  team: sre\n"
        "note: plain # a comment\n"
    )
    assert parse_simple_yaml(text) == {
        "title": "Quoted: with colon",
        "date": "2026-03-14",
        "draft": False,
        "count": 3,
        "tags": ["db", "sev 1"],
        "authors": ["Alice <a@x.org>", "Bob"],
        "summary": "line one\nline two",
        "owner": {"name": "Alice", "team": "sre"},
        "note": "plain",
    }


def test_yaml_that_is_not_key_value_names_the_line():
    with pytest.raises(DocumentError, match=r"front matter line 3: can't read 'just text'"):
        parse_simple_yaml("a: 1\nb: 2\njust text\n")


def test_toml_front_matter_and_body_line():
    meta, body, line = split_front_matter('+++\ntitle = "T"\ndate = 2026-01-02\n+++\n# H\n')
    assert meta == {"title": "T", "date": dt.date(2026, 1, 2)}
    assert body == "# H\n" and line == 5


def test_no_front_matter():
    assert split_front_matter("# Title\n") == ({}, "# Title\n", 1)


def test_markdown_sections_skip_code_and_read_metadata_lines():
    doc = parse_document(
        Path("x.md"),
        "Title\n=====\n\n| Severity | SEV2 |\n|---|---|\n\n"
        "## 1. Root Cause(s):\n\n```\n# not a heading\n```\nBad config.\n\n"
        "### Detail\n\nMore.\n\n## Next\n\nEnd.\n",
    )
    assert doc.title == "Title"
    assert doc.meta["severity"] == "SEV2"
    assert [s.key for s in doc.sections] == ["root cause", "detail", "next"]
    cause = doc.section("root causes")
    assert cause is not None and "More." in cause.text and "End." not in cause.text
    assert first_paragraph(cause.text) == "Bad config."


def test_rst_title_fields_and_sections():
    doc = parse_document(
        Path("d.rst"),
        ":Status: Draft\n\nMy title\n########\n\nIntro text.\n\nPart\n====\n\nBody.\n",
    )
    assert doc.title == "My title" and doc.meta["status"] == "Draft"
    assert first_paragraph(doc.preamble) == "Intro text."
    assert [s.key for s in doc.sections] == ["part"]


def test_paragraph_helpers():
    text = "<!-- hint -->\n\n- [ ] one\n- [x] two\n  continued\n\nProse\nwrapped.\n"
    assert list_items(text) == ["one", "two continued"]
    assert first_paragraph("Date: 2026-01-01\n\nReal text.") == "Real text."
    assert normalise_heading("Action Items") == normalise_heading("action item")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-14", dt.date(2026, 3, 14)),
        ("2026-03-14T10:00:00Z", dt.date(2026, 3, 14)),
        ("March 14, 2026", dt.date(2026, 3, 14)),
        ("14 Mar 2026", dt.date(2026, 3, 14)),
        (dt.date(2026, 1, 1), dt.date(2026, 1, 1)),
        ("2026-02-30", None),
        ("soon", None),
        (7, None),
    ],
)
def test_as_date(value, expected):
    assert as_date(value) == expected


def test_titles_lose_inline_markup():
    doc = parse_document(Path("x.md"), "# **RFC**: use `uv` for [builds](https://x) *now*\n")
    assert doc.title == "RFC: use uv for builds now"
    assert parse_document(Path("0003-adopt-rust.md"), "No heading.\n").title == "Adopt rust"


def test_front_matter_keys_are_normalised_and_toml_errors_name_the_file_line():
    meta, _, _ = split_front_matter("---\nIncident Commander: Alex\nTime-To-Resolve: 5m\n---\n")
    assert meta == {"incident_commander": "Alex", "time_to_resolve": "5m"}
    with pytest.raises(DocumentError, match=r"at line 3"):
        split_front_matter('+++\ntitle = "ok"\ndate = \nx = 1\n+++\n')
