"""The inbox: which entries wait for a decision, the decisions written into the
entries and committed, follow-up dates, feedback, and the once-a-day reminder."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pexpect
import pytest

from brag import inbox
from brag.entry import Entry
from brag.errors import BragError, ConfigError, DateError, EntryError
from brag.journal import Journal

D = dt.date


def imported(title: str, day: D, n: int, **kw: object) -> Entry:
    return Entry(title=title, date=day, source="github", source_id=f"o/r#{n}", **kw)  # type: ignore[arg-type]


def git_log(root: Path) -> list[str]:
    out = subprocess.run(
        ["git", "log", "--format=%s"], cwd=root, capture_output=True, text=True, check=True
    )
    return out.stdout.splitlines()


def committed_text(root: Path, rel: str) -> str:
    return subprocess.run(
        ["git", "show", f"HEAD:{rel}"], cwd=root, capture_output=True, text=True, check=True
    ).stdout


def assert_clean(root: Path) -> None:
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, check=True
    ).stdout
    assert status == ""


# -- entry fields ------------------------------------------------------------------


def test_new_fields_round_trip_through_the_file():
    entry = Entry(
        title="Your design review saved us a quarter",
        date=D(2026, 3, 1),
        kind="feedback",
        from_="Priya N",
        follow_up=D(2026, 3, 31),
        inbox_cleared=D(2026, 4, 3),
        outcome={
            "date": D(2026, 4, 2),
            "text": "conversion up",
            "metrics": [{"name": "conversion", "value": 3.4, "unit": "%", "before": 3.1}],
        },
        extra={"team": "payments"},
    )
    text = entry.to_markdown()
    assert 'kind = "feedback"' in text and 'from = "Priya N"' in text
    assert "follow_up = 2026-03-31" in text and "[outcome]" in text
    back = Entry.from_markdown(text, "e.md")
    assert back.kind == "feedback" and back.from_ == "Priya N"
    assert back.follow_up == D(2026, 3, 31) and back.inbox_cleared == D(2026, 4, 3)
    assert back.outcome["date"] == D(2026, 4, 2) and back.outcome["metrics"][0]["value"] == 3.4
    assert back.extra == {"team": "payments"}
    assert back.to_markdown() == text
    as_json = back.to_dict()
    assert as_json["follow_up"] == "2026-03-31" and as_json["outcome"]["date"] == "2026-04-02"


def test_entries_without_the_new_fields_are_written_as_before():
    text = Entry(title="Cut p99", date=D(2026, 3, 1), id="abcd1234").to_markdown()
    assert "kind" not in text and "outcome" not in text and "follow_up" not in text


@pytest.mark.parametrize(
    ("line", "error", "where"),
    [
        ('kind = "award"', "unknown kind 'award'", 5),
        ("kind = 3", "'kind' must be a string", 5),
        ("from = [1]", "'from' must be a string", 5),
        ('follow_up = "next year"', "bad follow_up 'next year'", 5),
        ('inbox_cleared = "2026-13-01"', "bad inbox_cleared", 5),
        ('outcome = "it went well"', "'outcome' must be a table", 5),
        ("[outcome]\ntext = 'up'", "'outcome' needs a date", 5),
        ("[outcome]\ndate = 2026-04-01", "'outcome' needs a text or metrics", 5),
        ("[outcome]\ndate = 2026-04-01\nmetrics = 3", "'outcome.metrics' must be", 5),
    ],
)
def test_bad_new_fields_name_the_file_and_line(line, error, where):
    text = f'+++\nid = "a1"\ndate = 2026-03-01\ntitle = "x"\n{line}\n+++\n'
    with pytest.raises(EntryError) as info:
        Entry.from_markdown(text, "entries/x.md")
    assert error in str(info.value)
    assert str(info.value).startswith(f"entries/x.md:{where}: ")


def test_a_broken_outcome_in_the_journal_is_reported_and_nothing_else_lost(brag, journal):
    brag("add", "Good entry")
    bad = journal.root / "entries" / "2026" / "bad.md"
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.write_text('+++\nid = "b1"\ndate = 2026-03-01\ntitle = "x"\noutcome = 3\n+++\n')
    result = brag("check", expect=None)
    assert "bad.md:5: 'outcome' must be a table" in result.output + result.stderr
    assert [e.title for e in journal.entries()] == ["Good entry"]


# -- follow-up dates ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30d", D(2026, 3, 31)),
        ("30 days", D(2026, 3, 31)),
        ("in 30 days", D(2026, 3, 31)),
        ("1 day", D(2026, 3, 2)),
        ("6w", D(2026, 4, 12)),
        ("2 weeks", D(2026, 3, 15)),
        ("3m", D(2026, 6, 1)),
        ("1 month", D(2026, 4, 1)),
        ("1y", D(2027, 3, 1)),
        ("2026-05-04", D(2026, 5, 4)),
        ("May 2026", D(2026, 5, 1)),
        ("2026Q3", D(2026, 7, 1)),
        ("tomorrow", D(2026, 3, 11)),
    ],
)
def test_follow_up_forms(text, expected):
    assert inbox.parse_follow_up(text, D(2026, 3, 1), today=D(2026, 3, 10)) == expected


def test_a_month_span_clamps_to_the_end_of_a_short_month():
    assert inbox.parse_follow_up("1m", D(2026, 1, 31)) == D(2026, 2, 28)
    assert inbox.parse_follow_up("1y", D(2028, 2, 29)) == D(2029, 2, 28)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("soon", "can't read follow-up 'soon': use a span"),
        ("2026-02-01", "is before the entry's date 2026-03-01"),
        ("3 days ago", "is before the entry's date"),
        ("9999y", "out of range"),
        ("2026-02-30", "can't read follow-up"),
    ],
)
def test_bad_follow_ups_are_one_clear_line(text, message):
    with pytest.raises(DateError) as info:
        inbox.parse_follow_up(text, D(2026, 3, 1), today=D(2026, 3, 2))
    assert message in str(info.value) and "\n" not in str(info.value)


@pytest.fixture
def zone():
    """Set the process's time zone for a test, then restore it."""
    before = os.environ.get("TZ")

    def set_zone(name: str) -> None:
        os.environ["TZ"] = name
        time.tzset()

    yield set_zone
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


