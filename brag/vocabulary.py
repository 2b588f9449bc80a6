"""The words an entry's closed fields take: its impact areas and kinds of leverage.

Here rather than in :mod:`brag.entry` (which re-exports them) so that the
command line can offer them in ``brag add --help`` and check ``--leverage``
without importing the entry model.
"""

from __future__ import annotations

AREAS = (
    "revenue",
    "cost",
    "risk",
    "customer",
    "retention",
    "velocity",
    "quality",
    "people",
    "strategy",
)
LEVERAGE = ("execution", "strategic", "interpersonal", "expert")
