"""PNG snapshots of the views: ``view.to_png(path)`` and the static image of notebook outputs.

The browser side is ``js/lib/snapshot.js``. Messages on the view's comm (``self.send`` /
``msg:custom``):

* Python -> browser ``{"type": "obi-png", "id", "scale", "timeout"}``: every front end showing
  the view composes its root into a PNG and answers ``{"type": "obi-png", "id", "width",
  "height", "css_width", "css_height", "scale"}`` with the PNG as the one buffer, or ``{"type":
  "obi-png", "id", "error"}``. The first answer wins.
* browser -> Python ``{"type": "obi-painted"}`` after a view's first paint (a front end drew it;
  the requests still unanswered are sent again: one sent before the view existed was lost),
  and, for a view displayed on its own (not a Dashboard's panel), ``{"type": "obi-static"}`` with a
  small PNG: Python adds it as ``image/png`` to each display of the view that has none yet
  (``update_display``), so that a saved notebook shows a picture where widgets cannot render. At
  most once per display: the re-render that JupyterLab makes on that update sends a picture that is
  ignored.

While a cell runs the kernel reads no comm message, so the browser's answer to ``to_png`` arrives
when the cell ends -- unless the cell awaits it (``await view.to_png(path)``): ipykernel 7
dispatches comm messages while an async cell awaits.
"""

from __future__ import annotations

import asyncio
import base64
import os
import time
import uuid
from pathlib import Path

