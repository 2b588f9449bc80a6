"""Stage 6, the glossary: engineering jargon and its plain-language meaning.

:func:`jargon_in` finds the terms a non-technical reader may not know;
:func:`translate` rewrites them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

from ..errors import ConfigError
from .memo import _glossary_fingerprint, compile_kept, remember
from .metrics import _scan, _singular

#: Engineering jargon and its plain-language translation for non-technical
#: readers. Matched as whole words, case-insensitively, longest first. Users
#: add or override entries under ``[glossary]`` in brag.toml.
GLOSSARY: dict[str, str] = {
    "p99 latency": "slowest-1% response time",
    "p95 latency": "slowest-5% response time",
    "p90 latency": "slowest-10% response time",
    "p50 latency": "typical response time",
    "median latency": "typical response time",
    "tail latency": "response time of the slowest requests",
    "p99": "slowest-1% response time",
    "p95": "slowest-5% response time",
    "p90": "slowest-10% response time",
    "p50": "typical response time",
    "latency": "response time",
    "throughput": "processing capacity",
    "k8s": "our container platform",
    "kubernetes": "our container platform",
    "CI/CD": "the automated build, test and release pipeline",
    "CI": "the automated build and test pipeline",
    "SLO": "reliability target",
    "SLOs": "reliability targets",
    "SLA": "service-level commitment",
    "SLAs": "service-level commitments",
    "SLI": "reliability measure",
    "SLIs": "reliability measures",
    "MTTR": "time to recover from incidents",
    "MTTD": "time to detect incidents",
    "toil": "repetitive manual work",
    "tech debt": "accumulated shortcuts that slow future work",
    "technical debt": "accumulated shortcuts that slow future work",
    "refactor": "restructure the code",
    "refactored": "restructured the code",
    "refactoring": "restructuring the code",
    "idempotent": "safe to retry",
    "on-call": "out-of-hours duty",
    "postmortem": "incident review",
    "post-mortem": "incident review",
    "RCA": "root-cause analysis",
    "flaky tests": "unreliable automated tests",
    "flaky test": "unreliable automated test",
    "e2e tests": "end-to-end tests",
    "unit tests": "automated tests",
    "monorepo": "single shared codebase",
    "microservices": "independent services",
    "microservice": "independent service",
    "feature flags": "feature switches",
    "feature flag": "feature switch",
    "canary release": "gradual rollout",
    "canary deploy": "gradual rollout",
    "observability": "visibility into how our systems behave",
    "telemetry": "usage and health data",
    "deprecated": "retired",
    "deprecate": "retire",
    "SDK": "developer toolkit",
    "OOM": "out-of-memory crash",
    "OOMs": "out-of-memory crashes",
    "SEV1": "top-severity incident",
    "SEV-1": "top-severity incident",
    "SEV2": "high-severity incident",
    "SEV-2": "high-severity incident",
    "CVE": "known security vulnerability",
    "CVEs": "known security vulnerabilities",
    "zero-downtime": "without interrupting service",
    "IaC": "infrastructure defined as code",
    "infra": "infrastructure",
    "prod": "production",
    "ETL": "data pipeline",
    "N+1 queries": "redundant database queries",
    "sharding plan": "plan to split the database across servers",
    "sharding": "splitting the database across servers",
    "autoscaling": "automatic capacity scaling",
    "RFC": "design proposal",
    "RFCs": "design proposals",
    "QPS": "queries per second",
    "RPS": "requests per second",
    "PR": "code change",
    "PRs": "code changes",
    "CDN": "content delivery network",
    "cold start": "startup delay",
    "cold starts": "startup delays",
    "SRE": "site reliability engineering",
    "SSO": "single sign-on",
    "MFA": "multi-factor sign-in",
    "2FA": "two-factor sign-in",
    "GC pauses": "memory clean-up pauses",
    "cache hit rate": "share of requests served from cache",
    "blast radius": "scope of damage when something fails",
}


def load_glossary(config: Mapping[str, Any] | None = None) -> dict[str, str]:
    """The default glossary merged with ``[glossary]`` from brag.toml.

    A user entry replaces the default for the same term (compared
    case-insensitively); an empty string removes the term, for teams whose
    readers do know what "CI" means.
    """
    merged = dict(GLOSSARY)
    extra = (config or {}).get("glossary", {})
    if not isinstance(extra, Mapping):
        raise ConfigError("[glossary] in brag.toml must be a table of term = plain words")
    for term, plain in extra.items():
        if not isinstance(plain, str):
            raise ConfigError(f"glossary.{term} must be a string")
        for existing in [k for k in merged if k.lower() == str(term).strip().lower()]:
            del merged[existing]
        if plain.strip():
            merged[str(term).strip()] = plain.strip()
    return merged


_MAYBE_NUMBER = re.compile(r"[\d.,]")


@functools.lru_cache(maxsize=32)
def _glossary_matcher(terms: tuple[str, ...]) -> tuple[re.Pattern[str], dict[str, str]] | None:
    """One alternation of all terms (longest first) and a normalised-term lookup."""
    if not terms:
        return None
    alternatives = [
        r"\s+".join(re.escape(w) for w in term.split())
        for term in sorted(terms, key=len, reverse=True)
    ]
    pattern = compile_kept(rf"(?<![\w-])(?:{'|'.join(alternatives)})(?![\w-])", re.IGNORECASE)
    return pattern, {" ".join(term.lower().split()): term for term in terms}


def _glossary_hits(text: str, glossary: Mapping[str, str]) -> list[tuple[int, int, str]]:
    """(start, end, glossary key) of each jargon term, never inside a metric's number."""
    prepared = _glossary_matcher(tuple(glossary))
    if prepared is None or not text:
        return []
    pattern, lookup = prepared
    matches = list(pattern.finditer(text))
    if not matches:
        return []
    # Only the digits of a metric are off limits: "3 PRs" may become "3 code changes".
    # A match can only overlap those digits if it holds a digit, "." or ",": most
    # ("latency", "CI") hold none, and then the metric scan is not needed at all.
    numbers = (
        [
            (start + d.start(), start + d.end())
            for start, end, _ in _scan(text)
            for d in re.finditer(r"\d[\d.,]*", text[start:end])
        ]
        if any(_MAYBE_NUMBER.search(m.group(0)) for m in matches)
        else []
    )
    hits = []
    for m in matches:
        if any(m.start() < e and s < m.end() for s, e in numbers):
            continue
        key = lookup.get(" ".join(m.group(0).lower().split()))
        if key is not None:
            hits.append((m.start(), m.end(), key))
    return hits


