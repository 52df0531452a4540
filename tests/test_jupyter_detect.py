"""File-kind detection for the Jupyter extension (obi_widgets.jupyter.detect) and the code it writes.

Every supported kind is detected from real files (../shared/data: the LOBSTER AMZN and AAPL pairs,
the Binance capture) or from small files in the real format (Tardis, written as tests/test_tardis.py
does; a Parquet store written by to_parquet), plain and gzipped. The generated code is executed in a
fresh namespace from the file's folder and must give a Dashboard whose book equals the loader's own
result, called here directly.
"""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import nbformat
import numpy as np
import pytest

from obi_widgets import datasets
from obi_widgets.errors import DataFormatError
from obi_widgets.io import read_binance, read_lobster, read_parquet, to_parquet
from obi_widgets.io.tardis import read_tardis_book, read_tardis_snapshots, read_tardis_trades
from obi_widgets.jupyter import (
    FileKind,
    describe,
    detect,
    sim_code,
    sim_notebook,
    starter_notebook,
    starter_path,
    write_starter,
)
from obi_widgets.views.dashboard import Dashboard
from tests.conftest import ROOT
from tests.test_tardis import HEADER, L2_ROWS, SNAP5, TRADES, write

BINANCE = "binance_spot_BTCUSDT_2024-08-08"


def same_book(a, b):
    assert a.ts.tolist() == b.ts.tolist()
    for f in ("bid_px", "bid_sz", "ask_px", "ask_sz"):
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f))


def run_in(folder: Path, code: str, monkeypatch):
    """Execute ``code`` as a notebook cell beside the file: cwd = ``folder``, a fresh namespace; the
    value of the last line (an expression) is returned."""
    monkeypatch.chdir(folder)
    lines = code.rstrip().split("\n")
    ns: dict = {}
    exec("\n".join(lines[:-1]), ns)
    return eval(lines[-1], ns)


def gz_copy(src: Path, dest: Path) -> Path:
    with open(src, "rb") as f, gzip.open(dest, "wb") as g:
        shutil.copyfileobj(f, g)
    return dest


def plain_copy(src: Path, dest: Path) -> Path:
    with gzip.open(src, "rb") as f, open(dest, "wb") as g:
        shutil.copyfileobj(f, g)
    return dest


# -- LOBSTER ----------------------------------------------------------------------------------------
@pytest.mark.realdata
@pytest.mark.parametrize("which", ["amzn_files", "aapl_files"])
@pytest.mark.parametrize("clicked", [0, 1])
def test_lobster_pair_from_either_file(request, which, clicked):
    msg, ob = request.getfixturevalue(which)
    kind = detect([msg, ob][clicked])
    assert isinstance(kind, FileKind) and kind.kind == "lobster"
    assert kind.paths == (msg, ob) and kind.roles == ("message", "orderbook")
    assert kind.levels == (1 if which == "amzn_files" else 10)
    assert kind.symbol == ("AMZN" if which == "amzn_files" else "AAPL")
    assert kind.source == [msg, ob][clicked]
    assert [msg, ob][1 - clicked].name in " ".join(kind.notes)  # the partner is named


@pytest.mark.realdata
@pytest.mark.parametrize("which", ["amzn_files", "aapl_files"])
def test_lobster_code_gives_the_loaders_dashboard(request, which, monkeypatch):
    msg, ob = request.getfixturevalue(which)
    code = detect(ob).code()
    assert str(msg.parent) not in code  # names relative to the notebook beside the file
    dash = run_in(msg.parent, code, monkeypatch)
    assert isinstance(dash, Dashboard)
    book, trades = read_lobster(msg, ob)
    same_book(dash.source.book, book)
    assert dash.source.trades is not None
    assert dash.source.trades.ts.tolist() == trades.ts.tolist()


