"""The order-book sandbox: a limit-order book to move by hand, with the simulator's order flow acting on it.

``Sandbox`` (see :mod:`obi_widgets.sandbox.core`) matches limit and market orders by price-time
priority on a tick grid, lets the queue-reactive order flow of :func:`obi_widgets.datasets.simulate`
act on the same book (:mod:`obi_widgets.sandbox.flow`), records one book row per event
(``history.book``, ``history.trades``) and gives the kit's metrics on it as read-outs
(:class:`Readouts`). ``SCENARIOS`` holds the teaching presets.

>>> from obi_widgets.sandbox import Sandbox
>>> sb = Sandbox(scenario="balanced", seed=1)
>>> oid = sb.place("bid", 100.0, 500)
>>> ex = sb.market("sell", 300)
>>> len(sb.history.book) == 3
True
"""

from .core import Sandbox
from .orders import Execution, Fill, Order
from .readouts import Readouts
from .scenarios import SCENARIOS, Scenario

__all__ = ["Sandbox", "Fill", "Execution", "Order", "Readouts", "SCENARIOS", "Scenario"]
