"""``brag import file``: CSV and JSON files, and standard input."""

from __future__ import annotations

import json
from pathlib import Path

from gitrepo import all_entries, count_commits

CSV = (
    "date,title,tags,impact,Owner,Why it mattered\n"
    "2026-01-15,Shipped SSO,auth; security,Unblocked 3 enterprise deals,me,big\n"
    '2026-02-01,"Mentored two new hires, both shipping",people,,me,\n'
    "2026-03-10T09:30:00Z,Cut build time,ci,Builds 12m -> 4m,me,devs happier\n"
)


def test_csv_columns_map_to_fields(brag, journal, tmp_path):
    path = tmp_path / "wins.csv"
    path.write_text(CSV)
    result = brag("import", "file", str(path), "--map", "Why it mattered=body")
    assert "file: added 3, already present 0, skipped 0" in result.stdout
    assert "wins.csv: ignoring columns Owner (use --map COLUMN=FIELD)" in result.stderr
    sso, mentor, build = all_entries(journal)
    assert sso.title == "Shipped SSO" and sso.date.isoformat() == "2026-01-15"
    assert sso.tags == ["auth", "security"]
    assert sso.impact == "Unblocked 3 enterprise deals"
    assert sso.body == "big\n"
    assert sso.source == "file"
    assert mentor.title == "Mentored two new hires, both shipping"
    assert build.date.isoformat() == "2026-03-10"
    # Keyed by date and title: the same rows re-imported add nothing.
    again = brag("import", "file", str(path))
    assert "added 0, already present 3" in again.stdout
    assert len(all_entries(journal)) == 3


def test_bad_rows_reported_by_line_good_rows_import(brag, journal, tmp_path):
    path = tmp_path / "wins.csv"
    path.write_bytes(
        b"date,title,tags\n"
        b"2026-01-15,Shipped SSO,auth\n"
        b"2026-01-16,Only two columns\n"
        b"2026-01-17,Caf\xe9 menu launch,food\n"
        b"not a date,Something,x\n"
        b",No date,x\n"
        b"2026-01-20,Fixed flaky tests,ci\n"
    )
    result = brag("import", "file", str(path))
    err = result.stderr
    assert f"skipped {path} line 3: has 2 columns, the header has 3" in err
    assert f"skipped {path} line 4: not UTF-8 text" in err
    assert f"skipped {path} line 5: can't read date 'not a date': use YYYY-MM-DD" in err
    assert f"skipped {path} line 6: missing date" in err
    assert "added 2, already present 0, skipped 4" in result.stdout
    assert [e.title for e in all_entries(journal)] == ["Shipped SSO", "Fixed flaky tests"]
    # A re-run reports the same bad rows and duplicates nothing.
    before = count_commits(journal)
    again = brag("import", "file", str(path))
    assert "added 0, already present 2, skipped 4" in again.stdout
    assert count_commits(journal) == before
    assert len(all_entries(journal)) == 2


def test_strict_imports_nothing(brag, journal, tmp_path):
    path = tmp_path / "wins.csv"
    path.write_bytes(b"date,title\n2026-01-15,Good\n2026-01-16\n2026-01-17,Caf\xe9\n")
    before = count_commits(journal)
    result = brag("import", "file", str(path), "--strict", expect=1)
    assert result.output.strip().splitlines()[-1] == (
        f"Error: {path} line 3: has 1 columns, the header has 2 (and 1 more bad rows); "
        "nothing imported (--strict)"
    )
    assert "Traceback" not in result.output
    assert count_commits(journal) == before
    assert all_entries(journal) == []


def test_missing_title_column(brag, journal, tmp_path):
    path = tmp_path / "wins.csv"
    path.write_text("Completed,Summary\n2026-01-15,Shipped SSO\n")
    result = brag("import", "file", str(path), expect=1)
    assert (
        f"Error: {path}: no 'date' or 'title' column (columns: Completed, Summary); "
        "map one with --map COLUMN=date"
    ) in result.output
    ok = brag("import", "file", str(path), "--map", "Completed=date", "--map", "Summary=title")
    assert "added 1" in ok.stdout