def test_a_follow_up_is_due_on_the_local_day_across_time_zones(zone):
    entry = Entry(title="Shipped the new checkout", date=D(2026, 11, 2), follow_up=D(2026, 12, 2))
    instant = dt.datetime(2026, 12, 1, 20, 0, tzinfo=dt.UTC)  # one moment, two local days
    zone("Pacific/Auckland")  # UTC+13: already 2 December
    today = inbox.local_today(instant)
    assert today == D(2026, 12, 2)
    assert inbox.follow_up_due(entry, today) == D(2026, 12, 2)
    zone("America/Los_Angeles")  # UTC-8: still 1 December
    today = inbox.local_today(instant)
    assert today == D(2026, 12, 1)
    assert inbox.follow_up_due(entry, today) is None
    # Cleared on the Auckland machine on its 2 December: stays cleared everywhere.
    entry.inbox_cleared = D(2026, 12, 2)
    assert inbox.follow_up_due(entry, D(2026, 12, 2)) is None
    assert inbox.follow_up_due(entry, D(2027, 1, 1)) is None


def test_launch_setting_follows_up_launches_without_a_measured_result():
    settings = inbox.Settings.from_config({"inbox": {"follow_up_launches": "30d"}})
    launch = Entry(title="Shipped the new checkout", date=D(2026, 3, 1))
    measured = Entry(
        title="Launched search",
        date=D(2026, 3, 1),
        metrics=[{"name": "latency", "value": 200, "unit": "ms"}],
    )
    tagged = Entry(title="New onboarding flow", date=D(2026, 3, 1), tags=["launch"])
    plain = Entry(title="Refactored the billing module", date=D(2026, 3, 1))
    day = D(2026, 3, 31)
    assert inbox.follow_up_due(launch, day, settings) == day
    assert inbox.follow_up_due(tagged, day, settings) == day
    assert inbox.follow_up_due(measured, day, settings) is None
    assert inbox.follow_up_due(plain, day, settings) is None
    assert inbox.follow_up_due(launch, D(2026, 3, 30), settings) is None
    assert inbox.follow_up_due(launch, day) is None  # the setting is off by default
    launch.outcome = {"date": day, "text": "conversion up 4%", "metrics": []}
    assert inbox.follow_up_due(launch, day, settings) is None


@pytest.mark.parametrize("value", ["soon", 30, ["30d"]])
def test_a_bad_launch_setting_is_a_config_error(value):
    with pytest.raises(ConfigError) as info:
        inbox.Settings.from_config({"inbox": {"follow_up_launches": value}})
    assert "follow_up_launches" in str(info.value)


# -- which entries wait ---------------------------------------------------------------


def test_items_name_their_reason_and_come_in_order():
    today = D(2026, 6, 1)
    pr_old = imported("Add retry to the payment client", D(2026, 5, 1), 1)
    pr_new = imported("Bump the linter", D(2026, 5, 20), 2)
    with_impact = imported("Cache the catalog", D(2026, 5, 21), 3, impact="pages 2x faster")
    with_metric = imported(
        "Trim images", D(2026, 5, 22), 4, metrics=[{"name": "size", "value": 3, "unit": "MB"}]
    )
    cleared = imported("Fix typo", D(2026, 5, 23), 5, inbox_cleared=D(2026, 5, 24))
    mine = Entry(title="Wrote the on-call guide", date=D(2026, 5, 2))
    launch = Entry(title="Shipped the new checkout", date=D(2026, 4, 1), follow_up=D(2026, 5, 1))
    later = Entry(title="Launched search", date=D(2026, 5, 1), follow_up=D(2026, 7, 1))
    dup_a = Entry(title="Migrated the queue to Kafka", date=D(2026, 5, 10))
    dup_b = imported("Migrated the queue to Kafka!", D(2026, 5, 11), 6)
    kudos = Entry(title="Thanks", date=D(2026, 5, 3), kind="feedback", from_="Sam", source="file")
    kudos.source_id = "x"
    found = inbox.items(
        [pr_old, pr_new, with_impact, with_metric, cleared, mine, launch, later, dup_a, dup_b,
         kudos],
        today=today,
    )  # fmt: skip
    assert [(i.entry.title, i.reason) for i in found] == [
        ("Shipped the new checkout", "follow-up"),
        ("Migrated the queue to Kafka!", "duplicate"),
        ("Bump the linter", "impact"),
        ("Add retry to the payment client", "impact"),
    ]
    first = found[0].to_dict()
    assert first["id"] == launch.id and first["reason"] == "follow-up"
    assert first["due"] == "2026-05-01"
    assert first["question"] == "What happened after 'Shipped the new checkout'? Add the result."
    assert found[1].to_dict()["duplicate_of"] == [dup_a.id]


def test_counts_for_coach_and_stats():
    today = D(2026, 6, 1)
    entries = [
        imported("PR one", D(2026, 5, 1), 1),
        imported("PR two", D(2026, 5, 2), 2, private=True),
        Entry(title="Shipped it", date=D(2026, 4, 1), follow_up=D(2026, 5, 1)),
        Entry(title="Great talk", date=D(2026, 5, 3), kind="feedback", from_="Ana"),
        Entry(title="Saved us", date=D(2026, 5, 4), kind="feedback", from_="Bo", private=True),
    ]
    assert inbox.counts(entries, today=today) == {
        "inbox": 3,
        "awaiting_impact": 2,
        "follow_ups_due": 1,
        "duplicates": 0,
        "feedback": 2,
    }
    public = inbox.counts(entries, today=today, include_private=False)
    assert public["awaiting_impact"] == 1 and public["feedback"] == 1


# -- decisions, written into the entry and committed ---------------------------------


@pytest.fixture
def imported_journal(journal: Journal) -> Journal:
    journal.import_entries(
        "github",
        [
            imported("Add retry to the payment client", D(2026, 5, 1), 1, url="https://x/1"),
            imported("Bump the linter", D(2026, 5, 2), 2),
            imported("Speed up the build", D(2026, 5, 3), 3),
        ],
    )
    return journal


def fresh(journal: Journal) -> Journal:
    """The journal as the next command sees it."""
    return Journal(journal.root)


