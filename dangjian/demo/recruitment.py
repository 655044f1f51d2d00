"""Demo recruitment records for the demo college (called from college.build_activity)."""

from __future__ import annotations


def build(demo) -> None:
    """Create the demo's recruitment records through the recruitment services."""
