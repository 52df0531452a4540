"""The kit's errors: one base class, one subclass per kind of problem.

Every error message names where the problem is (row, level, file, line) and what was expected,
so that a user can find the offending input without a debugger. All derive from
:class:`ObiError`, itself a :class:`ValueError`, so ``except ValueError`` keeps working.
"""

from __future__ import annotations


class ObiError(ValueError):
    """Base class of every error raised by obi_widgets on bad input."""


class BookError(ObiError):
    """A book (or the arrays meant to build one) breaks an invariant: shapes, sizes, level order."""


class CrossedBookError(BookError):
    """Best bid at or above best ask in some row."""


class TimestampError(ObiError):
    """Timestamps go backwards, or a time argument cannot be understood."""


class TradesError(ObiError):
    """Trade arrays break an invariant: shapes, sizes, sides."""


class DataFormatError(ObiError):
    """A data file does not have the expected format (column count, values, encoding)."""


class SequenceGapError(DataFormatError):
    """A feed's update ids skip: the book rebuilt from it would be wrong."""


class ParameterError(ObiError):
    """A function argument is out of range or inconsistent with the data."""


class StoreError(ObiError):
    """A Parquet store is missing, holds no data for the request, or its parts disagree."""


class FeedError(ObiError):
    """A live feed could not deliver: no synced book within ``wait`` seconds, the connection could
    not be (re)established, or the feed stopped on an error (the message gives the reason)."""


class ReportError(ObiError):
    """A report could not be made: the notebook is missing or fails to run, it holds no widget
    state to show, or a widget library's front end needed by the page is not installed."""


class SnapshotError(ObiError):
    """A view's picture could not be taken: no browser has drawn the view, or it did not answer
    within the timeout."""


__all__ = [
    "ObiError",
    "BookError",
    "CrossedBookError",
    "TimestampError",
    "TradesError",
    "DataFormatError",
    "SequenceGapError",
    "ParameterError",
    "StoreError",
    "FeedError",
    "ReportError",
    "SnapshotError",
]


class SandboxError(ObiError):
    """An order-book sandbox action cannot be done: an unknown or already finished order id, a
    price off the tick grid, a side or size that is not allowed, or an unknown scenario."""
