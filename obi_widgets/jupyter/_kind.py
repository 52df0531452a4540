"""`FileKind`: what :func:`~obi_widgets.jupyter.detect` found, and the code that loads it (private module)."""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ParameterError

#: levels per side of a book rebuilt from updates (Binance, Tardis incremental_book_L2) when none is asked
DEFAULT_LEVELS = 10

KINDS = ("lobster", "tardis-incremental", "tardis-snapshot", "tardis-trades", "binance", "parquet")


def check_levels(levels, name: str = "levels") -> int | None:
    """``levels`` as an int >= 1 (None stays None); ParameterError naming ``name`` otherwise."""
    if levels is None:
        return None
    if isinstance(levels, bool) or not isinstance(levels, int) or levels < 1:
        raise ParameterError(f"{name} must be an int >= 1 or None, got {levels!r}")
    return levels


@dataclass(frozen=True)
class FileKind:
    """A market-data file (or store) the kit can read, as told by :func:`~obi_widgets.jupyter.detect`.

    Attributes
    ----------
    kind : str
        Short stable id: ``"lobster"``, ``"tardis-incremental"``, ``"tardis-snapshot"``,
        ``"tardis-trades"``, ``"binance"`` or ``"parquet"``.
    label : str
        What it is, in words (``"LOBSTER AMZN 2012-06-21, 1 level (message + orderbook)"``).
    paths : tuple of Path
        The file(s) the loader reads, absolute, in the order it takes them (LOBSTER: message then
        orderbook; Binance: the capture's files in time order; Parquet: the store's root folder).
    roles : tuple of str
        What each of ``paths`` is: ``"message"``, ``"orderbook"`` (LOBSTER), ``"l2"``
        (incremental_book_L2), ``"snapshots"`` (book_snapshot_N), ``"trades"`` (Tardis trades, or a
        Parquet store that holds trades too), ``"capture"`` (Binance) or ``"store"`` (Parquet).
    source : Path
        The file or folder that was asked about (absolute).
    levels : int or None
        Levels per side stored in the file, when the file fixes them (LOBSTER, book_snapshot_N,
        Parquet; for a Tardis trades file, its book_snapshot_N partner's); None for streams of
        updates, whose depth is chosen when loading.
    symbol : str or None
        The instrument, when the name or the first lines tell it.
    market : str or None
        Binance: ``"spot"`` or ``"futures"`` (USD-M) when the first depth updates tell it.
    instrument : str or None
        Parquet: the store's instrument to read.
    notes : tuple of str
        Remarks for the user (a trades file found beside the book, a capture continued in a later file...).
    """

    kind: str
    label: str
    paths: tuple[Path, ...]
    roles: tuple[str, ...]
    source: Path
    levels: int | None = None
    symbol: str | None = None
    market: str | None = None
    instrument: str | None = None
    notes: tuple[str, ...] = ()

    def path_of(self, role: str) -> Path | None:
        """The first of ``paths`` with this role, None when there is none."""
        for p, r in zip(self.paths, self.roles):
            if r == role:
                return p
        return None

    def paths_of(self, role: str) -> list[Path]:
        """Every one of ``paths`` with this role."""
        return [p for p, r in zip(self.paths, self.roles) if r == role]

    @property
    def has_book(self) -> bool:
        """Whether the loaded data has an order book (a Tardis trades file alone has none)."""
        return self.kind != "tardis-trades" or "l2" in self.roles or "snapshots" in self.roles

    def load_levels(self, levels: int | None = None) -> int | None:
        """The ``levels=`` the generated code passes to the loader: ``levels`` (default
        :data:`DEFAULT_LEVELS`) for rebuilt books; for files that fix their depth, ``levels`` capped at
        the file's, or None (read them all); None for LOBSTER, whose loader reads every level."""
        levels = check_levels(levels)
        if self.kind == "lobster":
            return None
        if self.kind == "binance" or "l2" in self.roles:
            return DEFAULT_LEVELS if levels is None else levels
        fixed = self.levels
        if not self.has_book or levels is None or fixed is None or levels >= fixed:
            return None
        return levels

    def code(self, levels: int | None = None, relative_to=None) -> str:
        """The few lines of Python that load the data with the kit's loader and show a Dashboard.

        ``levels``: levels per side of the book (see :meth:`load_levels`: the depth of a rebuilt
        book, default :data:`DEFAULT_LEVELS`; for files that store a fixed depth, at most that).
        ``relative_to``: the folder the code runs from (the notebook's); paths are written relative
        to it. Default: the folder of :attr:`source`, where the starter notebook sits, so that the
        code names the files alone. A path on another drive is written absolute.
        """
        return "\n".join(self._lines(levels, self.source.parent if relative_to is None else Path(relative_to)))

    def run(self, levels: int | None = None, namespace: dict | None = None) -> Any:
        """Run :meth:`code` (with absolute paths) in ``namespace`` (default a fresh one) and return the
        value of its last line: the Dashboard (a DataFrame of trades for a Tardis trades file alone)."""
        return run_code("\n".join(self._lines(levels, None)), namespace)

    # -- the code, kind by kind -------------------------------------------------------------------
    def _lines(self, levels: int | None, base: Path | None) -> list[str]:
        lv = self.load_levels(levels)

        def q(p: Path) -> str:
            return repr(_relative(p, base))

        opt = "" if lv is None else f", levels={lv}"
        out = ["import obi_widgets as ow", ""]
        if self.kind == "lobster":
            msg, ob = self.path_of("message"), self.path_of("orderbook")
            assert msg is not None and ob is not None
            out += [f"book, trades = ow.io.read_lobster({q(msg)}, {q(ob)})", "ow.Dashboard(book, trades)"]
        elif self.kind == "binance":
            files = self.paths_of("capture")
            arg = q(files[0]) if len(files) == 1 else "[" + ", ".join(q(p) for p in files) + "]"
            if len(files) > 1:
                out.append("# the capture's REST depth snapshot is in its first file: the files are read in time order")
            out += [f"res = ow.io.read_binance({arg}{opt})", "ow.Dashboard(res.book, res.trades)"]
        elif self.kind == "parquet":
            store, inst = self.path_of("store"), self.instrument
            assert store is not None
            out.append(f"book = ow.io.read_parquet({q(store)}, instrument={inst!r}{opt})")
            if "trades" in self.roles:
                out.append(f"trades = ow.io.read_parquet({q(store)}, instrument={inst!r}, kind='trades')")
                out.append("ow.Dashboard(book, trades)")
            else:
                out.append("ow.Dashboard(book)")
        else:
            out += self._tardis_lines(q, opt)
        return out

    def _tardis_lines(self, q, opt: str) -> list[str]:
        l2, snaps, trades = self.path_of("l2"), self.path_of("snapshots"), self.path_of("trades")
        out: list[str] = []
        if l2 is not None:
            out += [f"res = ow.io.read_tardis_book({q(l2)}{opt})", "book = res.book"]
        elif snaps is not None:
            out.append(f"book = ow.io.read_tardis_snapshots({q(snaps)}{opt})")
        if trades is not None:
            out.append(f"trades = ow.io.read_tardis_trades({q(trades)})")
        if self.has_book:
            out.append("ow.Dashboard(book, trades)" if trades is not None else "ow.Dashboard(book)")
        else:
            out += [
                "# A trades file holds no order book, and the Dashboard (like the FootprintChart) needs one:",
                "# load an incremental_book_L2 or book_snapshot_N file of the same day and instrument, e.g.",
                "# book = ow.io.read_tardis_snapshots('<exchange>_book_snapshot_25_<date>_<symbol>.csv.gz')",
                "# and show ow.Dashboard(book, trades). Meanwhile, the trades:",
                "trades.to_frame()",
            ]
        return out


def _relative(p: Path, base: Path | None) -> str:
    """``p`` relative to ``base`` (posix separators), absolute when ``base`` is None or on another drive."""
    if base is None:
        return str(p)
    try:
        return Path(os.path.relpath(p, base)).as_posix()
    except ValueError:  # another drive (Windows)
        return str(p)


def run_code(code: str, namespace: dict | None = None) -> Any:
    """Execute ``code`` in ``namespace`` (a fresh dict by default) and return the value of its last
    line when that is an expression (as a notebook cell shows it), else None."""
    ns: dict = {} if namespace is None else namespace
    tree = ast.parse(code, "<obi_widgets starter>", "exec")
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, "<obi_widgets starter>", "exec"), ns)
    if last is None:
        return None
    expr = ast.Expression(last.value)  # type: ignore[attr-defined]
    return eval(compile(expr, "<obi_widgets starter>", "eval"), ns)
