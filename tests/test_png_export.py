"""PNG export, Python side: to_png requests and answers, the display_id display, the static image.

The browser's answers are real comm messages handed to the widget's message handler
(``_handle_msg``, as ipywidgets does with a message from the front end), carrying real PNG bytes.
"""

from __future__ import annotations

import asyncio
import base64
import struct
import zlib

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.display import display
from IPython.utils.capture import capture_output

import obi_widgets as ow
from obi_widgets import datasets
from obi_widgets.errors import ParameterError, SnapshotError
from obi_widgets.views._snapshot import WIDGET_MIME, PngExport, png_size


def tiny_png(width: int, height: int) -> bytes:
    """A real RGB PNG of ``width`` x ``height`` red pixels."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def run_coroutine(coro):
    """``coro``'s result, run on a fresh loop in its own thread: the browser tests (Playwright) leave
    a loop marked running in pytest's thread, where ``asyncio.run`` refuses to start."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def from_browser(widget, content: dict, buffers=()) -> None:
    """A custom message from the front end, as the widget's comm delivers it."""
    widget._handle_msg({"content": {"data": {"method": "custom", "content": content}}, "buffers": list(buffers)})


@pytest.fixture(scope="module")
def shell():
    return InteractiveShell.instance()


@pytest.fixture(scope="module")
def sim():
    return datasets.simulate(seed=5, n_events=1500)


@pytest.fixture
def heat(sim):
    view = ow.DepthHeatmap(sim.book, sim.trades, height=200)
    yield view
    view.close()


def test_png_size_reads_ihdr():
    assert png_size(tiny_png(37, 5)) == (37, 5)
    with pytest.raises(SnapshotError, match="expected PNG bytes"):
        png_size(b"GIF89a" + b"\x00" * 30)


def test_never_displayed_raises(heat, tmp_path):
    with pytest.raises(SnapshotError, match="has not been displayed.*display it"):
        heat.to_png(tmp_path / "h.png")
    assert not (tmp_path / "h.png").exists()


def test_display_carries_a_display_id(shell, heat):
    with capture_output() as cap:
        display(heat)
        display(heat)
    assert len(cap.outputs) == 2
    ids = [o.transient["display_id"] for o in cap.outputs]
    assert all(ids) and ids[0] != ids[1]
    for out in cap.outputs:
        assert out.data[WIDGET_MIME]["model_id"] == heat.model_id
        assert out.data["text/plain"] == repr(heat)
        assert "image/png" not in out.data and not out.update


def test_answer_is_written_as_the_file(shell, heat, tmp_path):
    with capture_output():
        display(heat)
    target = tmp_path / "sub" / "heat.png"
    export = heat.to_png(target, scale=2)
    assert isinstance(export, PngExport) and not export.done
    assert "pending" in repr(export) and "await" in repr(export)
    png = tiny_png(120, 40)
    from_browser(heat, {"type": "obi-png", "id": export.id, "width": 120, "height": 40}, [memoryview(png)])
    assert export.done and export.error is None
    assert target.read_bytes() == png
    assert (export.width, export.height) == (120, 40)
    assert "written, 120x40 px" in repr(export)
    assert run_coroutine(export.wait()) == target
    # a second front end's answer to the same request changes nothing
    from_browser(heat, {"type": "obi-png", "id": export.id}, [tiny_png(3, 3)])
    assert target.read_bytes() == png


def test_browser_error_and_timeout(shell, heat, tmp_path):
    with capture_output():
        display(heat)
    failed = heat.to_png(tmp_path / "f.png")
    from_browser(heat, {"type": "obi-png", "id": failed.id, "error": "the view is not laid out"})
    assert failed.done and "not laid out" in repr(failed)
    with pytest.raises(SnapshotError, match="could not make the PNG: the view is not laid out"):
        run_coroutine(failed.wait())
    assert not (tmp_path / "f.png").exists()

    silent = heat.to_png(tmp_path / "s.png", timeout=0.1)
    with pytest.raises(SnapshotError, match="no front end answered within 0.1 s"):
        run_coroutine(silent.wait())


