"""``brag demo``: a sample journal with a year of realistic entries, then the
promotion brief and the HTML report, so a newcomer sees the product in one command.

Entries go through the real :class:`~brag.journal.Journal` API: typed wins with
``Journal.add`` (one commit each, as ``brag add`` does) and the merged pull
requests with ``Journal.import_entries`` (one commit, as ``brag import`` does).
Dates are relative to today, so the demo always shows "the past year". No
network, no accounts, no tokens.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .entry import Entry, parse_metric
from .errors import BragError

if TYPE_CHECKING:
    from .journal import Journal

REPORT_NAME = "brag-report.html"
DEMO_TARGET = "staff"
REPO = "https://github.com/example-org/storefront"


@dataclass
class Sample:
    days_ago: int
    title: str
    impact: str = ""
    tags: list[str] = field(default_factory=list)
    areas: list[str] = field(default_factory=list)
    leverage: str = ""
    with_: list[str] = field(default_factory=list)
    metrics: list[str] = field(default_factory=list)
    url: str = ""
    pr: int = 0  # a merged pull request, imported from "github"
    private: bool = False
    body: str = ""


SAMPLES: tuple[Sample, ...] = (
    # -- a year ago: settling in, first wins ------------------------------------------
    Sample(358, "Fix N+1 queries on the order history page", pr=4112,
           tags=["perf", "orders"], metrics=["order history p95: 1900ms -> 420ms"]),
    Sample(351, "Made checkout 4x faster (800ms to 200ms) by caching tax rules",
           impact="Cart abandonment at the payment step down 3%", tags=["perf", "checkout"],
           areas=["customer", "revenue"], metrics=["checkout p99: 800ms -> 200ms"],
           url=f"{REPO}/pull/4127"),
    Sample(344, "SEV2: payment webhooks dropped during a provider outage; led the response",
           impact="Recovered 1,140 delayed orders within 2 hours, no double charges",
           tags=["incident", "payments"], areas=["risk", "customer"], leverage="execution",
           body="Incident commander. Replayed webhooks from the provider's event log and wrote "
           "the postmortem with four follow-ups (all closed).\n"),
    Sample(333, "Add retry with idempotency keys to the payment client", pr=4160,
           tags=["payments", "reliability"], areas=["risk"]),
    Sample(326, "Mentored two new backend engineers through their first on-call rotation",
           impact="Both handled pages alone within 6 weeks", tags=["mentoring", "on-call"],
           areas=["people"], leverage="interpersonal", with_=["platform team"]),
    Sample(318, "Remove dead feature flags and 9,000 lines of unused code", pr=4203,
           tags=["cleanup"], areas=["velocity"], metrics=["lines removed: 9000 lines"]),
    # -- autumn: the search migration ---------------------------------------------
    Sample(305, "Design doc: move product search from the legacy cluster to managed search",
           impact="Approved by three teams; sets the plan for the next two quarters",
           tags=["design-doc", "search"], areas=["strategy", "cost"], leverage="strategic",
           with_=["search team", "SRE"], url="https://docs.example.com/rfc/search-migration"),
    Sample(296, "Dual-write product updates to the new search index", pr=4288,
           tags=["search", "migration"], areas=["risk"]),
    Sample(290, "Build a relevance comparison harness for old and new search", pr=4301,
           tags=["search", "testing"], areas=["quality"],
           impact="Caught 14 ranking regressions before any customer saw them"),
    Sample(281, "Ran the search cutover with zero downtime", tags=["search", "migration"],
           impact="Search infrastructure cost down $18k a month",
           areas=["cost", "risk"], leverage="execution", with_=["search team"],
           metrics=["search infra cost: 31000 $/month -> 13000 $/month"]),
    Sample(274, "Presented the search migration at the engineering all-hands",
           tags=["talk", "search"], areas=["people", "strategy"], leverage="interpersonal"),
    Sample(266, "Decommission the legacy search cluster", pr=4377,
           tags=["search", "cleanup"], areas=["cost"]),
    # -- winter: reliability ----------------------------------------------------------
    Sample(255, "SEV1: inventory service out of memory on Black Friday; mitigated in 12 minutes",
           impact="Kept checkout open through peak traffic; estimated $240k of orders saved",
           tags=["incident", "inventory"], areas=["risk", "revenue"], leverage="execution",
           metrics=["time to mitigate: 12 minutes"]),
    Sample(247, "Add memory limits and autoscaling to the inventory service", pr=4430,
           tags=["reliability", "inventory"], areas=["risk"]),
    Sample(240, "Write the Black Friday postmortem and run the review with three teams",
           impact="Seven action items agreed across inventory, payments and SRE",
           tags=["incident", "postmortem"], areas=["risk"], leverage="interpersonal",
           with_=["inventory team", "payments team", "SRE"]),
    Sample(229, "Introduce SLOs and burn-rate alerts for checkout",
           impact="Pages down from 41 to 12 a month with no missed incidents",
           tags=["reliability", "on-call"], areas=["risk", "velocity"],
           metrics=["pages per month: 41 -> 12"]),
    Sample(221, "Negotiated a bigger on-call stipend for the team", tags=["on-call"],
           areas=["people"], leverage="interpersonal", private=True),
    Sample(214, "Upgrade the storefront to Python 3.12", pr=4512, tags=["maintenance"],
           areas=["velocity"], metrics=["test suite time: 14 minutes -> 9 minutes"]),
    # -- spring: velocity -------------------------------------------------------------
    Sample(203, "Parallelise CI and cache dependencies", pr=4548, tags=["ci", "dx"],
           areas=["velocity"], impact="Every engineer waits 11 minutes less per push",
           metrics=["CI time: 19 minutes -> 8 minutes"]),
    Sample(195, "Interviewed 9 backend candidates and calibrated the rubric with hiring managers",
           tags=["hiring"], areas=["people"], leverage="interpersonal",
           impact="Two strong hires accepted"),
    Sample(188, "Proposal: one shared client library for all storefront services",
           impact="Adopted by 5 teams; removes four hand-written clients",
           tags=["proposal", "platform"], areas=["strategy", "velocity"], leverage="strategic",
           metrics=["teams adopting: 5 teams"]),
    Sample(180, "Generate typed service clients from the OpenAPI spec", pr=4601,
           tags=["platform", "dx"], areas=["velocity", "quality"]),
    Sample(172, "Fix flaky checkout end-to-end tests", pr=4633, tags=["testing", "ci"],
           areas=["quality"], metrics=["flaky failures per week: 23 -> 2"]),
    Sample(163, "Paired weekly with a mid-level engineer on system design",
           impact="They led their first design review in April", tags=["mentoring"],
           areas=["people"], leverage="interpersonal"),
    # -- summer: revenue work ---------------------------------------------------------
    Sample(151, "Launch saved carts for signed-in shoppers", tags=["checkout", "feature"],
           impact="Returning-shopper conversion up 4.2%", areas=["revenue", "retention"],
           leverage="execution", with_=["product", "design"],
           metrics=["returning conversion: 4.2 %"], url=f"{REPO}/pull/4702"),
    Sample(144, "Add server-side cart persistence", pr=4688, tags=["checkout"],
           areas=["revenue"]),
    Sample(136, "Cut image payload 60% with responsive images and AVIF", pr=4731,
           tags=["perf", "frontend"], areas=["customer", "cost"],
           metrics=["median page weight: 2.4MB -> 0.95MB"]),
    Sample(127, "SEV2: bad config push disabled discount codes; rolled back in 9 minutes",
           tags=["incident"], areas=["risk", "revenue"],
           impact="Added config validation so the same mistake cannot ship again"),
    Sample(119, "Validate config changes in CI before deploy", pr=4790, tags=["ci", "reliability"],
           areas=["risk", "quality"]),
    Sample(110, "Led the checkout accessibility audit with design",
           impact="Checkout now meets WCAG 2.1 AA; 31 issues fixed",
           tags=["accessibility", "checkout"], areas=["customer", "quality"],
           with_=["design"], metrics=["accessibility issues: 31 -> 0"]),
    # -- autumn again: scope grows ----------------------------------------------------
    Sample(98, "Design doc: split the monolith's order module into a service",
           impact="Agreed roadmap with payments and fulfilment; first phase staffed",
           tags=["design-doc", "architecture"], areas=["strategy"], leverage="strategic",
           with_=["payments team", "fulfilment team"],
           url="https://docs.example.com/rfc/order-service"),
    Sample(90, "Extract order reads behind an interface", pr=4866, tags=["architecture"],
           areas=["velocity"]),
    Sample(81, "Ran a workshop on writing design docs for 20 engineers",
           tags=["talk", "writing"], areas=["people"], leverage="interpersonal",
           metrics=["attendees: 20 engineers"]),
    Sample(72, "Move order writes to the new order service behind a flag", pr=4921,
           tags=["architecture", "migration"], areas=["risk"]),
    Sample(60, "Reduce database costs by right-sizing replicas", pr=4958, tags=["cost", "infra"],
           impact="Database spend down $7k a month", areas=["cost"],
           metrics=["database spend: 22000 $/month -> 15000 $/month"]),
    Sample(47, "Profiled and fixed a memory leak in the pricing worker", pr=4990,
           tags=["perf", "pricing"], areas=["risk", "cost"], leverage="expert",
           metrics=["worker restarts per day: 30 -> 0"]),
    Sample(35, "Onboarded the new fulfilment team onto the order service",
           impact="They shipped their first change in week one", tags=["onboarding"],
           areas=["people", "velocity"], leverage="interpersonal", with_=["fulfilment team"]),
    Sample(24, "Ship order service phase one to 100% of traffic", pr=5044,
           tags=["architecture", "migration"], areas=["velocity", "risk"],
           impact="Order changes now deploy independently, 6 times a week instead of 1",
           metrics=["order deploys per week: 1 -> 6"]),
    Sample(12, "Reviewed the payments team's ledger design and proposed a safer rollout",
           tags=["review", "payments"], areas=["risk", "strategy"], leverage="strategic",
           with_=["payments team"]),
    Sample(4, "Cut pricing lookups from 450ms to 120ms for the slowest requests", pr=5102,
           tags=["perf", "pricing"], areas=["customer"], metrics=["pricing p99: 450ms -> 120ms"]),
)  # fmt: skip


def _entry(sample: Sample, today: dt.date) -> Entry:
    entry = Entry(
        title=sample.title,
        date=today - dt.timedelta(days=sample.days_ago),
        impact=sample.impact,
        tags=list(sample.tags),
        areas=list(sample.areas),
        leverage=sample.leverage,
        with_=list(sample.with_),
        metrics=[parse_metric(m) for m in sample.metrics],
        url=sample.url,
        private=sample.private,
        body=sample.body,
    )
    if sample.pr:
        entry.source = "github"
        entry.source_id = f"example-org/storefront#{sample.pr}"
        entry.url = f"{REPO}/pull/{sample.pr}"
        entry.body = entry.body or f"Merged pull request #{sample.pr} in example-org/storefront.\n"
    return entry


def default_folder() -> Path:
    import tempfile

    return Path(tempfile.mkdtemp(prefix="brag-demo-"))


def create(folder: Path, today: dt.date | None = None) -> Journal:
    """Create the sample journal in ``folder`` (new or empty) and return it."""
    from .journal import Journal

    if today is None:
        from .exporting import today as as_of

        today = as_of()
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BragError(f"{folder} is not empty: give 'brag demo --dir' a new or empty folder")
    journal = Journal(folder.resolve())
    journal.init()
    journal.config_set("user.target_level", DEMO_TARGET)
    typed = [s for s in SAMPLES if not s.pr]
    imported = [_entry(s, today) for s in SAMPLES if s.pr]
    for sample in typed:
        journal.add(_entry(sample, today))
    journal.import_entries("github", imported, message="brag: import sample pull requests")
    # The report sits next to the entries; keep it out of `git status`.
    exclude = journal.root / ".git" / "info" / "exclude"
    exclude.parent.mkdir(parents=True, exist_ok=True)
    with exclude.open("a", encoding="utf-8") as fh:
        fh.write(f"\n{REPORT_NAME}\n")
    return journal


def _past_year(journal: Journal, exporter: Any, options: dict[str, Any], output: Any = None) -> Any:
    """What ``brag export`` would write for the past year, private entries left out."""
    from .exporting import run_export, today

    until = today()
    return run_export(
        journal,
        exporter,
        since=until - dt.timedelta(days=365),
        until=until,
        options=options,
        output=output,
    )


def run(folder: Path | None, echo: Any) -> Path:
    """Create the demo journal, print the promotion brief, write the report; return its path."""
    from .manager import exporters

    journal = create(folder if folder is not None else default_folder())
    root = journal.root
    count = journal.index.count()
    echo(f"Created a sample journal with {count} entries from the past year in {root}")
    available = exporters()
    brief = available.get("promo-brief")
    if brief is None:
        echo("(No 'promo-brief' exporter is installed here, so there is no brief to show.)")
    else:
        options = {"target": DEMO_TARGET} if any(p.name == "target" for p in brief.params) else {}
        rule = "─" * 72
        echo(f"\n{rule}\nbrag export promo-brief --target {DEMO_TARGET}\n{rule}\n")
        echo(_past_year(journal, brief, options).text.rstrip("\n"))
        echo(rule)
    report = available["report"]
    path = root / REPORT_NAME
    _past_year(journal, report, {"target": DEMO_TARGET}, output=path)
    echo(f"\nWrote the HTML report: {path}")
    echo(f"  open it in a browser: {path.as_uri()}")
    echo("\nTry it on the sample journal:")
    commands = ["list --since last-quarter", "stats"]
    commands += [f"export {kind}" for kind in ("one-on-one", "self-review") if kind in available]
    for command in commands:
        echo(f"  brag -C {root} {command}")
    echo('Start your own journal with: brag add "what you shipped" -i "what it changed"')
    return path