def test_each_decision_is_in_the_entry_and_committed_at_once(imported_journal):
    today = D(2026, 6, 1)
    j = imported_journal
    items = inbox.collect(j, today)
    assert len(items) == 3
    by_title = {i.entry.title: i for i in items}
    d = inbox.decide(
        j, by_title["Add retry to the payment client"], "i", "checkout errors down 40%"
    )
    assert d.cleared and "Impact saved" in d.message
    assert_clean(j.root)
    assert git_log(j.root)[0] == 'brag: inbox: impact for "Add retry to the payment client"'
    rel = by_title["Add retry to the payment client"].entry.path
    assert 'impact = "checkout errors down 40%"' in committed_text(j.root, rel)

    d = inbox.decide(j, by_title["Speed up the build"], "m", "build time: 12min -> 4min")
    assert d.cleared
    d = inbox.decide(j, by_title["Bump the linter"], "a", "quality")
    assert not d.cleared  # an area alone is not why it mattered
    d = inbox.decide(j, by_title["Bump the linter"], "l", "exe")
    assert d.entry.leverage == "execution" and not d.cleared
    d = inbox.decide(j, by_title["Bump the linter"], "k", today=today)
    assert d.cleared
    assert_clean(j.root)
    assert inbox.collect(fresh(j), today) == []
    kept = fresh(j).get(by_title["Bump the linter"].id)
    assert kept.inbox_cleared == today and kept.areas == ["quality"]
    assert "inbox_cleared = 2026-06-01" in committed_text(j.root, kept.path)


def test_bad_answers_are_refused_before_anything_is_written(imported_journal):
    j = imported_journal
    item = inbox.collect(j, D(2026, 6, 1))[0]
    head = git_log(j.root)
    for action, value, message in [
        ("impact", "   ", "the impact is empty"),
        ("metric", "faster", "must look like 'name: value unit'"),
        ("area", "happiness", "unknown area happiness"),
        ("leverage", "vibes", "unknown leverage 'vibes'"),
        ("outcome", "", "nothing to record"),
    ]:
        with pytest.raises(BragError) as info:
            inbox.decide(j, item, action, value)
        assert message in str(info.value)
    assert git_log(j.root) == head
    assert_clean(j.root)
    assert len(inbox.collect(fresh(j), D(2026, 6, 1))) == 3


def test_private_and_skip(imported_journal):
    j = imported_journal
    today = D(2026, 6, 1)
    first, second, _ = inbox.collect(j, today)
    head = git_log(j.root)
    assert not inbox.decide(j, first, "s").changed
    assert git_log(j.root) == head
    d = inbox.decide(j, second, "p", today=today)
    assert d.cleared and fresh(j).get(second.id).private
    assert [i.id for i in inbox.collect(fresh(j), today)] == [first.id, _.id]


def test_drop_is_remembered_and_never_imported_again(imported_journal):
    j = imported_journal
    item = next(i for i in inbox.collect(j, D(2026, 6, 1)) if i.entry.title == "Bump the linter")
    d = inbox.decide(j, item, "d")
    assert d.cleared and "never imported again" in d.message
    assert_clean(j.root)
    again = fresh(j).import_entries("github", [imported("Bump the linter", D(2026, 5, 2), 2)])
    assert again.added == [] and again.skipped
    assert "Bump the linter" not in [e.title for e in fresh(j).entries()]


def test_keeping_a_duplicate_remembers_both_are_distinct(journal):
    today = D(2026, 6, 1)
    journal.add(Entry(title="Migrated the queue to Kafka", date=D(2026, 5, 10)))
    journal.import_entries("github", [imported("Migrated the queue to Kafka", D(2026, 5, 11), 9)])
    [item] = inbox.collect(journal, today)
    assert item.reason == "duplicate" and item.entry.source == "github"
    inbox.decide(journal, item, "k", today=today)
    assert inbox.collect(fresh(journal), today) == []
    kept = fresh(journal).get(item.id)
    assert kept.extra["distinct_from"] == [item.duplicate_of[0].id]


def test_outcome_answers_a_due_follow_up(journal):
    launch = journal.add(
        Entry(title="Shipped the new checkout", date=D(2026, 3, 1), follow_up=D(2026, 3, 31))
    )
    assert inbox.collect(journal, D(2026, 3, 30)) == []
    [item] = inbox.collect(journal, D(2026, 4, 2))
    d = inbox.decide(journal, item, "o", "conversion: 3.1% -> 3.4%", today=D(2026, 4, 2))
    assert d.cleared
    saved = fresh(journal).get(launch.id)
    assert saved.outcome["date"] == D(2026, 4, 2)
    assert saved.outcome["metrics"] == [
        {"name": "conversion", "value": 3.4, "unit": "%", "before": 3.1, "after": 3.4}
    ]
    assert inbox.outcome_line(saved) == "conversion: 3.1% -> 3.4% (measured 2026-04-02)"
    assert inbox.collect(fresh(journal), D(2026, 12, 1)) == []


def test_done_clears_items_and_says_which_were_not_waiting(imported_journal):
    j = imported_journal
    today = D(2026, 6, 1)
    first, second, third = inbox.collect(j, today)
    j.add(Entry(title="Mine", date=today, id="mine0001"))
    results = inbox.done(j, [first.id, second.id[:5], "mine0001", first.id], today)
    assert [r.cleared for r in results] == [True, True, False]
    assert "not in the inbox" in results[2].message
    assert [i.id for i in inbox.collect(fresh(j), today)] == [third.id]
    with pytest.raises(BragError):
        inbox.done(fresh(j), [third.id, "zzzz"], today)
    assert [i.id for i in inbox.collect(fresh(j), today)] == [third.id]


def test_an_edit_of_an_inbox_item_clears_it():
    today = D(2026, 6, 1)
    before = imported("PR", D(2026, 5, 1), 1)
    after = imported("PR, retitled", D(2026, 5, 1), 1)
    assert inbox.clear_after_edit(after, before, today)
    assert after.inbox_cleared == today
    answered = imported("PR", D(2026, 5, 1), 1, impact="errors down")
    assert not inbox.clear_after_edit(answered, before, today)
    assert answered.inbox_cleared is None  # the impact clears it by itself
    mine = Entry(title="Mine", date=D(2026, 5, 1))
    assert not inbox.clear_after_edit(mine, mine, today)


