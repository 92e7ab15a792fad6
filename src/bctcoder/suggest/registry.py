"""A registry of suggesters under versioned names (spaCy-style): ``lexical.v1``, ``zeroshot.v1``, ...

Register a factory with ``@register("name.v1")``; build one with ``create("name.v1", **options)``.
A new version of a suggester gets a new name, so a project's stored suggestions always say exactly which
model made them.
"""

from __future__ import annotations

from typing import Any, Callable

from bctcoder.errors import BctcoderError

_FACTORIES: dict[str, Callable[..., Any]] = {}
DEFAULT = "ensemble.v1"
FALLBACK = "lexical.v4"
"""Without the ``[suggest]`` extra: calibrated ``lexical.v1`` (two stages, with thresholds)."""


def register(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: register a suggester factory under a versioned name."""

    def decorate(factory: Callable[..., Any]) -> Callable[..., Any]:
        _FACTORIES[name] = factory
        return factory

    return decorate


def _load_builtin() -> None:
    # importing the modules registers their factories
    from bctcoder.suggest import calibrated, ensemble, lexical, neural, zeroshot  # noqa: F401


def available() -> list[str]:
    """Names of every registered suggester."""
    _load_builtin()
    return sorted(_FACTORIES)


def create(name: str, **options: Any):
    """Build a suggester by registry name."""
    _load_builtin()
    try:
        factory = _FACTORIES[name]
    except KeyError:
        raise BctcoderError(f"unknown suggester {name!r} (available: {', '.join(sorted(_FACTORIES))})") from None
    return factory(**options)
