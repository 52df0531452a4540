"""A Jupyter-family server (JupyterLab, Notebook 7, jupyter_server, Voilà) started for a test.

``python -m <module> <args>`` on a free port of 127.0.0.1, in its own process group, with its
runtime, config and IPython folders under ``home`` (isolated from the user's setup) and its output
in ``home/<log name>``; :meth:`wait_ready` polls one URL with bounded time, :meth:`stop` ends the
process group (SIGTERM, then SIGKILL if it hangs). Failures quote the log's tail.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path


def free_port() -> int:
    """A TCP port of 127.0.0.1 nobody listens on (for a moment)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def open_server_args(root: Path) -> list[str]:
    """Flags of a local, open Jupyter server (JupyterLab, Notebook 7): 127.0.0.1 on the process's
    port, no token, password or XSRF check, rooted at ``root``, allowed to run as root."""
    return [
        "--no-browser",
        "--port={port}",
        "--ServerApp.ip=127.0.0.1",
        "--ServerApp.port_retries=0",
        "--IdentityProvider.token=",
        "--ServerApp.password=",
        "--ServerApp.disable_check_xsrf=True",
        f"--ServerApp.root_dir={root}",
        "--ServerApp.allow_root=True",
    ]


class ServerProcess:
    """``python -m module *args`` (``{port}`` in an argument is replaced by the port)."""

    def __init__(
        self,
        name: str,
        module: str,
        args: list[str],
        home: Path,
        *,
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
    ):
        self.name = name
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.url = self.base  # what a browser opens (Voilà: the notebook's page)
        full_env = dict(os.environ)
        full_env.update(
            JUPYTER_RUNTIME_DIR=str(home / "runtime"),
            JUPYTER_CONFIG_DIR=str(home / "config"),
            IPYTHONDIR=str(home / "ipython"),
        )
        full_env.update(env or {})
        home.mkdir(parents=True, exist_ok=True)
        self.log_path = home / f"{module.replace('.', '_')}.log"
        self._log = open(self.log_path, "w")
        cmd = [sys.executable, "-m", module, *(a.replace("{port}", str(self.port)) for a in args)]
        self.proc = subprocess.Popen(
            cmd, cwd=cwd, env=full_env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_ready(self, path: str, timeout: float = 60.0) -> None:
        """Wait until ``GET base + path`` answers 200 (an HTTP error status fails at once)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited early (code {self.proc.returncode}):\n{self.log()}")
            try:
                with urllib.request.urlopen(self.base + path, timeout=2) as r:
                    if r.status == 200:
                        return
            except urllib.error.HTTPError as exc:
                raise RuntimeError(f"{self.name} answered {path} with HTTP {exc.code}:\n{self.log()}") from exc
            except OSError:
                time.sleep(0.25)
        raise RuntimeError(f"{self.name} did not answer within {timeout} s:\n{self.log()}")

    def log(self) -> str:
        """The last 5000 characters of the server's output."""
        self._log.flush()
        return self.log_path.read_text()[-5000:]

    def stop(self) -> None:
        """SIGTERM the process group, SIGKILL if it has not ended within 15 s."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=5)
        self._log.close()
