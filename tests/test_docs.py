"""docs/plugins.md is the plugin API's reference: it must match the code."""

from __future__ import annotations

import dataclasses
import inspect
import re
from pathlib import Path

import pytest

from brag import hookspecs
from brag.exporting import ExportContext, Exporter
from brag.importing import ImportContext, Importer

TESTS = Path(__file__).parent
DOC = (TESTS.parent / "docs" / "plugins.md").read_text(encoding="utf-8")
HOOKS = sorted(n for n in dir(hookspecs) if hasattr(getattr(hookspecs, n), "brag_spec"))


def _sections() -> dict[str, tuple[list[str], str]]:
    """Each documented hook: its heading's parameters and the text up to the next heading."""
    found: dict[str, tuple[list[str], str]] = {}
    parts = re.split(r"(?m)^### `(\w+)\(([^)]*)\)`\s*$", DOC)
    for i in range(1, len(parts) - 2, 3):
        name, params, body = parts[i], parts[i + 1], parts[i + 2].split("\n## ")[0]
        found[name] = ([p.strip() for p in params.split(",") if p.strip()], body)
    return found


def test_the_hooks_exist():
    assert "register_importers" in HOOKS and "reframe_entry" in HOOKS


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_is_documented_with_its_signature(hook):
    sections = _sections()
    assert hook in sections, f"### `{hook}(...)` missing from docs/plugins.md"
    documented, _ = sections[hook]
    assert documented == list(inspect.signature(getattr(hookspecs, hook)).parameters)


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_has_an_example_with_the_same_signature(hook):
    _, body = _sections()[hook]
    blocks = re.findall(r"```python\n(.*?)```", body, re.S)
    example = next((b for b in blocks if f"def {hook}(" in b), None)
    assert example is not None, f"no example for {hook}"
    assert "@brag.hookimpl" in example
    namespace: dict[str, object] = {}
    exec(compile(f"import brag, click\n{example}", "docs/plugins.md", "exec"), namespace)
    shown = inspect.signature(namespace[hook])  # type: ignore[arg-type]
    assert list(shown.parameters) == list(inspect.signature(getattr(hookspecs, hook)).parameters)


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_has_a_test(hook):
    tests = "".join(p.read_text(encoding="utf-8") for p in TESTS.rglob("test_*.py"))
    assert f"def test_hook_{hook}(" in tests, f"no test_hook_{hook} in tests/"


def test_the_hook_specs_document_themselves():
    for hook in HOOKS:
        doc = inspect.getdoc(getattr(hookspecs, hook)) or ""
        assert doc and doc.split()[0][0].isupper(), hook


@pytest.mark.parametrize("cls", [Importer, ImportContext, Exporter, ExportContext])
def test_every_public_field_is_documented(cls):
    names = [f.name for f in dataclasses.fields(cls) if not f.name.startswith("_")]
    names += [
        n
        for n, v in vars(cls).items()
        if not n.startswith("_") and isinstance(v, property | type(lambda: 0))
    ]
    skip = {"run", "template_for", "template_names"}  # brag's own plumbing
    missing = [n for n in names if n not in skip and not re.search(rf"[`.]{n}\b(?!\.)", DOC)]
    assert not missing, f"{cls.__name__}: {missing} not in docs/plugins.md"


def test_the_environment_variables_and_override_are_documented():
    for needle in ("BRAG_LOAD_PLUGINS", "BRAG_PLUGIN_OVERRIDE", "[plugins]", "BragError"):
        assert needle in DOC