@pytest.mark.realdata
def test_lobster_gzipped_and_plain_copies(aapl_files, amzn_files, tmp_path, monkeypatch):
    gz = [gz_copy(p, tmp_path / (p.name + ".gz")) for p in aapl_files]  # AAPL comes plain: gzip it
    kind = detect(gz[1])
    assert kind.kind == "lobster" and kind.paths == tuple(gz) and kind.levels == 10
    dash = run_in(tmp_path, kind.code(), monkeypatch)
    same_book(dash.source.book, read_lobster(*aapl_files)[0])
    plain = [plain_copy(p, tmp_path / p.name[:-3]) for p in amzn_files]  # AMZN comes gzipped: unpack it
    assert detect(plain[0]).paths == tuple(plain)


@pytest.mark.realdata
@pytest.mark.parametrize("keep", [0, 1])
def test_lobster_file_without_its_partner(aapl_files, tmp_path, keep):
    lone = shutil.copy(aapl_files[keep], tmp_path)
    missing = ("orderbook", "message")[keep]
    with pytest.raises(DataFormatError, match=rf"without its {missing} file.*expected {aapl_files[1 - keep].name}"):
        detect(lone)


def test_lobster_name_with_a_wrong_column_count(tmp_path):
    msg = tmp_path / "XYZ_2012-06-21_34200000_57600000_message_1.csv"
    msg.write_text("34200.1,1,16113575,18,5853300\n")
    (tmp_path / "XYZ_2012-06-21_34200000_57600000_orderbook_1.csv").write_text("5859400,200,5853300,18\n")
    with pytest.raises(DataFormatError, match=r"a LOBSTER message file has 6 columns, its first line has 5: '34200.1"):
        detect(msg)
    msg.write_text("34200.1,1,16113575,18,5853300,1\n")
    ob = tmp_path / "XYZ_2012-06-21_34200000_57600000_orderbook_1.csv"
    ob.write_text("5859400,200,5853300,18,1,2\n")
    with pytest.raises(
        DataFormatError, match=r"orderbook file has 4 columns \(4 per level, 1 level\(s\) by its name\)"
    ):
        detect(msg)


def test_headerless_numeric_csv_not_named_like_lobster(tmp_path):
    f = write(tmp_path / "mystery.csv", "34200.1,1,16113575,18,5853300,1\n")
    with pytest.raises(DataFormatError, match=r"looks like a LOBSTER message file .* name does not follow"):
        detect(f)
    f = write(tmp_path / "five.csv", "1,2,3,4,5\n")
    with pytest.raises(DataFormatError, match=r"a CSV of 5 numeric columns without a header matches no supported"):
        detect(f)


# -- Binance ----------------------------------------------------------------------------------------
@pytest.mark.realdata
def test_binance_capture_first_and_second_file(data_dir):
    folder = data_dir / BINANCE
    first, second = folder / "btcusdt_20240808.gz", folder / "btcusdt_20240809.gz"
    kind = detect(first)
    assert kind.kind == "binance" and kind.market == "spot" and kind.symbol == "BTCUSDT"
    assert kind.paths == (first,) and kind.levels is None
    assert "goes on in btcusdt_20240809.gz" in " ".join(kind.notes)
    # the second file has no REST snapshot: the loader needs the capture from the first file on
    kind2 = detect(second)
    assert kind2.paths == (first, second) and kind2.roles == ("capture", "capture")
    assert "read_binance(['btcusdt_20240808.gz', 'btcusdt_20240809.gz'], levels=10)" in kind2.code()


@pytest.mark.realdata
def test_binance_plain_copy_code_gives_the_loaders_dashboard(data_dir, tmp_path, monkeypatch):
    plain = plain_copy(data_dir / BINANCE / "btcusdt_20240808.gz", tmp_path / "btcusdt_20240808.txt")
    kind = detect(plain)
    assert kind.kind == "binance" and kind.market == "spot" and kind.paths == (plain,)
    code = kind.code(levels=5)
    assert "levels=5" in code
    dash = run_in(tmp_path, code, monkeypatch)
    assert isinstance(dash, Dashboard)
    res = read_binance(plain, levels=5)
    same_book(dash.source.book, res.book)
    assert dash.source.book.levels == 5


@pytest.mark.realdata
def test_binance_second_file_alone_is_detected_with_a_note(data_dir, tmp_path):
    lone = shutil.copy(data_dir / BINANCE / "btcusdt_20240809.gz", tmp_path)
    kind = detect(lone)
    assert kind.kind == "binance" and kind.paths == (Path(lone),)
    assert "no REST depth snapshot in the first lines" in " ".join(kind.notes)


