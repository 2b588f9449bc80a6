"""``brag stats``: entries per month with bars, counts by area, leverage, source, Tree A/B."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from brag.entry import Entry
from brag.journal import Journal
from brag.stats import bar, months_between


def month_start(months_ago: int) -> dt.date:
    today = dt.date.today().replace(day=1)
    year, month = today.year, today.month - months_ago
    while month < 1:
        year, month = year - 1, month + 12
    return dt.date(year, month, 3)


@pytest.fixture
def filled(journal: Journal) -> Journal:
    # Two months ago: 4 entries; last month: none; this month: 2 (one private).
    for i in range(4):
        journal.add(
            Entry(
                title=f"Cut cloud costs, step {i}",
                date=month_start(2) + dt.timedelta(days=i),
                areas=["cost"],
                tags=["infra"],
            )
        )
    journal.add(
        Entry(
            title="Mentored a new engineer",
            date=month_start(0),
            areas=["people"],
            leverage="interpersonal",
        )
    )
    journal.add(Entry(title="Private thing", date=month_start(0), areas=["risk"], private=True))
    journal.import_entries(
        "github",
        [
            Entry(
                title="Fix the flaky payment test",
                date=month_start(2),
                source_id="o/r#1",
                areas=["quality"],
            )
        ],
    )
    return journal


def test_stats_json(brag, filled):
    data = json.loads(brag("stats", "--json", "--target", "senior").stdout)
    assert data["total"] == 7
    months = {m["month"]: m["count"] for m in data["months"]}
    key = lambda d: f"{d.year:04d}-{d.month:02d}"  # noqa: E731
    assert months == {key(month_start(2)): 5, key(month_start(1)): 0, key(month_start(0)): 2}
    assert data["areas"] == {"cost": 4, "risk": 1, "quality": 1, "people": 1}
    assert data["leverage"]["interpersonal"] == 1 and sum(data["leverage"].values()) == 7
    assert data["sources"] == {"typed": 6, "github": 1}
    tree = data["tree"]
    assert (tree["A"], tree["B"], tree["target"], tree["target_b"]) == (6, 1, "senior", 0.25)
    assert tree["gap_b"] == pytest.approx(0.25 - 1 / 7)
    assert "_rows" not in data


def test_stats_text_has_a_bar_per_month(brag, filled):
    out = brag("stats", "--no-private", "--target", "staff").stdout
    lines = out.splitlines()
    assert lines[0].startswith("6 entries, ")
    areas_at = lines.index("By impact area (main area of each entry)")
    month_lines = lines[lines.index("Entries per month") + 1 : areas_at]
    names = [month_start(n).strftime("%b %y") for n in (2, 1, 0)]
    rows = [next(line for line in month_lines if line.strip().startswith(n)) for n in names]
    # 5 entries fill 30 cells; the empty month has no bar; 1 entry is a fifth of 30.
    assert rows[0].endswith(" 5  " + "█" * 30)
    assert rows[1].rstrip().endswith("0")
    assert rows[2].endswith(" 1  " + "█" * 6)
    areas = lines[areas_at + 1 :][:4]
    assert areas[0].startswith("  cost     4  ")  # most frequent first
    assert "By leverage" in out and "interpersonal  1" in out
    assert "By source" in out and "github  1" in out
    assert "Tree A (technical) 5 (83%) · Tree B (influence) 1 (17%)" in out
    assert "staff expects Tree B ≥ 60%: 43 points short" in out


def test_stats_uses_the_configured_target_and_period(brag, filled):
    filled.config_set("user.target_level", "mid")
    data = json.loads(brag("stats", "--json", "--since", month_start(0).isoformat()).stdout)
    assert data["total"] == 2
    assert data["tree"]["target"] == "mid" and data["tree"]["gap_b"] == 0
    out = brag("stats", "--since", month_start(0).isoformat()).stdout
    assert "mid expects Tree B ≥ 5%: on track" in out


def test_stats_of_an_empty_journal(brag, journal):
    assert brag("stats").stdout == 'No entries in this period. Add one: brag add "…"\n'
    data = json.loads(brag("stats", "--json").stdout)
    assert data["total"] == 0 and data["months"] == [] and data["tree"]["share_b"] == 0.0


@pytest.mark.parametrize(
    "args, message",
    [
        (["--target", "archmage"], "unknown target level 'archmage'"),
        (["--period", "whenever"], "whenever"),
        (["--since", "2026-05-01", "--until", "2026-01-01"], "is after --until"),
    ],
)
def test_stats_bad_input(brag, filled, args, message):
    result = brag("stats", *args, expect=1)
    assert result.stderr.startswith("Error: ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_stats_without_a_journal(brag, journal_dir):
    result = brag("stats", expect=1)
    assert result.stderr.startswith("Error: ")


def test_bar_uses_eighths():
    assert bar(0, 10) == "" and bar(10, 10, 4) == "████"
    assert bar(1, 16, 4) == "▎" and bar(5, 8, 2) == "█▎"
    assert months_between(dt.date(2025, 11, 5), dt.date(2026, 2, 1)) == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
    ]


def test_stats_stays_light(filled):
    """`brag stats` is a look-up: it must not pay for Jinja2, GitPython, rich or httpx."""
    import subprocess
    import sys

    code = (
        "import sys; from brag.cli import main; sys.argv = ['brag', 'stats', '--json']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = {'jinja2', 'git', 'httpx', 'rich'} & set(sys.modules)\n"
        "print('HEAVY', sorted(heavy), file=sys.stderr)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert json.loads(proc.stdout)["total"] == 7
    assert "HEAVY []" in proc.stderr


def test_stats_names_a_bad_configured_target(brag, filled):
    filled.config_set("user.target_level", "wizard")
    result = brag("stats", expect=1)
    assert "brag.toml:" in result.stderr  # checked when read, with file and line
    assert "user.target_level must be a level (mid, senior, staff, principal)" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    # `brag config set` repairs it.
    brag("config", "set", "user.target_level", "senior")
    assert "senior expects" in brag("stats").stdout
