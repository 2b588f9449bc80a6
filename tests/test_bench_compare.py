"""bench/compare.py runs each commit's own brag, not the one installed."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "bench_compare", Path(__file__).resolve().parent.parent / "bench" / "compare.py"
)
assert _spec is not None and _spec.loader is not None
compare = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(compare)


def test_a_commits_tree_runs_as_brag_with_its_plugins(tmp_path: Path, monkeypatch) -> None:
    if not (compare.ROOT / ".git").exists():
        import pytest

        pytest.skip("not a git checkout")
    monkeypatch.setattr(compare, "VENV_PYTHON", Path(sys.executable))
    sha, src = compare.tree_of("HEAD", tmp_path)
    assert (src / "brag" / "plugins" / "career_documents.py").is_file()
    assert (src / "brag" / "templates").is_dir()
    assert (src / "brag" / "__pycache__").is_dir()  # compiled, as an install leaves it
    # The same folder again is reused, not extracted twice.
    assert compare.tree_of("HEAD", tmp_path) == (sha, src)
    found = subprocess.run(
        [sys.executable, "-c", compare._CODE, str(src), "export", "--help"],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert found.returncode == 0, found.stderr
    assert "self-review" in found.stdout  # the tree's built-in exporters loaded
    # Another tree's brag cannot stand in for it.
    other = subprocess.run(
        [sys.executable, "-c", compare._CODE, str(tmp_path / "elsewhere"), "--version"],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert other.returncode != 0 and "AssertionError" in other.stderr