def test_binance_usdm_futures_told_by_pu(tmp_path):
    line = (
        '1723161253937085768 {"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1723161255208,'
        '"T":1723161255207,"s":"BTCUSDT","U":5,"u":9,"pu":4,"b":[["61737.6","0.5"]],"a":[["61837.6","1.5"]]}}\n'
    )
    kind = detect(write(tmp_path / "btcusdt_perp_20240808.gz", line, gz=True))
    assert kind.kind == "binance" and kind.market == "futures" and "USD-M futures" in kind.label


def test_ts_json_lines_that_are_not_binance(tmp_path):
    f = write(tmp_path / "events.jsonl", '1723161253937085768 {"hello": "world"}\n')
    with pytest.raises(DataFormatError, match=r"hold no Binance depth update, trade, bookTicker or REST snapshot"):
        detect(f)


# -- Tardis -----------------------------------------------------------------------------------------
L2_TEXT = HEADER + "\n".join(L2_ROWS) + "\n"


@pytest.mark.parametrize("gz", [False, True])
def test_tardis_incremental(tmp_path, gz, monkeypatch):
    name = "deribit_incremental_book_L2_2020-04-01_BTC-PERPETUAL.csv" + (".gz" if gz else "")
    f = write(tmp_path / name, L2_TEXT, gz=gz)
    kind = detect(f)
    assert kind.kind == "tardis-incremental" and kind.paths == (f,) and kind.levels is None
    assert kind.symbol == "BTC-PERPETUAL" and "deribit BTC-PERPETUAL" in kind.label
    dash = run_in(tmp_path, kind.code(levels=3), monkeypatch)
    assert isinstance(dash, Dashboard)
    same_book(dash.source.book, read_tardis_book(f, levels=3).book)
    assert dash.source.trades is None


@pytest.mark.parametrize("gz", [False, True])
def test_tardis_snapshot(tmp_path, gz, monkeypatch):
    f = write(tmp_path / ("binance-futures_book_snapshot_5_2020-04-01_BTCUSDT.csv" + (".gz" if gz else "")), SNAP5, gz)
    kind = detect(f)
    assert kind.kind == "tardis-snapshot" and kind.levels == 5 and kind.label.startswith("Tardis book_snapshot_5")
    assert "levels=" not in kind.code() and "levels=" not in kind.code(levels=25)  # at most the file's 5
    dash = run_in(tmp_path, kind.code(levels=2), monkeypatch)
    same_book(dash.source.book, read_tardis_snapshots(f, levels=2))
    dash = run_in(tmp_path, kind.code(), monkeypatch)
    same_book(dash.source.book, read_tardis_snapshots(f))


@pytest.mark.parametrize("gz", [False, True])
def test_tardis_trades_alone_shows_the_trades_frame(tmp_path, gz, monkeypatch):
    f = write(tmp_path / ("binance_trades_2020-04-01_BTCUSDT.csv" + (".gz" if gz else "")), TRADES, gz)
    kind = detect(f)
    assert kind.kind == "tardis-trades" and not kind.has_book and kind.paths == (f,)
    code = kind.code()
    assert "holds no order book" in code  # the comment says why there is no Dashboard
    frame = run_in(tmp_path, code, monkeypatch)
    expected = read_tardis_trades(f).to_frame()
    assert frame.equals(expected) and len(frame) == 3


def test_tardis_book_and_trades_files_found_together(tmp_path, monkeypatch):
    snaps = write(tmp_path / "binance-futures_book_snapshot_5_2020-04-01_BTCUSDT.csv.gz", SNAP5, gz=True)
    trades = write(tmp_path / "binance-futures_trades_2020-04-01_BTCUSDT.csv.gz", TRADES, gz=True)
    write(tmp_path / "binance-futures_trades_2020-04-02_BTCUSDT.csv.gz", TRADES, gz=True)  # another day: not taken
    for clicked in (snaps, trades):
        kind = detect(clicked)
        assert kind.paths == (snaps, trades) and kind.roles == ("snapshots", "trades"), clicked.name
        assert kind.has_book and kind.levels == 5
        dash = run_in(tmp_path, kind.code(), monkeypatch)
        same_book(dash.source.book, read_tardis_snapshots(snaps))
        assert dash.source.trades.ts.tolist() == read_tardis_trades(trades).ts.tolist()


