"""The speed-ups the benchmark led to keep brag's behaviour exactly as it was."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from test_bench_gen import gen

from brag import index, manager
from brag.entry import Entry

# Run in a fresh interpreter: this one may have a thread running (a session's HTTP
# server), and then brag rightly never forks.
_PARALLEL = """
import multiprocessing, os, pickle, sys
from pathlib import Path
from brag import index, parallel
index.PARALLEL_MIN = 1
index.os.cpu_count = lambda: 3
root = Path(sys.argv[1])
items = list(index.scan(root / "entries", root).items())
rows = index.parse_rows(root, items)
assert isinstance(rows, parallel.Parts), "did not fork"
try:
    out = list(rows)
finally:
    rows.close()
for child in multiprocessing.active_children():
    child.join(5)
assert multiprocessing.active_children() == [], "workers left behind"
assert not os.path.exists(rows.folder), "the workers' row files left behind"
# A write abandoned before the workers' rows were read leaves nothing behind either.
abandoned = index.parse_rows(root, items)
abandoned.close()
assert not os.path.exists(abandoned.folder), "row files left behind"
sys.stdout.buffer.write(pickle.dumps(out))
"""

_PARALLEL_LIST = """
import sys
from brag import index
index.PARALLEL_MIN = 1
index.os.cpu_count = lambda: 3
calls = []
real = index.parse_rows
def spy(root, items, *more):
    rows = real(root, items, *more)
    calls.append(type(rows).__name__)
    return rows
index.parse_rows = spy
from brag.cli import main
sys.argv = ["brag", "--dir", sys.argv[1], "list", "--json"]
try:
    main()
finally:
    sys.stderr.write(f"parse_rows gave {calls}\\n")
