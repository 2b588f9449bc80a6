"""What the four local importers share: registration, and refusing to run without paths."""

from __future__ import annotations

import subprocess

import pytest

from brag import manager


def test_registered_as_builtin_plugins():
    found = manager.importers()
    assert {"git", "incidents", "docs", "file"} <= set(found)
    for name in ("git_history", "incidents", "design_docs", "file_import"):
        assert f"brag.plugins.{name}" in manager.DEFAULT_PLUGINS
        module = __import__(f"brag.plugins.{name}", fromlist=["x"])
        assert "brag.toml" in (module.__doc__ or "")


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("git", "Error: give at least one repository folder: brag import git ~/src/app"),
        ("incidents", "Error: give at least one PATH (a folder or a file)"),
        ("docs", "Error: give at least one PATH (a folder or a file)"),
        ("file", "Error: give a FILE.csv, FILE.json, or - for standard input"),
    ],
)
def test_no_paths(brag, journal, source, message):
    count = subprocess.run(
        ["git", "-C", str(journal.root), "rev-list", "--count", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result = brag("import", source, expect=1)
    assert message in result.output
    assert "Traceback" not in result.output
    assert (
        subprocess.run(
            ["git", "-C", str(journal.root), "rev-list", "--count", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        == count
    )
