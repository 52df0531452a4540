"""Shared fixtures: where the real data lives, and the strict mode used by CI.

``OBI_STRICT=1`` (set by .ci/run) turns every "resource missing" skip into a failure: in CI the
shared data and Chromium are always there, so a skip would hide a broken setup.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("OBI_DATA", ROOT.parent / "shared" / "data"))
STRICT = os.environ.get("OBI_STRICT", "") not in ("", "0")


def skip_or_fail(reason: str):
    """Skip loudly outside CI; fail in strict mode."""
    if STRICT:
        pytest.fail(f"{reason} (OBI_STRICT is set, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def data_dir() -> Path:
    if not DATA.is_dir():
        skip_or_fail(f"real market data not found at {DATA} (expected ../shared/data beside the project)")
    return DATA


@pytest.fixture(scope="session")
def amzn_files(data_dir):
    folder = data_dir / "lobster_AMZN_2012-06-21_level1"
    return (
        folder / "AMZN_2012-06-21_34200000_57600000_message_1.csv.gz",
        folder / "AMZN_2012-06-21_34200000_57600000_orderbook_1.csv.gz",
    )


@pytest.fixture(scope="session")
def aapl_files(data_dir):
    folder = data_dir / "lobster_AAPL_2012-06-21_level10_excerpt"
    return (
        folder / "AAPL_2012-06-21_34200000_57600000_message_10_first999.csv",
        folder / "AAPL_2012-06-21_34200000_57600000_orderbook_10_first999.csv",
    )
