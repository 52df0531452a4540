"""What the course tests share: the data folder, a strict-aware "needs this file" mark, the working
directory the chapters expect, the accept-and-refuse check, and a chapter's source module."""

from __future__ import annotations

import importlib.util

import pytest

import obi_widgets as ow

from .conftest import ROOT, STRICT

DATA = ROOT.parent / "shared" / "data"


def needs(path, what: str):
    """Skip when ``path`` is missing, except in strict mode (CI), where the test runs and fails."""
    return pytest.mark.skipif(not path.exists() and not STRICT, reason=f"../shared/data has no {what}")


@pytest.fixture(autouse=True)
def _data_from_project(monkeypatch):
    """The chapters look for ../shared/data from the working directory: run them from the project."""
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("OBI_DATA", raising=False)
    ow.course._check._EXPECTED.clear()


def accepts(exercise_id, answer, wrong):
    """``check`` accepts ``answer`` and refuses ``wrong``."""
    assert ow.course.check(exercise_id, answer).correct is True, (exercise_id, answer)
    assert ow.course.check(exercise_id, wrong).correct is False, (exercise_id, wrong)


def chapter_source(number: int):
    """The module ``tools/course/chNN.py`` (FILENAME, CELLS) of chapter ``number``."""
    path = ROOT / "tools" / "course" / f"ch{number:02d}.py"
    spec = importlib.util.spec_from_file_location(f"course_src_{number}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