"""


def test_parallel_rebuild_matches_serial(
    journal_dir: Path, brag, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pickle

    gen.build_journal(journal_dir, 40)
    broken = journal_dir / "entries" / "2026" / "broken.md"
    broken.write_text('+++\nid = "b1"\ndate = 2026-13-01\ntitle = "x"\n+++\n')
    (journal_dir / "entries" / "2026" / "latin1.md").write_bytes(b"+++\ntitle = '\xe9'\n+++\n")
    items = list(index.scan(journal_dir / "entries", journal_dir).items())
    assert len(items) == 42

    monkeypatch.setattr(index, "PARALLEL_MIN", 10**9)
    serial = index.parse_rows(journal_dir, items)
    proc = subprocess.run([sys.executable, "-c", _PARALLEL, str(journal_dir)], capture_output=True)
    assert proc.returncode == 0, proc.stderr.decode()
    rows = pickle.loads(proc.stdout)
    assert rows == serial  # the same rows, in the same (path) order

    # With another thread running, it never forks (a child could inherit a held lock).
    import multiprocessing
    import threading

    def no_fork(*args: object) -> None:
        raise AssertionError("forked while another thread was running")

    monkeypatch.setattr(index, "PARALLEL_MIN", 1)
    monkeypatch.setattr(index.os, "cpu_count", lambda: 3)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        with monkeypatch.context() as m:
            m.setattr(multiprocessing, "get_context", no_fork)
            assert index.parse_rows(journal_dir, items) == serial
    finally:
        stop.set()
        other.join()
    errors = {r[0]: r[12] for r in rows if r[12]}  # path, error
    assert set(errors) == {"entries/2026/broken.md", "entries/2026/latin1.md"}
    assert "not UTF-8" in str(errors["entries/2026/latin1.md"])

    # A cold rebuild through the parallel path sees every good entry and names the bad ones.
    listed = subprocess.run(
        [sys.executable, "-c", _PARALLEL_LIST, str(journal_dir)], capture_output=True, text=True
    )
    assert listed.returncode == 0, listed.stderr
    assert "parse_rows gave ['Parts']" in listed.stderr
    assert len(json.loads(listed.stdout)) == 40
    assert "broken.md:3" in listed.stderr
    assert brag("check", expect=1).output.count("broken:") == 2


def test_add_skips_entry_point_lookup_when_no_distribution_declares_brag(
    journal_dir: Path,
) -> None:
    code = (
        "import sys\n"
        "from brag.cli import main\n"
        "sys.argv = ['brag', 'add', 'Shipped the thing']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('metadata loaded:', 'importlib.metadata' in sys.modules)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "Added " in proc.stdout, proc.stderr
    assert "metadata loaded: False" in proc.stdout


def test_entry_point_precheck_sees_every_way_a_plugin_can_be_declared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    other = site / "other-1.0.dist-info"
    other.mkdir(parents=True)
    (other / "entry_points.txt").write_text("[console_scripts]\nother = other:main\n")
    (site / "loose.egg-info").write_text("Metadata-Version: 1.0\n")  # an egg-info file
    monkeypatch.syspath_prepend(str(site))
    assert manager._may_declare("brag") is False
    assert manager._entry_points("brag") == []

    egg = tmp_path / "plug-1.0.egg" / "EGG-INFO"
    egg.mkdir(parents=True)
    (egg / "entry_points.txt").write_text("[ brag ]\nplug = plug\n")
    monkeypatch.syspath_prepend(str(egg.parent))
    assert manager._may_declare("brag") is True

    zipped = tmp_path / "plugins.zip"
    zipped.write_bytes(b"PK\x05\x06" + b"\0" * 18)
    monkeypatch.setattr(sys, "path", [str(site), str(zipped)])
    assert manager._may_declare("brag") is True  # cannot look inside cheaply: full lookup


def test_index_sees_in_place_edits_renames_and_removals_after_a_clean_scan(
    journal_dir: Path, brag
) -> None:
    gen.build_journal(journal_dir, 30)
    listed = json.loads(brag("list", "--json").stdout)  # builds the index, stores the scan
    assert len(listed) == 30
    assert index.Index(journal_dir).refresh() == 0  # unchanged: the stored scan matches

    first, second, third = listed[0], listed[1], listed[2]
    path = journal_dir / first["path"]
    text = path.read_text(encoding="utf-8")
    with open(path, "w", encoding="utf-8") as fh:  # in place: same inode, same folder mtime
        fh.write(text.replace(first["title"], "Edited by hand in place"))
    moved = Path(second["path"]).with_name("renamed-by-hand.md").as_posix()
    (journal_dir / second["path"]).rename(journal_dir / moved)  # same mtime and size
    (journal_dir / third["path"]).unlink()

    after = {e["id"]: e for e in json.loads(brag("list", "--json").stdout)}
    assert len(after) == 29
    assert after[first["id"]]["title"] == "Edited by hand in place"
    assert after[second["id"]]["path"] == moved
    assert third["id"] not in after


def test_index_storage_round_trips_every_field() -> None:
    entries = list(gen.generate(200))
    odd = Entry.from_markdown(
        "+++\n"
        'id = "odd1"\ndate = 2024-02-29\ntitle = "Leap day"\n'
        "created = 2024-02-29T23:59:59\n"  # no offset
        "updated = 2024-03-01T01:00:00-08:00\n"
        "reviewed = 2024-03-02T10:00:00Z\nnested = { on = 2024-03-03, n = 1.5 }\n"
        'metrics = [{ name = "x", value = 1, unit = "", when = 2024-01-01 }]\n'
        "+++\n\nBody *text*\n",
        "entries/2024/02/odd.md",
    )
    for entry in [*entries, odd]:
        back = index.unpack(index.pack(entry))
        assert back == entry
        assert type(back.date) is type(entry.date)
    assert index.unpack(index.pack(odd)).extra["nested"]["on"] == dt.date(2024, 3, 3)


def test_the_entry_point_precheck_scans_once_per_sys_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scans: list[str] = []
    real = manager._scan_declared
    monkeypatch.setattr(manager, "_scan_declared", lambda g: scans.append(g) or real(g))
    monkeypatch.setattr(sys, "path", [str(tmp_path)])
    assert manager._may_declare("brag") is False
    assert manager._may_declare("brag") is False
    assert scans == ["brag"]
    info = tmp_path / "plug-1.0.dist-info"
    info.mkdir()
    (info / "entry_points.txt").write_text("[brag]\nplug = plug\n")
    monkeypatch.setattr(sys, "path", [str(tmp_path), str(tmp_path / "more")])
    assert manager._may_declare("brag") is True  # another sys.path: looked again
    assert len(scans) == 2