def test_bad_arguments(shell, heat, tmp_path):
    with capture_output():
        display(heat)
    for scale in (0, -1, 9, "2", True):
        with pytest.raises(ParameterError, match="scale"):
            heat.to_png(tmp_path / "a.png", scale=scale)
    with pytest.raises(ParameterError, match="timeout"):
        heat.to_png(tmp_path / "a.png", timeout=0)
    with pytest.raises(ParameterError, match=r"end in \.png"):
        heat.to_png(tmp_path / "a.jpg")
    with pytest.raises(ParameterError, match="path must be"):
        heat.to_png(42)


def test_request_sent_again_when_a_view_paints(shell, heat, tmp_path):
    # to_png in the cell that displays the view: the browser has no view listening yet
    sent = []
    heat.comm.publish_msg = lambda msg_type, data=None, **kw: sent.append(data)
    with capture_output():
        display(heat)
    export = heat.to_png(tmp_path / "early.png")
    from_browser(heat, {"type": "obi-painted", "top_level": True})
    requests = [d["content"] for d in sent if d.get("method") == "custom"]
    assert [r["id"] for r in requests] == [export.id, export.id]
    assert requests[1] == {"type": "obi-png", "id": export.id, "scale": 2.0, "timeout": 30.0}
    from_browser(heat, {"type": "obi-png", "id": export.id}, [tiny_png(5, 5)])
    from_browser(heat, {"type": "obi-painted", "top_level": True})  # answered: nothing more to send
    assert len([d for d in sent if d.get("method") == "custom"]) == 2


def test_painted_elsewhere_is_enough(heat, tmp_path):
    # shown inside another widget (no display of its own): the browser's first-paint message
    from_browser(heat, {"type": "obi-painted", "top_level": False})
    assert not heat.to_png(tmp_path / "p.png").done


def test_static_image_once_per_display(shell, heat):
    with capture_output() as cap:
        display(heat)
        display(heat)
        png = tiny_png(64, 20)
        from_browser(heat, {"type": "obi-static", "width": 64, "height": 20}, [png])
        # the re-render after the update sends a picture again: ignored
        from_browser(heat, {"type": "obi-static", "width": 64, "height": 20}, [tiny_png(8, 8)])
    first, second, *updates = cap.outputs
    assert len(updates) == 2
    assert {u.transient["display_id"] for u in updates} == {
        first.transient["display_id"],
        second.transient["display_id"],
    }
    for u in updates:
        assert u.update
        assert set(u.data) == {WIDGET_MIME, "image/png", "text/plain"}
        assert base64.b64decode(u.data["image/png"]) == png
        assert u.data[WIDGET_MIME]["model_id"] == heat.model_id
    # a later display gets the next picture
    with capture_output() as cap:
        display(heat)
        from_browser(heat, {"type": "obi-static"}, [tiny_png(9, 9)])
        from_browser(heat, {"type": "obi-static"}, [b"not a png at all, just bytes"])
    assert [o.update for o in cap.outputs] == [False, True]
    assert base64.b64decode(cap.outputs[1].data["image/png"]) == tiny_png(9, 9)


def test_dashboard_panels(shell, sim, tmp_path):
    dash = ow.Dashboard(sim.book, sim.trades, panels=["heatmap", "ladder"], height=400)
    try:
        with pytest.raises(SnapshotError, match="has not been displayed"):
            dash.heatmap.to_png(tmp_path / "panel.png")
        with capture_output():
            display(dash)
        export = dash.heatmap.to_png(tmp_path / "panel.png")
        from_browser(dash.heatmap, {"type": "obi-png", "id": export.id}, [tiny_png(10, 4)])
        assert (tmp_path / "panel.png").read_bytes() == tiny_png(10, 4)
        whole = dash.to_png(tmp_path / "dash.png", scale=1)
        from_browser(dash, {"type": "obi-png", "id": whole.id}, [tiny_png(30, 20)])
        assert (whole.width, whole.height) == (30, 20)
    finally:
        dash.close()
