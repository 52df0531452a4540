"""Serve a notebook with a real Voilà server on 127.0.0.1 for browser tests, isolated from the user's setup.

One server per notebook, as a user starts it (``voila path/to/notebook.ipynb``): it runs the notebook
in a fresh kernel when the page is opened, with the notebook's folder as the working directory.
The server runs in its own process group; Voilà starts its kernels in sessions of their own, so
:meth:`Voila.stop` also ends, by PID, any kernel of this server still alive after the server.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from .jupyterlab import free_port

# A file Voilà always serves (its lab template's script): answering it means the server is up, without
# opening the notebook's page (which would start a kernel and run the notebook).
PROBE = "/voila/templates/lab/static/voila.js"


def _start_time(pid: int) -> str | None:
    """The start time of process ``pid`` (field 22 of /proc/<pid>/stat), or None when it is gone
    (or a zombie)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] == "Z" else fields[19]


def _descendants(pid: int) -> list[tuple[int, str]]:
    """(pid, start time) of every process below ``pid`` (Linux /proc; empty elsewhere)."""
    found: list[tuple[int, str]] = []
    todo = [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                started = _start_time(child)
                if started is not None:
                    found.append((child, started))
                    todo.append(child)
    return found


class Voila:
    """A Voilà server for ``notebook`` in its own process group, started from ``cwd``.

    ``theme``: Voilà's ``--theme`` (light or dark). ``home``: a fresh folder for the Jupyter
    runtime, config and IPython dirs and the server log.
    """

    def __init__(
        self,
        notebook: Path,
        home: Path,
        *,
        cwd: Path | None = None,
        theme: str = "light",
        extra_env: dict[str, str] | None = None,
    ):
        self.notebook = notebook
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        env = dict(os.environ)
        env.update(
            JUPYTER_RUNTIME_DIR=str(home / "runtime"),
            JUPYTER_CONFIG_DIR=str(home / "config"),
            IPYTHONDIR=str(home / "ipython"),
        )
        env.update(extra_env or {})
        self.log_path = home / "voila.log"
        self._log = open(self.log_path, "w")
        cmd = [
            sys.executable,
            "-m",
            "voila",
            str(notebook),
            "--no-browser",
            f"--port={self.port}",
            "--Voila.ip=127.0.0.1",
            "--Voila.port_retries=0",
            "--Voila.token=",
            f"--theme={theme}",
            # a failing cell shows its traceback in the page (the tests look for it) and in the log
            "--show_tracebacks=True",
        ]
        self.proc = subprocess.Popen(
            cmd, cwd=cwd, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Wait until the server answers (without opening the notebook's page)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"Voilà exited early (code {self.proc.returncode}):\n{self.log()}")
            try:
                with urllib.request.urlopen(self.url.rstrip("/") + PROBE, timeout=2) as r:
                    if r.status == 200:
                        return
            except urllib.error.HTTPError as exc:
                raise RuntimeError(f"Voilà answered {PROBE} with HTTP {exc.code}:\n{self.log()}") from exc
            except OSError:
                time.sleep(0.25)
        raise RuntimeError(f"Voilà did not answer within {timeout} s:\n{self.log()}")

    def log(self) -> str:
        """The last 5000 characters of the server's log."""
        self._log.flush()
        return self.log_path.read_text()[-5000:]

    def stop(self) -> None:
        """SIGTERM the server's process group (Voilà then shuts its kernels down), SIGKILL if it hangs;
        then SIGKILL, by PID, any process this server started that is still alive (a kernel)."""
        spawned = _descendants(self.proc.pid) if self.proc.poll() is None else []
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
        deadline = time.monotonic() + 5
        for pid, started in spawned:
            while _start_time(pid) == started and time.monotonic() < deadline:
                time.sleep(0.1)  # a kernel told to shut down by the server: give it a moment
            if _start_time(pid) == started:  # the same process (not a new one with a reused PID)
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self._log.close()
