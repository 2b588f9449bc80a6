"""How untrusted PR/MR text becomes entry fields (plugins/_remote.py)."""

from __future__ import annotations

import pytest

from brag.plugins import _remote


@pytest.mark.parametrize(
    ("description", "impact"),
    [
        (
            "## Impact\n\nCut build time from 20 to 8 minutes.\n\n## Notes\nx",
            "Cut build time from 20 to 8 minutes.",
        ),
        (
            "Summary line.\n\n**Why:** customers kept hitting timeouts.\n",
            "customers kept hitting timeouts.",
        ),
        ("Impact: saves $4k a month\non storage.\n\nMore.", "saves $4k a month on storage."),
        (
            "### Why\n- unblocks the EU launch\n- removes a pager alert\n\n### How",
            "unblocks the EU launch; removes a pager alert",
        ),
        ("Why this matters is obvious.\n\nSecond.", "Why this matters is obvious."),
        ("## Impactful refactor\nMoved files around.", "Moved files around."),
        (
            "<!-- Describe your change -->\n## Checklist\n- [ ] tests\n\nRenames the flag.",
            "Renames the flag.",
        ),
        ("", ""),
        (None, ""),
    ],
)
def test_extract_impact(description, impact):
    assert _remote.extract_impact(description) == impact


def test_clean_title_strips_controls_and_bounds_length():
    # The whole escape sequence goes, not only its ESC byte.
    assert _remote.clean_title("a\x1b[31m\u202ebad\x00\nline", "x") == "abad line"
    assert _remote.clean_title("  ", "fallback") == "fallback"
    assert len(_remote.clean_title("y" * 500, "x")) == 200


def test_tag_for():
    assert _remote.tag_for("Needs Review") == "needs-review"
    assert _remote.tag_for("../../etc") == "etc"
    assert _remote.tag_for("c++") == "c++"
    assert _remote.tag_for("<script>") == "script"
