"""The ``%obi`` line magic: ``%load_ext obi_widgets``, then ``%obi open PATH`` or ``%obi sim``.

``%obi open PATH [--levels N]`` detects the file's kind (:func:`~obi_widgets.jupyter.detect`),
loads it with the kit's loader (the code of :meth:`~obi_widgets.jupyter.FileKind.code`, run in a
namespace of its own) and returns a Dashboard, which the notebook shows. ``%obi sim [--seed N]
[--events N] [--levels N]`` does the same for the simulated market. ``%obi code PATH [--levels N]``
prints the code instead of running it, to paste and change. ``%obi`` or ``%obi help`` prints the usage.

Bad input (a file the kit cannot read, a bad option) raises IPython's ``UsageError``, which the
notebook shows as one line (``UsageError: %obi open: <why>``), never a traceback.
"""

from __future__ import annotations

import shlex

USAGE = """\
%obi: limit-order books in the notebook (obi_widgets)

  %obi open PATH [--levels N]              load a market-data file and show a Dashboard
  %obi sim [--seed N] [--events N] [--levels N]
                                           a Dashboard on the simulated market
  %obi code PATH [--levels N]              print the code that loads PATH (to paste and change)
  %obi help                                this text

PATH: a LOBSTER message or orderbook CSV (its pair beside it), a Tardis incremental_book_L2,
book_snapshot_N or trades CSV, a Binance raw capture (<ts> <json> lines), plain or .gz, or the
kit's Parquet store folder. --levels: levels per side of the book (default 10 for books rebuilt
from updates; files that store fewer levels give theirs). Quote a PATH with spaces."""

_OPTIONS = {"open": ("--levels",), "code": ("--levels",), "sim": ("--seed", "--events", "--levels")}


def _usage_error(message: str):
    from IPython.core.error import UsageError

    return UsageError(" ".join(str(message).split()))  # one line, whatever the message held


def parse(line: str) -> tuple[str, list[str], dict[str, int]]:
    """(subcommand, positional arguments, integer options) of a ``%obi`` line; UsageError when malformed."""
    try:
        words = shlex.split(line)
    except ValueError as exc:
        raise _usage_error(f"%obi: cannot split the line ({exc}); quote paths with matching quotes") from None
    if not words:
        return "help", [], {}
    cmd, rest = words[0], words[1:]
    if cmd in ("help", "-h", "--help", "?"):
        return "help", [], {}
    if cmd not in _OPTIONS:
        raise _usage_error(f"%obi: unknown subcommand {cmd!r}; expected open, sim, code or help (%obi help)")
    args: list[str] = []
    opts: dict[str, int] = {}
    i = 0
    while i < len(rest):
        word = rest[i]
        if word.startswith("--"):
            name, eq, value = word.partition("=")
            if name not in _OPTIONS[cmd]:
                raise _usage_error(f"%obi {cmd}: unknown option {name!r}; it takes {', '.join(_OPTIONS[cmd])}")
            if not eq:
                i += 1
                if i == len(rest):
                    raise _usage_error(f"%obi {cmd}: {name} needs a value")
                value = rest[i]
            try:
                number = int(value)
            except ValueError:
                raise _usage_error(f"%obi {cmd}: {name} must be an integer, got {value!r}") from None
            if number < (0 if name == "--seed" else 1):
                raise _usage_error(f"%obi {cmd}: {name} must be >= {0 if name == '--seed' else 1}, got {number}")
            opts[name[2:]] = number
        else:
            args.append(word)
        i += 1
    if cmd in ("open", "code") and len(args) != 1:
        got = "no PATH" if not args else f"{len(args)} paths ({' '.join(args)}); quote a path with spaces"
        raise _usage_error(f"%obi {cmd}: expected one PATH, got {got}")
    if cmd == "sim" and args:
        raise _usage_error(f"%obi sim: takes no PATH, got {' '.join(args)}")
    return cmd, args, opts


def obi(line: str = ""):
    """``%obi open PATH [--levels N]``, ``%obi sim [--seed N] [--events N]``, ``%obi code PATH``, ``%obi help``.

    Returns the Dashboard (so the notebook shows it) for ``open`` and ``sim``; prints for ``code``
    and ``help``. Bad input raises IPython's UsageError (shown as one line)."""
    from ..errors import ObiError
    from ._kind import run_code
    from .detect import detect
    from .notebook import sim_code

    cmd, args, opts = parse(line)
    if cmd == "help":
        print(USAGE)
        return None
    try:
        if cmd == "sim":
            return run_code(sim_code(opts.get("seed", 0), opts.get("events"), opts.get("levels")))
        kind = detect(args[0])
        if cmd == "code":
            print(kind.code(opts.get("levels"), relative_to="."))
            return None
        return kind.run(opts.get("levels"))
    except (ObiError, OSError) as exc:
        raise _usage_error(f"%obi {cmd}: {exc}") from None


obi.__doc__ = USAGE  # what %obi? shows


def load_ipython_extension(ipython) -> None:
    """Register the ``%obi`` line magic on ``ipython`` (what ``%load_ext obi_widgets`` calls)."""
    ipython.register_magic_function(obi, magic_kind="line", magic_name="obi")


__all__ = ["load_ipython_extension", "obi", "parse", "USAGE"]
