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


SUPERSEDED = {"lexical.v1": "lexical.v4", "lexical.v2": "lexical.v4", "supervised.v1": "supervised.v2",
              "hybrid.v1": "hybrid.v2", "zeroshot.v1": "zeroshot.v3", "zeroshot.v2": "zeroshot.v3"}
"""Versions kept so that stored suggestions keep naming the model that made them, whose confidences are not
calibrated on every held-out set (ECE above 0.10, BENCHMARKS.md), each with the calibrated version to use."""


def calibration_note(name: str) -> str | None:
    """A one-line note for a superseded suggester (None for a calibrated one)."""
    successor = SUPERSEDED.get(name)
    if successor is None:
        return None
    return (f"{name}'s confidences are not calibrated on every data set (held-out ECE above 0.10); "
            f"{successor} is its calibrated successor")


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
