"""The course: nine chapters through every imbalance concept, in ``notebooks/course/``.

Each chapter notebook ends with two exercises. A student writes an answer and checks it::

    import obi_widgets as ow
    ow.course.check("4.1", answer)      # shows right / not yet, with a hint; returns a CheckResult
    ow.course.question("4.1")           # the question again
    ow.course.exercises(4)              # the chapter's exercises

Exercise ``"N.k"`` lives in the module ``obi_widgets.course.chapterN`` (its ``EXERCISES`` dict), which
also computes the expected answer from the same data the notebook uses (the simulator, or the files
of ``../shared/data`` found by :func:`data_folder`). The worked solution sits in a collapsed cell
below each exercise.
"""

from __future__ import annotations

from ._check import CheckResult, Exercise, check, exercises, question
from ._data import data_file, data_folder

__all__ = ["check", "question", "exercises", "Exercise", "CheckResult", "data_folder", "data_file"]
