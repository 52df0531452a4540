"""Base class of the kit's views: an anywidget whose ES module and CSS come from the package."""

from __future__ import annotations

import math
from pathlib import Path

import anywidget

STATIC = Path(__file__).resolve().parent.parent / "static"


def bundle(name: str, suffix: str = ".js") -> Path:
    """Path of a built front-end file, with a clear error when the package was built without it."""
    path = STATIC / f"{name}{suffix}"
    if not path.exists():
        raise FileNotFoundError(
            f"front-end bundle {path} is missing: build it with `npm ci && npm run build` "
            "(pip and uv do this automatically when they install the package)"
        )
    return path


def finite_or_none(x) -> float | None:
    """A float for JSON (which has no NaN): None where the value is NaN or infinite."""
    x = float(x)
    return x if math.isfinite(x) else None


class ObiWidget(anywidget.AnyWidget):
    """Base of every obi_widgets view.

    Subclasses set ``_view_name_`` to the stem shared by their Python file and their JS file; the
    bundle ``static/<stem>.js`` (and ``static/<stem>.css`` if present) is attached automatically.
    ``repr()`` lists only the keys of ``_repr_keys`` so notebook outputs are deterministic.
    """

    _view_name_: str = ""

    def __init_subclass__(cls, **kwargs):
        # set before anywidget's own hook, which turns these paths into file contents
        if cls.__dict__.get("_view_name_"):
            cls._esm = bundle(cls._view_name_)
            css = STATIC / f"{cls._view_name_}.css"
            if css.exists():
                cls._css = css
        super().__init_subclass__(**kwargs)

    def __repr__(self) -> str:
        keys = ", ".join(f"{k}={getattr(self, k)!r}" for k in self._repr_keys())
        return f"{type(self).__name__}({keys})"
