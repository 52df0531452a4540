"""Write notebooks/quickstart.ipynb from the cells below (outputs empty, deterministic ids).

Run with ``uv run python tools/make_quickstart.py`` after editing the cells.
"""

from pathlib import Path

import nbformat

CELLS = [
    ("md", """# obi_widgets quickstart

Order-book imbalance on a simulated market: no data file needed. `datasets.simulate` runs a
seeded queue-reactive order-book model (the same seed always gives the same market), and returns
a `Book` (prices and sizes of the best levels after every event) and the `Trades`."""),
    ("code", """import numpy as np
import pandas as pd

import obi_widgets as ow
from obi_widgets import datasets, metrics

sim = datasets.simulate(seed=0)
book, trades = sim.book, sim.trades
print(book)
print(trades)"""),
    ("md", """## Imbalance at the best quotes and across depth

Level-1 imbalance (Gould & Bonart 2016): $I_t = \\dfrac{Q^b_t - Q^a_t}{Q^b_t + Q^a_t}$, with $Q^b, Q^a$ the sizes at
the best bid and ask. Depth imbalance uses the sums over the first levels, optionally weighted."""),
    ("code", """imbalances = pd.DataFrame(
    {
        "level 1": metrics.level1_imbalance(book),
        "5 levels": metrics.depth_imbalance(book, levels=5),
        "10 levels, exp weights": metrics.depth_imbalance(book, levels=10, weights="exp", decay=0.3),
    },
    index=book.to_frame().index,
)
imbalances.describe().round(3)"""),
    ("md", """Does imbalance predict the next move? Group rows by the sign of the level-1 imbalance and
look at the direction of the next change of the mid price."""),
    ("code", """mid = metrics.mid(book)
changed = np.flatnonzero(np.diff(mid) != 0)        # rows just before a mid change
next_move = np.sign(np.diff(mid)[changed])
signal = np.sign(imbalances["level 1"].to_numpy()[changed])
for s, label in ((1, "bid-heavy (I > 0)"), (-1, "ask-heavy (I < 0)")):
    print(f"{label}: next mid move is up in {np.mean(next_move[signal == s] > 0):.0%} of cases")"""),
    ("md", """## The depth chart

Cumulative size on each side of the mid at one row of the book. Hover the plot for price,
cumulative size and the imbalance through that level; click or drag the strip below to move
through the day (arrow keys step one event, Shift+arrow 1% of the book)."""),
    ("code", """chart = ow.DepthChart(book, trades, cursor=1000)
chart"""),
    ("md", """The cursor is synced both ways: move it from Python and the view follows; move it in the
view and Python sees the new value."""),
    ("code", """chart.cursor = len(book) // 2
chart.cursor, chart.cursor_time"""),
    ("code", """chart.go_to(book.ts[0] + 60 * 10**9)   # the book in force one minute after the open
chart.cursor"""),
]


def main() -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"},
        "language_info": {"name": "python"},
    }
    for i, (kind, src) in enumerate(CELLS):
        cell = nbformat.v4.new_markdown_cell(src) if kind == "md" else nbformat.v4.new_code_cell(src)
        cell["id"] = f"cell-{i:02d}"
        nb.cells.append(cell)
    path = Path(__file__).resolve().parent.parent / "notebooks" / "quickstart.ipynb"
    nbformat.write(nb, path)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
