"""Driving a notebook in JupyterLab through ``window.jupyterapp`` (exposed by the test server)."""

from __future__ import annotations

import shutil
import time
import uuid
from pathlib import Path

NOTEBOOK_READY = """(name) => {
  const app = window.jupyterapp;
  const nb = app && app.shell.currentWidget;
  const kernel = nb && nb.sessionContext && nb.sessionContext.session && nb.sessionContext.session.kernel;
  return !!(kernel && kernel.status === 'idle' && nb.context.path === name && nb.content.widgets.length);
}"""

ALL_EXECUTED = """() => {
  const nb = window.jupyterapp.shell.currentWidget;
  const kernel = nb.sessionContext.session.kernel;
  const cells = nb.content.widgets.filter((c) => c.model.type === 'code');
  return kernel.status === 'idle' && cells.every((c) => c.model.executionCount !== null);
}"""

ERROR_OUTPUTS = """() => {
  const nb = window.jupyterapp.shell.currentWidget;
  const errs = [];
  for (const c of nb.content.widgets) {
    if (c.model.type !== 'code') continue;
    for (let i = 0; i < c.model.outputs.length; i++) {
      const o = c.model.outputs.get(i);
      if (o.type === 'error') errs.push(o.toJSON().ename + ': ' + o.toJSON().evalue);
    }
  }
  return errs;
}"""


def open_fresh_copy(page, lab, notebook: Path) -> str:
    """Copy ``notebook`` into the server root under a fresh name, open it and wait for its kernel."""
    tag = uuid.uuid4().hex[:8]
    name = f"{notebook.stem}-{tag}.ipynb"
    shutil.copy(notebook, lab.root / name)
    # a fresh workspace per test: otherwise JupyterLab restores the notebooks of earlier tests
    page.goto(f"{lab.url}/lab/workspaces/t{tag}/tree/{name}?reset")
    page.wait_for_function(NOTEBOOK_READY, arg=name, timeout=90_000)
    return name


# Every widget output of the notebook holds its static image (the kit adds one to each display after
# the view's first paint, which makes JupyterLab render that output again) and every view is ready.
STATIC_SETTLED = """() => {
  const nb = window.jupyterapp.shell.currentWidget.content;
  for (const cell of nb.widgets) {
    if (cell.model.type !== 'code') continue;
    for (let i = 0; i < cell.model.outputs.length; i++) {
      const data = cell.model.outputs.get(i).data;
      if (data['application/vnd.jupyter.widget-view+json'] && !data['image/png']) return false;
    }
  }
  const views = [...document.querySelectorAll('.jp-OutputArea .obi-view')];
  return views.every(v => v.dataset.obiReady === 'true');
}"""


def run_all(page, timeout_ms: int = 180_000, settle_ms: int = 30_000) -> None:
    """Run every cell, wait until all have run, then until the views' displays have settled: each
    got its static image and was rendered again (``settle_ms``; a view that is never painted, e.g.
    scrolled out of a windowed notebook, only costs that wait)."""
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(ALL_EXECUTED, timeout=timeout_ms, polling=250)
    settle(page, settle_ms)


def settle(page, timeout_ms: int = 30_000) -> None:
    """Wait (at most ``timeout_ms``) until every view's display got its static image and was
    rendered again; a view that is never painted only costs the wait, the test's own checks decide."""
    try:
        page.wait_for_function(STATIC_SETTLED, timeout=timeout_ms, polling=250)
    except Exception:  # playwright's TimeoutError
        pass


def error_outputs(page) -> list[str]:
    return page.evaluate(ERROR_OUTPUTS)


def run_code(page, source: str, timeout_s: float = 60.0) -> str:
    """Append a code cell with ``source`` at the end of the notebook, run it, return its text output."""
    page.evaluate(
        """async (source) => {
          const app = window.jupyterapp;
          const nb = app.shell.currentWidget.content;
          nb.activeCellIndex = nb.widgets.length - 1;
          await app.commands.execute('notebook:insert-cell-below');
          nb.activeCell.model.sharedModel.setSource(source);
          await app.commands.execute('notebook:run-cell');
        }""",
        source,
    )
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        out = page.evaluate(
            """() => {
              const nb = window.jupyterapp.shell.currentWidget;
              const cell = nb.content.widgets[nb.content.widgets.length - 1];
              if (cell.model.executionCount === null || nb.sessionContext.session.kernel.status !== 'idle') return null;
              const texts = [];
              for (let i = 0; i < cell.model.outputs.length; i++) {
                const o = cell.model.outputs.get(i).toJSON();
                if (o.text) texts.push(Array.isArray(o.text) ? o.text.join('') : o.text);
                if (o.ename) texts.push(o.ename + ': ' + o.evalue);
                if (o.data && o.data['text/plain']) texts.push(o.data['text/plain']);
              }
              return texts.join('');
            }"""
        )
        if out is not None:
            settle(page)  # a view the cell displayed is rendered again once its static image arrives
            return out
        time.sleep(0.2)
    raise TimeoutError(f"cell {source!r} did not finish within {timeout_s} s")