def jargon_in(text: str, glossary: Mapping[str, str] | None = None) -> list[str]:
    """Glossary terms used in ``text``, in order of first use (for the coach)."""
    found: list[str] = []
    for _, _, key in _glossary_hits(text, glossary if glossary is not None else GLOSSARY):
        if key not in found:
            found.append(key)
    return found


def translate(text: str, glossary: Mapping[str, str] | None = None) -> str:
    """Replace jargon with plain words, keeping every number and metric intact.

    "Cut p99 latency from 800ms to 200ms" becomes "Cut slowest 1% of
    requests' response time from 800ms to 200ms": the precision stays, the
    vocabulary becomes the reader's. A leading "the"/"our" in a translation
    is dropped after an article already in the text ("the CI pipeline").
    """
    if not text:
        return text
    table = glossary if glossary is not None else GLOSSARY
    key = ("translate", text, _glossary_fingerprint(glossary))
    result: str = remember(key, lambda: _translate(text, table))
    return result


def _translate(text: str, table: Mapping[str, str]) -> str:
    hits = _glossary_hits(text, table)
    if not hits:
        return text
    out: list[str] = []
    last = 0
    for start, end, key in hits:
        plain = table[key]
        before = text[last:start]
        if re.search(r"(?i)\b(?:the|our|a|an|my|their|its|this|that)\s+$", text[:start]):
            plain = re.sub(r"(?i)^(?:the|our|a|an)\s+", "", plain)
        if start == 0 or re.search(r"[.!?]\s+$", text[:start]):
            plain = plain[:1].upper() + plain[1:]
        out.append(before)
        out.append(plain)
        last = end
        # "the CI pipeline" -> "the automated build and test pipeline", not "... pipeline pipeline".
        tail_word = plain.split()[-1].lower() if plain.split() else ""
        repeat = re.match(r"\s+(\w+)\b", text[end:])
        if repeat and tail_word and _singular(repeat.group(1).lower()) == _singular(tail_word):
            last = end + repeat.end()
    out.append(text[last:])
    return "".join(out)
