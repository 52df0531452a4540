"""`Replay`: a media control bar that plays a book through the shared cursor of its source.

Front-end: ``js/views/replay.js``. Playback runs in the browser (an animation-frame loop): in
``"time"`` mode a virtual clock advances ``speed`` times faster than the wall clock and the cursor
goes to the row in force at that market time; in ``"rows"`` mode the cursor advances ``speed`` rows
per second. The cursor is set on the shared source every frame, so linked views (DepthChart,
Ladder, DepthHeatmap, ImbalanceTimeline of the same source) replay with or without a kernel --
frame views draw the source's replay track, and with a kernel their Python observers send the exact
row. The cursor is saved to the kernel at most 20 times a second while playing, and once more
when playback stops. Nothing extra travels: the bar draws from the source's axis and track.
"""

from __future__ import annotations

import math

import traitlets as t

from ..errors import ParameterError
from ._base import SourceView

MODES = ("time", "rows")
#: Speeds offered by the bar: multiples of market time ("time") and rows per second ("rows").
TIME_SPEEDS = (0.25, 0.5, 1, 2, 5, 10, 50, 100, 1000)
ROW_SPEEDS = (1, 2, 5, 10, 25, 50, 100, 250, 1000)


def _speed(value) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ParameterError(f"speed must be a positive number, got {value!r}")
    value = float(value)
    if not (math.isfinite(value) and value > 0):
        raise ParameterError(f"speed must be a positive finite number, got {value!r}")
    return value


class Replay(SourceView):
    """Play, pause and step through a book; every view of the same source follows.

    Parameters
    ----------
    source_or_book : BookSource, Book or ConsolidatedBook
        What to replay. Pass the ``BookSource`` of other views to drive them.
    speed : float
        In ``"time"`` mode a multiple of market time (1.0: real time; the bar offers
        ×0.25 .. ×1000); in ``"rows"`` mode book rows per second (the bar offers 1 .. 1000).
    mode : "time" or "rows"
        Advance a market-time clock (quiet periods pass at their real pace times ``speed``), or
        advance a fixed number of rows per second (every event gets the same screen time).
    cursor : int, optional
        Move the shared cursor to this row.
    height : int
        Height of the bar in CSS pixels (default 44).

    In the bar: play/pause (space), step one row (arrow keys; stepping pauses), Home/End, the speed
    menu, and the scrubber over the whole book (the mid price, labelled with clock times; drag to
    seek). ``playing`` is synced: :meth:`play` and :meth:`pause` start and stop the browser's loop,
    and the kernel sees ``playing`` turn False when playback reaches the end. Playback needs a
    front-end: without a displayed view nothing moves.
    """

    _view_name_ = "replay"

    playing = t.Bool(False, help="Whether the browser is playing (set by play/pause or the bar).").tag(sync=True)
    speed = t.Float(1.0, help="Market-time multiple ('time' mode) or rows per second ('rows' mode).").tag(sync=True)
    mode = t.Enum(MODES, default_value="time", help="'time': market-time clock; 'rows': rows per second.").tag(
        sync=True
    )
    height = t.Int(44, help="Height of the bar in CSS pixels.").tag(sync=True)

    def __init__(
        self,
        source_or_book,
        trades=None,
        *,
        speed: float = 1.0,
        mode: str = "time",
        cursor: int | None = None,
        height: int | None = None,
        **kwargs,
    ):
        if mode not in MODES:
            raise ParameterError(f"mode must be 'time' or 'rows', got {mode!r}")
        super().__init__(source_or_book, trades, height=height, speed=_speed(speed), mode=mode, **kwargs)
        if cursor is not None:
            self.source.cursor = cursor

    @t.validate("speed")
    def _check_speed(self, proposal):
        try:
            return _speed(proposal["value"])
        except ParameterError as exc:
            raise t.TraitError(str(exc)) from None

    def play(self) -> None:
        """Start playing from the cursor (from the first row when the cursor is at the end)."""
        self.playing = True

    def pause(self) -> None:
        """Stop playing; the cursor stays where playback was."""
        self.playing = False

    def step(self, rows: int = 1) -> None:
        """Pause and move the shared cursor by ``rows`` (negative: back), clamped to the book."""
        if isinstance(rows, bool) or not isinstance(rows, int):
            raise ParameterError(f"rows must be an int, got {rows!r}")
        self.pause()
        n = len(self.source.book)
        self.source.cursor = max(0, min(n - 1, self.source.cursor + rows))

    def _repr_keys(self):
        return ("mode", "speed", "playing", "cursor")

    def __repr__(self) -> str:
        return (
            f"Replay(mode={self.mode!r}, speed={self.speed:g}, playing={self.playing}, "
            f"cursor={self.cursor}, rows={len(self.source.book)})"
        )
