"""brag as users get it: the installed console script, and a wheel in a fresh venv."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import git, venv_with_these_dependencies

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def console_script() -> str:
    script = BIN / "brag"
    if script.exists():
        return str(script)
    found = shutil.which("brag")
    if not found:
        pytest.fail("the brag console script is not installed: pip install -e '.[test]'")
    return found


def run_brag(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [console_script(), *args],
        capture_output=True,
        text=True,
        env=env or os.environ.copy(),
        timeout=120,
    )


def test_console_script_end_to_end(journal_dir: Path):
    add = run_brag(
        "add",
        "Cut checkout p99 from 800ms to 200ms",
        "-i",
        "cart abandonment down 3%",
        "-t",
        "perf",
    )
    assert add.returncode == 0, add.stderr
    assert "Created a new journal" in add.stderr
    listed = json.loads(run_brag("list", "--json").stdout)
    assert [e["title"] for e in listed] == ["Cut checkout p99 from 800ms to 200ms"]
    shown = run_brag("show", listed[0]["id"][:4])
    assert "cart abandonment down 3%" in shown.stdout
    bad = run_brag("show", "zzzz")
    assert bad.returncode == 1 and bad.stderr.startswith("Error: no entry")
    assert "Traceback" not in bad.stderr


def test_concurrent_adds_all_land(journal_dir: Path):
    assert run_brag("init").returncode == 0

    def add(n: int) -> subprocess.CompletedProcess[str]:
        return run_brag("add", f"Parallel win {n}", "-t", "load")

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(add, range(18)))
    assert [r.returncode for r in results] == [0] * 18, [r.stderr for r in results]
    titles = {e["title"] for e in json.loads(run_brag("list", "--json").stdout)}
    assert titles == {f"Parallel win {n}" for n in range(18)}
    assert git(journal_dir, "rev-list", "--count", "HEAD").strip() == "19"
    assert git(journal_dir, "status", "--porcelain") == ""
    subprocess.run(
        ["git", "-C", str(journal_dir), "fsck", "--no-progress"], check=True, capture_output=True
    )


@pytest.mark.slow
def test_wheel_installs_into_a_fresh_venv_and_runs(tmp_path: Path, journal_dir: Path):
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    [wheel] = dist.glob("brag_journal-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert any(n.startswith("brag/plugins/") for n in names)
    assert any(n.startswith("brag/templates/") for n in names)
    assert not any(n.startswith(("plugins/", "templates/", "tests/")) for n in names)
    for template in (ROOT / "templates").glob("*.j2"):
        assert f"brag/templates/{template.name}" in names

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    vbin = venv / ("Scripts" if os.name == "nt" else "bin")
    install = subprocess.run(
        [str(vbin / "python"), "-m", "pip", "install", "-q", str(wheel)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert install.returncode == 0, install.stderr
    env = {**os.environ, "PATH": f"{vbin}{os.pathsep}{os.environ['PATH']}"}
    brag = str(vbin / "brag")
    out = subprocess.run(
        [brag, "add", "From the wheel", "-t", "pkg"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    listed = subprocess.run([brag, "list", "--json"], capture_output=True, text=True, env=env)
    assert json.loads(listed.stdout)[0]["title"] == "From the wheel"
    plugins = subprocess.run([brag, "plugins", "--json"], capture_output=True, text=True, env=env)
    assert plugins.returncode == 0 and "failed" not in plugins.stderr
    site = subprocess.run(
        [str(vbin / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert not (Path(site) / "plugins").exists()
    assert not (Path(site) / "templates").exists()


EXPORTS = (
    ("one-on-one", "--since", "2026-06-01", "--no-remember"),
    ("self-review", "--period", "2026H1"),
    ("self-review", "--period", "2026H1", "-f", "html"),
    ("promo-brief",),
    ("status", "--cadence", "monthly", "-f", "txt"),
)


@pytest.mark.slow
def test_wheel_renders_exports_like_the_editable_install(tmp_path: Path, journal_dir: Path):
    """Templates ship in the wheel and render byte for byte as from the source tree."""
    import fixtures_journal as fx

    fx.build(journal_dir)
    env = {**os.environ, "BRAG_DIR": str(journal_dir), "BRAG_TODAY": fx.TODAY.isoformat()}
    editable = [run_brag("export", *args, env=env) for args in EXPORTS]
    for result in editable:
        assert result.returncode == 0, result.stderr

    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    [wheel] = dist.glob("brag_journal-*.whl")
    venv = tmp_path / "wheel-venv"
    # Dependencies come from the running environment; brag from the wheel.
    vbin = venv_with_these_dependencies(venv)
    subprocess.run(
        [str(vbin / "python"), "-m", "pip", "install", "-q", "--no-deps", str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    where = subprocess.run(
        [str(vbin / "python"), "-c", "import brag.templates as t; print(t.__file__)"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=True,
    ).stdout
    assert str(venv) in where and str(ROOT) not in where
    # Rendered again by the wheel's brag, not read back from the documents kept
    # by the runs above.
    shutil.rmtree(journal_dir / ".git" / "brag" / "documents", ignore_errors=True)
    for args, expected in zip(EXPORTS, editable, strict=True):
        got = subprocess.run(
            [str(vbin / "brag"), "export", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
        )
        assert got.returncode == 0, got.stderr
        assert got.stdout == expected.stdout, args