def test_cleared_on_one_machine_is_cleared_on_another(imported_journal, tmp_path):
    today = D(2026, 6, 1)
    j = imported_journal
    other = tmp_path / "laptop"
    subprocess.run(["git", "clone", "-q", str(j.root), str(other)], check=True)
    item = inbox.collect(j, today)[0]
    inbox.decide(j, item, "k", today=today)
    subprocess.run(["git", "pull", "-q", "--ff-only"], cwd=other, check=True)
    assert item.id not in [i.id for i in inbox.collect(Journal(other), today)]


# -- feedback ---------------------------------------------------------------------


def test_feedback_entries_and_quotes(journal):
    f = inbox.feedback_entry(
        "Your design review  saved us a quarter", "Priya N", date=D(2026, 5, 1), url="https://x"
    )
    assert f.kind == "feedback" and f.from_ == "Priya N"
    assert f.title == "Your design review saved us a quarter"
    journal.add(f)
    journal.add(inbox.feedback_entry("Calm incident lead", "Bo", date=D(2026, 5, 2), private=True))
    entries = list(fresh(journal).entries())
    assert [q["from"] for q in inbox.quotes(entries)] == ["Priya N"]
    assert [q["from"] for q in inbox.quotes(entries, include_private=True)] == ["Bo", "Priya N"]
    assert inbox.quotes(entries)[0]["url"] == "https://x"
    for text, giver, message in [("  ", "Ana", "feedback is empty"), ("ok", " ", "who gave")]:
        with pytest.raises(BragError) as info:
            inbox.feedback_entry(text, giver, date=D(2026, 5, 1))
        assert message in str(info.value)


def test_feedback_about_influence_counts_as_tree_b():
    from brag.impact.leverage import _leverage_for, _tree_for

    f = inbox.feedback_entry("Your design review saved us a quarter", "Priya", date=D(2026, 5, 1))
    assert _tree_for(f, _leverage_for(f)[0]) == "B"


# -- the once-a-day reminder --------------------------------------------------------


def test_reminder_after_an_import_once_a_day(imported_journal):
    j = imported_journal
    assert inbox.reminder(j, D(2026, 6, 1)) == ""  # no import noted yet
    assert inbox.note_import(j, list(j.entries())) == 3
    assert inbox.reminder(j, D(2026, 6, 1)) == "3 imported entries wait for your impact: brag inbox"
    assert inbox.reminder(j, D(2026, 6, 1)) == ""
    assert inbox.reminder(j, D(2026, 6, 2)).startswith("3 imported entries")
    inbox.visited(j)
    assert inbox.reminder(j, D(2026, 6, 3)) == ""
    assert_clean(j.root)  # the state is this machine's, never committed


# -- kudos from a file -------------------------------------------------------------


def test_a_kudos_csv_imports_as_feedback(brag, journal, tmp_path):
    path = tmp_path / "kudos.csv"
    path.write_text(
        "date,giver,message,link\n"
        "2026-05-01,Priya N,Your design review saved us a quarter,https://kudos/1\n"
        "2026-05-02,,A row with nobody named,\n"
        "2026-05-03,Sam Lee,Thanks for unblocking the release,\n"
    )
    result = brag("import", "file", str(path))
    assert "added 3, already present 0, skipped 0" in result.stdout
    entries = sorted(fresh(journal).entries(), key=lambda e: e.date)
    assert [(e.kind, e.from_, e.title) for e in entries] == [
        ("feedback", "Priya N", "Your design review saved us a quarter"),
        ("", "", "A row with nobody named"),
        ("feedback", "Sam Lee", "Thanks for unblocking the release"),
    ]
    assert entries[0].url == "https://kudos/1"
    # Feedback is evidence already: it does not wait in the inbox for an impact.
    assert [i.entry.title for i in inbox.collect(fresh(journal), D(2026, 6, 1))] == [
        "A row with nobody named"
    ]


def test_a_kudos_json_with_kind_and_from_and_a_title_column(brag, journal, tmp_path):
    path = tmp_path / "kudos.json"
    rows = [
        {"date": "2026-05-01", "title": "Great RFC", "message": "ignored", "kind": "kudos",
         "from": "Ana"},
        {"date": "2026-05-02", "title": "Bad kind", "kind": "award"},
        {"date": "2026-05-03", "title": "Follow me", "follow_up": "30d"},
    ]  # fmt: skip
    path.write_text(json.dumps(rows))
    result = brag("import", "file", str(path))
    assert "added 2, already present 0, skipped 1" in result.stdout
    assert "unknown kind 'award'" in result.stderr
    by_title = {e.title: e for e in fresh(journal).entries()}
    assert by_title["Great RFC"].kind == "feedback" and by_title["Great RFC"].from_ == "Ana"
    assert by_title["Follow me"].follow_up == D(2026, 6, 2)


# -- the walk, through a real terminal ---------------------------------------------

BIN = Path(sys.executable).parent


def spawn(*args: str) -> pexpect.spawn:
    return pexpect.spawn(
        str(BIN / "brag"),
        list(args),
        encoding="utf-8",
        timeout=30,
        dimensions=(50, 200),
        env={**os.environ, "NO_COLOR": "1"},
    )


def prompt(child: pexpect.spawn) -> str:
    """Wait for the key prompt; return what was shown since the last one, plain."""
    child.expect("q quit: ")
    return screen(child)


def screen(child: pexpect.spawn) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", child.before).replace("\r", "")


@pytest.fixture
def walk_journal(journal: Journal) -> Journal:
    journal.add(
        Entry(title="Shipped the new checkout", date=D(2026, 1, 5), follow_up=D(2026, 2, 4))
    )
    journal.import_entries(
        "github",
        [
            imported(
                "Add retry to the payment client",
                D(2026, 5, 3),
                1,
                url="https://github.com/o/r/pull/1",
                body="Retries with backoff.\nFixes the flaky payment test.\n",
            ),
            imported("Bump the linter", D(2026, 5, 2), 2),
            imported("Speed up the build", D(2026, 5, 1), 3),
        ],
    )
    return journal


