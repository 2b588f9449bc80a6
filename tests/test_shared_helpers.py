"""The small shared helpers: safe links, terminal-safe text, duplicates, machine settings."""

from __future__ import annotations

import datetime as dt

import pytest

from brag import duplicates, machine
from brag.entry import Entry
from brag.links import safe_href
from brag.text import shorten, strip_control


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "\x01javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "//evil.example/x",
        "/\\evil.example/x",
        "javascript&#58;alert(1)",
        "javascript&colon;alert(1)",
        "file:///etc/passwd",
        "",
        "   ",
    ],
)
def test_unsafe_links_are_refused(url: str) -> None:
    assert safe_href(url) is None


@pytest.mark.parametrize(
    "url",
    ["https://github.com/o/r/pull/1", "HTTP://example.com/a?b=c#d", "entries/2026/x.md", "#top"],
)
def test_web_and_relative_links_pass(url: str) -> None:
    assert safe_href(url) == url


def test_strip_control_removes_escape_sequences_and_keeps_words() -> None:
    raw = "Fix \x1b[31mred\x1b[0m \x1b]0;pwned\x07title\x00 done\x9b2J\nnext\tline"
    assert strip_control(raw) == "Fix red title done\nnext\tline"
    assert strip_control("a\nb\r\nc", keep_newlines=False) == "a b c"


def test_shorten_cuts_at_a_word_boundary() -> None:
    assert shorten("Cut checkout p99 from 800ms to 200ms", 20) == "Cut checkout p99…"
    assert shorten("short", 20) == "short"
    assert len(shorten("a" * 100, 20)) <= 20


def _entry(title: str, day: int, **kw: object) -> Entry:
    return Entry(title=title, date=dt.date(2026, 3, day), **kw)  # type: ignore[arg-type]


def test_same_title_within_two_weeks_is_one_story() -> None:
    a = _entry("Cut checkout p99 from 800ms to 200ms", 1)
    b = _entry("cut checkout p99 from 800ms to 200ms!", 10)
    c = _entry("Cut checkout p99 from 800ms to 200ms", 1)
    c.date = dt.date(2026, 4, 20)
    assert duplicates.same_story(a, b)
    assert not duplicates.same_story(a, c)
    assert [e.id for e in duplicates.collapse([a, b, c])] == [b.id, c.id]


def test_same_metric_values_are_one_story_and_force_keeps_both() -> None:
    m = [{"name": "p99", "before": 800, "after": 200, "value": 200, "unit": "ms"}]
    a = _entry("Checkout faster", 1, metrics=m)
    b = _entry("Made checkout quick", 3, metrics=m)
    assert duplicates.find_match(b, [a]) is a
    b.extra[duplicates.DISTINCT_FIELD] = [a.id]
    assert duplicates.find_match(b, [a]) is None
    assert duplicates.groups([a, b]) == []


def test_groups_chain_and_order() -> None:
    a, b, c = _entry("Ship X", 1), _entry("ship x", 5), _entry("Ship  X.", 12)
    d = _entry("Other", 2)
    assert duplicates.groups([c, d, a, b]) == [[a, b, c]]


def test_machine_settings_round_trip(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("BRAG_CONFIG_DIR", str(tmp_path / "cfg"))
    assert machine.load() == {}
    assert machine.set_value("journal", "/j") is True
    assert machine.set_value("journal", "/j") is False
    assert machine.add_to_list("approved_hosts", "ghe.example.com") is True
    assert machine.add_to_list("approved_hosts", "ghe.example.com") is False
    assert machine.get("approved_hosts") == ["ghe.example.com"]
    assert machine.unset("journal") is True
    assert machine.unset("journal") is False
    assert machine.get("journal") is None
    assert machine.path().parent == tmp_path / "cfg"


def test_broken_machine_file_is_one_clear_error(tmp_path, monkeypatch) -> None:
    from brag.errors import BragError

    monkeypatch.setenv("BRAG_CONFIG_DIR", str(tmp_path))
    (tmp_path / "machine.toml").write_text("x = [", encoding="utf-8")
    with pytest.raises(BragError, match="machine.toml: invalid TOML"):
        machine.load()
