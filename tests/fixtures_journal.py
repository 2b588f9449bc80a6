"""A realistic journal for exporter tests: half a year of a senior engineer's work.

Written by hand to cover every impact area and leverage type, Tree A and Tree B
work, incidents, risks, asks, private entries, activity-phrased and jargon-heavy
impacts the coach should catch, and a month-long gap. Dates and timestamps are
fixed so exports are byte-for-byte reproducible with ``TODAY``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from brag import gitcmd
from brag.entry import Entry
from brag.journal import Journal

TODAY = dt.date(2026, 6, 30)
LAST_ONE_ON_ONE = dt.date(2026, 6, 1)

CONFIG = """\
[user]
name = "Sam Rivera"
emails = ["sam@example.com"]
level = "senior"
target_level = "staff"
"""

# (id, date, title, fields)
ENTRIES: list[tuple[str, str, str, dict[str, Any]]] = [
    ("a0000001", "2026-01-08", "Migrated checkout to the new payments provider", {
        "impact": "Cut payment processing fees 18%, about $420k a year",
        "areas": ["cost"], "leverage": "execution", "with": ["Priya (finance)", "Omar"],
        "url": "https://git.example.com/shop/pull/1812", "tags": ["payments"],
    }),
    ("a0000002", "2026-01-15", "Wrote the RFC for splitting the monolith's billing module", {
        "impact": "Aligned 4 teams on a two-quarter plan the VP approved",
        "areas": ["strategy"], "leverage": "strategic", "tags": ["rfc"],
        "url": "https://docs.example.com/rfc/billing-split",
    }),
    ("a0000003", "2026-01-22", "Mentored two new engineers through their first on-call", {
        "impact": "Both ran solo rotations within 6 weeks instead of the usual 12",
        "areas": ["people"], "leverage": "interpersonal", "with": ["Lena", "Kofi"],
        "tags": ["mentoring"],
    }),
    ("a0000004", "2026-01-29", "Reduced p99 latency of the search API from 800ms to 200ms", {
        "areas": ["customer"], "url": "https://git.example.com/search/pull/233",
        "tags": ["perf"],
    }),
    ("a0000005", "2026-02-03", "Worked on the flaky tests in CI", {
        "impact": "Worked on the flaky tests", "tags": ["ci"],
    }),
    ("a0000006", "2026-02-05", "Found and fixed a race condition in the ledger writer", {
        "impact": "Stopped duplicate ledger rows that had cost 3 hours of manual repair a week",
        "areas": ["quality"], "leverage": "expert",
        "url": "https://git.example.com/ledger/pull/88",
    }),
    ("a0000007", "2026-02-10", "SEV1: checkout outage during the payments cutover", {
        "impact": "Restored checkout in 22 minutes and wrote the postmortem with 5 follow-ups",
        "areas": ["risk"], "source": "pagerduty", "source_id": "P123",
        "url": "https://example.pagerduty.com/incidents/P123",
    }),
    ("a0000008", "2026-02-12", "Launched annual plans in the pricing page", {
        "impact": "Grew annual-plan revenue by $1.2M in the first quarter",
        "areas": ["revenue"], "leverage": "execution", "with": ["Maya (product)", "Design"],
        "tags": ["launch"], "url": "https://git.example.com/shop/pull/1900",
    }),
    ("a0000009", "2026-02-17", "Pitched a self-serve refund flow to the support leads", {
        "impact": "Support agreed to fund it next quarter; it targets 30% of refund tickets",
        "areas": ["customer", "strategy"], "leverage": "strategic",
        "with": ["Support leads"],
    }),
    ("a0000010", "2026-02-20", "Helped with the onboarding docs", {
        "impact": "Helped with the onboarding docs", "tags": ["docs"],
    }),
    ("a0000011", "2026-02-24", "Salary band conversation with my manager", {
        "impact": "Agreed on the criteria for the staff promotion case",
        "private": True, "tags": ["career"],
    }),
    ("a0000012", "2026-02-27", "Built the deploy pipeline cache", {
        "impact": "Build times fell from 25 minutes to 8 minutes for 12 teams",
        "areas": ["velocity"], "leverage": "execution",
        "url": "https://git.example.com/infra/pull/410",
    }),
    ("a0000013", "2026-03-04", "Interviewed 9 candidates and wrote the new backend rubric", {
        "impact": "Hiring loop feedback now arrives in 2 days instead of 5",
        "areas": ["people"], "leverage": "interpersonal", "tags": ["hiring"],
    }),
    ("a0000014", "2026-03-06", "Ran the churn analysis with data science", {
        "impact": "Identified the onboarding step behind 40% of first-month cancellations",
        "areas": ["retention"], "leverage": "strategic", "with": ["Ines (data science)"],
        "url": "https://docs.example.com/analysis/churn-q1",
    }),
    ("a0000015", "2026-03-11", "Shipped the guided onboarding checklist", {
        "impact": "Reduced first-month churn 15%, about $2.3M a year",
        "areas": ["retention", "revenue"], "leverage": "execution",
        "with": ["Maya (product)", "Ines (data science)"], "tags": ["launch"],
        "url": "https://git.example.com/shop/pull/1975",
    }),
    ("a0000016", "2026-03-13", "Rotated the leaked API keys for the partner integration", {
        "impact": "Closed the exposure within 2 hours; no customer data left the system",
        "areas": ["risk"], "tags": ["security", "incident"],
    }),
    ("a0000017", "2026-03-18", "Presented the reliability roadmap at the engineering all-hands", {
        "impact": "Three teams volunteered owners for the top 5 reliability risks",
        "areas": ["risk", "strategy"], "leverage": "strategic", "tags": ["talk"],
    }),
    ("a0000018", "2026-03-20", "Reviewed the storage team's designs for the new blob store", {
        "impact": "Caught a data-loss path before launch; the team adopted 3 of my 4 changes",
        "areas": ["quality", "risk"], "leverage": "interpersonal",
        "with": ["Storage team"],
    }),
    ("a0000019", "2026-03-25", "Tuned Kubernetes autoscaling and the SLO alerts", {
        "impact": "Improved SLO compliance and reduced toil with k8s HPA changes",
        "areas": ["risk"], "tags": ["ops"],
    }),
    ("a0000020", "2026-03-27", "Fixed the invoice PDF rendering bug", {
        "areas": ["quality"], "url": "https://git.example.com/shop/pull/2011",
    }),
    # A month with nothing written down: the coach should notice.
    ("a0000021", "2026-05-04", "Cut cloud storage costs by archiving cold logs", {
        "impact": "Saved $18k/month in storage, 35% of the logging bill",
        "areas": ["cost"], "leverage": "execution", "tags": ["cost"],
        "url": "https://git.example.com/infra/pull/455",
    }),
    ("a0000022", "2026-05-07", "Coached the mobile team through their first design review", {
        "impact": "Their next two designs passed review on the first round",
        "areas": ["people"], "leverage": "interpersonal", "with": ["Mobile team"],
    }),
    ("a0000023", "2026-05-12", "Replaced the hand-rolled retry logic with idempotent jobs", {
        "impact": "Failed payouts dropped from 120 to 4 per week",
        "areas": ["quality", "customer"], "leverage": "expert",
        "url": "https://git.example.com/payouts/pull/77",
    }),
    ("a0000024", "2026-05-15", "Blocked on security review for the data export feature", {
        "impact": "Need a decision on whether the export ships before the security review",
        "areas": ["risk"], "tags": ["blocked", "ask"],
    }),
    ("a0000025", "2026-05-19", "Drove the cross-team incident review process", {
        "impact": "Mean time to recover fell from 3 hours to 45 minutes across 6 teams",
        "areas": ["risk", "velocity"], "leverage": "execution",
        "with": ["SRE", "Payments", "Search"], "tags": ["incident"],
    }),
    ("a0000026", "2026-05-22", "Disk pressure on the primary database", {
        "impact": "Disk will fill in about 5 weeks at current growth; drafting a sharding plan",
        "areas": ["risk"], "tags": ["risk"],
    }),
    ("a0000027", "2026-05-27", "Wrote the engineering blog post on our payments migration", {
        "impact": "Read by 14k people; recruiting cited it in 6 candidate calls",
        "areas": ["people", "strategy"], "leverage": "interpersonal", "tags": ["writing"],
        "url": "https://blog.example.com/payments-migration",
    }),
    ("a0000028", "2026-06-02", "Profiled the recommendation service and rewrote its hot loop", {
        "impact": "CPU use fell 60%, letting us retire 14 servers",
        "areas": ["cost"], "leverage": "expert", "tags": ["perf"],
        "url": "https://git.example.com/recs/pull/301",
    }),
    ("a0000029", "2026-06-05", "Partnered with sales on the enterprise SSO launch", {
        "impact": "Unblocked 3 enterprise deals worth $650k in annual contracts",
        "areas": ["revenue", "customer"], "leverage": "interpersonal",
        "with": ["Alex (sales)", "Jordan (solutions)"], "tags": ["launch"],
        "url": "https://git.example.com/auth/pull/512",
    }),
    ("a0000030", "2026-06-09", "Proposed the build vs buy decision for feature flags", {
        "impact": "Recommended buying; saves an estimated 2 engineer-quarters",
        "areas": ["strategy", "velocity"], "leverage": "strategic", "tags": ["ask"],
        "url": "https://docs.example.com/proposals/feature-flags",
    }),
    ("a0000031", "2026-06-12", "Paired with Lena on the ledger reconciliation job", {
        "impact": "Lena now owns reconciliation end to end",
        "areas": ["people"], "leverage": "interpersonal", "with": ["Lena"],
    }),
    ("a0000032", "2026-06-16", "SEV2: search degraded after the index rebuild", {
        "impact": "Mitigated in 35 minutes; a new canary check stops half-built rebuilds",
        "areas": ["risk"], "source": "incidents", "source_id": "INC-77",
        "url": "https://status.example.com/incidents/77",
    }),
    ("a0000033", "2026-06-19", "Improved the test suite runtime", {
        "impact": "CI runs 3x faster, from 18 minutes to 6 minutes",
        "areas": ["velocity", "quality"], "leverage": "execution", "tags": ["ci"],
        "url": "https://git.example.com/shop/pull/2100",
    }),
    ("a0000034", "2026-06-23", "Interview feedback on a friend's startup", {
        "impact": "Personal side project, not for review", "private": True,
    }),
    ("a0000035", "2026-06-25", "Vendor contract renewal for the CDN is stuck in procurement", {
        "impact": "Need help escalating: the contract lapses on July 15",
        "areas": ["risk", "cost"], "tags": ["ask", "blocked"],
    }),
    ("a0000036", "2026-06-26", "Designed the self-serve refund flow with support", {
        "impact": "Expected to deflect 30% of refund tickets, about 900 a month",
        "areas": ["customer"], "leverage": "execution", "with": ["Support leads"],
        "url": "https://docs.example.com/design/refunds",
    }),
]  # fmt: skip

PRIVATE_TITLES = [title for _, _, title, f in ENTRIES if f.get("private")]


def make_entry(entry_id: str, date: str, title: str, fields: dict[str, Any]) -> Entry:
    day = dt.date.fromisoformat(date)
    stamp = dt.datetime(day.year, day.month, day.day, 17, 30, tzinfo=dt.UTC)
    return Entry(
        id=entry_id,
        date=day,
        title=title,
        impact=fields.get("impact", ""),
        areas=list(fields.get("areas", [])),
        leverage=fields.get("leverage", ""),
        with_=list(fields.get("with", [])),
        tags=list(fields.get("tags", [])),
        url=fields.get("url", ""),
        source=fields.get("source", ""),
        source_id=fields.get("source_id", ""),
        private=bool(fields.get("private", False)),
        body=fields.get("body", ""),
        created=stamp,
    )


def write_entries(journal: Journal, entries: list[Entry], message: str) -> None:
    """Write entry files directly and record them in one commit (fast for big journals)."""
    written = []
    for entry in entries:
        entry.path = entry.default_path()
        path = journal.root / entry.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(entry.to_markdown(), encoding="utf-8")
        written.append(entry.path)
    gitcmd.commit_paths(journal.root, message, add=written)


def build(root: Path) -> Journal:
    """Create the fixture journal at ``root`` (initialised, configured, committed)."""
    journal = Journal(root)
    journal.init()
    (root / "brag.toml").write_text(CONFIG, encoding="utf-8")
    gitcmd.commit_paths(root, "configure", paths=["brag.toml"])
    entries = [make_entry(*row) for row in ENTRIES]
    write_entries(journal, entries, "fixture entries")
    return Journal(root)
