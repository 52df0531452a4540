"""``import obi_widgets`` stays light: numba and the kernels load on the first kernel call."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    return done.stdout.strip()


def test_import_does_not_load_numba():
    out = _run(
        "import sys, obi_widgets; print(sorted(m for m in ('numba', 'llvmlite', 'dask', 'distributed') if m in sys.modules))"
    )
    assert out == "[]"


def test_first_kernel_call_loads_numba_and_computes():
    out = _run(
        "import sys, numpy as np, obi_widgets as ow\n"
        "from obi_widgets import metrics\n"
        "b = ow.Book(ts=np.array([0, 1, 2]), bid_px=[[10.0], [10.0], [10.0]], bid_sz=[[5.0], [7.0], [7.0]],"
        " ask_px=[[11.0], [11.0], [11.0]], ask_sz=[[5.0], [5.0], [2.0]])\n"
        "print(metrics.ofi(b).tolist(), 'numba' in sys.modules)"
    )
    # e_n = dQb - dQa at unchanged prices: row 1 bid +2 -> 2; row 2 ask -3 -> +3
    assert out == "[0.0, 2.0, 3.0] True"


@pytest.mark.parametrize("name", ["DepthChart", "BookSource"])
def test_views_are_lazy_exports(name):
    out = _run(
        f"import sys, obi_widgets as ow; a = 'ipywidgets' in sys.modules; ow.{name}; print(a, 'ipywidgets' in sys.modules)"
    )
    assert out == "False True"


@pytest.mark.parametrize("name", ["sandbox", "course", "report", "live"])
def test_optional_modules_load_on_first_use(name):
    out = _run(
        f"import sys, obi_widgets as ow; a = 'obi_widgets.{name}' in sys.modules; m = ow.{name};"
        f" print(a, m.__name__, 'obi_widgets.{name}' in sys.modules)"
    )
    assert out == f"False obi_widgets.{name} True"