def test_json_list_with_ids(brag, journal, tmp_path):
    path = tmp_path / "linear.json"
    path.write_text(
        json.dumps(
            [
                {
                    "id": "ENG-1",
                    "date": "2026-04-01",
                    "title": "Launch API v2",
                    "tags": ["api", "launch"],
                    "areas": "revenue; customer",
                    "leverage": "strategic",
                    "metrics": "p99: 800ms -> 200ms",
                    "private": "no",
                },
                {"id": "ENG-2", "date": "2026-04-02", "title": "Bad area", "areas": "vibes"},
                "not an object",
            ],
            indent=2,
        )
    )
    result = brag("import", "file", str(path))
    assert f"skipped {path} line 15: unknown area 'vibes'" in result.stderr
    assert f"skipped {path} line 21: expected an object, got str" in result.stderr
    (entry,) = all_entries(journal)
    assert entry.source_id == "ENG-1"
    assert entry.tags == ["api", "launch"]
    assert entry.areas == ["revenue", "customer"]
    assert entry.leverage == "strategic"
    assert entry.metrics == [
        {"name": "p99", "value": 200, "unit": "ms", "before": 800, "after": 200}
    ]
    # The same id with a changed title is the same item: not duplicated.
    data = json.loads(path.read_text())
    data[0]["title"] = "Launched API v2"
    path.write_text(json.dumps(data[:1]))
    again = brag("import", "file", str(path))
    assert "added 0, already present 1" in again.stdout


def test_json_not_a_list(brag, journal, tmp_path):
    path = tmp_path / "export.json"
    path.write_text('{"date": "2026-01-01", "title": "x"}')
    before = count_commits(journal)
    result = brag("import", "file", str(path), expect=1)
    assert f"Error: {path}: expected a JSON list of objects ([{{...}}, ...]), got an object" in (
        result.output
    )
    assert count_commits(journal) == before
    broken = tmp_path / "broken.json"
    broken.write_text('[\n  {"date": "2026-01-01", "title": "x"},\n  {"date": \n')
    result = brag("import", "file", str(broken), expect=1)
    assert f"Error: {broken}: line 4: invalid JSON" in result.output
    assert all_entries(journal) == []


def test_stdin(brag, journal):
    result = brag("import", "file", "-", input="date,title\n2026-05-05,From a pipe\n")
    assert "added 1" in result.stdout
    result = brag("import", "file", "-", input='[{"date": "2026-05-06", "title": "JSON pipe"}]')
    assert "added 1" in result.stdout
    assert [e.title for e in all_entries(journal)] == ["From a pipe", "JSON pipe"]


def test_since_until_and_dry_run(brag, journal, tmp_path):
    path = tmp_path / "wins.csv"
    path.write_text(CSV)
    before = count_commits(journal)
    result = brag(
        "import",
        "file",
        str(path),
        "--since",
        "2026-02-01",
        "--until",
        "february 2026",
        "--dry-run",
        "--json",
    )
    data = json.loads(result.stdout)
    assert [e["title"] for e in data["entries"]] == ["Mentored two new hires, both shipping"]
    assert data["dry_run"] is True
    assert count_commits(journal) == before


def test_missing_file_and_bad_map(brag, journal, tmp_path):
    result = brag("import", "file", str(tmp_path / "nope.csv"), expect=1)
    assert f"Error: {tmp_path / 'nope.csv'}: no such file" in result.output
    path = tmp_path / "w.csv"
    path.write_text(CSV)
    result = brag("import", "file", str(path), "--map", "Owner", expect=1)
    assert "Error: --map 'Owner': use COLUMN=FIELD, like Summary=title" in result.output
    result = brag("import", "file", str(path), "--map", "Owner=boss", expect=1)
    assert "no entry field 'boss'" in result.output


def test_map_from_brag_toml(brag, journal, tmp_path: Path):
    path = tmp_path / "jira.csv"
    path.write_text("Resolved,Summary,Labels\n2026-06-01,Closed the epic,jira\n")
    journal.config_set("import.file", {"map": {"Resolved": "date", "Summary": "title"}})
    result = brag("import", "file", str(path))
    assert "added 1" in result.stdout
    assert all_entries(journal)[0].tags == ["jira"]


def test_semicolon_and_tab_delimited(brag, journal, tmp_path):
    euro = tmp_path / "excel.csv"
    euro.write_text("date;title;tags\n2026-07-01;Closed Q2 books early;finance, ops\n")
    tsv = tmp_path / "sheet.tsv"
    tsv.write_text("date\ttitle\tprivate\n2026-07-02\tSalary talk prep\tyes\n")
    brag("import", "file", str(euro), str(tsv))
    books, salary = all_entries(journal)
    assert books.tags == ["finance", "ops"]
    assert salary.private is True


def test_utf16_spreadsheet_export(brag, journal, tmp_path):
    path = tmp_path / "unicode.txt"
    path.write_bytes("date\ttitle\n2026-08-01\tLancé la bêta\n".encode("utf-16"))
    brag("import", "file", str(path), "--format", "csv")
    assert [e.title for e in all_entries(journal)] == ["Lancé la bêta"]
