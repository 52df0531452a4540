"""Running a notebook for a report: a fresh kernel in the notebook's folder, widget state recorded."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import ReportError

REPORT_WIDTH = 1200  # CSS px: about the output area of a report on a laptop screen


def execute_notebook(nb, path: Path, *, timeout: float, kernel_name: str | None):
    """``nb`` executed in place by nbclient (widget state stored in its metadata); ReportError naming
    the failing cell otherwise."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    name = kernel_name or nb.metadata.get("kernelspec", {}).get("name") or "python3"
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=name,
        resources={"metadata": {"path": str(path.resolve().parent)}},
        store_widget_state=True,
    )
    # no browser reports a width while the report runs: views reduce their data for the page's
    env = {**os.environ, "OBI_VIEW_WIDTH": str(REPORT_WIDTH)}
    try:
        client.execute(env=env)
    except CellExecutionError as exc:
        index = _failed_cell(nb)
        where = f"cell {index + 1}" if index is not None else "a cell"
        raise ReportError(f"{path}: {where} failed while executing the notebook: {exc.ename}: {exc.evalue}") from None
    except CellTimeoutError:
        raise ReportError(f"{path}: a cell ran longer than timeout={timeout} s") from None
    except DeadKernelError as exc:
        raise ReportError(f"{path}: the kernel died while executing the notebook ({exc})") from None
    except Exception as exc:  # no such kernel, kernel failed to start
        if type(exc).__name__ == "NoSuchKernel":
            raise ReportError(f"{path}: no Jupyter kernel named {name!r} is installed") from None
        raise
    return nb


def _failed_cell(nb) -> int | None:
    """Index of the first code cell whose outputs hold an error."""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            return i
    return None