def test_walk_answers_each_item_with_one_key(walk_journal, brag):
    j = walk_journal
    child = spawn("inbox")
    shown = prompt(child)
    assert "[1/4] Shipped the new checkout" in shown
    assert "What happened after 'Shipped the new checkout'? Add the result." in shown
    child.send("o")
    child.expect("Result")
    child.sendline("conversion: 3.1% -> 3.4%")
    shown = prompt(child)
    assert "[2/4] Add retry to the payment client" in shown
    assert "https://github.com/o/r/pull/1" in shown and "Retries with backoff." in shown
    assert "github o/r#1" in shown
    child.send("g")  # not an action: says so, changes nothing
    shown = prompt(child)
    assert "'g' is not a key here" in shown
    child.send("a")
    child.expect("Area")
    child.sendline("happiness")  # a bad answer: one line, same item again
    shown = prompt(child)
    assert "unknown area happiness" in shown
    child.send("a")
    child.expect("Area")
    child.sendline("revenue")
    shown = prompt(child)
    assert "[2/4]" in shown and "areas: revenue" in shown
    child.send("i")
    child.expect("Impact")
    child.sendline("checkout errors down 40%")
    shown = prompt(child)
    assert "[3/4] Bump the linter" in shown
    child.send("d")
    shown = prompt(child)
    assert "never imported again" in shown
    child.send("k")
    child.expect(pexpect.EOF)
    assert "Cleared 4 items; inbox done." in screen(child)
    child.close()
    assert child.exitstatus == 0
    assert_clean(j.root)
    assert json.loads(brag("inbox", "--json").stdout) == []
    by_title = {e.title: e for e in fresh(j).entries()}
    assert by_title["Shipped the new checkout"].outcome["metrics"][0]["after"] == 3.4
    assert by_title["Add retry to the payment client"].impact == "checkout errors down 40%"
    assert by_title["Add retry to the payment client"].areas == ["revenue"]
    assert "Bump the linter" not in by_title
    assert by_title["Speed up the build"].inbox_cleared is not None


def test_quitting_halfway_keeps_the_answers_given(walk_journal, brag):
    child = spawn("inbox")
    prompt(child)
    child.send("s")  # skip the follow-up
    prompt(child)
    child.send("i")
    child.expect("Impact")
    child.sendline("checkout errors down 40%")
    prompt(child)
    child.send("q")
    child.expect(pexpect.EOF)
    assert "Cleared 1 item; 2 items left: brag inbox." in screen(child)
    child.close()
    assert child.exitstatus == 0
    assert_clean(walk_journal.root)
    left = json.loads(brag("inbox", "--json").stdout)
    assert [i["title"] for i in left] == [
        "Shipped the new checkout",
        "Bump the linter",
        "Speed up the build",
    ]


def test_killed_mid_walk_loses_nothing_answered(walk_journal, brag):
    child = spawn("inbox")
    prompt(child)
    child.send("k")
    prompt(child)
    child.send("m")
    child.expect("Metric")
    child.sendline("payment errors: 120 -> 70")
    prompt(child)
    child.send("i")
    child.expect("Impact")  # killed while the user is typing
    child.kill(signal.SIGKILL)
    child.close()
    assert_clean(walk_journal.root)
    left = json.loads(brag("inbox", "--json").stdout)
    assert [i["title"] for i in left] == ["Bump the linter", "Speed up the build"]


def test_killed_between_writing_an_answer_and_committing_it(walk_journal, brag, tmp_path):
    """The next command's repair commits the answer; it never rolls it back."""
    flag = tmp_path / "reached"
    child = pexpect.spawn(
        str(BIN / "brag"),
        ["inbox"],
        encoding="utf-8",
        timeout=30,
        env={**os.environ, "NO_COLOR": "1", "BRAG_TEST_PAUSE": f"before-commit:{flag}"},
    )
    prompt(child)
    child.send("s")
    prompt(child)
    child.send("i")
    child.expect("Impact")
    child.sendline("checkout errors down 40%")
    deadline = time.monotonic() + 30
    while not flag.exists():
        assert time.monotonic() < deadline, "brag never reached the commit"
        time.sleep(0.02)
    child.kill(signal.SIGKILL)
    child.close()
    flag.unlink()
    result = brag("inbox", "--json")
    assert "committed entries/2026/05/" in result.stderr
    titles = [i["title"] for i in json.loads(result.stdout)]
    assert "Add retry to the payment client" not in titles
    assert_clean(walk_journal.root)
    entry = next(e for e in fresh(walk_journal).entries() if e.source_id == "o/r#1")
    assert entry.impact == "checkout errors down 40%"


def test_without_a_terminal_the_inbox_is_listed(walk_journal, brag):
    result = brag("inbox")
    lines = result.stdout.splitlines()
    assert len(lines) == 4 and "follow-up" in lines[0] and "Shipped the new checkout" in lines[0]
    assert "4 items: run 'brag inbox' on a terminal" in result.stderr


def test_inbox_json_and_done(walk_journal, brag):
    items = json.loads(brag("inbox", "--json").stdout)
    assert [(i["reason"], i["title"]) for i in items] == [
        ("follow-up", "Shipped the new checkout"),
        ("impact", "Add retry to the payment client"),
        ("impact", "Bump the linter"),
        ("impact", "Speed up the build"),
    ]
    assert items[0]["due"] == "2026-02-04" and items[1]["url"] == "https://github.com/o/r/pull/1"
    first, second = items[0]["id"], items[1]["id"]
    result = brag("inbox", "done", first, second[:6])
    assert result.stdout.splitlines() == [f"Cleared {first}.", f"Cleared {second}."]
    again = brag("inbox", "done", first)
    assert again.stdout.strip() == f"{first} is not in the inbox."
    bad = brag("inbox", "done", "zzzz", expect=1)
    assert "no entry with id starting 'zzzz'" in bad.stderr
    assert len(json.loads(brag("inbox", "--json").stdout)) == 2
    assert_clean(walk_journal.root)


def test_empty_inbox_says_so(brag, journal):
    assert brag("inbox").stdout.strip() == "Inbox empty: every entry has what it needs."
    assert json.loads(brag("inbox", "--json").stdout) == []


def test_edit_of_an_inbox_item_clears_it(walk_journal, brag):
    item = json.loads(brag("inbox", "--json").stdout)[2]
    brag("edit", item["id"], "--tag", "ci")
    assert item["id"] not in [i["id"] for i in json.loads(brag("inbox", "--json").stdout)]