def test_tardis_header_with_a_missing_column(tmp_path):
    f = write(tmp_path / "t.csv", TRADES.replace(",id,", ",tid,"))
    with pytest.raises(DataFormatError, match=r"not one the kit reads"):
        detect(f)
    f = write(tmp_path / "l2.csv", L2_TEXT.replace("local_timestamp,", "arrival,", 1))
    with pytest.raises(DataFormatError, match=r"missing column\(s\) \['local_timestamp'\]"):
        detect(f)
    f = write(tmp_path / "s.csv", SNAP5.replace("bids[3].amount", "bids[3].size"))
    with pytest.raises(DataFormatError, match=r"book_snapshot columns missing: \['bids\[3\].amount'\]"):
        detect(f)


@pytest.mark.realdata
def test_a_real_csv_of_another_format(data_dir):
    es = data_dir / "es_futures_trades_2013-09" / "tick_data.csv.gz"
    with pytest.raises(DataFormatError, match=r"header 'DateTime,Price,Volume' is not one the kit reads"):
        detect(es)


# -- the kit's Parquet store ------------------------------------------------------------------------
@pytest.fixture
def store(tmp_path):
    sim = datasets.simulate(seed=3, n_events=400, levels=4)
    root = tmp_path / "store"
    to_parquet(sim.book, root, instrument="SIM")
    to_parquet(sim.trades, root, instrument="SIM")
    return root


def test_parquet_store_folder_inside_folder_and_part_file(store, monkeypatch):
    inst = store / "kind=book" / "instrument=SIM"
    part = next(inst.glob("date=*/part-0.parquet"))
    expected = read_parquet(store, instrument="SIM")
    for clicked in (store, inst, part):
        kind = detect(clicked)
        assert kind.kind == "parquet" and kind.instrument == "SIM" and kind.levels == 4, clicked
        assert kind.paths[0] == store and kind.roles == ("store", "trades")
        dash = run_in(clicked.parent, kind.code(), monkeypatch)  # the notebook sits beside what was opened
        assert isinstance(dash, Dashboard)
        same_book(dash.source.book, expected)
        assert dash.source.trades.ts.tolist() == read_parquet(store, instrument="SIM", kind="trades").ts.tolist()
    assert "levels=2" in detect(store).code(levels=2)


def test_parquet_file_not_written_by_the_kit(tmp_path):
    import pandas as pd

    f = tmp_path / "frame.parquet"
    pd.DataFrame({"a": [1, 2]}).to_parquet(f)
    with pytest.raises(DataFormatError, match=r"no obi_widgets.schema metadata.*reads only its own store"):
        detect(f)


def test_store_with_several_instruments(store):
    to_parquet(datasets.simulate(seed=4, n_events=50).book, store, instrument="OTHER")
    with pytest.raises(DataFormatError, match=r"a Parquet store of 2 instruments \(OTHER, SIM\)"):
        detect(store)
    assert detect(store / "kind=book" / "instrument=OTHER").instrument == "OTHER"


# -- files the kit cannot read ----------------------------------------------------------------------
def test_missing_path_and_plain_directory(tmp_path):
    with pytest.raises(DataFormatError, match=r"nope\.csv: not found"):
        detect(tmp_path / "nope.csv")
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "a.csv").write_text("x,y\n")
    with pytest.raises(DataFormatError, match=r"a folder, and not a Parquet store of the kit"):
        detect(tmp_path / "folder")


def test_empty_files(tmp_path):
    with pytest.raises(DataFormatError, match=r"an empty file \(0 bytes\)"):
        detect(write(tmp_path / "e.csv", ""))
    with pytest.raises(DataFormatError, match=r"an empty file \(a gzip stream of no text\)"):
        detect(write(tmp_path / "e.csv.gz", "", gz=True))
    with pytest.raises(DataFormatError, match=r"an empty file \(blank\)"):
        detect(write(tmp_path / "blank.txt", "\n\n  \n"))


