"""The small-count rule of the row-level package: one function, so it can follow the aggregate layer.

Rows of the package are observations, not counts, but an attribute shared by few communities
of an area (a rare platform, an unusual audience band) singles them out. Whether a group of
communities is "too few" to be named is decided here and nowhere else; when the aggregate
disclosure-control layer (portal/research/disclosure.py) lands, `too_few` can delegate to it.
"""
from __future__ import annotations

from flask import current_app, has_app_context

#: Default minimum group size, as UK Trusted Research Environments use for output checking.
DEFAULT_MIN_CELL = 10


def min_cell() -> int:
    """The configured minimum group size (DISCLOSURE_MIN_CELL, default 10)."""
    if has_app_context():
        return int(current_app.config.get("DISCLOSURE_MIN_CELL") or DEFAULT_MIN_CELL)
    return DEFAULT_MIN_CELL


def too_few(count: int) -> bool:
    """True when a group of `count` communities (1 or more) is too small to be named in the package."""
    return 0 < count < min_cell()
