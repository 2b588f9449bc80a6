from __future__ import annotations

from pathlib import Path

import pytest

import brag
from brag import manager
from brag.errors import ExportError
from brag.render import environment, render, template_origin


@pytest.fixture
def builtin_template():
    """A throwaway template inside the installed brag.templates package."""
    import brag.templates

    folder = Path(brag.templates.__file__).parent
    path = folder / "zz-test-only.md.j2"
    path.write_text("Hello {{ name }}\n")
    yield path.name
    path.unlink()


def test_builtin_template_renders(builtin_template):
    assert render(builtin_template, {"name": "Ada"}) == "Hello Ada\n"


def test_journal_template_overrides_builtin(builtin_template, journal):
    (journal.root / "templates").mkdir()
    (journal.root / "templates" / builtin_template).write_text("Custom {{ name }}\n")
    assert render(builtin_template, {"name": "Ada"}, journal.root) == "Custom Ada\n"
    assert template_origin(builtin_template, journal.root).endswith(f"templates/{builtin_template}")


def test_template_errors_name_file_and_line(journal):
    folder = journal.root / "templates"
    folder.mkdir()
    (folder / "bad.md.j2").write_text("line one\n{% if %}\n")
    with pytest.raises(ExportError, match=r"bad\.md\.j2:2"):
        render("bad.md.j2", {}, journal.root)
    (folder / "undefined.md.j2").write_text("one\ntwo\n{{ missing.attr }}\n")
    with pytest.raises(ExportError, match=r"undefined\.md\.j2:3: 'missing' is undefined"):
        render("undefined.md.j2", {}, journal.root)


def test_html_templates_escape_entry_text(journal):
    folder = journal.root / "templates"
    folder.mkdir()
    (folder / "page.html.j2").write_text("<p>{{ title }}</p>")
    (folder / "page.md.j2").write_text("{{ title }}")
    evil = "<img src=x onerror=alert(1)>"
    assert render("page.html.j2", {"title": evil}, journal.root) == (
        "<p>&lt;img src=x onerror=alert(1)&gt;</p>"
    )
    # Markdown: only what would become raw HTML is escaped; the words stay.
    assert render("page.md.j2", {"title": evil}, journal.root) == (
        "&lt;img src=x onerror=alert(1)>"
    )


class ShoutPlugin:
    @brag.hookimpl
    def prepare_jinja2_environment(self, env):
        env.filters["shout"] = lambda s: s.upper() + "!"


def test_hook_prepare_jinja2_environment(journal):
    manager.get_plugin_manager().register(ShoutPlugin(), name="shout")
    folder = journal.root / "templates"
    folder.mkdir()
    (folder / "loud.md.j2").write_text("{{ word | shout }}")
    assert render("loud.md.j2", {"word": "ship"}, journal.root) == "SHIP!"
    assert "shout" in environment(journal.root).filters