def test_add_follow_up_and_feedback(brag, journal):
    out = brag("add", "Shipped the new checkout", "-d", "2026-03-01", "--follow-up", "30d")
    assert "Follow-up on 2026-03-31" in out.stdout
    added = json.loads(
        brag("add", "--feedback", "--from", "Priya N", "Your design review saved us a quarter",
             "--json").stdout
    )  # fmt: skip
    assert added["kind"] == "feedback" and added["from"] == "Priya N"
    entry = next(e for e in fresh(journal).entries() if e.title.startswith("Shipped"))
    assert entry.follow_up == D(2026, 3, 31)
    bad = brag("add", "Launched search", "--follow-up", "someday", expect=1)
    assert "can't read follow-up 'someday'" in bad.stderr and "Traceback" not in bad.stderr
    nobody = brag("add", "--feedback", "Nice work", expect=1)
    assert "say who gave the feedback" in nobody.stderr
    assert len(list(fresh(journal).entries())) == 2  # nothing written by the bad ones


def test_list_and_add_remind_once_a_day_after_an_import(brag, journal, tmp_path):
    path = tmp_path / "prs.csv"
    path.write_text("date,title\n2026-05-01,Add retry\n2026-05-02,Bump linter\n")
    brag("import", "file", str(path), "--quiet")
    first = brag("list")
    assert "2 imported entries wait for your impact: brag inbox" in first.stderr
    assert "wait for your impact" not in brag("list").stderr
    assert "wait for your impact" not in brag("add", "Another").stderr
    assert "wait for your impact" not in brag("list", "--json").stderr


# -- coach and stats ----------------------------------------------------------------


def test_the_coach_opens_with_the_inbox(walk_journal, brag):
    brag("add", "--feedback", "--from", "Ana", "Great talk")
    text = brag("coach", "--period", "2026").stdout
    period = text.split("The period", 1)[1]
    first = period.strip().splitlines()[0]
    assert first == (
        "! 4 entries wait for your judgement (3 imported without an impact, 1 due a follow-up)"
    )
    data = json.loads(brag("coach", "--period", "2026", "--json").stdout)
    assert data["findings"][0]["kind"] == "inbox"
    assert data["stats"]["inbox"]["feedback"] == 1
    for item in json.loads(brag("inbox", "--json").stdout):
        brag("inbox", "done", item["id"])
    data = json.loads(brag("coach", "--period", "2026", "--json").stdout)
    assert "inbox" not in [f["kind"] for f in data["findings"]]


def test_stats_count_the_inbox_follow_ups_and_feedback(walk_journal, brag):
    brag("add", "--feedback", "--from", "Ana", "Great talk")
    brag("add", "--feedback", "--from", "Bo", "Calm incident lead", "--private")
    text = brag("stats").stdout
    assert "4 waiting (brag inbox) · 1 follow-ups due · 2 feedback received" in text
    public = json.loads(brag("stats", "--no-private", "--json").stdout)["inbox"]
    assert public["inbox"] == 4 and public["follow_ups_due"] == 1 and public["feedback"] == 1


# -- documents ----------------------------------------------------------------------

KINDS = [
    ("self-review", []),
    ("promo-brief", ["--target", "staff"]),
    ("one-on-one", ["--no-remember"]),
    ("status", []),
]


@pytest.mark.parametrize(("kind", "extra"), KINDS)
def test_documents_lead_with_the_measured_outcome(brag, journal, kind, extra):
    brag(
        "add", "Shipped the new checkout", "-d", "2026-03-02", "-i", "launched to all users",
        "--follow-up", "30d",
    )  # fmt: skip
    [item] = json.loads(brag("inbox", "--json").stdout)
    entry = journal.get(item["id"])
    inbox.decide(journal, inbox.collect(journal)[0], "o", "conversion up from 3.1% to 3.4%",
                 today=D(2026, 4, 2))  # fmt: skip
    text = brag("export", kind, "--period", "2026-03", *extra).stdout
    assert "Conversion up from 3.1% to 3.4% (measured 2026-04-02)" in text
    assert "launched to all users" not in text.lower()
    # The entry itself is unchanged: the launch wording is still in the file.
    assert fresh(journal).get(entry.id).impact == "launched to all users"


@pytest.mark.parametrize(("kind", "extra"), KINDS)
def test_last_quarters_launch_brings_its_number_into_this_quarters_documents(
    brag, journal, kind, extra
):
    brag("add", "Shipped the new checkout", "-d", "2026-02-10", "--follow-up", "30d")
    brag("add", "Cut build time", "-d", "2026-04-03", "-m", "build: 12min -> 4min")
    brag("add", "Old launch, never measured", "-d", "2026-02-11")
    item = inbox.collect(journal, D(2026, 4, 15))[0]
    inbox.decide(journal, item, "o", "conversion up from 3.1% to 3.4%", today=D(2026, 4, 15))
    this_quarter = brag("export", kind, "--period", "2026Q2", *extra).stdout
    assert "Conversion up from 3.1% to 3.4% (measured 2026-04-15)" in this_quarter
    assert "Old launch" not in this_quarter
    last_quarter = brag("export", kind, "--period", "2026Q1", *extra).stdout
    assert "Conversion up from 3.1% to 3.4% (measured 2026-04-15)" in last_quarter
    outside = brag("export", kind, "--period", "2026Q3", *extra, expect=None).stdout
    assert "Conversion up" not in outside


def test_show_displays_the_new_fields(brag, journal):
    brag("add", "Shipped the new checkout", "-d", "2026-03-01", "--follow-up", "30d")
    entry = next(fresh(journal).entries())
    inbox.record_outcome(journal, entry, "conversion up 4%", when=D(2026, 4, 2))
    text = brag("show", entry.id).stdout
    assert "follow-up:" in text and "2026-03-31" in text
    assert "conversion up 4% (measured 2026-04-02)" in text
    brag("add", "--feedback", "--from", "Priya N", "Great review")
    kudos = next(e for e in fresh(journal).entries() if e.kind)
    shown = brag("show", kudos.id).stdout
    assert "feedback" in shown and "Priya N" in shown


