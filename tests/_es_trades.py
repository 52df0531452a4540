"""Test helper: the E-mini S&P 500 sample trades in ../shared/data as obi_widgets.Trades.

CSV ``DateTime,Price,Volume`` (no aggressor side), read with pandas; a proper loader will come
later in obi_widgets.io. Cached: several test modules use it.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd

from obi_widgets import Trades

ES_FOLDER = "es_futures_trades_2013-09"
ES_FILE = "tick_data.csv.gz"


@functools.lru_cache(maxsize=2)
def load_es_trades(data_dir: Path) -> Trades:
    path = Path(data_dir) / ES_FOLDER / ES_FILE
    frame = pd.read_csv(path, dtype={"Price": np.float64, "Volume": np.float64})
    ts = pd.to_datetime(frame["DateTime"], format="%Y-%m-%d %H:%M:%S.%f").to_numpy(dtype="datetime64[ns]")
    return Trades.from_arrays(ts, frame["Price"].to_numpy(), frame["Volume"].to_numpy(), name="ES 2013-09")


def es_path(data_dir: Path) -> Path:
    return Path(data_dir) / ES_FOLDER / ES_FILE
