"""The server extension (obi_widgets/jupyter/server.py) in a real Jupyter server, called over HTTP.

The server is started without naming the extension: it is enabled by the config file the package
installs (jupyter-config/ -> etc/jupyter/jupyter_server_config.d/), so these tests also prove that
file is in place. The extension's version is the package's.
"""

from __future__ import annotations

import json
import re
import shutil
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest

from ._server_process import ServerProcess
from .conftest import ROOT

TOKEN = "obi-test-token"


class Server(ServerProcess):
    """A plain jupyter_server on 127.0.0.1 with a token, rooted at ``root``, in its own process group."""

    def __init__(self, root: Path, home: Path):
        args = [
            "--no-browser",
            "--port={port}",
            "--ServerApp.ip=127.0.0.1",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={TOKEN}",
            f"--ServerApp.root_dir={root}",
            "--ServerApp.allow_root=True",
        ]
        super().__init__("jupyter_server", "jupyter_server", args, home)

    def wait_ready(self, timeout: float = 60.0) -> None:  # pyright: ignore[reportIncompatibleMethodOverride]
        """Wait until the server's REST API answers."""
        super().wait_ready(f"/api/status?token={TOKEN}", timeout)

    def get(self, query: str, token: str | None = TOKEN) -> tuple[int, dict]:
        """GET /obi-widgets/starter?<query>: (status, JSON body)."""
        req = urllib.request.Request(f"{self.url}/obi-widgets/starter?{query}")
        if token is not None:
            req.add_header("Authorization", f"token {token}")
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as err:
            body = err.read()
            try:
                return err.code, json.loads(body)
            except ValueError:
                return err.code, {"raw": body.decode(errors="replace")}


@pytest.fixture(scope="module")
def root(tmp_path_factory, data_dir, amzn_files) -> Path:
    root = tmp_path_factory.mktemp("server-root")
    (root / "binance").mkdir()
    shutil.copy(data_dir / "binance_spot_BTCUSDT_2024-08-08" / "btcusdt_20240808.gz", root / "binance")
    (root / "lobster").mkdir()
    for f in amzn_files:
        shutil.copy(f, root / "lobster")
    (root / "junk").mkdir()
    (root / "junk" / "random.gz").write_text("this is not gzip and not a capture\n" * 3)
    (root / "junk" / "XYZ_2012-06-21_34200000_57600000_message_1.csv").write_text("garbage,row\nmore,garbage\n")
    return root


@pytest.fixture(scope="module")
def server(root, tmp_path_factory):
    srv = Server(root, tmp_path_factory.mktemp("server-home"))
    try:
        srv.wait_ready()
        yield srv
    finally:
        srv.stop()


def code_of(reply: dict) -> str:
    nb = nbformat.reads(json.dumps(reply["notebook"]), as_version=4)
    nbformat.validate(nb)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "code")


def test_binance_capture_starter(server):
    status, reply = server.get("path=binance/btcusdt_20240808.gz&levels=7")
    assert status == 200, reply
    assert reply["kind"] == "binance"
    assert reply["name"] == "btcusdt_20240808.ipynb"
    assert reply["path"] == "binance/btcusdt_20240808.ipynb"
    assert "BTCUSDT" in reply["label"]
    code = code_of(reply)
    assert "ow.io.read_binance('btcusdt_20240808.gz', levels=7)" in code
    assert "ow.Dashboard(" in code


def test_lobster_message_starter_names_both_files(server):
    status, reply = server.get("path=lobster/AMZN_2012-06-21_34200000_57600000_message_1.csv.gz")
    assert status == 200, reply
    assert reply["kind"] == "lobster"
    assert reply["path"] == "lobster/AMZN_2012-06-21_34200000_57600000_message_1.ipynb"
    code = code_of(reply)
    assert "AMZN_2012-06-21_34200000_57600000_message_1.csv.gz" in code
    assert "AMZN_2012-06-21_34200000_57600000_orderbook_1.csv.gz" in code


def test_taken_name_gets_a_suffix(server, root):
    taken = root / "binance" / "btcusdt_20240808.ipynb"
    taken.write_text("{}")
    try:
        status, reply = server.get("path=binance/btcusdt_20240808.gz")
    finally:
        taken.unlink()
    assert status == 200, reply
    assert reply["path"] == "binance/btcusdt_20240808-1.ipynb"


def test_simulated_market_starter(server):
    status, reply = server.get("sim=1&levels=5")
    assert status == 200, reply
    assert reply["kind"] == "sim"
    assert reply["name"] == "order_book.ipynb"
    assert "ow.datasets.simulate(seed=0, levels=5)" in code_of(reply)


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("path=junk/random.gz", "random.gz"),
        ("path=junk/XYZ_2012-06-21_34200000_57600000_message_1.csv", "XYZ_2012-06-21"),
        ("path=nowhere/missing.csv.gz", "not found"),
    ],
)
def test_unreadable_file_is_422_with_the_reason(server, root, query, says):
    status, reply = server.get(query)
    assert status == 422, reply
    assert set(reply) == {"message"}
    assert says in reply["message"]
    assert str(root) not in reply["message"]  # paths are told relative to the server's root
    assert "Traceback" not in reply["message"]


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("path=../etc/passwd", "outside the server's root"),
        ("path=", "path is missing"),
        ("path=binance/btcusdt_20240808.gz&levels=0", "levels must be an integer >= 1"),
        ("sim=1&levels=ten", "levels must be an integer >= 1"),
    ],
)
def test_bad_request_is_400(server, query, says):
    status, reply = server.get(query)
    assert status == 400, reply
    assert says in reply["message"]


def test_needs_authentication(server):
    status, _ = server.get("sim=1", token=None)
    assert status == 403
    status, _ = server.get("sim=1", token="wrong")
    assert status == 403


def test_labextension_version_is_the_package_version():
    version = re.search(r'^\[project\][^\[]*?^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M | re.S)
    assert version, "no version in pyproject.toml's [project] table"
    pyproject = {"project": {"version": version.group(1)}}
    source = json.loads((ROOT / "js" / "labextension" / "package.json").read_text())
    assert source["version"] == pyproject["project"]["version"]
    assert source["jupyterlab"]["outputDir"] == "../../obi_widgets/labextension"
    built = ROOT / "obi_widgets" / "labextension" / "package.json"
    assert built.exists(), "the lab extension is not built: run `npm run build`"
    assert json.loads(built.read_text())["version"] == pyproject["project"]["version"]
