"""Argument checks and sentence helpers of the sandbox (SandboxError messages say what was given)."""

from __future__ import annotations

import math
import numbers

import numpy as np

from ..errors import SandboxError


def fmt(x: float) -> str:
    """A number with two decimals, "n/a" when undefined."""
    return "n/a" if not math.isfinite(x) else f"{x:.2f}"


def tick_decimals(tick: float) -> int:
    """Decimals that show every multiple of ``tick`` exactly (0.01 -> 2, 0.5 -> 1, 5 -> 0, 0.0025 -> 4)."""
    for d in range(10):
        scaled = tick * 10**d
        if abs(round(scaled) - scaled) <= 1e-9 * max(1.0, scaled):
            return d
    return 10


def fmt_mid(x: float, tick: float) -> str:
    """A mid price with one decimal more than the tick has (a mid can sit half-way between two ticks)."""
    return "n/a" if not math.isfinite(x) else f"{x:.{tick_decimals(tick) + 1}f}"


def moved(before: float, after: float) -> str:
    if not math.isfinite(after):
        return "left level-1 imbalance undefined (a side of the book is empty)"
    if not math.isfinite(before):
        return f"set level-1 imbalance to {fmt(after)}"
    verb = "raised" if after > before + 5e-3 else "lowered" if after < before - 5e-3 else "left"
    if verb == "left":
        return f"left level-1 imbalance at {fmt(after)}"
    return f"{verb} level-1 imbalance from {fmt(before)} to {fmt(after)}"


def check_int(value, name: str, minimum: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) or value < minimum:
        raise SandboxError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_side(side, choices: tuple, fn: str) -> str:
    if side not in choices or not isinstance(side, str):
        raise SandboxError(f"{fn}(): side must be {' or '.join(repr(c) for c in choices)}, got {side!r}")
    return side


def check_size(size, name: str) -> float:
    if isinstance(size, (bool, np.bool_)) or not isinstance(size, numbers.Real):
        raise SandboxError(f"{name} must be a number > 0, got {size!r}")
    s = float(size)
    if not (math.isfinite(s) and s > 0):
        raise SandboxError(f"{name} must be a finite number > 0, got {size!r}")
    return s


def check_venues(venues) -> tuple:
    if isinstance(venues, str):
        venues = (venues,)
    try:
        names = tuple(venues)
    except TypeError:
        raise SandboxError(f"venues must be a sequence of venue names, got {venues!r}") from None
    if not names or not all(isinstance(v, str) and v for v in names) or len(set(names)) != len(names):
        raise SandboxError(f"venues must be distinct non-empty strings, got {venues!r}")
    return names


def resolve_tick(tick_size, book) -> float:
    if tick_size is not None:
        return check_size(tick_size, "tick_size")
    if book is not None:
        t = book.meta.get("tick") if book.meta else None
        if t is None:
            t = book.tick
        if t is not None and np.isfinite(t) and t > 0:
            return float(t)
    return 0.01


def get_scenario(name):
    from .scenarios import SCENARIOS

    if not isinstance(name, str) or name not in SCENARIOS:
        raise SandboxError(f"unknown scenario {name!r}; scenarios are {', '.join(SCENARIOS)}")
    return SCENARIOS[name]