from ..errors import ParameterError, SnapshotError

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_SCALE = 8


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) of PNG bytes from their IHDR chunk; SnapshotError when they are not a PNG."""
    if len(data) < 24 or data[:8] != PNG_SIGNATURE or data[12:16] != b"IHDR":
        raise SnapshotError(f"expected PNG bytes (signature and IHDR chunk), got {bytes(data[:16])!r}...")
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


class PngExport:
    """The PNG of a view that ``to_png`` asked the browser for: written at :attr:`path` when it answers.

    ``done`` tells whether the file is written, ``error`` the browser's error if it failed,
    ``width`` / ``height`` the PNG's size in pixels. ``await export`` waits (up to the
    ``timeout`` given to ``to_png``) inside the cell and returns the path. It is also a path-like
    object (``os.fspath(export)``).
    """

    def __init__(self, path: Path, scale: float, timeout: float, request_id: str):
        self.path = path
        self.scale = scale
        self.timeout = timeout
        self.id = request_id
        self.done = False
        self.error: str | None = None
        self.width: int | None = None
        self.height: int | None = None

    def __fspath__(self) -> str:
        return os.fspath(self.path)

    def _finish(self, data: bytes | None, error: str | None = None) -> None:
        if data is not None:
            self.width, self.height = png_size(data)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_bytes(data)
        self.error = error
        self.done = True

    async def wait(self) -> Path:
        """Wait for the browser's answer (at most ``timeout`` s) and return the path of the PNG.

        Raises SnapshotError when no front end answered in time or the browser failed.
        """
        deadline = time.monotonic() + self.timeout
        while not self.done and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        if not self.done:
            raise SnapshotError(
                f"to_png({str(self.path)!r}): no front end answered within {self.timeout:g} s: display "
                "the view in an open notebook (and let it paint) first; the file is still written if one answers later"
            )
        if self.error:
            raise SnapshotError(f"to_png({str(self.path)!r}): the browser could not make the PNG: {self.error}")
        return self.path

    def __await__(self):
        return self.wait().__await__()

    def __repr__(self) -> str:
        if self.done and self.error:
            state = f"failed: {self.error}"
        elif self.done:
            state = f"written, {self.width}x{self.height} px"
        else:
            state = "pending: written when the browser answers, after this cell ends (`await` it to wait in the cell)"
        return f"PngExport({str(self.path)!r}, scale={self.scale:g}, {state})"


class SnapshotMixin:
    """``to_png`` and the static-image display of the kit's widgets (mixed into ``ObiWidget``)."""

    def __init__(self, *args, **kwargs):
        self._png_requests: dict[str, PngExport] = {}
        self._displays: dict[str, bool] = {}  # display_id -> has its static image
        self._painted = 0  # first paints reported by front ends
        self._snapshot_owner = None  # the Dashboard of a panel, once displayed
        super().__init__(*args, **kwargs)
        self.on_msg(self._on_snapshot_msg)  # type: ignore[attr-defined]

    # -- display with a display_id ---------------------------------------------------------------
    def _display_data(self) -> dict:
        bundle = self._repr_mimebundle_()  # type: ignore[attr-defined]
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        return dict(data or {})

    def _ipython_display_(self, **kwargs) -> None:
        """Display the widget with a display_id, so that its static image can be added later."""
        from IPython.display import display

        data = self._display_data()
        if WIDGET_MIME not in data:
            display(data, raw=True)
            return
        display_id = uuid.uuid4().hex
        self._displays[display_id] = False
        for panel in getattr(self, "_panel_widgets", {}).values():  # a Dashboard's panels
            panel._snapshot_owner = self
        display(data, raw=True, display_id=display_id)

    def _displayed(self) -> bool:
        """Whether this widget, or the Dashboard it is a panel of, was displayed or painted."""
        if self._painted or self._displays:
            return True
        owner = self._snapshot_owner
        return owner is not None and owner._displayed()

    # -- to_png ------------------------------------------------------------------------------------
    def to_png(self, path, scale: float = 2, timeout: float = 30) -> PngExport:
        """Write the picture the browser drew of this view to ``path`` as a PNG.

        ``scale``: device pixels per CSS pixel (default 2): the PNG is the view's root CSS size
        times ``scale`` -- the whole view: header read-outs, axes, canvases. Canvases are drawn at
        the screen's pixel ratio: at a larger ``scale`` their pixels are upscaled, text and lines
        are drawn at ``scale``.

        The browser answers after the current cell ends (a running cell holds the kernel): the
        returned :class:`PngExport` says "pending" until then and the file is written when the
        answer arrives. ``await view.to_png(path)`` waits inside the cell instead (up to
        ``timeout`` seconds; SnapshotError when no front end answered) and returns the path.
        The view (or its Dashboard) must have been displayed: otherwise SnapshotError at once.
        Works for a Dashboard (the whole dashboard) and for its panels (``dash.heatmap.to_png``).
        """
        if isinstance(scale, bool) or not isinstance(scale, int | float) or not 0 < scale <= MAX_SCALE:
            raise ParameterError(f"scale must be a number in (0, {MAX_SCALE}], got {scale!r}")
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
            raise ParameterError(f"timeout must be a positive number of seconds, got {timeout!r}")
        try:
            target = Path(os.fspath(path))
        except TypeError:
            raise ParameterError(f"path must be a str or path-like, got {type(path).__name__}") from None
        if target.suffix.lower() != ".png":
            raise ParameterError(f"path must end in .png, got {str(target)!r}")
        name = type(self).__name__
        if getattr(self, "comm", None) is None:
            raise SnapshotError(
                f"{name}.to_png: the widget is closed or not in a kernel: display it in a notebook first"
            )
        if not self._displayed():
            raise SnapshotError(
                f"{name}.to_png: the view has not been displayed: display it (or its Dashboard) first, "
                "let it paint, then call to_png (the browser draws the picture)"
            )
        export = PngExport(target, float(scale), float(timeout), uuid.uuid4().hex)
        self._png_requests[export.id] = export
        self._send_request(export)
        return export

    def _send_request(self, export: PngExport) -> None:
        self.send({"type": "obi-png", "id": export.id, "scale": export.scale, "timeout": export.timeout})  # type: ignore[attr-defined]

    # -- messages from the browser ---------------------------------------------------------------
    def _on_snapshot_msg(self, _widget, content, buffers) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind == "obi-png":
            export = self._png_requests.pop(str(content.get("id")), None)
            if export is None:  # answered already (another front end) or unknown
                return
            if content.get("error") or not buffers:
                export._finish(None, str(content.get("error") or "no PNG in the answer"))
                return
            try:
                export._finish(bytes(buffers[0]))
            except (SnapshotError, OSError) as exc:
                export._finish(None, str(exc))
        elif kind == "obi-painted":
            self._painted += 1
            # a request sent before this view existed in the browser (to_png in the cell that
            # displays it) found no listener there: ask again, now that a view listens
            for export in list(self._png_requests.values()):
                self._send_request(export)
        elif kind == "obi-static" and buffers:
            self._painted += 1
            self._add_static_image(bytes(buffers[0]))

    def _add_static_image(self, data: bytes) -> None:
        """Add ``data`` (PNG) as ``image/png`` to every display of the widget without one yet."""
        waiting = [d for d, has in self._displays.items() if not has]
        if not waiting:
            return
        try:
            png_size(data)
        except SnapshotError:
            return
        from IPython.display import update_display

        bundle = self._display_data()
        bundle["image/png"] = base64.b64encode(data).decode("ascii")
        for display_id in waiting:
            self._displays[display_id] = True
            update_display(bundle, raw=True, display_id=display_id)
