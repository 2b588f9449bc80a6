"""Benchmark ``brag import github``: 2,000 merged PRs into a 10,000-entry journal, then again.

A local HTTP server (the GitHub fake the tests use, on 127.0.0.1) serves
2,000 merged pull requests spread over two years, so the importer follows
``Link`` pages and splits the date range at the search API's 1,000-result cap
exactly as it would against api.github.com. The journal is built first with
``bench/gen.py`` (10,000 entries, one commit each).

Each run is the real ``brag`` command in its own process. Time spent inside
the server's request handlers is measured and subtracted, so the figures are
brag's own: fetching, parsing, deduplicating, writing 2,000 files and the one
commit. Targets (issue 3): first run under 5 s, re-run (nothing new) under 1 s.

    python bench/bench_import.py [--entries 10000] [--prs 2000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests" / "plugins"))

TOKEN = "ghp_bench_NOT_A_SECRET"
FIRST = dt.date(2024, 11, 1)
DAYS = 730


def build_journal(path: Path, n: int) -> None:
    try:
        from gen import build_journal as generate
    except ImportError:
        generate = None
    if generate is not None:
        generate(path, n)
        return
    _fast_import_journal(path, n)


def _fast_import_journal(path: Path, n: int) -> None:
    """A 10,000-entry journal through ``git fast-import`` (used when bench/gen.py is absent)."""
    import tomli_w

    from brag.entry import Entry
    from brag.journal import CONFIG_NAME, DEFAULT_CONFIG, JOURNAL_README

    path.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    stamp = int(time.time()) - n * 60
    chunks: list[bytes] = []

    def blob(text: str) -> bytes:
        data = text.encode()
        return b"data %d\n" % len(data) + data + b"\n"

    def commit(message: str, files: dict[str, str], when: int) -> None:
        chunks.append(b"commit refs/heads/main\n")
        chunks.append(b"committer Bench <bench@example.com> %d +0000\n" % when)
        chunks.append(blob(message))
        for rel, text in files.items():
            chunks.append(b"M 100644 inline " + rel.encode() + b"\n" + blob(text))

    commit(
        "brag: init journal",
        {
            CONFIG_NAME: tomli_w.dumps(DEFAULT_CONFIG),
            "README.md": JOURNAL_README,
            ".gitignore": "*.tmp\n.brag-*.tmp\n",
        },
        stamp,
    )
    start = dt.date(2022, 1, 3)
    for i in range(n):
        entry = Entry(
            title=f"Shipped improvement {i} to the checkout service",
            date=start + dt.timedelta(days=i % 1750),
            tags=["checkout", "perf"],
            impact=f"Cut p99 latency by {i % 90 + 5}%",
        )
        commit(f'brag: add "{entry.title}"', {entry.default_path(): entry.to_markdown()}, stamp + i)
    subprocess.run(
        ["git", "-C", str(path), "fast-import", "--quiet"], input=b"".join(chunks), check=True
    )
    subprocess.run(["git", "-C", str(path), "checkout", "-q", "-f", "main"], check=True)


class TimedServer:
    """The GitHub fake on a real local server, timing every handler call."""

    def __init__(self, prs: int):
        import logging

        from fakeapis import FakeGitHub
        from pytest_httpserver import HTTPServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self.server = HTTPServer(host="127.0.0.1", port=0)
        self.server.start()
        self.fake = FakeGitHub(token=TOKEN)
        # Another organisation than bench/gen.py's imported entries (acme/…),
        # so all 2,000 are new to the journal.
        for n in range(prs):
            self.fake.add(
                f"northwind/{['api', 'web', 'infra', 'mobile'][n % 4]}",
                n + 1,
                f"Improve request handling path {n + 1}",
                FIRST + dt.timedelta(days=(n * 7919) % DAYS),
                body=f"## Why\n\nTail latency on path {n + 1} hurt checkout conversion.\n",
                labels=["performance"] if n % 3 else ["bug", "customer"],
            )
        self.busy = 0.0
        self.lock = threading.Lock()
        search = self.fake.search
        user = self.fake.user

        def timed(handler: Callable[[Any], Any]) -> Callable[[Any], Any]:
            def run(request: Any) -> Any:
                started = time.perf_counter()
                try:
                    return handler(request)
                finally:
                    with self.lock:
                        self.busy += time.perf_counter() - started

            return run

        self.server.expect_request("/search/issues").respond_with_handler(timed(search))
        self.server.expect_request("/user").respond_with_handler(timed(user))
        self.fake.base = self.server.url_for("/").rstrip("/")

    @property
    def url(self) -> str:
        return self.server.url_for("/")

    def stop(self) -> None:
        self.server.stop()


def run_import(journal: Path, api_url: str, until: dt.date) -> tuple[float, float, str]:
    env = {
        **os.environ,
        "BRAG_DIR": str(journal),
        "GITHUB_TOKEN": TOKEN,
        "GIT_AUTHOR_NAME": "Bench",
        "GIT_AUTHOR_EMAIL": "bench@example.com",
        "GIT_COMMITTER_NAME": "Bench",
        "GIT_COMMITTER_EMAIL": "bench@example.com",
    }
    brag = shutil.which("brag", path=str(Path(sys.executable).parent)) or "brag"
    cmd = [
        brag,
        "import",
        "github",
        "--api-url",
        api_url,
        "--user",
        "octocat",
        "--since",
        FIRST.isoformat(),
        "--until",
        until.isoformat(),
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"brag import failed:\n{proc.stdout}\n{proc.stderr}")
    # CPU time of brag and the git processes it ran: unlike wall time, it barely
    # moves when other work competes for the machine.
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu, proc.stdout.strip().splitlines()[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--prs", type=int, default=2_000)
    parser.add_argument("--keep", type=Path, help="Build the journal here and keep it.")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="brag-bench-import-"))
    journal = args.keep or workdir / "journal"
    try:
        t0 = time.perf_counter()
        build_journal(journal, args.entries)
        built = time.perf_counter() - t0
        # Warm the index once, as any earlier brag command would have.
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from brag.journal import Journal; "
                "print(Journal(sys.argv[1]).index.count())",
                str(journal),
            ],
            check=True,
            capture_output=True,
        )
        server = TimedServer(args.prs)
        until = FIRST + dt.timedelta(days=DAYS)
        try:
            results = []
            for label in ("first run", "re-run"):
                server.busy = 0.0
                requests_before = server.fake.search_requests
                wall, cpu, summary = run_import(journal, server.url, until)
                results.append(
                    {
                        "run": label,
                        "wall_s": round(wall, 3),
                        "server_s": round(server.busy, 3),
                        "brag_s": round(wall - server.busy, 3),
                        "cpu_s": round(cpu, 3),
                        "requests": server.fake.search_requests - requests_before,
                        "summary": summary,
                    }
                )
        finally:
            server.stop()
        count = subprocess.run(
            ["git", "-C", str(journal), "ls-files", "entries"], capture_output=True, text=True
        ).stdout.count("\n")
        report = {
            "entries_before": args.entries,
            "prs": args.prs,
            "entries_after": count,
            "journal_build_s": round(built, 2),
            "runs": results,
        }
        if args.json:
            print(json.dumps(report, indent=2))
        else:
            print(f"journal: {args.entries} entries built in {built:.1f} s; {args.prs} merged PRs")
            for r in results:
                print(
                    f"{r['run']:<10} {r['brag_s']:6.2f} s brag  (wall {r['wall_s']:.2f} s, "
                    f"server {r['server_s']:.2f} s, CPU {r['cpu_s']:.2f} s, "
                    f"{r['requests']} search requests)  "
                    f"{r['summary']}"
                )
            print(f"entries in journal after: {count}")
        return 0
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
