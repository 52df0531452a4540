"""Replay, Python side: traits, validation, play/pause/step, and what it shares with linked views."""

from __future__ import annotations

import numpy as np
import pytest
import traitlets

import obi_widgets as ow
from obi_widgets import Book
from obi_widgets.errors import ParameterError
from obi_widgets.views.replay import ROW_SPEEDS, TIME_SPEEDS

S = 1_000_000_000


def book(n: int = 5) -> Book:
    ts = np.arange(n) * S
    bid = 10.0 + 0.01 * np.arange(n)
    return Book.from_arrays(ts, bid, np.ones(n), bid + 0.02, np.ones(n), name="r")


def test_defaults_and_traits_are_synced():
    r = ow.Replay(book())
    assert (r.playing, r.speed, r.mode, r.height) == (False, 1.0, "time", 44)
    synced = {name for name in r.trait_names() if r.trait_metadata(name, "sync")}
    assert {"playing", "speed", "mode", "source", "height", "_width"} <= synced
    assert r._view_name_ == "replay"
    assert r._esm and "obi-replay" in (r._esm if isinstance(r._esm, str) else r._esm.read_text())


def test_speed_and_mode_parameters():
    r = ow.Replay(book(), speed=50, mode="rows")
    assert (r.speed, r.mode) == (50.0, "rows")
    for bad in (0, -1, float("nan"), float("inf"), "fast", True):
        with pytest.raises(ParameterError, match="speed must be a positive"):
            ow.Replay(book(), speed=bad)
    with pytest.raises(ParameterError, match="mode must be 'time' or 'rows', got 'frames'"):
        ow.Replay(book(), mode="frames")
    with pytest.raises(traitlets.TraitError, match="speed must be a positive"):
        r.speed = -2
    with pytest.raises(traitlets.TraitError):
        r.mode = "frames"
    r.speed = 0.25
    assert r.speed == 0.25


def test_presets_match_the_documented_menu():
    assert TIME_SPEEDS == (0.25, 0.5, 1, 2, 5, 10, 50, 100, 1000)
    assert ROW_SPEEDS[0] == 1 and ROW_SPEEDS[-1] == 1000


def test_play_pause_step():
    r = ow.Replay(book(), cursor=1)
    seen = []
    r.observe(lambda c: seen.append(c["new"]), "playing")
    r.play()
    assert r.playing is True
    r.pause()
    assert r.playing is False and seen == [True, False]
    r.play()
    r.step(2)
    assert r.playing is False and r.cursor == 3
    r.step(10)
    assert r.cursor == 4
    r.step(-100)
    assert r.cursor == 0
    with pytest.raises(ParameterError, match="rows must be an int"):
        r.step(1.5)


def test_drives_the_shared_cursor_of_linked_views():
    src = ow.BookSource(book(), name="shared")
    chart, replay = ow.DepthChart(src), ow.Replay(src, cursor=2)
    assert chart.cursor == 2 and src.cursor == 2
    src.cursor = 4  # as the browser's loop does through the shared model
    assert replay.cursor == 4
    replay.step(-1)
    assert chart.cursor == 3


def test_height_and_repr():
    with pytest.raises(ParameterError, match="height must be at least 40"):
        ow.Replay(book(), height=10)
    r = ow.Replay(book(), height=60, speed=10)
    assert r.height == 60
    assert repr(r) == "Replay(mode='time', speed=10, playing=False, cursor=0, rows=5)"


def test_one_row_book():
    r = ow.Replay(book(1))
    r.step(1)
    assert r.cursor == 0
