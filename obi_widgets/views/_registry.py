"""The registry of views (``registry.json`` beside this file), read without importing any widget."""

from __future__ import annotations

import json
from pathlib import Path

_DATA = json.loads((Path(__file__).with_name("registry.json")).read_text())

#: Python class name -> module stem, for the anywidget views (each has a JS bundle).
VIEWS: dict[str, str] = dict(_DATA["views"])
#: Python class name -> module stem, for the JS-less models (no bundle of their own).
MODELS: dict[str, str] = dict(_DATA["models"])
#: Everything the package exports lazily.
EXPORTS: dict[str, str] = {**MODELS, **VIEWS}
