"""Size of a saved notebook with ten views on the simulated market (target: at most 3 MB).

Writes a notebook with one ``BookSource`` over ``datasets.simulate(seed=0)`` and ten views (two of
each kind), executes it with ``jupyter nbconvert --to notebook --execute`` and reports:

- the executed .ipynb file (nbclient stores the widget state it saw on the comms in the notebook's
  metadata, as JupyterLab does when it saves with "save widget state");
- the widget comm state measured in the kernel with ``ipywidgets.embed.embed_data`` (every model
  the ten views depend on, binary buffers base64-encoded as in a saved notebook), per model class,
  and how much of it is the views' ES module bundles (anywidget puts ``_esm`` in the state of every
  instance; the shared source, which has no JS, carries none).

Run: ``.venv/bin/python benchmarks/bench_notebook_size.py``
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

TARGET = 3 * 1024 * 1024

SETUP = """import obi_widgets as ow
from obi_widgets import datasets
sim = datasets.simulate(seed=0)
src = ow.BookSource(sim.book, sim.trades)
makers = {
    "DepthHeatmap": lambda: ow.DepthHeatmap(src),
    "Ladder": lambda: ow.Ladder(src),
    "ImbalanceTimeline": lambda: ow.ImbalanceTimeline(src, series=["level1_imbalance", "depth_imbalance", "ofi"]),
    "DepthChart": lambda: ow.DepthChart(src),
    "Replay": lambda: ow.Replay(src),
}
views, missing = [], []
for name, make in makers.items():
    try:
        views += [make(), make()]
    except (AttributeError, ImportError) as exc:   # a view not built yet: two more of the others
        missing.append(f"{name} ({exc})")
while len(views) < 10:
    views.append(ow.DepthChart(src))
"""

DISPLAY = "views[{i}]"

MEASURE = """import json
from collections import defaultdict
from ipywidgets.embed import embed_data

data = embed_data(views=views, drop_defaults=False)   # the full state, as the front-end saves it
state = data["manager_state"]["state"]
names = {w.model_id: type(w).__name__ for w in [src, *views]}
by_class = defaultdict(lambda: [0, 0])
esm = 0
for model_id, entry in state.items():
    size = len(json.dumps(entry))
    key = names.get(model_id, entry["model_name"])
    by_class[key][0] += 1
    by_class[key][1] += size
    esm += len(entry["state"].get("_esm", "") or "") + len(entry["state"].get("_css", "") or "")
total = len(json.dumps(data["manager_state"]))
print("OBI_SIZES " + json.dumps({"total": total, "esm_css": esm, "models": len(state),
      "by_class": by_class, "views": [type(v).__name__ for v in views], "missing": missing}))
"""


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ten_views.ipynb"
        nb = nbformat.v4.new_notebook()
        nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
        nb.cells = [nbformat.v4.new_code_cell(SETUP)]
        nb.cells += [nbformat.v4.new_code_cell(DISPLAY.format(i=i)) for i in range(10)]
        nb.cells.append(nbformat.v4.new_code_cell(MEASURE))
        nbformat.write(nb, path)
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", "--inplace", str(path)],
            check=True,
            capture_output=True,
        )
        elapsed = time.perf_counter() - t
        file_size = path.stat().st_size
        done = nbformat.read(path, 4)
        text = "".join(o.get("text", "") for o in done.cells[-1].outputs if o.get("output_type") == "stream")
        sizes = json.loads(text.split("OBI_SIZES ", 1)[1])
        stored = done.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
        stored_size = len(json.dumps(stored))

    mb = 1024 * 1024
    print(f"ten views: {', '.join(sizes['views'])}")
    if sizes["missing"]:
        print(f"not built yet (replaced by DepthCharts): {'; '.join(sizes['missing'])}")
    print(f"executed with nbconvert in {elapsed:.1f} s")
    print(f"saved notebook file: {file_size / mb:.2f} MB (widget state stored by nbclient: {stored_size / mb:.2f} MB)")
    print(f"widget comm state (embed_data, {sizes['models']} models): {sizes['total'] / mb:.2f} MB")
    for key, (count, size) in sorted(sizes["by_class"].items(), key=lambda kv: -kv[1][1]):
        print(f"  {key:<40} x{count:<3} {size / 1024:9.1f} kB")
    print(f"  of which ES module + CSS bundles: {sizes['esm_css'] / mb:.2f} MB (anywidget keeps one copy per instance)")
    print(f"  of which data: {(sizes['total'] - sizes['esm_css']) / mb:.2f} MB")
    ok = max(sizes["total"], file_size) <= TARGET
    print(f"target <= 3 MB: {'OK' if ok else 'OVER'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
