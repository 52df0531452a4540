"""Serve a notebook with a real Voilà server on 127.0.0.1 for browser tests, isolated from the user's setup.

One server per notebook, as a user starts it (``voila path/to/notebook.ipynb``): it runs the notebook
in a fresh kernel when the page is opened, with the notebook's folder as the working directory.
The server runs in its own process group; Voilà starts its kernels in sessions of their own, so
:meth:`Voila.stop` also ends, by PID, any kernel of this server still alive after the server.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from .._server_process import ServerProcess

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


class Voila(ServerProcess):
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
        args = [
            str(notebook),
            "--no-browser",
            "--port={port}",
            "--Voila.ip=127.0.0.1",
            "--Voila.port_retries=0",
            "--Voila.token=",
            f"--theme={theme}",
            # a failing cell shows its traceback in the page (the tests look for it) and in the log
            "--show_tracebacks=True",
            # Notebook 7's lab extension (in the dev environment for its smoke test) needs Notebook's
            # shell and logs errors in Voilà's; this list replaces the package's own (etc/jupyter/
            # voila.json, checked in test_voila_config_keeps_the_lab_extension_out), so it names ours too
            '--VoilaConfiguration.extension_denylist=["obi-widgets-jupyterlab", "@jupyter-notebook/lab-extension"]',
        ]
        super().__init__("Voilà", "voila", args, home, cwd=cwd, env=extra_env)
        self.url = self.base + "/"

    def wait_ready(self, timeout: float = 60.0) -> None:  # pyright: ignore[reportIncompatibleMethodOverride]
        """Wait until the server answers (without opening the notebook's page)."""
        super().wait_ready(PROBE, timeout)

    def stop(self) -> None:
        """SIGTERM the server's process group (Voilà then shuts its kernels down), SIGKILL if it hangs;
        then SIGKILL, by PID, any process this server started that is still alive (a kernel)."""
        spawned = _descendants(self.proc.pid) if self.proc.poll() is None else []
        super().stop()
        deadline = time.monotonic() + 5
        for pid, started in spawned:
            while _start_time(pid) == started and time.monotonic() < deadline:
                time.sleep(0.1)  # a kernel told to shut down by the server: give it a moment
            if _start_time(pid) == started:  # the same process (not a new one with a reused PID)
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
