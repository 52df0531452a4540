"""Loaders: files and feeds to :class:`~obi_widgets.Book` and :class:`~obi_widgets.Trades`."""

from .lobster import read_lobster, read_lobster_book, read_lobster_halts, read_lobster_messages, read_lobster_trades

__all__ = ["read_lobster", "read_lobster_book", "read_lobster_halts", "read_lobster_messages", "read_lobster_trades"]
