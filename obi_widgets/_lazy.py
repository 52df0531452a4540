"""Modules loaded on first attribute access: numba and the compiled kernels stay out of ``import obi_widgets``.

``import obi_widgets`` must cost little more than pandas' own import (numba alone takes about a
second). The kernel modules (``*_kernels.py``, numba ``njit(cache=True)``) are therefore bound
through :func:`lazy_module` and imported, with numba, the first time a kernel is called; after that
an attribute access is one dictionary lookup.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class LazyModule:
    """Stand-in for a module, imported on the first attribute access."""

    __slots__ = ("_name", "_package", "_module")

    def __init__(self, name: str, package: str | None) -> None:
        self._name = name
        self._package = package
        self._module: ModuleType | None = None

    def __getattr__(self, attr: str) -> Any:
        module = self._module
        if module is None:
            module = importlib.import_module(self._name, self._package)
            self._module = module
        return getattr(module, attr)

    def __repr__(self) -> str:
        state = "loaded" if self._module is not None else "not loaded yet"
        return f"<lazy module {self._name!r} of {self._package!r} ({state})>"


def lazy_module(name: str, package: str | None) -> Any:
    """``lazy_module("._ofi_kernels", __package__)`` behaves like ``from . import _ofi_kernels``, later."""
    return LazyModule(name, package)
