"""Hatch build hook: bundle the front-end (js/) into obi_widgets/static with esbuild.

Runs on every wheel or editable build, so ``pip install .`` and ``uv sync`` both produce a
package whose widgets load their JavaScript from the package itself (no CDN at run time).
An sdist that already carries the built bundle installs without Node.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

# the one list of views (obi_widgets/views/registry.json): every view has a static/<stem>.js bundle
_REGISTRY = Path(__file__).resolve().parent / "obi_widgets" / "views" / "registry.json"
BUNDLES = [f"{stem}.js" for stem in json.loads(_REGISTRY.read_text())["views"].values()]


class JsBuildHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel":  # editable installs are wheels too
            return
        root = Path(self.root)
        static = root / "obi_widgets" / "static"
        built = all((static / name).exists() for name in BUNDLES)
        if not (root / "js").is_dir():
            if not built:
                raise RuntimeError("obi_widgets: no js/ sources and no prebuilt bundle in obi_widgets/static")
            return
        npm = shutil.which("npm")
        if npm is None:
            if built:
                self.app.display_warning("npm not found: using the existing bundle in obi_widgets/static")
                return
            raise RuntimeError("obi_widgets needs Node.js and npm to build its front-end (js/)")
        env = dict(os.environ)
        if not (root / "node_modules" / ".package-lock.json").exists():
            subprocess.run([npm, "install", "--no-audit", "--no-fund"], cwd=root, check=True, env=env)
        subprocess.run([npm, "run", "build"], cwd=root, check=True, env=env)