def test_random_text_quotes_a_shortened_first_line(tmp_path):
    f = write(tmp_path / "notes.txt", "Dear diary, " + "today the market was calm " * 20 + "\nmore\n")
    with pytest.raises(DataFormatError) as info:
        detect(f)
    msg = str(info.value)
    assert "does not look like any supported format" in msg and "'Dear diary, today the market" in msg
    assert "..." in msg and "more" not in msg and len(msg) < 400


def test_png_and_unknown_extension(tmp_path):
    with pytest.raises(DataFormatError, match=r"depth_chart\.png: a PNG image, not market data"):
        detect(ROOT / "docs" / "depth_chart.png")
    with pytest.raises(DataFormatError, match=r"unknown extension '\.xyz'"):
        detect(write(tmp_path / "data.xyz", "exchange,symbol\n"))
    with pytest.raises(DataFormatError, match=r"a binary file \(it holds NUL bytes\)"):
        detect(write(tmp_path / "bin.dat", "a\x00b\n"))


def test_corrupt_gzip(tmp_path):
    f = tmp_path / "broken.csv.gz"
    f.write_bytes(b"\x1f\x8b\x08\x00" + b"\xff" * 40)
    with pytest.raises(DataFormatError, match=r"a corrupt gzip file"):
        detect(f)


# -- starter notebooks ------------------------------------------------------------------------------
@pytest.mark.realdata
def test_starter_notebook(aapl_files, tmp_path):
    nb = starter_notebook(aapl_files[0], levels=5)
    nbformat.validate(nb)
    assert [c.cell_type for c in nb.cells] == ["markdown", "code"]
    md = nb.cells[0].source
    assert md.startswith("# LOBSTER AAPL 2012-06-21") and aapl_files[1].name in md and "depth heatmap" in md
    assert nb.cells[1].source == detect(aapl_files[0]).code()
    assert nb.metadata["kernelspec"]["name"] == "python3"
    # saved elsewhere: the paths are written relative to the notebook's folder
    nb2 = starter_notebook(aapl_files[0], relative_to=aapl_files[0].parent.parent)
    assert f"'{aapl_files[0].parent.name}/{aapl_files[0].name}'" in nb2.cells[1].source
    with pytest.raises(DataFormatError, match="not found"):
        starter_notebook(tmp_path / "missing.csv")


def test_sim_code_and_notebook(monkeypatch, tmp_path):
    code = sim_code(seed=2, n_events=300, levels=4)
    dash = run_in(tmp_path, code, monkeypatch)
    assert isinstance(dash, Dashboard)
    same_book(dash.source.book, datasets.simulate(seed=2, n_events=300, levels=4).book)
    assert sim_code() == (
        "import obi_widgets as ow\n\nsim = ow.datasets.simulate(seed=0)\now.Dashboard(sim.book, sim.trades)"
    )
    nb = sim_notebook()
    nbformat.validate(nb)
    assert nb.cells[0].source.startswith("# Order-book notebook") and nb.cells[1].source == sim_code()


def test_capture_starting_with_a_snapshot_longer_than_the_head(tmp_path):
    levels = ",".join(f'["{60000 + i / 100:.2f}","0.5"]' for i in range(3000))  # ~60 KB per side
    snap = f'1723161254206652067 {{"lastUpdateId":50093239218,"bids":[{levels}],"asks":[{levels}]}}\n'
    assert len(snap) > 100_000
    trade = (
        '1723161254287896568 {"stream":"btcusdt@trade","data":{"e":"trade","E":1723161255343,"s":"BTCUSDT",'
        '"t":3735683259,"p":"61837.63","q":"0.02","T":1723161255342,"m":true,"M":true}}\n'
    )
    kind = detect(write(tmp_path / "btcusdt_20240808.gz", snap + trade, gz=True))
    assert kind.kind == "binance" and kind.paths == (tmp_path / "btcusdt_20240808.gz",)
    assert not any("no REST depth snapshot" in n for n in kind.notes)
    assert any("spot or USD-M futures is not told" in n for n in kind.notes)


