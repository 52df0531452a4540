"""Where the course finds the real market data of ``../shared/data``."""

from __future__ import annotations

import os
from pathlib import Path


def data_folder(start: str | os.PathLike | None = None) -> Path | None:
    """The folder of real market data, or None when there is none.

    ``$OBI_DATA`` when set (and a folder); else the first ``shared/data`` folder found in ``start``
    (default: the working directory, i.e. the notebook's folder) or one of its parents. A chapter
    that needs real data says in one line when this is None and runs on the simulator instead.
    """
    env = os.environ.get("OBI_DATA")
    if env:
        path = Path(env).expanduser()
        return path if path.is_dir() else None
    here = Path(start if start is not None else Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "shared" / "data"
        if candidate.is_dir():
            return candidate
    return None


def data_file(relative: str, start: str | os.PathLike | None = None) -> Path | None:
    """``data_folder(start) / relative`` when that file exists, else None.

    ``relative`` is a path inside the data folder, e.g.
    ``"lobster_AMZN_2012-06-21_level1/AMZN_2012-06-21_34200000_57600000_message_1.csv.gz"``.
    """
    folder = data_folder(start)
    if folder is None:
        return None
    path = folder / relative
    return path if path.exists() else None
