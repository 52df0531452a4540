"""Start a real JupyterLab server on 127.0.0.1 for browser tests, isolated from the user's setup.

Settings that make the tests reliable: no windowed notebook (it drops off-screen outputs), no news
or update pop-ups, the app exposed as ``window.jupyterapp`` so tests can run commands.
"""

from __future__ import annotations

import json
from pathlib import Path

from .._server_process import ServerProcess, free_port, open_server_args  # noqa: F401 - free_port is used from here

SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


class JupyterLab(ServerProcess):
    """A JupyterLab server in its own process group, rooted at ``root``."""

    def __init__(self, root: Path, home: Path, extra_env: dict[str, str] | None = None):
        self.root = root
        for rel, values in SETTINGS.items():
            path = home / "settings" / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        env = {
            "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
            "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
            **(extra_env or {}),  # e.g. OBI_DATA, so that copied notebooks find the shared data
        }
        args = [*open_server_args(root), "--LabApp.expose_app_in_browser=True"]
        super().__init__("JupyterLab", "jupyterlab", args, home, env=env)

    def wait_ready(self, timeout: float = 60.0) -> None:  # pyright: ignore[reportIncompatibleMethodOverride]
        """Wait until the server's REST API answers."""
        super().wait_ready("/api/status", timeout)
