"""Compiled templates are kept in the user's cache folder and reused only while
the template, its file and the environment are the same."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import jinja2
import pytest
from platformdirs import user_cache_dir

import brag
from brag import manager
from brag.errors import ExportError
from brag.render import environment, render


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the templates Jinja compiles from source."""
    seen: list[str] = []
    real = jinja2.Environment.compile

    def counting(self, source, name=None, filename=None, raw=False, defer_init=False):
        seen.append(name)
        return real(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    return seen


def _cache() -> Path:
    return Path(user_cache_dir("brag")) / "jinja"


def _templates(journal) -> Path:
    folder = journal.root / "templates"
    folder.mkdir(exist_ok=True)
    return folder


def test_second_render_uses_cached_code_and_gives_same_output(journal, compiles):
    (_templates(journal) / "note.md.j2").write_text("{% for w in words %}- {{ w }}\n{% endfor %}")
    context = {"words": ["ship", "<b>it</b>"]}
    first = render("note.md.j2", context, journal.root)
    assert compiles == ["note.md.j2"]
    assert len(list(_cache().glob("*.cache"))) == 1
    assert not any(p.suffix == ".cache" for p in journal.root.rglob("*"))
    second = render("note.md.j2", context, journal.root)
    assert compiles == ["note.md.j2"]  # not compiled again
    assert second == first == "- ship\n- &lt;b>it&lt;/b>\n"


def test_builtin_export_is_identical_from_cache(journal, brag, compiles, monkeypatch):
    from brag import render as render_module

    export = ("export", "self-review", "--period", "2026H1", "-o", "-")
    brag("add", "Cut p99 latency by 40% for checkout", "--date", "2026-03-02")
    assert "Cut p99 latency" in brag(*export).stdout
    compiled = len(compiles)
    assert compiled >= 1
    brag("add", "Mentored two new engineers", "--date", "2026-04-10")
    cached = brag(*export).stdout
    assert "Mentored two new engineers" in cached
    assert len(compiles) == compiled  # rendered again, from cached code
    # The same document compiled from source, with no cache (and no kept document).
    monkeypatch.setattr(render_module, "_bytecode_cache", lambda journal_root: None)
    monkeypatch.setenv("BRAG_TEST_FRESH_DOCUMENT", "1")
    assert brag(*export).stdout == cached
    assert len(compiles) == 2 * compiled


def test_edited_template_is_compiled_again(journal, compiles):
    path = _templates(journal) / "note.md.j2"
    path.write_text("old {{ word }}\n")
    assert render("note.md.j2", {"word": "x"}, journal.root) == "old x\n"
    stamp = path.stat().st_mtime_ns
    path.write_text("new {{ word }}\n")
    os.utime(path, ns=(stamp, stamp))  # same size and time: only the text differs
    assert render("note.md.j2", {"word": "x"}, journal.root) == "new x\n"
    assert compiles == ["note.md.j2", "note.md.j2"]


def test_override_of_a_builtin_is_not_served_the_builtin_code(journal, compiles):
    import brag.templates

    folder = Path(brag.templates.__file__).parent
    builtin = folder / "zz-cache-test.md.j2"
    builtin.write_text("built-in {{ word }}\n")
    try:
        assert render(builtin.name, {"word": "x"}, journal.root) == "built-in x\n"
        (_templates(journal) / builtin.name).write_text("built-in {{ word }}\n")
        # Same name and same text, another file: cached apart, both correct.
        assert render(builtin.name, {"word": "x"}, journal.root) == "built-in x\n"
        (_templates(journal) / builtin.name).write_text("mine {{ word }}\n")
        assert render(builtin.name, {"word": "x"}, journal.root) == "mine x\n"
    finally:
        builtin.unlink()


def test_unwritable_cache_folder_still_renders(journal, compiles):
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # root writes anywhere; make the folder a file instead, which nobody can write into
        _cache().parent.mkdir(parents=True, exist_ok=True)
        _cache().write_text("not a folder")
    else:
        _cache().mkdir(parents=True)
        _cache().chmod(0o500)
    (_templates(journal) / "note.md.j2").write_text("hi {{ word }}\n")
    assert render("note.md.j2", {"word": "x"}, journal.root) == "hi x\n"
    assert render("note.md.j2", {"word": "x"}, journal.root) == "hi x\n"
    assert compiles == ["note.md.j2", "note.md.j2"]
    assert environment(journal.root).bytecode_cache is None


def test_folder_others_may_write_into_is_not_used(journal, compiles):
    _cache().mkdir(parents=True)
    _cache().chmod(0o777)
    assert environment(journal.root).bytecode_cache is None
    _cache().chmod(0o700)
    assert environment(journal.root).bytecode_cache is not None


def test_cache_folder_inside_the_journal_is_not_used(journal, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(journal.root / ".cache"))
    assert environment(journal.root).bytecode_cache is None
    (_templates(journal) / "note.md.j2").write_text("hi\n")
    assert render("note.md.j2", {}, journal.root) == "hi\n"
    assert not (journal.root / ".cache").exists()


def test_damaged_cache_file_is_compiled_again(journal, compiles):
    (_templates(journal) / "note.md.j2").write_text("hi {{ word }}\n")
    render("note.md.j2", {"word": "x"}, journal.root)
    [cached] = _cache().glob("*.cache")
    cached.write_bytes(cached.read_bytes()[:20])
    assert render("note.md.j2", {"word": "x"}, journal.root) == "hi x\n"
    assert len(compiles) == 2


def test_sandbox_holds_for_cached_templates(journal, compiles):
    (_templates(journal) / "evil.md.j2").write_text(
        "ok\n{{ ''.__class__.__mro__[1].__subclasses__() }}\n"
    )
    for _ in range(2):
        with pytest.raises(ExportError, match=r"evil\.md\.j2:2: .*unsafe"):
            render("evil.md.j2", {}, journal.root)
    (_templates(journal) / "mutate.md.j2").write_text("{{ items.append(1) }}\n")
    for _ in range(2):
        with pytest.raises(ExportError, match=r"mutate\.md\.j2:1: .*unsafe"):
            render("mutate.md.j2", {"items": []}, journal.root)
    assert compiles == ["evil.md.j2", "mutate.md.j2"]  # the second runs came from the cache


def test_code_compiled_without_sandbox_is_never_loaded(journal, compiles):
    """Same name, file and text but another environment: its own cache entry."""
    path = _templates(journal) / "call.md.j2"
    path.write_text("{{ items.append(1) }}\n")
    plain = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(path.parent)),
        bytecode_cache=environment(journal.root).bytecode_cache,
    )
    assert plain.get_template("call.md.j2").render(items=[]) == "None"
    with pytest.raises(ExportError, match="unsafe"):
        render("call.md.j2", {"items": []}, journal.root)
    assert compiles == ["call.md.j2", "call.md.j2"]


class PassContextFilter:
    @brag.hookimpl
    def prepare_jinja2_environment(self, env):
        env.filters["where"] = jinja2.pass_context(lambda ctx, s: f"{s}@{ctx.name}")


def test_a_plugin_changing_the_environment_gets_fresh_code(journal, compiles):
    (_templates(journal) / "f.md.j2").write_text("{% if 0 %}{{ 'x' | where }}{% endif %}ok\n")
    assert render("f.md.j2", {}, journal.root) == "ok\n"
    manager.get_plugin_manager().register(PassContextFilter(), name="where-filter")
    (_templates(journal) / "g.md.j2").write_text("{{ 'x' | where }}\n")
    assert render("g.md.j2", {}, journal.root) == "x@g.md.j2\n"
    assert render("f.md.j2", {}, journal.root) == "ok\n"
    assert compiles == ["f.md.j2", "g.md.j2", "f.md.j2"]


def test_cache_folder_is_private(journal):
    (_templates(journal) / "note.md.j2").write_text("hi\n")
    render("note.md.j2", {}, journal.root)
    assert stat.S_IMODE(_cache().stat().st_mode) == 0o700
