"""``brag export KIND --rewrite``: a language model rewords brag's document, and
brag keeps the draft only when every claim traces to the evidence.

The models are fakes registered through llm's own plugin hook
(``register_models``), so the real llm library resolves and calls them; nothing
touches the network.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shlex
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import fixtures_journal as fx
import llm
import pexpect
import pytest

from brag import machine
from brag.entry import Entry
from brag.errors import BragError
from brag.journal import Journal
from brag.rewrite import (
    Redactor,
    RewriteRequest,
    RewriteUnavailable,
    export_rewritten,
    mark,
    verify,
)

DOC = re.compile(r"<document>\n(.*?)\n</document>", re.S)
#: Every prompt a fake model received: (model id, system prompt, prompt).
CALLS: list[tuple[str, str, str]] = []
RELEASE = threading.Event()


def _document(prompt: str) -> str:
    found = DOC.search(prompt)
    assert found, prompt
    return found.group(1) + "\n"


def faithful(prompt: str) -> str:
    """Better headings, the same facts and links (placeholders kept)."""
    return (
        _document(prompt)
        .replace("## Top impact", "## What my work delivered")
        .replace("## Scope and partners", "## Who I worked with")
    )


def inventor(prompt: str) -> str:
    """Adds a figure nobody wrote."""
    text = faithful(prompt)
    return text.replace(
        "## What my work delivered", "## What my work delivered\n\nOverall this cut costs by 47%.\n"
    )


def link_dropper(prompt: str) -> str:
    """Loses the first evidence link."""
    return re.sub(r" \(\[evidence\]\([^)]*\)\)", "", faithful(prompt), count=1)


def sleeper(prompt: str) -> str:
    RELEASE.wait(10)
    return faithful(prompt)


SCRIPT: dict[str, Callable[[str], str]] = {"answer": faithful}


class FakeModel(llm.Model):
    def __init__(self, model_id: str, answer: Callable[[str], str]) -> None:
        self.model_id = model_id
        self.answer = answer

    def execute(self, prompt, stream, response, conversation):
        CALLS.append((self.model_id, prompt.system or "", prompt.prompt))
        answer = SCRIPT["answer"] if self.answer is None else self.answer
        yield answer(prompt.prompt)


class KeyedModel(llm.KeyModel):
    model_id = "fake-keyed"
    needs_key = "fakekey"
    key_env_var = "FAKE_MODEL_KEY"

    def execute(self, prompt, stream, response, conversation, key):
        CALLS.append((self.model_id, prompt.system or "", prompt.prompt))
        yield faithful(prompt.prompt)


class FakeModels:
    @llm.hookimpl
    def register_models(self, register):
        register(FakeModel("fake-faithful", faithful), aliases=("faithful",))
        register(FakeModel("fake-inventor", inventor))
        register(FakeModel("fake-linkdrop", link_dropper))
        register(FakeModel("fake-slow", sleeper))
        register(FakeModel("fake-scripted", None))
        register(KeyedModel())


MODELS = ["fake-faithful", "fake-inventor", "fake-linkdrop", "fake-slow", "fake-scripted"]


@pytest.fixture(autouse=True)
def fake_models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # Only the fakes: no llm plugin installed on this machine is loaded or asked.
    monkeypatch.setattr(llm.plugins, "LLM_LOAD_PLUGINS", "")
    monkeypatch.setenv("LLM_LOAD_PLUGINS", "")
    monkeypatch.setenv("LLM_USER_PATH", str(tmp_path / "llm"))
    monkeypatch.setenv("BRAG_CONFIG_DIR", str(tmp_path / "machine"))
    monkeypatch.delenv("FAKE_MODEL_KEY", raising=False)
    plugin = FakeModels()
    llm.plugins.pm.register(plugin, name="brag-test-models")
    CALLS.clear()
    RELEASE.clear()
    SCRIPT["answer"] = faithful
    yield
    RELEASE.set()
    llm.plugins.pm.unregister(name="brag-test-models")


@pytest.fixture
def book(journal_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Journal:
    monkeypatch.setenv("BRAG_TODAY", fx.TODAY.isoformat())
    return fx.build(journal_dir)


@pytest.fixture
def consented() -> None:
    for model in [*MODELS, "fake-keyed"]:
        machine.add_to_list("llm.models", model)


def own_document(brag) -> str:
    return brag("export", "promo-brief").stdout


# -- acceptance ---------------------------------------------------------------------


def test_a_faithful_rewrite_is_printed_after_one_call(brag, book, consented):
    original = own_document(brag)
    result = brag("export", "promo-brief", "--rewrite", "--model", "fake-faithful")
    assert "## What my work delivered" in result.stdout
    assert result.stdout == faithful(f"<document>\n{original.strip()}\n</document>")
    assert "every claim traces to the evidence" in result.stderr
    assert len(CALLS) == 1  # one call per document, not per entry


def test_the_model_gets_the_writing_rules_the_document_and_the_evidence(brag, book, consented):
    brag("export", "promo-brief", "--rewrite", "--model", "fake-faithful", "--audience", "cfo")
    ((_, system, prompt),) = CALLS
    assert "Conclusion first" in system and "Keep every link" in system
    assert "Finance: cost reduction and revenue" in system  # the reader's lens
    assert "use plain words" in system  # a CFO is not a technical reader
    assert "<document>" in prompt and "<evidence>" in prompt
    assert "link: https://git.example.com/auth/pull/512" in prompt


def test_plain_words_from_the_glossary_may_explain_a_term(brag, book, consented):
    def explain(prompt: str) -> str:
        return _document(prompt).replace(
            "Reduced p99 latency of the search API",
            "Reduced p99 latency (slowest-1% response time) of the search API",
        )

    SCRIPT["answer"] = explain
    result = brag("export", "self-review", "--period", "2026H1", "--model", "fake-scripted")
    ((_, _, prompt),) = CALLS
    assert "Plain words for its technical terms:\n" in prompt
    assert "- p99 latency: slowest-1% response time\n" in prompt
    assert "p99 latency (slowest-1% response time) of the search API" in result.stdout
    # The same explanation with a figure of the model's own is not let through.
    SCRIPT["answer"] = lambda p: explain(p).replace(
        "(slowest-1% response time)", "(the slowest 7.3% of requests)"
    )
    result = brag("export", "self-review", "--period", "2026H1", "--model", "fake-scripted")
    assert "[[unsupported: 7.3%]]" in result.stderr


def test_only_the_plain_words_sent_may_add_a_figure():
    entry = Entry(title="Cut p99 latency of checkout from 800ms to 200ms", date=dt.date(2026, 3, 1))
    original = "- Cut p99 latency of checkout from 800ms to 200ms\n"
    draft = "- Checkout's p99 latency (the slowest 1% of requests) fell from 800ms to 200ms\n"
    assert not verify(draft, [entry], original).ok
    assert verify(draft, [entry], original, extra=["p99 latency: the slowest 1% of requests"]).ok


def test_an_alias_resolves_and_the_rewrite_can_go_to_a_file(brag, book, consented, tmp_path):
    out = tmp_path / "brief.md"
    result = brag("export", "promo-brief", "--rewrite", "--model", "faithful", "-o", str(out))
    assert result.stdout == ""
    assert "## What my work delivered" in out.read_text()
    assert f"Wrote {out}" in result.stderr


def test_the_model_comes_from_brag_toml(brag, book, consented):
    with book.config_path.open("a") as fh:
        fh.write('\n[llm]\nmodel = "fake-faithful"\n')
    assert "## What my work delivered" in brag("export", "promo-brief", "--rewrite").stdout


def test_diff_shows_the_rewrite_against_brags_document(brag, book, consented):
    result = brag("export", "promo-brief", "--rewrite", "--model", "fake-faithful", "--diff")
    assert result.stdout.startswith("--- brag/promo-brief\n+++ rewrite/promo-brief\n")
    assert "-## Top impact\n+## What my work delivered\n" in result.stdout


def test_diff_with_output_writes_the_chosen_document(brag, book, consented, tmp_path):
    original = own_document(brag)
    out = tmp_path / "brief.md"
    args = ("export", "promo-brief", "--diff", "-o", str(out), "--model")
    result = brag(*args, "fake-faithful")
    assert "+## What my work delivered" in result.stdout
    assert out.read_text().startswith("# Promotion brief") and "What my work" in out.read_text()
    result = brag(*args, "fake-inventor")
    assert "+Overall this cut costs by 47%." in result.stdout
    assert out.read_text() == original


# -- rejection -----------------------------------------------------------------------


def test_an_invented_number_is_marked_and_brags_document_is_kept(brag, book, consented):
    original = own_document(brag)
    result = brag("export", "promo-brief", "--rewrite", "--model", "fake-inventor")
    assert result.stdout == original
    assert "kept brag's own document" in result.stderr
    assert "[[unsupported: 47%]]" in result.stderr
    assert "Overall this cut costs by [[unsupported: 47%]]." in result.stderr


def test_require_rewrite_makes_a_rejected_draft_exit_1(brag, book, consented):
    result = brag(
        "export", "promo-brief", "--model", "fake-inventor", "--require-rewrite", expect=1
    )
    assert "[[unsupported: 47%]]" in result.stderr


def test_accept_unverified_prints_the_draft_and_still_lists_the_spans(brag, book, consented):
    result = brag("export", "promo-brief", "--model", "fake-inventor", "--accept-unverified")
    assert "Overall this cut costs by 47%." in result.stdout
    assert "[[unsupported: 47%]]" in result.stderr


def test_a_dropped_evidence_link_rejects_the_draft(brag, book, consented):
    original = own_document(brag)
    result = brag("export", "promo-brief", "--rewrite", "--model", "fake-linkdrop")
    assert result.stdout == original
    assert "dropped evidence link: https://git.example.com/auth/pull/512" in result.stderr


def test_a_made_up_link_or_name_is_unsupported(brag, book, consented):
    def embellish(prompt: str) -> str:
        return faithful(prompt) + "\nPraised by Beatrix at https://evil.example.com/x.\n"

    SCRIPT["answer"] = embellish
    result = brag("export", "promo-brief", "--model", "fake-scripted")
    assert "[[unsupported: Beatrix]]" in result.stderr
    assert "a name no entry mentions" in result.stderr
    assert "[[unsupported: https://evil.example.com/x]]" in result.stderr


def test_verify_and_mark_on_their_own():
    entry = Entry(
        title="Cut checkout p99 from 800ms to 200ms",
        date=dt.date(2026, 3, 1),
        impact="cart abandonment down 3%",
        url="https://x.example.com/pull/1",
    )
    original = "- Cut checkout p99 from 800ms to 200ms ([evidence](https://x.example.com/pull/1))\n"
    good = "- Checkout is faster: p99 from 800ms to 200ms (https://x.example.com/pull/1)\n"
    assert verify(good, [entry], original).ok
    bad = "- Checkout saved $2M, p99 from 800ms to 200ms (https://x.example.com/pull/1)\n"
    verdict = verify(bad, [entry], original)
    assert [s.text for s in verdict.unsupported] == ["$2M"]
    assert mark(bad, verdict.unsupported).startswith("- Checkout saved [[unsupported: $2M]],")
    assert verify("- faster checkout\n", [entry], original).dropped_links == [entry.url]


def test_the_claims_trace_catches_numbers_money_levels():
    entry = Entry(
        title="Cut cloud costs",
        date=dt.date(2026, 3, 1),
        impact="Saved $18k/month, 35% of the bill",
    )
    original = "- Saved $18k/month, 35% of the bill\n"
    assert verify("- Saved $18k/month (35% of the bill)\n", [entry], original).ok
    draft = "- Saved $30k/month, 50% of the bill, staff-level impact\n"
    found = [s.text for s in verify(draft, [entry], original).unsupported]
    assert "$30k" in " ".join(found) and "50%" in " ".join(found)
    assert any("staff-level" in f for f in found)


# -- privacy -----------------------------------------------------------------------------


def test_private_entries_are_never_in_the_prompt(brag, book, consented):
    brag("export", "promo-brief", "--rewrite", "--model", "fake-faithful")
    ((_, system, prompt),) = CALLS
    assert fx.PRIVATE_TITLES
    for title in fx.PRIVATE_TITLES:
        assert title not in system + prompt


def test_rewrite_refuses_include_private_and_sends_nothing(brag, book, consented):
    result = brag(
        "export", "promo-brief", "--rewrite", "--model", "fake-faithful", "--include-private",
        expect=1,
    )  # fmt: skip
    assert "never sends private entries" in result.output
    assert "Traceback" not in result.output
    assert CALLS == []


def test_redacted_names_never_leave_and_come_back(brag, book, consented):
    original = own_document(brag)
    with book.config_path.open("a") as fh:
        fh.write('\n[llm]\nredact = ["Lena", "Sam Rivera", "payments"]\n')
    result = brag("export", "promo-brief", "--rewrite", "--model", "fake-faithful")
    ((_, system, prompt),) = CALLS
    sent = system + prompt
    for name in ("Lena", "Sam Rivera", "payments", "Payments"):
        assert name not in sent
    assert "REDACTED_1" in sent
    assert result.stdout == faithful(f"<document>\n{original.strip()}\n</document>")
    assert "Lena" in result.stdout and "Sam Rivera" in result.stdout


def test_redactor_round_trip_keeps_each_spelling():
    redactor = Redactor(["Acme", "Project Falcon"])
    text = "Acme and ACME liked project falcon; Acmeville is another word."
    hidden = redactor.redact(text)
    assert "Acme" not in hidden.replace("Acmeville", "") and "falcon" not in hidden
    assert "ACME" not in hidden
    assert redactor.restore(hidden) == text
    assert redactor.restore("REDACTED_9") == "REDACTED_9"


def test_show_prompt_prints_what_would_be_sent_and_sends_nothing(brag, book):
    with book.config_path.open("a") as fh:
        fh.write('\n[llm]\nredact = ["Lena"]\n')
    result = brag("export", "promo-brief", "--show-prompt", "--model", "fake-faithful")
    assert "--- system prompt:\n" in result.stdout and "--- prompt:\n" in result.stdout
    assert "<evidence>" in result.stdout and "Lena" not in result.stdout
    assert "(nothing was sent)" in result.stdout
    assert CALLS == []
    assert not machine.path().exists()  # no consent asked or recorded


def test_show_prompt_does_not_move_the_one_on_one_marker(brag, book):
    from brag.plugins.career_documents import STATE_ONE_ON_ONE

    before = book.read_state(STATE_ONE_ON_ONE)
    brag("export", "one-on-one", "--show-prompt")
    assert book.read_state(STATE_ONE_ON_ONE) == before
    brag("export", "one-on-one")
    assert book.read_state(STATE_ONE_ON_ONE) != before


# -- consent -----------------------------------------------------------------------------


def test_without_consent_nothing_is_sent_and_the_command_is_named(brag, book):
    original = own_document(brag)
    result = brag("export", "promo-brief", "--rewrite", "--model", "fake-faithful")
    assert CALLS == []
    assert result.stdout == original
    assert "brag config --machine llm.models fake-faithful" in result.stderr
    assert "--yes-send" in result.stderr
    machine.add_to_list("llm.models", "fake-inventor")  # the hint keeps models agreed to
    result = brag("export", "promo-brief", "--rewrite", "--model", "fake-faithful")
    assert 'brag config --machine llm.models "fake-inventor, fake-faithful"' in result.stderr
    hint = re.search(r"'(brag config [^']*)'", result.stderr).group(1)
    brag(*shlex.split(hint)[1:])
    assert machine.get("llm.models") == ["fake-inventor", "fake-faithful"]


def test_yes_send_agrees_and_is_remembered_on_this_machine(brag, book):
    brag("export", "promo-brief", "--model", "fake-faithful", "--yes-send")
    assert len(CALLS) == 1
    assert machine.get("llm.models") == ["fake-faithful"]
    assert "llm" not in book.config  # never in the synced brag.toml
    brag("export", "promo-brief", "--model", "fake-faithful")
    assert len(CALLS) == 2


def test_consent_given_under_an_alias_counts(brag, book):
    machine.add_to_list("llm.models", "faithful")
    assert (
        "## What my work delivered" in brag("export", "promo-brief", "--model", "faithful").stdout
    )


def test_the_wrapping_models_add_is_taken_off(brag, book, consented):
    SCRIPT["answer"] = lambda p: (
        "Here is the rewritten document:\n\n```markdown\n" + faithful(p) + "```"
    )
    result = brag("export", "promo-brief", "--model", "fake-scripted")
    assert result.stdout.startswith("# Promotion brief")
    assert "## What my work delivered" in result.stdout and "```" not in result.stdout


def test_an_interactive_answer_is_asked_once_per_model(book):
    asked: list[str] = []

    def no(question: str) -> bool:
        asked.append(question)
        return False

    request = RewriteRequest(enabled=True, model="fake-faithful")
    outcome = export_rewritten(book, "promo-brief", request, confirm=no)
    assert outcome.used == "brag" and CALLS == [] and len(asked) == 1
    assert "fake-faithful" in asked[0] and "Private entries are never sent" in asked[0]
    assert machine.get("llm.models") is None

    yes = lambda question: asked.append(question) or True  # noqa: E731
    assert export_rewritten(book, "promo-brief", request, confirm=yes).used == "rewrite"
    assert export_rewritten(book, "promo-brief", request, confirm=yes).used == "rewrite"
    assert len(asked) == 2  # remembered after the first yes
    assert machine.get("llm.models") == ["fake-faithful"]


# -- failures: one line, brag's document, exit 0 (1 with --require-rewrite) ----------------


def test_a_timeout_is_enforced_by_brag(brag, book, consented):
    original = own_document(brag)
    result = brag("export", "promo-brief", "--model", "fake-slow", "--timeout", "0.3")
    assert result.stdout == original
    assert "gave no answer within 0.3 seconds" in result.stderr
    result = brag(
        "export", "promo-brief", "--model", "fake-slow", "--timeout", "0.3", "--require-rewrite",
        expect=1,
    )  # fmt: skip
    assert result.stdout == original


def test_a_missing_key_is_found_before_consent_is_asked(brag, book):
    result = brag("export", "promo-brief", "--model", "fake-keyed", "--yes-send")
    assert "needs a key" in result.stderr and CALLS == []
    assert machine.get("llm.models") is None


def test_a_missing_key_is_one_line(brag, book, consented):
    original = own_document(brag)
    result = brag("export", "promo-brief", "--model", "fake-keyed")
    assert result.stdout == original
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert "needs a key" in lines[0] and "llm keys set fakekey" in lines[0]


def test_an_unknown_model_is_one_line(brag, book, consented):
    original = own_document(brag)
    result = brag("export", "promo-brief", "--model", "no-such-model")
    assert result.stdout == original
    assert "unknown model 'no-such-model'" in result.stderr
    brag("export", "promo-brief", "--model", "no-such-model", "--require-rewrite", expect=1)


def test_bad_llm_settings_and_formats_are_one_line(brag, book, consented):
    result = brag("export", "promo-brief", "--rewrite", "-f", "json", expect=1)
    assert "--rewrite works on md and txt documents, not json" in result.output
    with book.config_path.open("a") as fh:
        fh.write('\n[llm]\nredact = "Lena"\ntimeout = "soon"\n')
    result = brag("export", "promo-brief", "--rewrite", expect=1)
    assert "brag.toml" in result.output and "timeout" in result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert CALLS == []


def test_llm_settings_are_checked_whoever_reads_them():
    from brag.errors import ConfigError
    from brag.rewrite import settings

    assert settings({"llm": {"redact": "Acme", "timeout": 5}}).redact == ["Acme"]
    for bad, message in (
        ({"llm": "x"}, "[llm] in brag.toml must be a table"),
        ({"llm": {"redact": [1]}}, "[llm] redact in brag.toml must be a list of names"),
        ({"llm": {"model": ""}}, "[llm] model in brag.toml must be a model name"),
        ({"llm": {"timeout": 0}}, "[llm] timeout in brag.toml must be a number of seconds"),
    ):
        with pytest.raises(ConfigError, match=re.escape(message)):
            settings(bad)


# -- suggested impact for the inbox ------------------------------------------------------


def _pr() -> Entry:
    return Entry(
        title="Retry failed payouts in the payouts worker",
        date=dt.date(2026, 5, 1),
        body="Failed payouts are retried up to 3 times before paging on-call.",
        source="github",
        source_id="shop#77",
    )


def test_suggest_impact_returns_a_line_the_pr_supports(consented):
    from brag.plugins.rewrite import suggest_impact

    SCRIPT["answer"] = lambda _: "Fewer failed payouts: each is retried up to 3 times.\n"
    assert suggest_impact(_pr(), "fake-scripted") == (
        "Fewer failed payouts: each is retried up to 3 times."
    )
    ((_, system, prompt),) = CALLS
    assert "Retry failed payouts" in prompt and "one sentence" in system


def test_suggest_impact_rejects_an_invented_figure(consented):
    from brag.plugins.rewrite import suggest_impact

    SCRIPT["answer"] = lambda _: "Cut failed payouts by 80% with retries."
    assert suggest_impact(_pr(), "fake-scripted") is None


def test_suggest_impact_never_sends_a_private_entry(consented):
    from brag.plugins.rewrite import suggest_impact

    entry = _pr()
    entry.private = True
    with pytest.raises(RewriteUnavailable, match="private"):
        suggest_impact(entry, "fake-scripted")
    assert CALLS == []


def test_suggest_impact_redacts_and_needs_consent():
    from brag.plugins.rewrite import suggest_impact

    with pytest.raises(BragError, match="brag config --machine llm.models fake-scripted"):
        suggest_impact(_pr(), "fake-scripted")
    SCRIPT["answer"] = lambda prompt: "REDACTED_1 retries failed payouts up to 3 times."
    line = suggest_impact(_pr(), "fake-scripted", redact=["payouts worker"], yes=True)
    assert "payouts worker" not in CALLS[0][2]
    assert line == "payouts worker retries failed payouts up to 3 times."


def test_suggest_impact_reads_the_journals_llm_settings(book, consented):
    from brag.plugins.rewrite import suggest_impact
    from brag.rewrite import suggest_available

    assert not suggest_available(book.config)
    with book.config_path.open("a") as fh:
        fh.write('\n[llm]\nmodel = "fake-scripted"\nredact = ["payouts worker"]\n')
    book = Journal(book.root)
    assert suggest_available(book.config)
    SCRIPT["answer"] = lambda prompt: "REDACTED_1 retries failed payouts up to 3 times."
    assert suggest_impact(_pr(), journal=book) == (
        "payouts worker retries failed payouts up to 3 times."
    )
    assert CALLS[0][0] == "fake-scripted" and "payouts worker" not in CALLS[0][2]


# -- llm stays out of the way ---------------------------------------------------------------


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ)
    )


def _cli(args: list[str], *, hide_llm: bool = False) -> str:
    return (
        "import sys\n"
        + ("sys.modules['llm'] = None\n" if hide_llm else "")
        + "from brag.cli import cli\n"
        + "try:\n"
        + f"    cli.main({args!r}, prog_name='brag')\n"
        + "except SystemExit as exc:\n"
        + "    code = exc.code\n"
        + "else:\n"
        + "    code = 0\n"
        + "print('LLM-IMPORTED' if 'llm' in sys.modules and sys.modules['llm'] else 'NO-LLM',"
        + " file=sys.stderr)\n"
        + "sys.exit(code)\n"
    )


def test_help_and_plain_exports_never_import_llm(book):
    for args in (["--help"], ["export", "promo-brief"], ["export", "status", "--help"]):
        done = _run(_cli(args))
        assert done.returncode == 0, done.stderr
        assert done.stderr.strip().endswith("NO-LLM"), (args, done.stderr)


def test_without_the_extra_one_line_says_how_to_install_it(book):
    original = _run(_cli(["export", "promo-brief"])).stdout
    done = _run(_cli(["export", "promo-brief", "--rewrite"], hide_llm=True))
    assert done.returncode == 0
    assert done.stdout == original
    lines = [line for line in done.stderr.splitlines() if line.strip() and line != "NO-LLM"]
    assert lines == [
        "brag: rewrite skipped: rewriting needs the llm library: "
        "pip install 'brag-journal[llm]'; this is brag's own document"
    ]
    done = _run(_cli(["export", "promo-brief", "--require-rewrite"], hide_llm=True))
    assert done.returncode == 1
    assert done.stdout == original


def test_the_plugin_is_built_in_and_registered():
    from brag import manager

    assert "brag.plugins.rewrite" in manager.DEFAULT_PLUGINS
    names = [p["name"] for p in manager.plugins_info()]
    assert "brag.plugins.rewrite" in names


# -- the inbox's "suggest" key, through a real terminal ----------------------------------

FAKE_LLM_PLUGIN = """
import os

