"""One sniffer per supported format (private): LOBSTER pairs, Tardis CSV, Binance captures, Parquet stores.

Each takes what :func:`~obi_widgets.jupyter.detect` already read (the path, its head) and returns a
:class:`FileKind`, or raises :class:`~obi_widgets.errors.DataFormatError` saying why the kit cannot
read the file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote

from ..errors import DataFormatError, ObiError
from ..io import _tardis_common as tc
from ._kind import FileKind
from ._sniff import Head, binance_first_ts, binance_line, numeric_fields, read_head, shorten

# -- LOBSTER ------------------------------------------------------------------------------------
LOBSTER_NAME = re.compile(
    r"^(?P<ticker>[^_]+)_(?P<date>\d{4}-\d{2}-\d{2})_(?P<start>\d+)_(?P<end>\d+)_"
    r"(?P<what>message|orderbook)_(?P<levels>\d+)(?P<rest>[^.]*)\.csv(?P<gz>\.gz)?$",
    re.IGNORECASE,
)
LOBSTER_PATTERN = "<TICKER>_<date>_<start>_<end>_message_<L>.csv / _orderbook_<L>.csv (plain or .gz)"


def _partner(path: Path, m: re.Match) -> tuple[str, Path | None]:
    """The other file of a LOBSTER pair: (its expected name, the path found beside ``path`` or None)."""
    other = "orderbook" if m.group("what").lower() == "message" else "message"
    stem = f"{m.group('ticker')}_{m.group('date')}_{m.group('start')}_{m.group('end')}_{other}_{m.group('levels')}"
    stem += m.group("rest")
    for name in (f"{stem}.csv{m.group('gz') or ''}", f"{stem}.csv", f"{stem}.csv.gz"):
        if (path.parent / name).is_file():
            return name, path.parent / name
    return f"{stem}.csv{m.group('gz') or ''}", None


def _lobster_columns(path: Path, what: str, line: str, levels: int) -> None:
    n = numeric_fields(line)
    want = 6 if what == "message" else 4 * levels
    if n is None:
        raise DataFormatError(
            f"{path}: named like a LOBSTER {what} file, but its first line is not {want} comma-separated numbers "
            f"(LOBSTER files have no header): {shorten(line)}"
        )
    if n != want:
        per = "" if what == "message" else f" (4 per level, {levels} level(s) by its name)"
        raise DataFormatError(
            f"{path}: a LOBSTER {what} file has {want} columns{per}, its first line has {n}: {shorten(line)}"
        )


def lobster(path: Path, m: re.Match, head: Head) -> FileKind:
    """A LOBSTER message or orderbook file, with its partner (the pair's other file)."""
    what = m.group("what").lower()
    levels = int(m.group("levels"))
    _lobster_columns(path, what, head.first_line, levels)
    name, other = _partner(path, m)
    if other is None:
        missing = "message" if what == "orderbook" else "orderbook"
        need = "its book times and trades" if missing == "message" else "the book after each message"
        raise DataFormatError(
            f"{path}: a LOBSTER {what} file without its {missing} file ({need} are there): "
            f"expected {name} beside it in {path.parent}"
        )
    other_head = read_head(other, 1 << 16)
    if not other_head.text.strip():
        raise DataFormatError(f"{other}: empty LOBSTER {'orderbook' if what == 'message' else 'message'} file")
    _lobster_columns(other, "orderbook" if what == "message" else "message", other_head.first_line, levels)
    msg, ob = (path, other) if what == "message" else (other, path)
    ticker, date = m.group("ticker"), m.group("date")
    plural = "level" if levels == 1 else "levels"
    return FileKind(
        kind="lobster",
        label=f"LOBSTER {ticker} {date}, {levels} {plural} (message + orderbook files)",
        paths=(msg, ob),
        roles=("message", "orderbook"),
        source=path,
        levels=levels,
        symbol=ticker,
        notes=(f"pair partner: {other.name}",),
    )


# -- Tardis ------------------------------------------------------------------------------------
TARDIS_NAME = re.compile(
    r"^(?P<exchange>[A-Za-z0-9-]+)_(?P<type>incremental_book_L2|book_snapshot_\d+|trades|quotes|derivative_ticker|"
    r"liquidations|options_chain|book_ticker)_(?P<date>\d{4}-\d{2}-\d{2})_(?P<symbol>.+?)\.csv(?P<gz>\.gz)?$"
)
_TARDIS_KINDS = {
    "incremental_book_L2": "tardis-incremental",
    "book_snapshot": "tardis-snapshot",
    "trades": "tardis-trades",
}
_TARDIS_TITLE = {
    "tardis-incremental": "incremental_book_L2",
    "tardis-snapshot": "book_snapshot",
    "tardis-trades": "trades",
}


def _snapshot_levels(path: Path, columns: list[str]) -> int:
    return tc.snapshot_header(path, columns)[0]


def tardis_header(path: Path, columns: list[str]) -> tuple[str, int | None]:
    """(kind id, levels) of a Tardis header; DataFormatError naming what is missing otherwise."""
    kind = tc.kind_of(columns)
    if kind == "incremental_book_L2":
        tc.require(path, columns, tc.BOOK_COLUMNS, "incremental_book_L2")
        return "tardis-incremental", None
    if kind == "book_snapshot":
        tc.require(path, columns, ("exchange", "symbol", "timestamp", "local_timestamp"), "book_snapshot_N")
        return "tardis-snapshot", _snapshot_levels(path, columns)
    if kind == "trades":
        tc.require(path, columns, tc.TRADE_COLUMNS, "trades")
        return "tardis-trades", None
    raise DataFormatError(
        f"{path}: a CSV whose header {shorten(','.join(columns))} is not one the kit reads: expected a Tardis "
        f"incremental_book_L2 ({','.join(tc.BOOK_COLUMNS)}), book_snapshot_N (exchange,symbol,timestamp,"
        f"local_timestamp,asks[0].price,...) or trades ({','.join(tc.TRADE_COLUMNS)}) file"
    )


def _tardis_partner(path: Path, want: tuple[str, ...]) -> tuple[str, Path, int | None] | None:
    """A Tardis file of the same exchange, day and symbol beside ``path`` whose header is one of ``want``."""
    m = TARDIS_NAME.match(path.name)
    if m is None:
        return None
    ex, date, sym = m.group("exchange"), m.group("date"), m.group("symbol")
    found = []
    for other in sorted(path.parent.iterdir()):
        o = TARDIS_NAME.match(other.name)
        if other == path or o is None or (o.group("exchange"), o.group("date"), o.group("symbol")) != (ex, date, sym):
            continue
        try:
            columns = tc.header(other)
            kind, levels = tardis_header(other, columns)
        except (ObiError, OSError):
            continue  # not a readable partner: the file itself is still shown
        if kind in want:
            found.append((want.index(kind), -(levels or 0), kind, other, levels))
    if not found:
        return None
    _, _, kind, other, levels = min(found)  # incremental first, then the deepest snapshots
    return kind, other, levels


def tardis(path: Path, head: Head, columns: list[str]) -> FileKind:
    """A Tardis incremental_book_L2, book_snapshot_N or trades file, with a trades (or book) file of
    the same exchange, day and symbol beside it when there is one (Tardis' own file names)."""
    kind, levels = tardis_header(path, columns)
    exchange = symbol = None
    lines = head.lines
    if head.whole and not any(ln.strip() for ln in lines[1:]):
        raise DataFormatError(f"{path}: a Tardis {_TARDIS_TITLE[kind]} header and no data row: nothing to show")
    if len(lines) > 1:
        row = dict(zip(columns, lines[1].split(",")))
        exchange, symbol = row.get("exchange") or None, row.get("symbol") or None
    paths, roles, notes = [path], ["l2" if kind == "tardis-incremental" else "snapshots"], []
    if kind == "tardis-trades":
        roles = ["trades"]
        found = _tardis_partner(path, ("tardis-incremental", "tardis-snapshot"))
        if found is not None:
            pkind, other, levels = found
            paths.insert(0, other)
            roles.insert(0, "l2" if pkind == "tardis-incremental" else "snapshots")
            notes.append(f"order book from {other.name}, the {_TARDIS_TITLE[pkind]} file beside it")
        else:
            notes.append("no order-book file of the same day beside it: the trades are shown as a table")
    else:
        found = _tardis_partner(path, ("tardis-trades",))
        if found is not None:
            paths.append(found[1])
            roles.append("trades")
            notes.append(f"trades from {found[1].name}, beside it")
    what = {"tardis-incremental": "incremental_book_L2", "tardis-trades": "trades"}.get(kind, f"book_snapshot_{levels}")
    who = " ".join(x for x in (exchange, symbol) if x)
    label = f"Tardis {what}" + (f": {who}" if who else "")
    return FileKind(
        kind=kind,
        label=label,
        paths=tuple(paths),
        roles=tuple(roles),
        source=path,
        levels=levels,
        symbol=symbol,
        notes=tuple(notes),
    )


# -- Binance -----------------------------------------------------------------------------------
def _messages(head: Head) -> list[dict]:
    out = []
    for line in head.lines:
        if not binance_line(line):
            continue
        try:
            obj = json.loads(line.split(" ", 1)[1])
        except ValueError:
            continue
        if isinstance(obj, dict):
            out.append(obj.get("data", obj) if isinstance(obj.get("data"), dict) else obj)
    return out


def _capture_info(head: Head) -> tuple[str | None, str | None, bool, int]:
    """(market, symbol, has a REST snapshot, messages understood) from a capture's first lines."""
    market = symbol = None
    snapshot = False
    known = 0
    for line in head.text.split("\n"):  # the REST snapshot line (1000 levels) may end past the head
        if binance_line(line) and '"lastUpdateId"' in line[:200]:
            snapshot = True
            known += 1
    for d in _messages(head):
        if "lastUpdateId" in d:
            continue  # counted above
        event = d.get("e")
        if event in ("depthUpdate", "trade", "aggTrade") or ("u" in d and "b" in d and "a" in d):
            known += 1
            symbol = symbol or (d.get("s") if isinstance(d.get("s"), str) else None)
        if event == "depthUpdate" and market is None:
            market = "futures" if "pu" in d else "spot"
    return market, symbol, snapshot, known


def _siblings(path: Path, symbol: str | None) -> list[tuple[int, Path, bool]]:
    """Other captures of the same name pattern and symbol beside ``path``: (first capture time, path,
    has a snapshot in its first lines), in time order (at most 60 are looked at)."""
    pattern = re.compile("^" + re.sub(r"\d+", r"\\d+", re.escape(path.name)) + "$")
    out = []
    for other in sorted(path.parent.iterdir())[:2000]:
        if other == path or not other.is_file() or not pattern.match(other.name):
            continue
        try:
            head = read_head(other)
        except (ObiError, OSError):
            continue
        ts = binance_first_ts(head.first_line)
        if ts is None:
            continue
        _market, sym, snap, _ = _capture_info(head)
        if symbol and sym and sym != symbol:
            continue
        out.append((ts, other, snap))
        if len(out) >= 60:
            break
    return sorted(out)


def binance(path: Path, head: Head) -> FileKind:
    """A Binance raw capture (``<int ts> <json>`` lines); a file without the REST depth snapshot in its
    first lines takes the earlier files of the capture beside it, back to the one that has it."""
    market, symbol, snapshot, known = _capture_info(head)
    if not known:
        raise DataFormatError(
            f"{path}: lines look like '<capture time> <json>' but its first lines hold no Binance depth update, "
            f"trade, bookTicker or REST snapshot message: {shorten(head.first_line)}"
        )
    ts = binance_first_ts(head.first_line) or 0
    files, notes = [path], []
    sibs = _siblings(path, symbol)
    later = [p for t, p, _ in sibs if t > ts]
    if not snapshot:
        chain = []
        for _t, p, snap in reversed([s for s in sibs if s[0] < ts]):
            chain.insert(0, p)
            if snap:
                files = [*chain, path]
                notes.append(
                    f"no REST depth snapshot at the start of {path.name}: the capture is read from {p.name} on"
                )
                break
        else:
            notes.append(
                f"no REST depth snapshot in the first lines of {path.name} and no earlier file of the capture "
                "beside it: the book can be rebuilt only if a snapshot comes later in the file"
            )
    if later:
        notes.append(
            f"the capture goes on in {', '.join(p.name for p in later[:3])}" + (" ..." if len(later) > 3 else "")
        )
    mk = {"spot": "spot ", "futures": "USD-M futures "}.get(market or "", "")
    label = f"Binance {mk}capture" + (f" {symbol}" if symbol else "")
    if market is None:
        notes.append("spot or USD-M futures is not told by its first lines (no depth update there)")
    if len(files) > 1:
        label += f" ({len(files)} files)"
    return FileKind(
        kind="binance",
        label=label,
        paths=tuple(files),
        roles=("capture",) * len(files),
        source=path,
        symbol=symbol,
        market=market,
        notes=tuple(notes),
    )


# -- Parquet store -----------------------------------------------------------------------------
STORE_LAYOUT = "kind=book/instrument=<X>/date=YYYY-MM-DD/part-N.parquet"


def store_root(path: Path) -> tuple[Path, str | None] | None:
    """(store root, instrument or None) when ``path`` is a store folder, a folder inside one or a part file."""
    parts = [path, *path.parents][:5]
    for i, p in enumerate(parts):
        if p.name.startswith("kind="):
            inst = None
            if i >= 1 and parts[i - 1].name.startswith("instrument="):
                inst = unquote(parts[i - 1].name[len("instrument=") :])
            return p.parent, inst
    if path.is_dir() and any(p.is_dir() for p in path.glob("kind=*")):
        return path, None
    return None


def parquet(path: Path) -> FileKind:
    """The kit's Parquet store (folder, a folder inside it, or one of its part files)."""
    from ..io._parquet_layout import _parts, dates, instruments, part_info, partition_dir

    found = store_root(path)
    if found is None:
        if path.is_dir():
            raise DataFormatError(
                f"{path}: a folder, and not a Parquet store of the kit (no {STORE_LAYOUT} inside); "
                "open a market-data file instead"
            )
        try:
            part_info(path)
        except ObiError as exc:
            raise DataFormatError(
                f"{exc}. The kit reads only its own store (written by obi_widgets.io.to_parquet); "
                "read other Parquet files with pandas.read_parquet and ow.Book.from_frame"
            ) from None
        raise DataFormatError(
            f"{path}: a part file of the kit's Parquet store outside the store's layout ({STORE_LAYOUT} under the "
            "store's folder): read_parquet reads whole stores"
        )
    root, inst = found
    try:
        if inst is None:
            names = instruments(root, "book")
            if len(names) > 1:
                raise DataFormatError(
                    f"{root}: a Parquet store of {len(names)} instruments ({', '.join(names[:10])}); "
                    "open one instrument's folder (kind=book/instrument=<X>)"
                )
            inst = names[0]
        days = dates(root, inst, "book")
        first = _parts(partition_dir(root, "book", inst, days[0]))[0]
        levels = part_info(first).levels
    except DataFormatError:
        raise
    except ObiError as exc:
        raise DataFormatError(f"{path}: not a readable Parquet store of the kit: {exc}") from None
    paths, roles = [root], ["store"]
    trades_dir = partition_dir(root, "trades", inst, "x").parent
    if trades_dir.is_dir() and any(_parts(d) for d in trades_dir.glob("date=*")):
        paths.append(trades_dir)
        roles.append("trades")
    span = days[0] if len(days) == 1 else f"{days[0]} to {days[-1]}"
    plural = "level" if levels == 1 else "levels"
    return FileKind(
        kind="parquet",
        label=f"obi_widgets Parquet store: {inst}, {span}, {levels} {plural}" + (" + trades" if len(roles) > 1 else ""),
        paths=tuple(paths),
        roles=tuple(roles),
        source=path,
        levels=levels,
        symbol=inst,
        instrument=inst,
    )
