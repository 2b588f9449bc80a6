"""The impact engine: turn journal entries into evidence a decision-maker reads.

Everything brag says about an entry's business impact is worked out here, as
plain deterministic functions: the same entries, lens and reference date always
give the same numbers, order and wording. There is no I/O beyond the optional
analysis cache and no dependency beyond the standard library, so exporters,
the coach, ``brag show`` and third-party plugins can all call it cheaply and
test it without a journal.

The pipeline, one module per stage, in the order a bullet is built (a module
imports only the ones above it):

- :mod:`~brag.impact.memo` -- the memo of deterministic results the stages share.
- :mod:`~brag.impact.vocabulary` and :mod:`~brag.impact.metrics` -- 1. **Metrics**:
  :func:`find_metrics` recognises numbers written in prose ("from 800ms to
  200ms", "$2.3M", "3x", "15%", "12 teams") and ignores the numbers engineers
  write that are *not* evidence (versions, dates, PR numbers, ``p99``, ``k8s``,
  commit hashes, times of day).
- :mod:`~brag.impact.areas` -- 2. **Impact areas**: revenue, cost, risk,
  customer, ... taken from the entry when the author said so, otherwise
  inferred from words.
- :mod:`~brag.impact.leverage` -- 3. **Leverage and skill trees**: how the work
  shows seniority (execution, strategic, interpersonal, expert) and whether it
  is Tree A (technical) or Tree B (communication and influence) evidence.
- :mod:`~brag.impact.lenses` -- 4. **Audience lenses**: :data:`LENSES`, what a
  CFO, CTO, CEO, manager or peer weighs most.
- :mod:`~brag.impact.scoring` -- 5. **Scoring**: a transparent sum of named
  parts, so a user can see *why* one win outranks another.
- :mod:`~brag.impact.glossary` -- 6. **Glossary**: jargon and its plain words.
- :mod:`~brag.impact.reframe` -- 7. **Reframing**: conclusion first, number
  first, for one reader.
- :mod:`~brag.impact.analysis` -- 8. **Analysis**: :func:`analyse` reads an
  entry through every stage once, memoised on its content and kept on disk
  between runs; the entry-level functions (:func:`entry_metrics`,
  :func:`areas_for`, :func:`leverage_for`, :func:`tree_for`,
  :func:`tree_balance`, :func:`score`, :func:`rank`, :func:`reframe`) read
  through it.

Regular expressions are compiled lazily (and cached), so importing the engine
costs almost nothing: ``brag --help`` must stay instant, and commands import it
only when they need it.
"""

from __future__ import annotations

from .analysis import (
    ANALYSIS_VERSION as ANALYSIS_VERSION,
)
from .analysis import (
    CACHE_LIMIT as CACHE_LIMIT,
)
from .analysis import (
    Analysis,
    analyse,
    areas_for,
    entry_metrics,
    leverage_for,
    load_cache,
    rank,
    reframe,
    save_cache,
    score,
    tree_balance,
    tree_for,
)
from .analysis import (
    clear_memo as clear_memo,
)
from .areas import (
    AREA_KEYWORDS,
    load_keywords,
)
from .glossary import (
    GLOSSARY,
    jargon_in,
    load_glossary,
    translate,
)
from .lenses import (
    DEFAULT_LENS,
    LENSES,
    Lens,
    get_lens,
    load_lenses,
)
from .lenses import (
    LENS_ALIASES as LENS_ALIASES,
)
from .leverage import (
    LEVERAGE_KEYWORDS,
    TREE_B_KEYWORDS,
    TREE_B_TARGETS,
    normalise_level,
    tree_b_target,
)
from .leverage import (
    NEXT_LEVEL as NEXT_LEVEL,
)
from .memo import (
    remember as remember,
)
from .memo import (
    remember_words as remember_words,
)
from .metrics import (
    METRIC_KINDS,
    Metric,
    find_metrics,
    metric_from_dict,
)
from .reframe import (
    ACTIVITY_PHRASES,
    Reframed,
    is_activity_phrasing,
)
from .reframe import (
    _activity_re as _activity_re,
)
from .scoring import (
    AREA_POINTS as AREA_POINTS,
)
from .scoring import (
    HALF_LIFE_DAYS as HALF_LIFE_DAYS,
)
from .scoring import (
    IMPACT_POINTS as IMPACT_POINTS,
)
from .scoring import (
    LEVERAGE_POINTS as LEVERAGE_POINTS,
)
from .scoring import (
    METRIC_POINTS as METRIC_POINTS,
)
from .scoring import (
    PAIR_BONUS as PAIR_BONUS,
)
from .scoring import (
    RECENCY_FLOOR as RECENCY_FLOOR,
)
from .scoring import (
    SCOPE_CAP as SCOPE_CAP,
)
from .scoring import (
    SECONDARY_AREA_POINTS as SECONDARY_AREA_POINTS,
)
from .scoring import (
    UNPROVEN_AREA_FACTOR as UNPROVEN_AREA_FACTOR,
)
from .scoring import (
    Score,
)
from .scoring import (
    metric_points as metric_points,
)

__all__ = [
    "ACTIVITY_PHRASES",
    "Analysis",
    "AREA_KEYWORDS",
    "DEFAULT_LENS",
    "GLOSSARY",
    "LENSES",
    "LEVERAGE_KEYWORDS",
    "METRIC_KINDS",
    "TREE_B_KEYWORDS",
    "TREE_B_TARGETS",
    "Lens",
    "Metric",
    "Reframed",
    "Score",
    "analyse",
    "areas_for",
    "entry_metrics",
    "find_metrics",
    "get_lens",
    "is_activity_phrasing",
    "jargon_in",
    "load_cache",
    "leverage_for",
    "load_glossary",
    "load_keywords",
    "load_lenses",
    "metric_from_dict",
    "normalise_level",
    "rank",
    "reframe",
    "save_cache",
    "score",
    "translate",
    "tree_b_target",
    "tree_balance",
    "tree_for",
]
