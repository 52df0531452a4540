"""A local server speaking Binance's wire protocol from a recorded capture, for the live adapter's tests.

On 127.0.0.1 (ports chosen by the OS), in a thread with its own asyncio loop:

- websocket ``/stream?streams=<sym>@depth@100ms/<sym>@trade`` (combined streams): sends the
  capture's messages of the requested streams in capture order, the envelope text exactly as
  recorded, ``pace`` seconds apart;
- HTTP ``GET /api/v3/depth?symbol=..&limit=..`` (and ``/fapi/v1/depth``): the REST snapshot.

What it serves is truthful to the capture. The FIRST snapshot is the capture's own REST snapshot
line, served only once the stream has passed the point where it was recorded (so the client sees
the capture's own interleaving: several diffs before it). A LATER snapshot (a client resyncing)
is the book the capture implies at the last diff sent, ``lastUpdateId`` = that diff's ``u``: the
file loader's rebuild of the original capture with ``deep`` levels per side (the exchange's own
book at that update id, down to the depth the capture knows); the original capture has no second
snapshot, and this is the one the exchange would have answered with.

Scenarios: ``normal``; ``drop_diff`` (depth diff number ``at`` is never sent: the client sees a
gap); ``drop_connection`` (the socket is aborted right after diff ``at`` is sent, and the
messages of the next ``lost`` diffs are lost as an exchange's would be during the outage; the next
connection resumes after them); ``stale_snapshot`` (the stream starts at diff ``at``, so the
capture's snapshot, served first, is older than every diff the client gets).

``sent`` logs every message sent, in order, as capture lines (the original local time of a stream
message; a snapshot line takes the local time of the message sent before it).
"""

from __future__ import annotations

import asyncio
import json
import threading
from urllib.parse import parse_qs, urlsplit

import numpy as np

SCENARIOS = ("normal", "drop_diff", "drop_connection", "stale_snapshot")


def _stream_of(body: bytes) -> str | None:
    """The combined stream a message was recorded from (None for a bare event)."""
    stream = json.loads(body).get("stream")
    return stream if isinstance(stream, str) else None


