"""Errors raised by the state store."""

from __future__ import annotations


class StoreError(Exception):
    """Bad use of the store, or a store on disk that cannot be trusted."""


class HeightError(StoreError):
    """A height that is not kept (pruned or not yet committed)."""


class StaleOverlayError(StoreError):
    """An overlay created before the latest commit was used to commit."""