def test_an_answer_keeps_a_change_made_meanwhile(imported_journal):
    j = imported_journal
    today = D(2026, 6, 1)
    first, second, _ = inbox.collect(j, today)
    # Another command (a sync, an edit in another terminal) changes the entry.
    other = fresh(j)
    changed = other.get(first.id)
    changed.tags = ["payments"]
    other.update(changed)
    inbox.decide(j, first, "i", "checkout errors down 40%")
    saved = fresh(j).get(first.id)
    assert saved.tags == ["payments"] and saved.impact == "checkout errors down 40%"
    # An entry removed meanwhile: one clear line, nothing written.
    other.remove(other.get(second.id))
    head = git_log(j.root)
    with pytest.raises(BragError) as info:
        inbox.decide(j, second, "k")
    assert "is gone" in str(info.value)
    assert git_log(j.root) == head
    assert_clean(j.root)


def test_editing_an_inbox_item_in_the_editor_clears_it(walk_journal, brag, monkeypatch):
    item = next(i for i in json.loads(brag("inbox", "--json").stdout) if i["reason"] == "impact")
    monkeypatch.setenv("EDITOR", "sed -i s/Bump/Bumped/")
    target = next(
        i for i in json.loads(brag("inbox", "--json").stdout) if i["title"] == "Bump the linter"
    )
    brag("edit", target["id"])
    left = [i["id"] for i in json.loads(brag("inbox", "--json").stdout)]
    assert target["id"] not in left and item["id"] in left
    edited = fresh(walk_journal).get(target["id"])
    assert edited.title == "Bumped the linter" and edited.inbox_cleared is not None
    assert_clean(walk_journal.root)


def test_a_bad_inbox_setting_is_one_line_and_nothing_is_lost(brag, journal):
    brag("add", "Shipped the new checkout", "-d", "2026-01-05")
    config = journal.root / "brag.toml"
    config.write_text(config.read_text() + '\n[inbox]\nfollow_up_launches = "soon"\n')
    result = brag("inbox", expect=1)
    assert result.stderr.count("\n") == 1 and "follow_up_launches = 'soon'" in result.stderr
    assert "Traceback" not in result.stderr
    assert [e["title"] for e in json.loads(brag("list", "--json").stdout)] == [
        "Shipped the new checkout"
    ]
    config.write_text(config.read_text().replace('"soon"', '"30d"'))
    [item] = json.loads(brag("inbox", "--json").stdout)
    assert item["reason"] == "follow-up" and item["due"] == "2026-02-04"


def test_ctrl_c_at_a_prompt_quits_keeping_earlier_answers(walk_journal, brag):
    child = spawn("inbox")
    prompt(child)
    child.send("s")
    prompt(child)
    child.send("p")  # private: clears it
    prompt(child)
    child.send("i")
    child.expect("Impact")
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    assert "Cleared 1 item; 2 items left: brag inbox." in screen(child)
    child.close()
    assert "Traceback" not in screen(child)
    left = [i["title"] for i in json.loads(brag("inbox", "--json").stdout)]
    assert left == ["Shipped the new checkout", "Bump the linter", "Speed up the build"]
    private = next(e for e in fresh(walk_journal).entries() if e.source_id == "o/r#1")
    assert private.private and private.inbox_cleared is not None
    assert_clean(walk_journal.root)


def test_the_inbox_is_listed_even_when_the_journal_cannot_be_written(walk_journal, brag):
    git_dir = walk_journal.root / ".git"
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=walk_journal.root, capture_output=True, text=True
    ).stdout
    (git_dir / "MERGE_HEAD").write_text(head)  # git is in the middle of a merge
    result = brag("inbox", "--json")
    assert len(json.loads(result.stdout)) == 4
    assert "brag: warning:" in result.stderr and "merge" in result.stderr
    refused = brag("inbox", "done", json.loads(result.stdout)[0]["id"], expect=1)
    assert "merge" in refused.stderr and "Traceback" not in refused.stderr
    (git_dir / "MERGE_HEAD").unlink()
    assert len(json.loads(brag("inbox", "--json").stdout)) == 4


def test_due_today_in_kiritimati_is_not_yet_due_in_pago_pago(brag, journal):
    """Through the real command: 'today' is the machine's own local day (UTC+14 and
    UTC-11 are always on different dates)."""
    from zoneinfo import ZoneInfo

    east = dt.datetime.now(ZoneInfo("Pacific/Kiritimati")).date()
    brag("add", "Shipped the new checkout", "-d", "2026-01-01", "--follow-up", east.isoformat())

    def due_in(zone_name: str) -> list[str]:
        env = {**os.environ, "TZ": zone_name}
        out = subprocess.run(
            [str(BIN / "brag"), "inbox", "--json"], env=env, capture_output=True, text=True
        )
        assert out.returncode == 0, out.stderr
        return [i["due"] for i in json.loads(out.stdout)]

    assert due_in("Pacific/Kiritimati") == [east.isoformat()]
    assert due_in("Pacific/Pago_Pago") == []


def test_follow_up_later_from_the_walk(walk_journal, brag):
    today = inbox.local_today()
    child = spawn("inbox")
    prompt(child)
    child.send("s")
    prompt(child)
    child.send("f")
    child.expect("Ask for the result when")
    child.sendline("2026-01-01")  # before today: refused, same item
    shown = prompt(child)
    assert "is not after today" in shown or "before the entry's date" in shown
    child.send("f")
    child.expect("Ask for the result when")
    later = today + dt.timedelta(days=30)
    child.sendline(later.isoformat())
    shown = prompt(child)
    assert f"on {later.isoformat()}" in shown and "[3/4]" in shown
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    entry = next(e for e in fresh(walk_journal).entries() if e.source_id == "o/r#1")
    assert entry.follow_up == later and entry.inbox_cleared == today
    ids = [i["id"] for i in json.loads(brag("inbox", "--json").stdout)]
    assert entry.id not in ids
    # When the day comes it is back, asking for the result.
    [item] = [i for i in inbox.collect(fresh(walk_journal), later) if i.id == entry.id]
    assert item.reason == "follow-up"


def test_the_coach_counts_a_measured_outcome_as_a_number(brag, journal):
    brag("add", "Shipped the new checkout", "-d", "2026-03-01", "--follow-up", "30d")
    before = json.loads(brag("coach", "--period", "2026", "--json").stdout)
    assert before["stats"]["quantified"] == 0
    item = inbox.collect(journal, D(2026, 4, 2))[0]
    inbox.decide(journal, item, "o", "conversion: 3.1% -> 3.4%", today=D(2026, 4, 2))
    after = json.loads(brag("coach", "--period", "2026", "--json").stdout)
    assert after["stats"]["quantified"] == 1
    assert not [f for f in after["findings"] if f["kind"] == "quantify" and f["entry_id"]]