class ExchangeServer:
    """See the module docstring. ``lines``: capture lines (bytes, ``<ts> <json>``) of ONE file's start
    with exactly one REST snapshot; ``deep``: read_binance's result on the same lines with many
    levels (for the later snapshots; None when none will be asked for); ``at``: the diff index the scenario acts at."""

    def __init__(
        self, lines: list[bytes], deep, scenario: str = "normal", *, at: int = 60, lost: int = 5, pace: float = 0.001
    ):
        if scenario not in SCENARIOS:
            raise ValueError(f"scenario {scenario!r}: expected one of {SCENARIOS}")
        self.scenario = scenario
        self.at = at
        self.lost = lost
        self.pace = pace
        self.deep = deep
        self.msgs: list[tuple[int, bytes, str | None, int]] = []  # (local_ts, body, stream, diff index or -1)
        self.snapshot: tuple[int, bytes] | None = None
        self.snapshot_pos = 0  # messages before the snapshot line in the capture
        k = 0
        for raw in lines:
            raw = raw.strip()
            if not raw:
                continue
            ts, body = raw.split(b" ", 1)
            if body.startswith(b'{"lastUpdateId"'):
                self.snapshot = (int(ts), body)
                self.snapshot_pos = len(self.msgs)
                continue
            stream = _stream_of(body)
            is_diff = stream is not None and "@depth" in stream
            self.msgs.append((int(ts), body, stream, k if is_diff else -1))
            k += is_diff
        if self.snapshot is None:
            raise ValueError("the capture lines hold no REST snapshot")
        self.diff_pos = [i for i, m in enumerate(self.msgs) if m[3] >= 0]
        self.deep_uid = np.zeros(0, np.int64) if deep is None else np.asarray(deep.meta["update_id"])
        self.pos = self.diff_pos[at] if scenario == "stale_snapshot" else 0
        self.sent: list[bytes] = []
        self.requests: list[str] = []
        self.connections = 0
        self.snapshots_served = 0
        self.last_u: int | None = None
        self.last_ts = 0
        self.done = threading.Event()  # every message was sent
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._stopped: asyncio.Event | None = None
        self._passed_snapshot: asyncio.Event | None = None
        self.ws_port = self.http_port = 0
        self.error: BaseException | None = None

    # -- addresses --------------------------------------------------------------------------
    @property
    def ws_base(self) -> str:
        return f"ws://127.0.0.1:{self.ws_port}"

    @property
    def rest_base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    # -- life cycle ---------------------------------------------------------------------------
    def start(self, timeout: float = 10.0) -> ExchangeServer:
        self._thread = threading.Thread(target=self._main, name="exchange-server", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError("the local exchange server did not start")
        if self.error is not None:
            raise self.error
        return self

    def stop(self, timeout: float = 10.0) -> None:
        loop = self._loop
        if loop is not None and self._stopped is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._stopped.set)
        if self._thread is not None:
            self._thread.join(timeout)

    def __enter__(self) -> ExchangeServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _main(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._serve())
        except BaseException as exc:  # reported to the test through .error
            self.error = exc
            self._ready.set()
        finally:
            loop.close()

    async def _serve(self) -> None:
        import websockets

        self._stopped = asyncio.Event()
        self._passed_snapshot = asyncio.Event()
        if self.pos >= self.snapshot_pos:
            self._passed_snapshot.set()
        http = await asyncio.start_server(self._http, "127.0.0.1", 0)
        async with websockets.serve(self._ws, "127.0.0.1", 0, close_timeout=1) as ws_server:
            self.ws_port = next(iter(ws_server.sockets)).getsockname()[1]
            self.http_port = http.sockets[0].getsockname()[1]
            self._ready.set()
            await self._stopped.wait()
        http.close()
        await http.wait_closed()

    # -- the stream -----------------------------------------------------------------------------
    def _log(self, ts: int, body: bytes) -> None:
        self.last_ts = max(self.last_ts, ts)
        self.sent.append(b"%d %s\n" % (self.last_ts, body))

    async def _ws(self, ws) -> None:
        self.connections += 1
        query = parse_qs(urlsplit(ws.request.path).query)
        streams = set(query.get("streams", [""])[0].split("/"))
        assert self._passed_snapshot is not None
        while self.pos < len(self.msgs):
            ts, body, stream, k = self.msgs[self.pos]
            self.pos += 1
            if self.pos >= self.snapshot_pos:
                self._passed_snapshot.set()
            if stream not in streams:
                continue
            if self.scenario == "drop_diff" and k == self.at:
                continue
            await ws.send(body.decode())
            self._log(ts, body)
            if k >= 0:
                self.last_u = json.loads(body)["data"]["u"]
            if self.scenario == "drop_connection" and k == self.at and self.connections == 1:
                # the outage: the next `lost` diffs (and what came with them) never reach the client
                while self.pos < len(self.msgs) and self.msgs[self.pos][3] <= self.at + self.lost:
                    self.pos += 1
                ws.transport.abort()
                return
            await asyncio.sleep(self.pace)
        self.done.set()
        await ws.wait_closed()  # an idle stream until the client goes

    # -- REST ---------------------------------------------------------------------------------
    def _computed_snapshot(self, limit: int) -> bytes:
        """The book at the last diff sent, from the deep rebuild of the original capture."""
        rows = np.flatnonzero(self.deep_uid == self.last_u)
        if not rows.size or self.deep is None:
            raise LookupError(f"no deep book row at update id {self.last_u}")
        r = int(rows[-1])
        b = self.deep.book

        def side(px, sz):
            keep = ~np.isnan(px[r])
            return [[f"{p:.8f}", f"{s:.8f}"] for p, s in zip(px[r][keep][:limit], sz[r][keep][:limit])]

        snap = {"lastUpdateId": int(self.last_u), "bids": side(b.bid_px, b.bid_sz), "asks": side(b.ask_px, b.ask_sz)}
        return json.dumps(snap, separators=(",", ":")).encode()

    def _original_snapshot(self, limit: int) -> bytes:
        assert self.snapshot is not None
        snap = json.loads(self.snapshot[1])
        if limit >= max(len(snap["bids"]), len(snap["asks"])):
            return self.snapshot[1]
        snap["bids"], snap["asks"] = snap["bids"][:limit], snap["asks"][:limit]
        return json.dumps(snap, separators=(",", ":")).encode()

    async def _http(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            target = head.split(b"\r\n", 1)[0].split(b" ")[1].decode()
            self.requests.append(target)
            url = urlsplit(target)
            q = parse_qs(url.query)
            limit = int(q.get("limit", ["100"])[0])
            if url.path not in ("/api/v3/depth", "/fapi/v1/depth"):
                status, body = b"404 Not Found", b'{"code":-1,"msg":"unknown path"}'
            else:
                if self.snapshots_served == 0:
                    assert self._passed_snapshot is not None
                    await self._passed_snapshot.wait()  # the capture's interleaving: diffs came first
                    body = self._original_snapshot(limit)
                else:
                    body = self._computed_snapshot(limit)
                self.snapshots_served += 1
                self._log(self.last_ts, body)
                status = b"200 OK"
            writer.write(
                b"HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s"
                % (status, len(body), body)
            )
            await writer.drain()
        finally:
            writer.close()
