"""Build a realistic brag journal of N entries, one git commit per entry, in seconds.

The journal is what years of ``brag add`` and ``brag import`` would leave
behind: real entry files (written by :meth:`brag.entry.Entry.to_markdown` at
:meth:`Entry.default_path`), ``brag.toml``, README and ``.gitignore`` as
``brag init`` writes them, and one ``brag: add "<title>"`` commit per entry,
dated when the entry was created. Commits are streamed through
``git fast-import`` (10,000 commits take a few seconds, where 10,000 ``git
commit`` calls take minutes), then the work tree is checked out.

Everything is drawn from a seeded :class:`random.Random`, so the same ``n`` and
``seed`` give byte-identical files and the same commit ids.

    python bench/gen.py PATH -n 10000 [--seed 7]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import tomli_w

from brag.entry import Entry, stable_id
from brag.journal import CONFIG_NAME, DEFAULT_CONFIG, JOURNAL_README

FIRST_DAY = dt.date(2022, 1, 3)
LAST_DAY = dt.date(2026, 11, 20)
TZ = dt.timezone(dt.timedelta(hours=1))
AUTHOR = "Ada Example <ada@example.com>"
GITIGNORE = "*.tmp\n.brag-*.tmp\n"

SERVICES = [
    "checkout",
    "search",
    "payments",
    "billing",
    "auth",
    "catalog",
    "notifications",
    "ingest",
    "reporting",
    "recommendations",
    "mobile API",
    "admin console",
    "data pipeline",
    "feature-flag service",
    "image resizer",
]
FEATURES = [
    "saved carts",
    "one-click refunds",
    "SSO for enterprise accounts",
    "usage-based pricing",
    "the new onboarding flow",
    "dark mode",
    "bulk CSV export",
    "audit log",
    "webhook retries",
    "offline sync",
    "team workspaces",
    "the public status page",
    "in-app search",
    "two-factor recovery codes",
]
PEOPLE = [
    "Sam Lee",
    "Priya Raman",
    "Jonas Berg",
    "Amara Okafor",
    "Luis Ortega",
    "Mei Chen",
    "Noah Fischer",
    "Fatima Zahra",
    "Tom Novak",
    "Grace Kim",
    "Omar Haddad",
    "Lena Vogel",
]
TEAMS = ["platform", "payments", "growth", "infra", "mobile", "data", "search", "security"]
REPOS = ["storefront", "payments-api", "infra", "mobile-app", "data-jobs", "search-svc"]
JIRA = ["PAY", "PLAT", "GROW", "OPS", "SEC"]
TECH = [
    ("Postgres 12", "Postgres 16"),
    ("Jenkins", "GitHub Actions"),
    ("REST polling", "webhooks"),
    ("a cron box", "Kubernetes CronJobs"),
    ("Elasticsearch 6", "OpenSearch 2"),
    ("Python 3.8", "Python 3.12"),
]


@dataclass
class Draft:
    title: str
    impact: str = ""
    tags: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    leverage: str = ""
    metrics: tuple[dict[str, object], ...] = ()
    body: str = ""
    with_: tuple[str, ...] = ()


def _perf(r: random.Random) -> Draft:
    svc = r.choice(SERVICES)
    before = r.choice([300, 450, 600, 800, 1200, 2000, 3500])
    after = int(before * r.uniform(0.15, 0.6)) // 10 * 10 or 10
    pct = r.choice(["p95", "p99", "p50"])
    return Draft(
        title=f"Cut {svc} {pct} from {before}ms to {after}ms",
        impact=r.choice(
            [
                f"cart abandonment down {r.randint(1, 6)}%",
                f"{pct} latency alerts stopped paging on-call",
                f"conversion up {r.uniform(0.2, 3):.1f}% on slow connections",
                "unblocked the mobile launch",
            ]
        ),
        tags=("perf", svc.split()[0].lower()),
        areas=r.choice([("customer",), ("revenue", "customer"), ("quality",)]),
        leverage="expert",
        metrics=(
            {
                "name": f"{pct} latency",
                "value": after,
                "unit": "ms",
                "before": before,
                "after": after,
            },
        ),
        body=(
            f"Profiled the {svc} hot path; the time went to N+1 queries and a cold cache.\n"
            "Batched the lookups and warmed the cache on deploy. Latency graphs in the PR.\n"
        )
        if r.random() < 0.5
        else "",
    )


def _cost(r: random.Random) -> Draft:
    svc = r.choice(SERVICES)
    before = r.randint(8, 90)
    after = max(1, int(before * r.uniform(0.3, 0.8)))
    return Draft(
        title=f"Reduced {svc} cloud spend from ${before}k to ${after}k a month",
        impact=f"${(before - after) * 12}k a year saved",
        tags=("cost", "infra"),
        areas=("cost",),
        leverage=r.choice(["execution", "strategic"]),
        metrics=(
            {
                "name": "monthly spend",
                "value": after * 1000,
                "unit": "$",
                "before": before * 1000,
                "after": after * 1000,
            },
        ),
    )


def _reliability(r: random.Random) -> Draft:
    svc = r.choice(SERVICES)
    if r.random() < 0.5:
        return Draft(
            title=f"Led the incident review for the {svc} outage",
            impact=r.choice(
                [
                    "five follow-ups shipped; the same failure cannot recur",
                    "error budget policy adopted by three teams",
                    "time to detect down from 20 min to 3 min",
                ]
            ),
            tags=("incident", "reliability"),
            areas=("risk", "quality"),
            leverage="strategic",
            with_=tuple(r.sample(PEOPLE, 2)),
            body="Blameless write-up, timeline, and the action items with owners.\n",
        )
    before, after = r.choice([("99.5", "99.95"), ("99.9", "99.99"), ("98.7", "99.9")])
    return Draft(
        title=f"Raised {svc} availability from {before}% to {after}%",
        impact="fewer escalations from enterprise customers",
        tags=("reliability", "sre"),
        areas=("risk", "retention"),
        leverage="execution",
        metrics=(
            {
                "name": "availability",
                "value": float(after),
                "unit": "%",
                "before": float(before),
                "after": float(after),
            },
        ),
    )


def _people(r: random.Random) -> Draft:
    who = r.choice(PEOPLE)
    kind = r.randrange(3)
    if kind == 0:
        weeks = r.randint(6, 10)
        return Draft(
            title=f"Mentored {who} through their first on-call",
            impact=f"time to first solo on-call: {weeks} weeks -> {r.randint(2, 4)} weeks",
            tags=("mentoring",),
            areas=("people",),
            leverage="interpersonal",
            with_=(who,),
        )
    if kind == 1:
        n = r.randint(2, 5)
        return Draft(
            title=f"Onboarded {n} new hires onto the {r.choice(TEAMS)} team",
            impact="all shipped to production in their first two weeks",
            tags=("onboarding", "hiring"),
            areas=("people", "velocity"),
            leverage="interpersonal",
        )
    return Draft(
        title=f"Ran {r.randint(4, 12)} interviews for the {r.choice(TEAMS)} team",
        impact="two offers accepted",
        tags=("hiring",),
        areas=("people",),
        leverage="interpersonal",
    )


def _delivery(r: random.Random) -> Draft:
    feat = r.choice(FEATURES)
    pct = r.choice([5, 10, 25, 50, 100])
    return Draft(
        title=r.choice([f"Shipped {feat} to {pct}% of customers", f"Launched {feat}"]),
        impact=r.choice(
            [
                f"{r.randint(200, 5000)} accounts used it in the first week",
                f"support tickets about it down {r.randint(10, 60)}%",
                f"${r.randint(20, 400)}k new ARR attributed in the quarter",
                "closed the top feature request from sales",
            ]
        ),
        tags=("launch", r.choice(TEAMS)),
        areas=r.choice([("revenue",), ("customer",), ("revenue", "retention")]),
        leverage="execution",
        with_=tuple(r.sample(PEOPLE, r.randint(0, 3))),
        body=(
            "## What\n\n"
            f"Built {feat} behind a flag, dogfooded for a week, then ramped.\n\n"
            "## Why it mattered\n\nIt was the most requested item on the roadmap.\n"
        )
        if r.random() < 0.4
        else "",
    )


def _velocity(r: random.Random) -> Draft:
    before = r.randint(18, 55)
    after = r.randint(4, before // 2)
    return Draft(
        title=f"Cut CI time from {before} min to {after} min",
        impact=f"about {r.randint(40, 300)} engineer-hours a month back",
        tags=("ci", "devex"),
        areas=("velocity",),
        leverage="expert",
        metrics=(
            {"name": "CI time", "value": after, "unit": "min", "before": before, "after": after},
        ),
    )


def _quality(r: random.Random) -> Draft:
    before = r.randint(5, 20)
    after = r.randint(0, 2)
    return Draft(
        title=f"Brought the flaky-test rate from {before}% to {after}%",
        impact="merges no longer retried by hand",
        tags=("testing", "quality"),
        areas=("quality", "velocity"),
        leverage="execution",
        metrics=(
            {"name": "flaky rate", "value": after, "unit": "%", "before": before, "after": after},
        ),
    )


def _strategy(r: random.Random) -> Draft:
    old, new = r.choice(TECH)
    if r.random() < 0.5:
        return Draft(
            title=f"Wrote the RFC to move from {old} to {new}",
            impact="approved by the architecture review; three teams on the plan",
            tags=("rfc", "architecture"),
            areas=("strategy",),
            leverage="strategic",
            body=f"Compared cost, risk and migration effort; {new} won on all three.\n",
        )
    return Draft(
        title=f"Finished the migration from {old} to {new}",
        impact="no downtime; the old system is switched off",
        tags=("migration",),
        areas=("risk", "cost"),
        leverage="execution",
        with_=tuple(r.sample(PEOPLE, 1)),
    )


def _customer(r: random.Random) -> Draft:
    company = r.choice(["Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark Retail"])
    return Draft(
        title=f"Resolved the {company} escalation about {r.choice(SERVICES)} latency",
        impact=f"renewal of a ${r.randint(50, 900)}k contract kept",
        tags=("customer", "escalation"),
        areas=("customer", "retention"),
        leverage="interpersonal",
    )


KINDS = [
    (_perf, 14),
    (_cost, 8),
    (_reliability, 12),
    (_people, 12),
    (_delivery, 22),
    (_velocity, 8),
    (_quality, 8),
    (_strategy, 8),
    (_customer, 8),
]


def _dates(r: random.Random, n: int) -> list[dt.date]:
    span = (LAST_DAY - FIRST_DAY).days
    days: list[dt.date] = []
    while len(days) < n:
        day = FIRST_DAY + dt.timedelta(days=r.randint(0, span))
        if day.weekday() < 5 or r.random() < 0.1:
            days.append(day)
    return sorted(days)


def generate(n: int, seed: int = 7) -> Iterator[Entry]:
    """``n`` entries, oldest first, each with ``path`` set to its unique default path."""
    return iter(sorted(_draw(n, seed), key=lambda e: (e.created, e.path)))


def _draw(n: int, seed: int) -> Iterator[Entry]:
    r = random.Random(seed)
    funcs = [f for f, _ in KINDS]
    weights = [w for _, w in KINDS]
    taken_paths: set[str] = set()
    taken_ids: set[str] = set()
    for i, day in enumerate(_dates(r, n)):
        draft = r.choices(funcs, weights)[0](r)
        created = dt.datetime.combine(
            day, dt.time(r.randint(8, 18), r.randint(0, 59), r.randint(0, 59)), TZ
        )
        entry = Entry(
            title=draft.title,
            date=day,
            id="",
            tags=list(dict.fromkeys(draft.tags)),
            impact=draft.impact,
            metrics=[dict(m) for m in draft.metrics],
            areas=list(draft.areas),
            leverage=draft.leverage,
            with_=list(draft.with_),
            body=draft.body,
            created=created,
            updated=created,
        )
        roll = r.random()
        if roll < 0.15:
            repo = r.choice(REPOS)
            number = 1000 + i
            entry.source = "github"
            entry.source_id = f"acme/{repo}#{number}"
            entry.url = f"https://github.com/acme/{repo}/pull/{number}"
            entry.title = f"{entry.title} (#{number})"
        elif roll < 0.20:
            key = f"{r.choice(JIRA)}-{100 + i}"
            entry.source = "jira"
            entry.source_id = key
            entry.url = f"https://acme.atlassian.net/browse/{key}"
        if entry.source:
            entry.id = stable_id(entry.source, entry.source_id)
        while not entry.id or entry.id in taken_ids:
            entry.id = f"{r.getrandbits(32):08x}"
        taken_ids.add(entry.id)
        entry.private = r.random() < 0.05
        suffix = 1
        while entry.default_path(suffix) in taken_paths:
            suffix += 1
        entry.path = entry.default_path(suffix)
        taken_paths.add(entry.path)
        yield entry


def _short(title: str, width: int = 60) -> str:
    flat = " ".join(title.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _data(text: str) -> bytes:
    raw = text.encode("utf-8")
    return b"data %d\n" % len(raw) + raw + b"\n"


def _commit(branch: str, when: dt.datetime, message: str, files: dict[str, str]) -> bytes:
    offset = when.strftime("%z")
    parts = [
        f"commit {branch}\n".encode(),
        f"author {AUTHOR} {int(when.timestamp())} {offset}\n".encode(),
        f"committer {AUTHOR} {int(when.timestamp())} {offset}\n".encode(),
        _data(message),
    ]
    for path, text in files.items():
        parts.append(f"M 100644 inline {path}\n".encode())
        parts.append(_data(text))
    parts.append(b"\n")
    return b"".join(parts)


def build_journal(path: Path, n: int, seed: int = 7) -> None:
    """Create a journal of ``n`` generated entries at ``path`` (missing or empty)."""
    write_journal(path, generate(n, seed))


def write_journal(path: Path, entries: Iterable[Entry], start: dt.datetime | None = None) -> None:
    """A journal at ``path`` (missing or empty) holding ``entries`` (oldest first, each
    with ``path`` and ``created`` set), one ``brag: add`` commit per entry, as brag
    itself leaves it; ``start`` dates the ``brag: init journal`` commit."""
    path = Path(path)
    if path.exists() and any(path.iterdir()):
        raise SystemExit(f"{path} exists and is not empty")
    path.mkdir(parents=True, exist_ok=True)

    def git(*args: str, **kw: object) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(["git", "-C", str(path), *args], check=True, **kw)  # type: ignore[call-overload]

    git("init", "-q")
    git("config", "user.name", AUTHOR.split(" <")[0])
    git("config", "user.email", AUTHOR.split("<")[1].rstrip(">"))
    git("config", "commit.gpgsign", "false")
    branch = git("symbolic-ref", "HEAD", capture_output=True).stdout.decode().strip()

    if start is None:
        start = dt.datetime.combine(FIRST_DAY - dt.timedelta(days=1), dt.time(9), TZ)
    init = {
        CONFIG_NAME: tomli_w.dumps(DEFAULT_CONFIG),
        "README.md": JOURNAL_README,
        ".gitignore": GITIGNORE,
    }
    proc = subprocess.Popen(
        ["git", "-C", str(path), "fast-import", "--quiet", "--done"], stdin=subprocess.PIPE
    )
    assert proc.stdin is not None
    proc.stdin.write(_commit(branch, start, "brag: init journal", init))
    for entry in entries:
        assert entry.created is not None
        message = f'brag: add "{_short(entry.title)}"'
        proc.stdin.write(_commit(branch, entry.created, message, {entry.path: entry.to_markdown()}))
    proc.stdin.write(b"done\n")
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")
    git("reset", "-q", "--hard", "HEAD")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path, help="where to create the journal (new or empty)")
    parser.add_argument("-n", type=int, default=10_000, help="number of entries (10000)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (7)")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    build_journal(args.path, args.n, args.seed)
    took = time.perf_counter() - t0
    print(f"Built {args.n} entries at {args.path} in {took:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
