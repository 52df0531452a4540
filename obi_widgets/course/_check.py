"""Checking a student's answer to a course exercise: :func:`check`, :class:`Exercise`."""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module

import numpy as np

from ..errors import ParameterError

KINDS = ("number", "numbers", "bool", "choice", "text")
CHAPTERS = range(1, 10)
_ID = re.compile(r"^\s*(\d+)\.(\d+)\s*$")


@dataclass(frozen=True)
class Exercise:
    """One exercise: its question, how to compute the right answer, and how to compare.

    ``expected`` is called once (on the first check) and computes the answer from the chapter's
    data with the kit's metrics. ``kind``: ``"number"`` (one float, equal within ``rtol`` /
    ``atol``), ``"numbers"`` (a sequence of floats, same length, each within tolerance), ``"bool"``,
    ``"choice"`` (one of ``choices``, case and spaces ignored) or ``"text"`` (exact, case and
    surrounding spaces ignored). ``hint`` is shown after a wrong answer, ``explanation`` after a
    right one.
    """

    id: str
    question: str
    expected: Callable[[], object] = field(repr=False)
    kind: str = "number"
    rtol: float = 1e-3
    atol: float = 1e-9
    choices: tuple[str, ...] = ()
    hint: str = ""
    explanation: str = ""

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ParameterError(f"Exercise {self.id}: kind must be one of {KINDS}, got {self.kind!r}")
        if self.kind == "choice" and not self.choices:
            raise ParameterError(f"Exercise {self.id}: a 'choice' exercise needs its choices")


@dataclass(frozen=True)
class CheckResult:
    """What :func:`check` found: ``correct`` is True, False, or None (no answer given yet).

    ``bool(result)`` is ``result.correct is True``; the notebook shows a coloured box."""

    exercise: str
    correct: bool | None
    message: str

    def __bool__(self) -> bool:
        return self.correct is True

    def __repr__(self) -> str:
        mark = {True: "right", False: "not yet", None: "no answer yet"}[self.correct]
        return f"Exercise {self.exercise}: {mark}. {self.message}"

    def _repr_html_(self) -> str:
        colour = {True: "#1a7f37", False: "#cf222e", None: "#9a6700"}[self.correct]
        mark = {True: "&#10004; right", False: "&#10008; not yet", None: "&#8230; no answer yet"}[self.correct]
        return (
            f'<div class="obi-course-check" style="border-left:4px solid {colour};padding:4px 10px;margin:4px 0">'
            f'<b style="color:{colour}">Exercise {html.escape(self.exercise)}: {mark}.</b> '
            f"{html.escape(self.message)}</div>"
        )


_EXPECTED: dict[str, object] = {}


def _chapter(number: int):
    if number not in CHAPTERS:
        raise ParameterError(f"the course has chapters 1 to 9, got chapter {number}")
    try:
        return import_module(f"{__package__}.chapter{number}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__package__}.chapter{number}":
            raise
        raise ParameterError(f"chapter {number} has no exercises yet") from None


def exercises(chapter: int) -> dict[str, Exercise]:
    """The exercises of a chapter (1 to 9), by id (``"4.1"``, ``"4.2"``)."""
    if isinstance(chapter, bool) or not isinstance(chapter, int):
        raise ParameterError(f"chapter must be an int from 1 to 9, got {chapter!r}")
    return dict(_chapter(chapter).EXERCISES)


def _exercise(exercise_id) -> Exercise:
    match = _ID.match(exercise_id) if isinstance(exercise_id, str) else None
    if match is None:
        raise ParameterError(f'an exercise is named "chapter.number", like "4.1"; got {exercise_id!r}')
    found = exercises(int(match.group(1)))
    key = f"{int(match.group(1))}.{int(match.group(2))}"
    if key not in found:
        raise ParameterError(f"chapter {match.group(1)} has exercises {sorted(found)}; there is no {key}")
    return found[key]


def question(exercise_id: str) -> str:
    """The question of an exercise, e.g. ``question("4.1")``."""
    return _exercise(exercise_id).question


def _expected(ex: Exercise):
    if ex.id not in _EXPECTED:
        _EXPECTED[ex.id] = ex.expected()
    return _EXPECTED[ex.id]


def _as_float(value) -> float | None:
    if isinstance(value, bool | np.bool_ | str):
        return None
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return float(arr) if arr.ndim == 0 else None


def _close(a: float, b: float, ex: Exercise) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=ex.rtol, abs_tol=ex.atol)


def _compare(ex: Exercise, answer, expected) -> tuple[bool, str]:
    if ex.kind == "number":
        got = _as_float(answer)
        if got is None:
            return False, f"the answer should be one number, got {type(answer).__name__} {answer!r:.60}."
        return _close(got, float(expected), ex), ""  # type: ignore[arg-type]
    if ex.kind == "numbers":
        try:
            got = np.asarray(answer, dtype=np.float64).ravel()
        except (TypeError, ValueError):
            return False, f"the answer should be a list of numbers, got {type(answer).__name__}."
        want = np.asarray(expected, dtype=np.float64).ravel()
        if got.shape != want.shape:
            return False, f"the answer should hold {want.size} numbers, got {got.size}."
        return all(_close(float(x), float(y), ex) for x, y in zip(got, want, strict=True)), ""
    if ex.kind == "bool":
        if not isinstance(answer, bool | np.bool_):
            return False, f"the answer should be True or False, got {answer!r:.60}."
        return bool(answer) == bool(expected), ""
    text = " ".join(str(answer).split()).lower() if isinstance(answer, str) else None
    if text is None:
        return False, f"the answer should be a string, got {type(answer).__name__}."
    if ex.kind == "choice":
        options = {" ".join(c.split()).lower() for c in ex.choices}
        if text not in options:
            return False, f"answer one of {', '.join(repr(c) for c in ex.choices)}."
    return text == " ".join(str(expected).split()).lower(), ""


def check(exercise_id: str, answer=None) -> CheckResult:
    """Check ``answer`` to the exercise ``exercise_id`` (``"chapter.number"``, e.g. ``"4.1"``).

    ``answer=None`` (or ``...``) reports "no answer yet" and repeats the question. Numbers are
    compared within the exercise's tolerance (``rtol``, default 1e-3), so rounding to four
    significant digits is enough. Returns a :class:`CheckResult` (shown as a coloured box; true
    when right). Raises :class:`~obi_widgets.errors.ParameterError` for an unknown exercise.
    """
    ex = _exercise(exercise_id)
    if answer is None or answer is Ellipsis:
        return CheckResult(ex.id, None, f"Question: {ex.question}")
    ok, why = _compare(ex, answer, _expected(ex))
    if ok:
        return CheckResult(ex.id, True, ex.explanation or "Well done.")
    return CheckResult(ex.id, False, " ".join(p for p in (why, ex.hint and f"Hint: {ex.hint}") if p) or "Try again.")
