"""Jupyter server extension: the starter notebooks of the JupyterLab extension, over HTTP.

Enabled by ``jupyter-config/jupyter_server_config.d/obi_widgets.json`` (installed with the wheel
into ``etc/jupyter/jupyter_server_config.d/``), it adds one authenticated route to the server:

``GET <base_url>/obi-widgets/starter?path=<file>&levels=<N>``
    ``path`` is relative to the server's root (as the file browser names it). Answers
    ``{"name", "path", "notebook", "kind", "label"}``: the starter notebook of
    :func:`~obi_widgets.jupyter.starter_notebook` (nbformat 4 JSON) and where to save it (beside the
    file, named after it, a free name: see :func:`~obi_widgets.jupyter.starter_path`), or HTTP 422
    ``{"message": <why the kit cannot read the file>}``.
``GET <base_url>/obi-widgets/starter?sim=1&levels=<N>``
    The simulated-market starter of :func:`~obi_widgets.jupyter.sim_notebook` (``name`` only:
    the client saves it in the folder it shows).

A bad ``levels`` or a ``path`` outside the root answers HTTP 400 ``{"message"}``. The route never
writes a file: the JupyterLab extension saves the notebook through the contents API.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado import web

#: the route, below the server's base URL
ROUTE = "obi-widgets/starter"
SIM_NAME = "order_book.ipynb"


class _Refused(Exception):
    """A request the handler answers with ``status`` and ``{"message": message}``."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def _levels(text: str | None) -> int | None:
    if text is None or text == "":
        return None
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise _Refused(400, f"levels must be an integer >= 1, got {text!r}")
    return value


def _inside(root: Path, rel: str) -> Path:
    """``root / rel`` as an absolute path, refusing one that leaves ``root`` (``..``, absolute paths)."""
    rel = rel.strip("/")
    if not rel:
        raise _Refused(400, "path is missing: give the file's path relative to the server's root")
    joined = os.path.normpath(os.path.join(root, rel))
    if os.path.isabs(rel) or os.path.commonpath([joined, str(root)]) != str(root):
        raise _Refused(400, f"path {rel!r} is outside the server's root")
    return Path(joined)


def _checked(nb) -> dict:
    """The notebook as a plain JSON-able dict, validated against the nbformat 4 schema."""
    import nbformat

    nbformat.validate(nb)
    return json.loads(json.dumps(nb))


def starter_reply(root, rel_path: str | None, levels: str | None, sim: bool = False) -> dict:
    """The JSON reply of the starter route (see the module's docstring); raises :class:`_Refused`.

    ``root``: the server's root folder; ``rel_path``: the file, relative to it (ignored when ``sim``).
    """
    from ..errors import ObiError
    from .notebook import sim_notebook, starter_notebook, starter_path

    n = _levels(levels)
    if sim:
        nb = sim_notebook(levels=n)
        return {
            "name": SIM_NAME,
            "path": None,
            "notebook": _checked(nb),
            "kind": "sim",
            "label": "Simulated market",
        }
    root = Path(os.path.abspath(root))
    file = _inside(root, rel_path or "")
    from .detect import detect

    try:
        kind = detect(file)
        target = starter_path(file)
        nb = starter_notebook(kind, n, relative_to=target.parent)
    except ObiError as exc:
        raise _Refused(422, str(exc).replace(str(root) + os.sep, "")) from None
    except OSError as exc:
        raise _Refused(422, f"{rel_path}: cannot be read ({exc.strerror or exc})") from None
    return {
        "name": target.name,
        "path": target.relative_to(root).as_posix(),
        "notebook": _checked(nb),
        "kind": kind.kind,
        "label": kind.label,
    }


class StarterHandler(APIHandler):
    """``GET /obi-widgets/starter``: a starter notebook for a file, or for the simulated market."""

    @web.authenticated
    async def get(self) -> None:
        """Answer the starter notebook as JSON, or 400/422 with ``{"message"}``."""
        root = getattr(self.contents_manager, "root_dir", None) or self.settings.get("server_root_dir") or os.getcwd()
        args = (
            root,
            self.get_argument("path", None),
            self.get_argument("levels", None),
            self.get_argument("sim", "") not in ("", "0"),
        )
        try:
            reply = await asyncio.to_thread(starter_reply, *args)
        except _Refused as exc:
            self.set_status(exc.status)
            reply = {"message": exc.message}
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(reply))


def _jupyter_server_extension_points() -> list[dict]:
    """Where jupyter_server finds this extension (``jpserver_extensions`` names this module)."""
    return [{"module": "obi_widgets.jupyter.server"}]


def _load_jupyter_server_extension(serverapp) -> None:
    """Add the starter route to the server's web application."""
    web_app = serverapp.web_app
    route = url_path_join(web_app.settings["base_url"], ROUTE)
    web_app.add_handlers(".*$", [(route, StarterHandler)])
    serverapp.log.info("obi_widgets: starter notebooks at %s", route)