import llm


class Scripted(llm.Model):
    model_id = "fake-scripted"

    def execute(self, prompt, stream, response, conversation):
        with open(os.environ["BRAG_FAKE_SENT"], "a", encoding="utf-8") as fh:
            fh.write(prompt.prompt)
        yield os.environ["BRAG_FAKE_ANSWER"]


@llm.hookimpl
def register_models(register):
    register(Scripted())
"""


@pytest.fixture
def inbox_with_a_pr(journal: Journal, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Journal:
    """A journal with one imported pull request awaiting its impact, a model configured
    and consented to, and the fake model installed as an llm plugin distribution."""
    site = tmp_path / "site"
    (site / "brag_fake_llm-0.1.dist-info").mkdir(parents=True)
    (site / "brag_fake_llm.py").write_text(FAKE_LLM_PLUGIN)
    (site / "brag_fake_llm-0.1.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: brag-fake-llm\nVersion: 0.1\n"
    )
    (site / "brag_fake_llm-0.1.dist-info" / "entry_points.txt").write_text(
        "[llm]\nbrag_fake_llm = brag_fake_llm\n"
    )
    monkeypatch.setenv("PYTHONPATH", str(site))
    monkeypatch.setenv("LLM_LOAD_PLUGINS", "brag-fake-llm")
    monkeypatch.setenv("BRAG_FAKE_SENT", str(tmp_path / "sent.txt"))
    journal.import_entries("github", [_pr()])
    journal.config_set("llm.model", "fake-scripted")
    machine.add_to_list("llm.models", "fake-scripted")
    return Journal(journal.root)


def _walk_inbox() -> pexpect.spawn:
    return pexpect.spawn(
        str(Path(sys.executable).parent / "brag"),
        ["inbox"],
        encoding="utf-8",
        timeout=30,
        dimensions=(50, 200),
        env={**os.environ, "NO_COLOR": "1"},
    )


def test_inbox_suggest_key_proposes_a_verified_impact(inbox_with_a_pr, monkeypatch):
    monkeypatch.setenv("BRAG_FAKE_ANSWER", "Fewer failed payouts: each is retried up to 3 times.")
    child = _walk_inbox()
    child.expect("g suggest  q quit: ")
    child.send("g")
    child.expect(r"Impact \(Enter accepts the suggestion\) \[Fewer failed payouts")
    child.sendline("")
    child.expect("inbox done")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    (entry,) = Journal(inbox_with_a_pr.root).entries()
    assert entry.impact == "Fewer failed payouts: each is retried up to 3 times."
    assert "Retry failed payouts" in (Path(os.environ["BRAG_FAKE_SENT"])).read_text()


def test_inbox_suggest_key_hides_an_invented_figure(inbox_with_a_pr, monkeypatch):
    monkeypatch.setenv("BRAG_FAKE_ANSWER", "Cut failed payouts by 80% with retries.")
    child = _walk_inbox()
    child.expect("g suggest  q quit: ")
    child.send("g")
    child.expect("not shown")
    child.expect("q quit: ")
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    (entry,) = Journal(inbox_with_a_pr.root).entries()
    assert entry.impact == ""


def test_inbox_has_no_suggest_key_without_a_model(journal):
    journal.import_entries("github", [_pr()])
    child = _walk_inbox()
    child.expect("s skip  q quit: ")
    assert "g suggest" not in child.before
    child.send("g")
    child.expect("'g' is not a key here")
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()


def test_an_export_without_rewrite_does_not_load_the_rewrite_module(journal: Journal):
    """Every export parses the --rewrite options; the module with the prompts,
    redaction and verification loads only when a rewrite is asked for."""
    journal.add(Entry("Cut checkout p99 from 800ms to 200ms", dt.date(2026, 3, 2)))
    probe = (
        "import atexit, sys\n"
        "def report():\n"
        "    sys.stderr.write(f'rewrite={\"brag.rewrite\" in sys.modules}\\n')\n"
        "atexit.register(report)\n"
        "sys.argv = ['brag', *sys.argv[1:]]\n"
        "from brag.launch import main\n"
        "main()\n"
    )

    def loaded(*args: str) -> str:
        proc = subprocess.run(
            [sys.executable, "-c", probe, "--dir", str(journal.root), "export", *args],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        return proc.stderr.strip().splitlines()[-1]

    assert loaded("status") == "rewrite=False"
    assert loaded("status", "--show-prompt") == "rewrite=True"
