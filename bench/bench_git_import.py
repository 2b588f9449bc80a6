"""Benchmark ``brag import git`` on a generated 20,000-commit repository.

The history is shaped like a busy GitHub project: pull requests of several
commits merged with ``--no-ff`` merge commits (authored by whoever pressed
merge, committed by GitHub), squash merges ending in ``(#N)``, and direct
commits. Every ~150 pull requests a maintenance branch (``N.0.x``) is cut from main;
some pull requests are merged into it only, a bot backports some squash merges
to it ("[N.0.x] Title (#n) (#m)", cherry-picked, co-authored), it is synced
back into main by "Merge pull request #k from acme/N.0.x" merges, and a few
branches are pushed and never merged. Every branch is read. It is built with
``git fast-import`` in a second or two.

Measures, on the same repository:

1. the first import (one ``git log`` pass, attribution, writing the entries
   and their one commit into an empty journal),
2. a re-run that resumes from the per-repository cursor (nothing new),
3. a full rescan (``--since 2000``: everything read again, nothing added),
4. a full rescan with ``--min-lines 5`` (the same pass also reads line counts),
5. the history pass alone (``git log`` + parse + first-parent chain + branches),
   without and with line counts (``--numstat``).

Run: ``python bench/bench_git_import.py [--commits 20000]``; results are
recorded in docs/benchmarks-import-git.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import tempfile
import time
from pathlib import Path

ME = ("Test User", "me@example.com")
OTHERS = [("Alice", "alice@example.com"), ("Bob", "bob@example.com"), ("Chen", "chen@example.com")]
GITHUB = ("GitHub", "noreply@github.com")


def generate(root: Path, total: int) -> dict[str, int]:
    """Write ``total`` commits with fast-import; return what was made."""
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    subprocess.run(
        ["git", "-C", str(root), "remote", "add", "origin", "git@github.com:acme/big.git"],
        check=True,
    )
    out: list[bytes] = []
    mark = 0
    stamp = int(dt.datetime(2019, 1, 1, tzinfo=dt.UTC).timestamp())
    main_tip = 0
    made = {"commits": 0, "merges": 0, "squashes": 0, "mine": 0}
    touched: list[tuple[str, bytes]] = []  # (path, content) of each commit, in order

    def commit(
        ref: str,
        message: str,
        author: tuple[str, str],
        committer: tuple[str, str],
        parent: int,
        merge: int = 0,
        brought: list[tuple[str, bytes]] | None = None,
    ) -> int:
        nonlocal mark, stamp
        mark += 1
        stamp += 600
        msg = message.encode()
        content = f"{mark}\n".encode()
        lines = [
            f"commit {ref}".encode(),
            f"mark :{mark}".encode(),
            f"author {author[0]} <{author[1]}> {stamp} +0000".encode(),
            f"committer {committer[0]} <{committer[1]}> {stamp} +0000".encode(),
            f"data {len(msg)}".encode(),
            msg,
        ]
        if parent:
            lines.append(f"from :{parent}".encode())
        if merge:
            lines.append(f"merge :{merge}".encode())
        # fast-import does not merge trees: a merge commit restates what its
        # branch changed, so that its diff against the first parent is what it
        # brought in, as in a real merge.
        changes = brought if brought is not None else [(f"f{mark % 200}.txt", content)]
        for path, data in changes:
            lines += [f"M 644 inline {path}".encode(), f"data {len(data)}".encode(), data]
        out.append(b"\n".join(lines) + b"\n")
        touched.extend(changes)
        made["commits"] += 1
        return mark

    number = 0
    maint_tip = 0  # the current maintenance branch (N.0.x), once there is one
    maint_name = ""
    made.update(branches=0, backports=0, syncs=0, maintenance_prs=0, open_branches=0)
    while made["commits"] < total:
        number += 1
        author = ME if number % 4 == 0 else OTHERS[number % 3]
        if number % 150 == 0:  # a new maintenance branch from main
            maint_name = f"{number // 150}.0.x"
            maint_tip = main_tip
            made["branches"] += 1
        if number % 3 == 0:  # squash merge
            main_tip = commit(
                "refs/heads/main",
                f"Improve thing {number} (#{number})\n\nBecause reasons.\n",
                author,
                GITHUB,
                main_tip,
            )
            made["squashes"] += 1
            if maint_tip and number % 9 == 0:  # a bot backports it: "[N.0.x] … (#n) (#m)"
                number += 1
                maint_tip = commit(
                    f"refs/heads/{maint_name}",
                    f"[{maint_name}] Improve thing {number - 1} (#{number - 1}) (#{number})\n\n"
                    f"(cherry picked from commit 0000000)\n\n"
                    f"Co-authored-by: {author[0]} <{author[1]}>\n",
                    ("patchback[bot]", "bot@example.com"),
                    GITHUB,
                    maint_tip,
                )
                made["backports"] += 1
        elif number % 7 == 0:  # a direct commit
            main_tip = commit("refs/heads/main", f"Direct fix {number}", author, author, main_tip)
        elif maint_tip and number % 10 == 1:  # a PR into the maintenance branch only
            tip = maint_tip
            for k in range(3):
                tip = commit("refs/heads/pr", f"Old fix {number}.{k}", author, author, tip)
            brought = list(dict(touched[-3:]).items())
            maint_tip = commit(
                f"refs/heads/{maint_name}",
                f"Merge pull request #{number} from acme/fix-{number}\n\nOld fix {number}\n",
                OTHERS[(number + 1) % 3],
                GITHUB,
                maint_tip,
                merge=tip,
                brought=brought,
            )
            made["maintenance_prs"] += 1
            made["merges"] += 1
        else:  # a branch of 6 commits merged by someone else
            tip = main_tip
            for k in range(6):
                tip = commit("refs/heads/pr", f"Work {number}.{k}", author, author, tip)
            brought = list(dict(touched[-6:]).items())
            merger = OTHERS[(number + 1) % 3]
            main_tip = commit(
                "refs/heads/main",
                f"Merge pull request #{number} from acme/pr-{number}\n\nFeature {number}\n\n"
                f"## Impact\n\nSaves {number} ms.\n",
                merger,
                GITHUB,
                main_tip,
                merge=tip,
                brought=brought,
            )
            made["merges"] += 1
        if maint_tip and number % 50 == 0:  # someone syncs the maintenance branch into main
            number += 1
            main_tip = commit(
                "refs/heads/main",
                f"Merge pull request #{number} from acme/{maint_name}\n\nMerge {maint_name}",
                OTHERS[number % 3],
                GITHUB,
                main_tip,
                merge=maint_tip,
            )
            made["syncs"] += 1
        if number % 97 == 0:  # a branch pushed and never merged (a remote-tracking ref)
            tip = main_tip
            for k in range(3):
                tip = commit(f"refs/remotes/origin/open-{number}", f"Try {number}.{k}", ME, ME, tip)
            made["open_branches"] += 1
        if author == ME and not (number % 7 == 0 and number % 3 != 0):
            made["mine"] += 1
    subprocess.run(
        ["git", "-C", str(root), "fast-import", "--quiet"], input=b"".join(out), check=True
    )
    subprocess.run(["git", "-C", str(root), "checkout", "-q", "-f", "main"], check=True)
    return made


def cpu() -> float:
    """CPU seconds used so far by this process and the git processes it waited for:
    unlike wall time, it does not grow when other work shares the machine."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=20_000)
    parser.add_argument("--keep", metavar="DIR", help="build the repository in DIR and keep it")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(args.keep or tmp)
        base.mkdir(parents=True, exist_ok=True)
        home = base / "home"
        home.mkdir()
        (home / ".gitconfig").write_text(
            "[user]\n\tname = Test User\n\temail = me@example.com\n[commit]\n\tgpgsign = false\n"
        )
        os.environ.update(
            HOME=str(home),
            GIT_CONFIG_GLOBAL=str(home / ".gitconfig"),
            GIT_CONFIG_NOSYSTEM="1",
            BRAG_DIR=str(base / "journal"),
        )
        from brag import manager
        from brag.importing import run_import
        from brag.journal import Journal

        repo = base / "big"
        started = time.perf_counter()
        made = generate(repo, args.commits)
        print(f"generated {made} in {time.perf_counter() - started:.2f}s")

        journal = Journal(base / "journal")
        journal.init()
        importer = manager.importers()["git"]
        options = {
            "paths": (str(repo),),
            "authors": (),
            "commits": None,
            "ref": (),
            "long_lived": (),
            "min_lines": None,
        }

        started, c0 = time.perf_counter(), cpu()
        first = run_import(journal, importer, options=dict(options))
        t_first = time.perf_counter() - started
        print(
            f"first import: {len(first.added)} entries added in {t_first:.2f}s "
            f"(CPU {cpu() - c0:.2f}s)"
        )

        # Each CLI run is a new process: a fresh Journal sees the entries just written.
        journal = Journal(base / "journal")
        started, c0 = time.perf_counter(), cpu()
        again = run_import(journal, importer, options=dict(options))
        t_resume = time.perf_counter() - started
        print(
            f"re-run (resumes): {len(again.added)} added, {len(again.present)} present "
            f"in {t_resume:.2f}s (CPU {cpu() - c0:.2f}s)"
        )

        # A fetch brought commits, none of them yours: every branch is read again.
        subprocess.run(
            ["git", "-C", str(repo), "commit", "-q", "--allow-empty", "-m", "Someone's fix"],
            check=True,
            env={**os.environ, "GIT_AUTHOR_EMAIL": "zoe@example.com", "GIT_AUTHOR_NAME": "Zoe"},
        )
        journal = Journal(base / "journal")
        started, c0 = time.perf_counter(), cpu()
        moved = run_import(journal, importer, options=dict(options))
        t_moved = time.perf_counter() - started
        print(
            f"re-run after new commits by others: {len(moved.added)} added, "
            f"{len(moved.present)} present in {t_moved:.2f}s (CPU {cpu() - c0:.2f}s)"
        )

        journal = Journal(base / "journal")
        started, c0 = time.perf_counter(), cpu()
        full = run_import(journal, importer, options=dict(options), since=dt.date(2000, 1, 1))
        t_full = time.perf_counter() - started
        print(
            f"full rescan (--since 2000): {len(full.added)} added, {len(full.present)} present "
            f"in {t_full:.2f}s (CPU {cpu() - c0:.2f}s)"
        )

        journal = Journal(base / "journal")
        started = time.perf_counter()
        sized = run_import(
            journal,
            importer,
            options={**options, "min_lines": 5},
            since=dt.date(2000, 1, 1),
        )
        t_sized = time.perf_counter() - started
        print(
            f"full rescan with --min-lines 5: {len(sized.present)} present, "
            f"{len(sized.skipped)} skipped as small in {t_sized:.2f}s"
        )

        from brag.authorship import repo_info, resolve_identity
        from brag.plugins.git_history import Scan, branch_tips, read_history

        started, c0 = time.perf_counter(), cpu()
        tips = branch_tips(repo, [])
        revs = [sha for _, sha in tips]
        commits = read_history(repo, revs)
        t_log = time.perf_counter() - started
        identity = resolve_identity(journal)
        scan = Scan(repo_info(repo), identity, commits, tips, False, None, None)
        t_walk = time.perf_counter() - started
        found = list(scan.entries())
        t_scan = time.perf_counter() - started
        print(
            f"history pass alone: git log + parse {t_log:.2f}s, + merge ranges "
            f"{t_walk:.2f}s, + credit and {len(found)} entry drafts {t_scan:.2f}s "
            f"({len(commits)} commits, {len(tips)} branches, {len(scan.ranges)} merges; "
            f"CPU {cpu() - c0:.2f}s)"
        )
        started = time.perf_counter()
        commits = read_history(repo, revs, sizes=True)
        t_sized_log = time.perf_counter() - started
        print(f"history pass with line counts (--numstat): git log + parse {t_sized_log:.2f}s")


if __name__ == "__main__":
    main()
