"""Build a journal shaped like a heavy user's: long and short bodies, many tags, imports.

Where ``bench/gen.py`` draws short, tidy entries (a title, an impact, two tags,
a body on half of them at most), this journal looks like years of real use by
someone who also imports their work: bodies of 0 to 2,000 characters (notes,
bullet lists, links, code spans), 1 to 6 tags from a vocabulary of ~70,
``metrics`` (an array of tables, written as ``brag add --metric`` writes it) on a third of the
entries, a few private entries, titles full of numbers, and about 40% imported
entries (GitHub pull requests and issues, Jira tickets, incidents, design docs)
carrying ``source``, ``source_id`` and ``url``.

The pace is a heavy importer's: 10,000 entries a year, so 10,000 entries make
one year (the year up to 2026-11-20) and 100,000 a decade. Everything comes from
a seeded :class:`random.Random`: the same ``n`` and ``seed`` give byte-identical
files and the same commit ids. The git repository is written like
``bench/gen.py`` writes it (``git fast-import``, one ``brag: add`` commit per entry).

    python bench/gen_user.py PATH -n 10000 [--seed 17]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from gen import PEOPLE, REPOS, SERVICES, TEAMS, TZ, write_journal

from brag.entry import AREAS, LEVERAGE, Entry, stable_id

LAST_DAY = dt.date(2026, 11, 20)
PER_YEAR = 10_000
BODY_MAX = 2_000
SEED = 17

TAGS = [
    "perf", "latency", "reliability", "incident", "oncall", "postmortem", "security",
    "cost", "finops", "infra", "k8s", "terraform", "ci", "devex", "testing", "flaky",
    "migration", "postgres", "kafka", "redis", "search", "payments", "billing", "checkout",
    "auth", "mobile", "ios", "android", "frontend", "react", "api", "grpc", "observability",
    "logging", "tracing", "alerts", "slo", "capacity", "launch", "experiment", "ab-test",
    "growth", "onboarding", "hiring", "interviews", "mentoring", "1on1", "rfc", "design-doc",
    "architecture", "roadmap", "planning", "okr", "customer", "escalation", "support",
    "docs", "talk", "writing", "open-source", "compliance", "gdpr", "soc2", "data",
    "analytics", "ml", "pipeline", "refactor", "tech-debt", "cleanup",
]  # fmt: skip

VERBS_DONE = ["Shipped", "Fixed", "Landed", "Rolled out", "Migrated", "Rewrote", "Removed",
              "Automated", "Documented", "Debugged", "Unblocked", "Paired on"]  # fmt: skip
THINGS = [
    "retry budget for the {svc} client", "connection pooling in {svc}",
    "the {svc} schema migration (step {k} of {m})", "rate limits on the {svc} API",
    "dead-letter queue for {svc} events", "the {svc} dashboard", "feature flag cleanup in {svc}",
    "{n} flaky tests in the {svc} suite", "the {svc} cache key bug", "pagination in {svc}",
    "the on-call runbook for {svc}", "{svc} alerts (from {a} to {b} a week)",
]  # fmt: skip
SENTENCES = [
    "Profiled the hot path with py-spy; {pct}% of the time went to JSON encoding.",
    "Rolled out behind a flag to {pct}% of traffic first, then everyone after {d} days.",
    "The root cause was a missing index on `orders(customer_id, created_at)`.",
    "Paired with {who} on the tricky part; they now own the follow-ups.",
    "p99 went from {a}ms to {b}ms over the week; the graphs are in the PR.",
    "Saves roughly ${k}k a month at current volume, more as traffic grows.",
    "Wrote the design doc, got sign-off from {team} and {team2} in one review.",
    "Caught it in staging thanks to the new contract tests, before any customer saw it.",
    "Follow-up: ticket {jira} for the remaining {n} call sites.",
    "We had {n} pages last month from this alone; none since the fix.",
    "Customer {company} had reported it {n} times; closed the loop with their TAM.",
    "Deleted {n} lines of dead code along the way.",
    "Benchmarks: {a} req/s before, {b} req/s after on the same hardware.",
    "The migration touched {n} services and needed no downtime.",
    "Time to first deploy for new hires went from {d} days to {d2}.",
    "Links: https://github.com/acme/{repo}/pull/{pr} and the dashboard.",
    "Not glamorous, but it removes a whole class of 3 a.m. pages.",
    "Presented the results at the {team} guild; {n} people attended.",
    "Reviewed {n} PRs this week, mostly on the {svc} rewrite.",
    "Interviewed {n} candidates for the {team} team; wrote up the debrief.",
]  # fmt: skip
COMPANIES = ["Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark Retail", "Acme Müller"]
METRIC_NAMES = [
    ("p99 latency", "ms"), ("p95 latency", "ms"), ("error rate", "%"), ("monthly spend", "$"),
    ("CI time", "min"), ("build time", "s"), ("pages per week", ""), ("availability", "%"),
    ("throughput", "req/s"), ("conversion", "%"), ("tickets per week", ""),
    ("time to onboard", "days"), ("memory", "MB"), ("flaky rate", "%"),
]  # fmt: skip


def _fill(r: random.Random, template: str) -> str:
    a = r.choice([120, 250, 400, 800, 1200, 3000])
    return template.format(
        svc=r.choice(SERVICES),
        pct=r.choice([1, 5, 10, 25, 40, 60]),
        d=r.randint(2, 14),
        d2=r.randint(1, 2),
        who=r.choice(PEOPLE),
        a=a,
        b=max(10, int(a * r.uniform(0.1, 0.7))),
        k=r.randint(2, 90),
        m=r.randint(3, 6),
        n=r.randint(2, 60),
        team=r.choice(TEAMS),
        team2=r.choice(TEAMS),
        jira=f"PLAT-{r.randint(100, 9999)}",
        company=r.choice(COMPANIES),
        repo=r.choice(REPOS),
        pr=r.randint(100, 20000),
    )


def _body(r: random.Random) -> str:
    """0 to 2,000 characters: empty on a quarter, mostly short, sometimes long notes."""
    roll = r.random()
    if roll < 0.25:
        return ""
    target = int(r.triangular(40, BODY_MAX, 300)) if roll < 0.9 else r.randint(1500, BODY_MAX)
    parts: list[str] = []
    size = 0
    while size < target:
        kind = r.random()
        if kind < 0.15:
            chunk = "## " + r.choice(["Context", "What changed", "Why it mattered", "Next"])
        elif kind < 0.35:
            chunk = "\n".join(f"- {_fill(r, r.choice(SENTENCES))}" for _ in range(r.randint(2, 4)))
        else:
            chunk = " ".join(_fill(r, r.choice(SENTENCES)) for _ in range(r.randint(1, 3)))
        parts.append(chunk)
        size += len(chunk) + 2
    text = "\n\n".join(parts)
    if len(text) > BODY_MAX - 1:
        text = text[: BODY_MAX - 1].rsplit(" ", 1)[0]
    return text.rstrip() + "\n"


def _metrics(r: random.Random) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for name, unit in r.sample(METRIC_NAMES, r.choice([1, 1, 1, 2, 3])):
        if unit == "%" and name == "availability":
            before, after = 99.5, r.choice([99.9, 99.95, 99.99])
        else:
            before = r.choice([4, 12, 30, 80, 250, 800, 2000, 45000])
            after = max(1, int(before * r.uniform(0.1, 0.8)))
            if unit == "$":
                before, after = before * 100, after * 100
        if r.random() < 0.7:
            out.append({"name": name, "value": after, "unit": unit, "before": before,
                        "after": after})  # fmt: skip
        else:
            out.append({"name": name, "value": after, "unit": unit})
    return out


def _own(r: random.Random) -> tuple[str, str]:
    """A hand-written entry: (title, impact)."""
    kind = r.random()
    svc = r.choice(SERVICES)
    if kind < 0.3:
        a = r.choice([300, 450, 800, 1200, 2500])
        b = max(10, int(a * r.uniform(0.1, 0.6)))
        title = f"Cut {svc} p{r.choice([95, 99])} latency from {a}ms to {b}ms"
    elif kind < 0.45:
        a = r.randint(8, 120)
        title = f"Reduced {svc} spend from ${a}k to ${max(1, a // r.randint(2, 4))}k a month"
    elif kind < 0.6:
        title = f"{r.choice(VERBS_DONE)} " + _fill(r, r.choice(THINGS))
    elif kind < 0.7:
        title = f"Mentored {r.choice(PEOPLE)} through {r.choice(['their first on-call', 'a promo packet', 'the RFC process'])}"  # noqa: E501
    elif kind < 0.8:
        title = f"Ran {r.randint(2, 14)} interviews for the {r.choice(TEAMS)} team in Q{r.randint(1, 4)}"  # noqa: E501
    elif kind < 0.9:
        title = f"Raised {svc} availability to 99.{r.choice(['9', '95', '99'])}% over {r.randint(2, 12)} weeks"  # noqa: E501
    else:
        title = f"Resolved the {r.choice(COMPANIES)} escalation: {r.randint(2, 40)} tickets closed"
    impact = ""
    if r.random() < 0.6:
        impact = r.choice([
            f"cart abandonment down {r.randint(1, 9)}%",
            f"${r.randint(10, 900)}k a year saved",
            f"{r.randint(2, 30)} engineer-hours a week back",
            f"unblocked {r.randint(2, 5)} teams",
            f"{r.randint(100, 9000)} customers no longer see the error",
            "on-call quiet for the first time this quarter",
        ])  # fmt: skip
    return title, impact


def _imported(r: random.Random, i: int) -> tuple[str, str, str, str]:
    """An imported entry: (title, source, source_id, url)."""
    kind = r.random()
    repo = r.choice(REPOS)
    if kind < 0.55:
        number = 1000 + i
        title = f"{r.choice(VERBS_DONE)} " + _fill(r, r.choice(THINGS)) + f" (#{number})"
        return (
            title,
            "github",
            f"acme/{repo}#{number}",
            f"https://github.com/acme/{repo}/pull/{number}",
        )  # noqa: E501
    if kind < 0.8:
        key = f"{r.choice(['PAY', 'PLAT', 'GROW', 'OPS', 'SEC'])}-{100 + i}"
        title = f"{key}: " + _fill(r, r.choice(THINGS))
        return title, "jira", key, f"https://acme.atlassian.net/browse/{key}"
    if kind < 0.92:
        number = 10 + i
        title = f"INC-{number}: {r.choice(SERVICES)} {r.choice(['5xx spike', 'queue backlog', 'login failures', 'slow checkout'])} for {r.randint(4, 95)} min"  # noqa: E501
        return (
            title,
            "incidents",
            f"INC-{number}",
            f"https://status.acme.example/incidents/{number}",
        )
    doc = f"{r.randint(1, 9999):04d}"
    title = f"Design doc: {_fill(r, r.choice(THINGS))}"
    return title, "docs", f"doc-{doc}-{i}", f"https://docs.acme.example/d/{doc}-{i}"


def _dates(r: random.Random, n: int, years: int) -> list[dt.date]:
    first = LAST_DAY - dt.timedelta(days=365 * years - 1)
    span = (LAST_DAY - first).days
    days: list[dt.date] = []
    while len(days) < n:
        day = first + dt.timedelta(days=r.randint(0, span))
        if day.weekday() < 5 or r.random() < 0.15:
            days.append(day)
    return sorted(days)


def first_day(n: int) -> dt.date:
    """The first day a journal of ``n`` entries may hold (10,000 entries a year)."""
    return LAST_DAY - dt.timedelta(days=365 * years_for(n) - 1)


def years_for(n: int) -> int:
    return max(1, -(-n // PER_YEAR))


def generate(n: int, seed: int = SEED) -> Iterator[Entry]:
    """``n`` user-shaped entries, oldest first, each with a unique ``path``."""
    return iter(sorted(_draw(n, seed), key=lambda e: (e.created, e.path)))


def _draw(n: int, seed: int) -> Iterator[Entry]:
    r = random.Random(seed)
    taken_paths: set[str] = set()
    taken_ids: set[str] = set()
    for i, day in enumerate(_dates(r, n, years_for(n))):
        created = dt.datetime.combine(
            day, dt.time(r.randint(7, 22), r.randint(0, 59), r.randint(0, 59)), TZ
        )
        source = source_id = url = impact = ""
        if r.random() < 0.4:
            title, source, source_id, url = _imported(r, i)
        else:
            title, impact = _own(r)
        entry = Entry(
            title=title,
            date=day,
            id=stable_id(source, source_id) if source else "",
            tags=r.sample(TAGS, r.randint(1, 6)),
            impact=impact,
            metrics=_metrics(r) if r.random() < 0.33 else [],
            areas=r.sample(AREAS, r.choice([0, 1, 1, 2])),
            leverage=r.choice(LEVERAGE) if r.random() < 0.5 else "",
            with_=r.sample(PEOPLE, r.choice([0, 0, 1, 2])),
            source=source,
            source_id=source_id,
            url=url,
            body=_body(r),
            created=created,
            updated=created,
        )
        while not entry.id or entry.id in taken_ids:
            entry.id = f"{r.getrandbits(32):08x}"
        taken_ids.add(entry.id)
        entry.private = r.random() < 0.03
        suffix = 1
        while entry.default_path(suffix) in taken_paths:
            suffix += 1
        entry.path = entry.default_path(suffix)
        taken_paths.add(entry.path)
        yield entry


def build_journal(path: Path, n: int, seed: int = SEED) -> None:
    """Create a user-shaped journal of ``n`` entries at ``path`` (missing or empty)."""
    start = dt.datetime.combine(first_day(n) - dt.timedelta(days=1), dt.time(9), TZ)
    write_journal(path, generate(n, seed), start)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path, help="where to create the journal (new or empty)")
    parser.add_argument("-n", type=int, default=10_000, help="number of entries (10000)")
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed ({SEED})")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    build_journal(args.path, args.n, args.seed)
    took = time.perf_counter() - t0
    print(f"Built {args.n} entries at {args.path} in {took:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
