"""The course's answer checker (``obi_widgets.course.check``): kinds, tolerances, messages."""

from __future__ import annotations

import numpy as np
import pytest

from obi_widgets.course import CheckResult, Exercise, data_file, data_folder
from obi_widgets.course._check import _compare, check, exercises
from obi_widgets.errors import ParameterError


def ex(kind="number", expected=0.25, **kw):
    return Exercise("9.9", "What is it?", lambda: expected, kind=kind, **kw)


@pytest.mark.parametrize(
    ("answer", "right"),
    [(0.25, True), (0.2502, True), (np.float32(0.25), True), (np.array(0.25), True), (0.26, False), (-0.25, False)],
)
def test_number_within_relative_tolerance(answer, right):
    assert _compare(ex(), answer, 0.25)[0] is right


def test_number_refuses_arrays_strings_and_bools_with_a_reason():
    for bad, word in (([0.25, 0.25], "one number"), ("0.25", "one number"), (True, "one number")):
        ok, why = _compare(ex(), bad, 0.25)
        assert not ok and word in why


def test_numbers_elementwise_and_length():
    e = ex("numbers", [1.0, 2.0, 3.0])
    assert _compare(e, [1.0, 2.0, 3.0001], [1.0, 2.0, 3.0])[0]
    assert not _compare(e, [1.0, 2.0, 3.1], [1.0, 2.0, 3.0])[0]
    ok, why = _compare(e, [1.0, 2.0], [1.0, 2.0, 3.0])
    assert not ok and "3 numbers, got 2" in why


def test_nan_equals_only_nan():
    assert _compare(ex(), float("nan"), float("nan"))[0]
    assert not _compare(ex(), 0.0, float("nan"))[0]


def test_bool_and_choice_and_text():
    assert _compare(ex("bool"), np.bool_(True), True)[0]
    ok, why = _compare(ex("bool"), 1, True)
    assert not ok and "True or False" in why
    c = ex("choice", "Up", choices=("up", "down"))
    assert _compare(c, "  UP ", "up")[0]
    assert not _compare(c, "down", "up")[0]
    ok, why = _compare(c, "sideways", "up")
    assert not ok and "'up', 'down'" in why
    assert _compare(ex("text"), "Kyle  Lambda", "kyle lambda")[0]


def test_exercise_definition_errors():
    with pytest.raises(ParameterError, match="kind must be one of"):
        ex("float")
    with pytest.raises(ParameterError, match="needs its choices"):
        ex("choice")


@pytest.mark.parametrize(
    ("bad", "match"),
    [("4", "chapter.number"), (4.1, "chapter.number"), ("12.1", "chapters 1 to 9"), ("0.1", "chapters 1 to 9")],
)
def test_unknown_exercise_names(bad, match):
    with pytest.raises(ParameterError, match=match):
        check(bad, 1.0)


def test_exercises_rejects_non_int_chapter():
    with pytest.raises(ParameterError, match="an int from 1 to 9"):
        exercises("4")  # type: ignore[arg-type]


def test_result_display():
    right = CheckResult("4.1", True, "Well done.")
    wrong = CheckResult("4.1", False, "Hint: <b>sum</b>")
    none = CheckResult("4.1", None, "Question: ?")
    assert bool(right) and not bool(wrong) and not bool(none)
    assert "right" in repr(right) and "not yet" in repr(wrong) and "no answer yet" in repr(none)
    assert "&lt;b&gt;sum&lt;/b&gt;" in wrong._repr_html_()  # escaped


def test_data_folder_from_env_and_parents(tmp_path, monkeypatch):
    root = tmp_path / "proj" / "notebooks" / "course"
    root.mkdir(parents=True)
    (tmp_path / "shared" / "data" / "x").mkdir(parents=True)
    (tmp_path / "shared" / "data" / "x" / "f.csv").write_text("1\n")
    monkeypatch.delenv("OBI_DATA", raising=False)
    assert data_folder(root) == (tmp_path / "shared" / "data").resolve()
    assert data_file("x/f.csv", root) == (tmp_path / "shared" / "data" / "x" / "f.csv").resolve()
    assert data_file("x/missing.csv", root) is None
    monkeypatch.setenv("OBI_DATA", str(tmp_path / "nowhere"))
    assert data_folder(root) is None
    monkeypatch.setenv("OBI_DATA", str(tmp_path / "shared" / "data" / "x"))
    assert data_folder(root) == tmp_path / "shared" / "data" / "x"