def test_a_quote_links_only_to_a_safe_address():
    good = inbox.feedback_entry("Great", "Ana", date=D(2026, 5, 1), url="https://k/1")
    bad = inbox.feedback_entry("Also great", "Bo", date=D(2026, 5, 2), url="javascript:alert(1)")
    assert [q["url"] for q in inbox.quotes([good, bad])] == ["", "https://k/1"]


@pytest.fixture
def with_feedback(brag, journal):
    brag(
        "add",
        "Cut checkout p99 from 800ms to 200ms",
        "-d",
        "2026-03-03",
        "-i",
        "cart abandonment down 3%",
    )
    brag("add", "Mentored two new hires", "-d", "2026-03-04", "--area", "people")
    brag(
        "add",
        "--feedback",
        "--from",
        "Priya N",
        "Your design review saved us a quarter",
        "-d",
        "2026-03-05",
        "--url",
        "https://kudos.example/1",
    )
    brag(
        "add",
        "--feedback",
        "--from",
        "Bo",
        "Calmest incident lead I have seen",
        "-d",
        "2026-03-06",
        "--private",
    )
    return journal  # fmt: skip


QUOTING = [
    (kind, extra, fmt)
    for kind, extra, formats in [
        ("self-review", [], ("md", "html", "json")),
        ("promo-brief", ["--target", "staff"], ("md", "html", "json")),
        ("one-on-one", ["--no-remember"], ("md", "txt", "html", "json")),
    ]
    for fmt in formats
]


@pytest.mark.parametrize(("kind", "extra", "fmt"), QUOTING)
def test_feedback_is_quoted_private_only_when_included(with_feedback, brag, kind, extra, fmt):
    base = ["export", kind, "--period", "2026-03", "--format", fmt, *extra]
    if fmt == "json" and "--no-remember" in base:
        base.remove("--no-remember")  # a JSON agenda is never remembered
    text = brag(*base).stdout
    # Quoted once, attributed and linked; not listed again as work.
    assert text.count("Your design review saved us a quarter") == 1
    assert "Calmest incident lead" not in text
    private = brag(*base, "--include-private").stdout
    assert private.count("Calmest incident lead I have seen") == 1
    if fmt == "json":
        quotes = json.loads(text)["others_say"]
        assert quotes == [
            {"id": quotes[0]["id"], "quote": "Your design review saved us a quarter",
             "from": "Priya N", "date": "2026-03-05", "url": "https://kudos.example/1",
             "path": quotes[0]["path"]}
        ]  # fmt: skip
        assert len(json.loads(private)["others_say"]) == 2
    elif fmt == "md":
        assert "## What others say" in text
        assert (
            '- "Your design review saved us a quarter" (Priya N, 2026-03-05) '
            "([source](https://kudos.example/1))" in text
        )
    elif fmt == "txt":
        assert "WHAT OTHERS SAY" in text
        assert "(Priya N, 2026-03-05) <https://kudos.example/1>" in text
    else:
        assert "<h2>What others say</h2>" in text
        assert "(Priya N, 2026-03-05)" in text and 'href="https://kudos.example/1"' in text


@pytest.mark.parametrize("fmt", ["md", "txt", "html", "json"])
def test_a_status_update_lists_results_not_feedback(with_feedback, brag, fmt):
    text = brag("export", "status", "--period", "2026-03", "--format", fmt, "--include-private")
    assert "Cut checkout p99" in text.stdout or "cart abandonment" in text.stdout.lower()
    assert "design review saved us" not in text.stdout
    assert "Calmest incident lead" not in text.stdout


def test_no_feedback_no_section(brag, journal):
    brag("add", "Cut checkout p99 from 800ms to 200ms", "-d", "2026-03-03")
    text = brag("export", "self-review", "--period", "2026-03").stdout
    assert "What others say" not in text
    assert "others_say" not in json.loads(
        brag("export", "self-review", "--period", "2026-03", "--format", "json").stdout
    )


def test_outcomes_landing_in_a_period_come_from_the_index_exactly(journal):
    """The index finds the entries whose outcome lands in a period, hand-written
    files and private entries included, exactly as reading every earlier entry
    would: the same entries, in the same order, for every period."""
    folder = journal.root / "entries" / "2026" / "01"
    folder.mkdir(parents=True)
    for n, (day, measured, private) in enumerate(
        [(5, "2026-02-10", "false"), (7, "2026-03-31", "true"), (9, "2026-04-01", "false")]
    ):
        (folder / f"2026-01-0{day}-launch-{n}.md").write_text(
            f'+++\nid = "hand{n}"\ndate = 2026-01-0{day}\ntitle = "Launch {n}"\n'
            f"private = {private}\n\n[outcome]\ndate = {measured}\n"
            f'text = "signups up {n + 2}%"\n+++\n'
        )
    journal.add(Entry(title="Never measured", date=D(2026, 1, 6)))

    def every_entry(since: D, until: D | None, include_private: bool) -> list[str]:
        before = (since - dt.timedelta(days=1)).isoformat()
        return [
            e.id
            for e in fresh(journal).entries(until=before, include_private=include_private)
            if e.outcome
            and since <= e.outcome["date"]
            and (until is None or e.outcome["date"] <= until)
        ]

    periods = [(D(2026, 2, 1), D(2026, 3, 31)), (D(2026, 2, 1), None), (D(2026, 4, 1), None)]
    for since, until in periods:
        for include_private in (True, False):
            landed = inbox.outcomes_landed(
                fresh(journal), since, until, include_private=include_private
            )
            assert [e.id for e in landed] == every_entry(since, until, include_private)
    q1 = inbox.outcomes_landed(fresh(journal), D(2026, 2, 1), D(2026, 3, 31), include_private=True)
    assert [e.id for e in q1] == ["hand1", "hand0"]
    assert [e.date for e in q1] == [D(2026, 3, 31), D(2026, 2, 10)]  # dated by the outcome
    public = inbox.outcomes_landed(fresh(journal), D(2026, 2, 1), None, include_private=False)
    assert [e.id for e in public] == ["hand2", "hand0"]
