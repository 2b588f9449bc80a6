"""A big document's template is made ready by a helper process while the document
is built; what it writes is exactly what rendering here writes, and any failure
of the helper leaves the export as it would have been without it."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from test_bench_gen import gen

import brag
from brag import exporting, manager, render
from brag.errors import ExportError
from brag.journal import Journal

KINDS = [
    ("self-review", "md", {}),
    ("self-review", "html", {}),
    ("promo-brief", "md", {"target": "staff"}),
]


@pytest.fixture
def helpers(monkeypatch: pytest.MonkeyPatch) -> list[render.Beside]:
    """Every helper started, with a helper for any document (not only big ones)."""
    started: list[render.Beside] = []
    real = render.beside

    def spy(name: str, root: Path | None) -> render.Beside | None:
        found = real(name, root)
        assert found is not None, "no helper started"
        started.append(found)
        return found

    monkeypatch.setattr(render, "BESIDE_MIN", 1)
    monkeypatch.setattr(render, "beside", spy)
    return started


def _export(journal: Journal, kind: str, fmt: str, options: dict[str, str]) -> str:
    # Built each time: a kept document would hide how it was rendered.
    shutil.rmtree(journal.root / ".git" / "brag" / "documents", ignore_errors=True)
    return exporting.run_export(
        journal, kind, since=dt.date(2000, 1, 1), format=fmt, options=options
    ).text


def _reaped(helper: render.Beside) -> None:
    assert helper.pid == 0 and helper.to_helper == -1 and helper.from_helper == -1


@pytest.mark.parametrize(("kind", "fmt", "options"), KINDS)
def test_helper_writes_what_rendering_here_writes(
    journal_dir: Path, monkeypatch: pytest.MonkeyPatch, kind: str, fmt: str, options: dict
) -> None:
    gen.build_journal(journal_dir, 40)
    journal = Journal(journal_dir)
    monkeypatch.setattr(render, "BESIDE_MIN", 10**9)
    here = _export(journal, kind, fmt, options)

    answers: list[str | None] = []
    real = render.Beside.render

    def spy(self: render.Beside, context: dict) -> str | None:
        answers.append(real(self, context))
        return answers[-1]

    monkeypatch.setattr(render.Beside, "render", spy)
    monkeypatch.setattr(render, "BESIDE_MIN", 1)
    assert _export(journal, kind, fmt, options) == here
    assert answers == [here], "the helper did not write the document"


def test_small_documents_are_rendered_here(journal_dir: Path, monkeypatch) -> None:
    gen.build_journal(journal_dir, 20)
    started = []
    monkeypatch.setattr(render, "beside", lambda *a: started.append(a))
    _export(Journal(journal_dir), "self-review", "md", {})
    assert started == []


def test_template_error_is_named_as_without_helper(journal_dir: Path, helpers) -> None:
    gen.build_journal(journal_dir, 20)
    journal = Journal(journal_dir)
    (journal.root / "templates").mkdir()
    (journal.root / "templates" / "self-review.md.j2").write_text("line one\n{% if %}\n")
    with pytest.raises(ExportError, match=r"self-review\.md\.j2:2"):
        _export(journal, "self-review", "md", {})
    assert len(helpers) == 1
    _reaped(helpers[0])


def test_helper_that_dies_leaves_the_document_whole(
    journal_dir: Path, monkeypatch: pytest.MonkeyPatch, helpers
) -> None:
    gen.build_journal(journal_dir, 30)
    journal = Journal(journal_dir)
    monkeypatch.setattr(render, "BESIDE_MIN", 10**9)
    here = _export(journal, "self-review", "md", {})
    monkeypatch.setattr(render, "BESIDE_MIN", 1)
    monkeypatch.setattr(render, "_SERVE", "import os; os._exit(3)")
    assert _export(journal, "self-review", "md", {}) == here
    _reaped(helpers[0])


def test_failed_build_stops_the_helper(
    journal_dir: Path, monkeypatch: pytest.MonkeyPatch, helpers
) -> None:
    gen.build_journal(journal_dir, 20)
    journal = Journal(journal_dir)

    def broken(ctx: exporting.ExportContext) -> dict:
        raise RuntimeError("the build broke")

    exporter = exporting.find_exporter("self-review")
    monkeypatch.setattr(exporter, "build", broken)
    monkeypatch.setattr(exporting, "_cacheable", lambda e: True)
    with pytest.raises(Exception, match="the build broke"):
        _export(journal, exporter, "md", {})
    assert len(helpers) == 1
    _reaped(helpers[0])


def test_helper_is_reaped(helpers, journal_dir: Path) -> None:
    """No helper outlives its export, even one whose data it never got."""
    helper = render.beside("self-review.md.j2", None)
    assert helper is not None
    pid = helper.pid
    helper.close()
    _reaped(helper)
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


class _Shout:
    @brag.hookimpl
    def prepare_jinja2_environment(self, env):
        env.filters["shout"] = lambda s: s.upper() + "!"


def test_no_helper_where_a_plugin_prepares_the_environment(journal) -> None:
    """The helper loads no plugin: a plugin's filter exists only here."""
    helper = render.beside("self-review.md.j2", journal.root)
    assert helper is not None
    helper.close()
    manager.get_plugin_manager().register(_Shout(), name="shout")
    assert render.beside("self-review.md.j2", journal.root) is None


def test_helper_finds_plugins_template_folders(
    journal, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "plugin-templates"
    folder.mkdir()
    (folder / "plugin-doc.md.j2").write_text("Hello {{ name | md_escape }} <b>\n")
    monkeypatch.setattr(render, "plugin_template_dirs", lambda: [("doc", folder)])
    helper = render.beside("plugin-doc.md.j2", journal.root)
    assert helper is not None
    assert helper.render({"name": "Ada"}) == render.render(
        "plugin-doc.md.j2", {"name": "Ada"}, journal.root
    )
    _reaped(helper)