# -- what the extension calls: describe, starter_path, write_starter ------------------------------------
def test_describe_ok_and_not_ok(tmp_path):
    f = write(tmp_path / "deribit_incremental_book_L2_2020-04-01_BTC-PERPETUAL.csv.gz", L2_TEXT, gz=True)
    d = describe(f, levels=4)
    assert d["ok"] and d["kind"] == "tardis-incremental" and d["paths"] == [f.name] and d["roles"] == ["l2"]
    assert f"read_tardis_book('{f.name}', levels=4)" in d["code"]
    nb = nbformat.reads(d["notebook"], as_version=4)
    assert nb.cells[1].source == d["code"]
    json.dumps(d)  # JSON-able as it is
    bad = describe(tmp_path / "gone.csv")
    assert bad == {"ok": False, "path": str(tmp_path / "gone.csv"), "reason": f"{tmp_path / 'gone.csv'}: not found"}


@pytest.mark.realdata
def test_write_starter_beside_the_file_never_overwrites(aapl_files, tmp_path, monkeypatch):
    pair = [Path(shutil.copy(p, tmp_path)) for p in aapl_files]
    first = write_starter(pair[0], levels=3)
    assert first == tmp_path / "AAPL_2012-06-21_34200000_57600000_message_10_first999.ipynb"
    second = write_starter(pair[0])
    assert second.name == "AAPL_2012-06-21_34200000_57600000_message_10_first999-1.ipynb"
    assert starter_path(pair[0]).name.endswith("first999-2.ipynb")
    nb = nbformat.read(first, as_version=4)
    nbformat.validate(nb)
    dash = run_in(tmp_path, nb.cells[1].source, monkeypatch)  # the saved notebook's code runs beside it
    same_book(dash.source.book, read_lobster(*aapl_files)[0])
    unreadable = write(tmp_path / "notes.txt", "hello\n")
    with pytest.raises(DataFormatError, match="does not look like"):
        write_starter(unreadable)
    assert not (tmp_path / "notes.ipynb").exists()


def test_gzip_members_padding_and_a_truncated_stream(tmp_path, monkeypatch):
    f = tmp_path / "deribit_incremental_book_L2_2020-04-01_BTC-PERPETUAL.csv.gz"
    rows = "\n".join(L2_ROWS) + "\n"
    f.write_bytes(gzip.compress(HEADER.encode()) + b"\x00" * 16 + gzip.compress(rows.encode()))
    kind = detect(f)  # the symbol comes from the first data row, in the second member
    assert kind.kind == "tardis-incremental" and kind.symbol == "BTC-PERPETUAL"
    dash = run_in(tmp_path, kind.code(), monkeypatch)
    same_book(dash.source.book, read_tardis_book(f, levels=10).book)
    cut = tmp_path / "cut_incremental_book_L2.csv.gz"
    cut.write_bytes(gzip.compress(L2_TEXT.encode())[:-12])  # the stream's end is missing
    assert detect(cut).kind == "tardis-incremental"  # the head is there; the loader names the break


def test_tardis_header_without_rows(tmp_path):
    with pytest.raises(DataFormatError, match=r"a Tardis trades header and no data row"):
        detect(write(tmp_path / "binance_trades_2020-04-01_BTCUSDT.csv", TRADES.split("\n")[0] + "\n"))


@pytest.mark.realdata
def test_written_starter_runs_in_a_fresh_kernel(aapl_files, tmp_path):
    """The notebook the extension will open: executed by nbclient in a real kernel, beside its files."""
    from nbclient import NotebookClient

    pair = [Path(shutil.copy(p, tmp_path)) for p in aapl_files]
    path = write_starter(pair[1])
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = nb.cells[1].outputs
    assert [o.output_type for o in outputs if o.output_type == "error"] == []
    views = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(views) == 1  # the Dashboard, as a widget view
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    model = state[views[0]["data"]["application/vnd.jupyter.widget-view+json"]["model_id"]]
    assert "_panels" in model["state"] and model["state"]["title"].startswith("AAPL")  # a Dashboard's traits
