"""Stage 3, leverage and the two skill trees.

How the work shows seniority (execution, strategic, interpersonal, expert),
whether it is Tree A (technical) or Tree B (communication and influence)
evidence, the levels a user can aim at and the Tree B share each expects.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ..entry import Entry
from ..errors import BragError
from .areas import _entry_text, _entry_tokens, _index_for
from .metrics import _lazy

#: Words that show each leverage type (see seeds/003). Matched like AREA_KEYWORDS.
LEVERAGE_KEYWORDS: dict[str, list[str]] = {
    "interpersonal": [
        "mentor", "mentee", "coach", "hiring", "hired", "hire", "interview", "onboard",
        "aligned", "align", "alignment", "brought together", "cross-team", "cross-functional",
        "consensus", "facilitat*", "negotiat*", "unblock", "partnered", "sponsor*", "taught",
        "teach", "pair programming", "paired", "championed", "rallied", "trust",
        "advocated", "coordinated across",
    ],
    "strategic": [
        "proposal", "propose", "proposed", "rfc", "roadmap", "strategy", "strategic", "vision",
        "business case", "pitched", "pitch", "north star", "opportunity", "design doc",
        "long-term", "multi-year", "okr", "technical direction", "build vs buy",
    ],
    "execution": [
        "led", "lead", "shipped", "ship", "migrated", "migration", "launched", "launch",
        "delivered", "deliver", "drove", "drive", "rolled out", "rollout", "completed", "built",
        "implemented", "coordinated", "executed", "on time", "deadline", "cutover", "released",
        "rewrote", "replaced", "deprecated",
    ],
    "expert": [
        "profiling", "profiler", "profiled", "kernel", "compiler", "cryptography",
        "cryptographic", "query planner", "flame graph", "garbage collect*", "jit", "simd",
        "lock-free", "allocator", "bytecode", "ebpf", "fpga", "cuda", "assembly", "paxos",
        "raft", "formal verification", "tla+", "b-tree", "lsm", "vectoriz*", "codec", "cobol",
        "mainframe", "internals", "race condition", "deadlock", "memory leak", "numerical",
    ],
}  # fmt: skip

# Which leverage wins a tie: the rarer, more senior signals first; execution is
# also the default, so it needs no help.
_LEVERAGE_PRIORITY = ("interpersonal", "strategic", "expert", "execution")


def _leverage_for(entry: Entry) -> tuple[str, bool]:
    """The entry's leverage type and whether it was inferred.

    An explicit ``leverage`` field wins. Otherwise words vote (title, impact
    and tags count double; a tag naming a leverage type counts triple; an
    explicit ``people`` or ``strategy`` area adds to interpersonal or
    strategic). With no signal at all the answer is ``execution``: most
    journal entries record work driven to done.
    """
    if entry.leverage.strip():
        return entry.leverage.strip().lower(), False
    strong, weak = _entry_tokens(entry)
    tags = {t.strip().lower() for t in entry.tags}
    areas = {a.strip().lower() for a in entry.areas}
    index = _index_for(LEVERAGE_KEYWORDS)
    strong_hits, weak_hits = index.count(strong), index.count(weak)
    votes: dict[str, int] = {}
    for kind in _LEVERAGE_PRIORITY:
        votes[kind] = 2 * strong_hits[kind] + weak_hits[kind]
        if kind in tags:
            votes[kind] += 3
    votes["interpersonal"] += 2 if "people" in areas else 0
    votes["strategic"] += 2 if "strategy" in areas else 0
    best = max(_LEVERAGE_PRIORITY, key=lambda k: (votes[k], -_LEVERAGE_PRIORITY.index(k)))
    return (best if votes[best] else "execution"), True


#: Evidence of Tree B (communication and influence) work, from seeds/002:
#: mentoring, cross-team alignment, presenting, writing proposals, reviewing
#: others' designs, hiring, and stakeholder communication.
TREE_B_KEYWORDS: list[str] = [
    "mentor", "mentee", "coach", "cross-team", "cross-functional", "aligned", "align",
    "alignment", "presented", "presenting", "presentation", "talk", "keynote", "demo",
    "brown bag", "brownbag", "town hall", "all-hands", "proposal", "proposed", "rfc",
    "design doc", "design document", "design review", "architecture review", "reviewed design",
    "reviewed the design", "hiring", "hired", "interview", "recruit*", "stakeholder*",
    "communicat*", "workshop", "taught", "teach", "facilitat*", "negotiat*",
    "consensus", "blog post", "write-up", "writeup", "newsletter", "exec update",
    "pitched", "pitch",
]  # fmt: skip

#: The share of Tree B evidence expected when aiming at each level (seeds/002).
TREE_B_TARGETS: dict[str, float] = {"mid": 0.05, "senior": 0.25, "staff": 0.60, "principal": 0.80}

_LEVEL_ALIASES = {"sr": "senior", "sr.": "senior", "jr": "mid", "junior": "mid"}


def _tree_for(entry: Entry, leverage: str) -> str:
    """``"B"`` for communication-and-influence evidence, else ``"A"`` (technical).

    An entry's own ``tree = "A"|"B"`` front-matter field wins; interpersonal
    leverage is Tree B by definition; otherwise any Tree B keyword makes it B.
    """
    explicit = str(entry.extra.get("tree", "")).strip().upper()
    if explicit in ("A", "B"):
        return explicit
    if leverage == "interpersonal":
        return "B"
    strong, weak = _entry_tokens(entry)
    index = _index_for({"B": TREE_B_KEYWORDS})
    if index.count(strong)["B"] or index.count(weak)["B"]:
        return "B"
    if _REVIEWED_DESIGNS().search(" ".join(_entry_text(entry))):
        return "B"
    return "A"


# "Reviewed the storage team's designs": reviewing others' designs is Tree B.
_REVIEWED_DESIGNS = _lazy(
    r"(?i)\breview(?:ed|ing)?\s+(?:[\w']+\s+){0,4}(?:designs?|proposals?|rfcs?|design\s+docs?)\b"
)


def normalise_level(level: str) -> str:
    """The canonical level name ("mid", "senior", "staff", "principal") for what
    people write ("Senior Engineer", "sr", "Staff+"); unknown levels are an error."""
    key = re.sub(r"\s+", " ", level.strip().lower())
    key = re.sub(r"\b(?:software|swe|sde|engineer(?:ing)?|developer|ic|level)\b", "", key).strip()
    key = _LEVEL_ALIASES.get(key, key)
    if key.endswith("+"):
        key = key[:-1]
    if key not in TREE_B_TARGETS:
        known = ", ".join(TREE_B_TARGETS)
        raise BragError(f"unknown target level {level!r}; known levels: {known}")
    return key


#: The level after each one, for users who set ``level`` but no ``target_level``.
NEXT_LEVEL = {"mid": "senior", "senior": "staff", "staff": "principal", "principal": "principal"}


def tree_b_target(level: str) -> float:
    """The Tree B share expected for a target level ("staff", "Senior Engineer", "sr")."""
    return TREE_B_TARGETS[normalise_level(level)]


def _balance(trees: Iterable[str], target: str | None = None) -> dict[str, Any]:
    """Counts and shares of Tree A and Tree B among ``trees``, optionally against a target.

    Returns ``{"A": n, "B": n, "total": n, "share_a": f, "share_b": f}`` and,
    with a ``target`` level, also ``"target"``, ``"target_b"`` (the expected
    share) and ``"gap_b"`` (how far below the target the B share is; 0 when
    met). Shares are 0.0 for an empty journal rather than undefined.
    """
    counts = {"A": 0, "B": 0}
    for tree in trees:
        counts[tree] += 1
    total = counts["A"] + counts["B"]
    result: dict[str, Any] = {
        "A": counts["A"],
        "B": counts["B"],
        "total": total,
        "share_a": counts["A"] / total if total else 0.0,
        "share_b": counts["B"] / total if total else 0.0,
    }
    if target is not None:
        expected = tree_b_target(target)
        result["target"] = target
        result["target_b"] = expected
        result["gap_b"] = max(0.0, expected - result["share_b"])
    return result
