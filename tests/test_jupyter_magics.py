"""The %obi line magic in a real IPython shell: %obi sim, %obi open on real files, usage, one-line errors."""

from __future__ import annotations

import shutil
import subprocess
import sys

import numpy as np
import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from obi_widgets import datasets
from obi_widgets.io import read_lobster
from obi_widgets.jupyter.magics import USAGE, load_ipython_extension
from obi_widgets.views.dashboard import Dashboard


@pytest.fixture(scope="module")
def shell():
    ip = InteractiveShell.instance()
    load_ipython_extension(ip)
    return ip


def run(shell, line: str):
    """Run one cell; (its ExecutionResult, captured stdout, captured stderr)."""
    with capture_output() as cap:
        result = shell.run_cell(line, store_history=True)
    return result, cap.stdout, cap.stderr


def same_book(a, b):
    assert a.ts.tolist() == b.ts.tolist()
    for f in ("bid_px", "bid_sz", "ask_px", "ask_sz"):
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f))


def one_line_usage_error(result, stderr: str) -> str:
    assert isinstance(result.error_in_exec, UsageError), result.error_in_exec
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, stderr  # no traceback
    assert lines[0].startswith("UsageError: %obi")
    return lines[0]


def test_sim_shows_a_dashboard_of_the_simulated_market(shell):
    result, _, stderr = run(shell, "%obi sim --events 2000 --seed 1")
    assert result.success, stderr
    dash = result.result
    assert isinstance(dash, Dashboard) and shell.user_ns["_"] is dash
    same_book(dash.source.book, datasets.simulate(seed=1, n_events=2000).book)


@pytest.mark.realdata
def test_open_a_real_lobster_file(shell, aapl_files, tmp_path):
    result, _, stderr = run(shell, f"%obi open {aapl_files[1]}")
    assert result.success, stderr
    assert isinstance(result.result, Dashboard)
    same_book(result.result.source.book, read_lobster(*aapl_files)[0])
    # a quoted path with spaces, relative to the shell's working folder
    folder = tmp_path / "my data"
    folder.mkdir()
    for p in aapl_files:
        shutil.copy(p, folder)
    shell.run_line_magic("cd", f'"{tmp_path}"')
    try:
        result, _, stderr = run(shell, f'%obi open "my data/{aapl_files[0].name}"')
    finally:
        with capture_output():
            shell.run_line_magic("cd", "-")
    assert result.success, stderr
    same_book(result.result.source.book, read_lobster(*aapl_files)[0])


@pytest.mark.realdata
def test_open_the_binance_capture_with_levels(shell, data_dir):
    capture = data_dir / "binance_spot_BTCUSDT_2024-08-08" / "btcusdt_20240808.gz"
    result, _, stderr = run(shell, f"%obi open {capture} --levels 3")
    assert result.success, stderr
    assert isinstance(result.result, Dashboard) and result.result.source.book.levels == 3


@pytest.mark.realdata
def test_code_prints_the_loading_code(shell, amzn_files):
    result, stdout, _ = run(shell, f"%obi code {amzn_files[0]}")
    assert result.success and result.result is None
    assert "ow.io.read_lobster(" in stdout and amzn_files[1].name in stdout and "ow.Dashboard(book, trades)" in stdout


def test_bare_and_help_print_the_usage(shell):
    for line in ("%obi", "%obi help"):
        result, stdout, _ = run(shell, line)
        assert result.success and result.result is None
        assert stdout.strip() == USAGE.strip()
        assert "%obi open PATH [--levels N]" in stdout and "%obi sim [--seed N] [--events N]" in stdout


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("%obi open /no/such/file.csv", r"%obi open: /no/such/file.csv: not found"),
        ("%obi open", r"expected one PATH, got no PATH"),
        ("%obi open a.csv b.csv", r"expected one PATH, got 2 paths"),
        ("%obi open a.csv --levels two", r"--levels must be an integer, got 'two'"),
        ("%obi open a.csv --levels 0", r"--levels must be >= 1, got 0"),
        ("%obi open a.csv --depth 3", r"unknown option '--depth'"),
        ("%obi sim --events", r"--events needs a value"),
        ("%obi sim somefile.csv", r"%obi sim: takes no PATH"),
        ("%obi frobnicate", r"unknown subcommand 'frobnicate'"),
        ("%obi open 'unbalanced", r"cannot split the line"),
    ],
)
def test_bad_input_is_one_readable_line(shell, line, reason):
    result, _, stderr = run(shell, line)
    assert reason in one_line_usage_error(result, stderr)


def test_unreadable_file_says_why_in_one_line(shell, tmp_path):
    f = tmp_path / "notes.txt"
    f.write_text("Dear diary, the market was calm\nand more\n")
    result, _, stderr = run(shell, f"%obi open {f}")
    line = one_line_usage_error(result, stderr)
    assert "does not look like any supported format" in line and "'Dear diary, the market was calm'" in line


def test_load_ext_and_import_stay_lazy():
    code = (
        "import sys, obi_widgets\n"
        "print('obi_widgets.jupyter' in sys.modules)\n"
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "ip = InteractiveShell.instance()\n"
        "ip.run_line_magic('load_ext', 'obi_widgets')\n"
        "print('obi' in ip.magics_manager.magics['line'])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.split() == ["False", "True"], out.stderr


def test_a_file_the_loader_rejects_is_one_line_too(shell, tmp_path):
    # detected as a LOBSTER pair, but the orderbook has fewer rows than the messages: the loader says so
    (tmp_path / "XYZ_2012-06-21_34200000_57600000_message_1.csv").write_text(
        "34200.1,1,16113575,18,5853300,1\n34200.2,1,16113576,18,5853300,1\n"
    )
    (tmp_path / "XYZ_2012-06-21_34200000_57600000_orderbook_1.csv").write_text("5859400,200,5853300,18\n")
    result, _, stderr = run(shell, f"%obi open {tmp_path / 'XYZ_2012-06-21_34200000_57600000_message_1.csv'}")
    line = one_line_usage_error(result, stderr)
    assert "has 1 rows but" in line and "has 2" in line
