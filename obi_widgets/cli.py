"""The ``obi-widgets`` console command (also ``python -m obi_widgets``).

    obi-widgets report NOTEBOOK [-o OUT.html] [--no-execute] [--timeout S] [--theme dark] [--no-code]

writes the notebook as one self-contained HTML report that opens offline (see :mod:`obi_widgets.report`).
"""

from __future__ import annotations

import argparse
import sys


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="obi-widgets", description="obi_widgets command-line tools")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    report = commands.add_parser(
        "report",
        help="write a notebook as one self-contained, offline, interactive HTML file",
        description="Execute NOTEBOOK (or use its saved widget state) and write ONE HTML file with everything "
        "inlined; it opens from file:// or any static host with the network off.",
    )
    report.add_argument("notebook", metavar="NOTEBOOK", help="the .ipynb file")
    report.add_argument("-o", "--output", metavar="OUT", help="the HTML file (default: NOTEBOOK with .html)")
    report.add_argument(
        "--no-execute", dest="execute", action="store_false", help="use the widget state saved in the notebook"
    )
    report.add_argument("--timeout", type=float, default=600, help="seconds allowed per cell (default 600)")
    report.add_argument("--kernel", dest="kernel_name", default=None, help="kernel name (default: the notebook's)")
    report.add_argument("--theme", choices=("light", "dark"), default="light")
    report.add_argument("--no-code", dest="include_code", action="store_false", help="leave out the code cells")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 done, 2 a problem with the input)."""
    args = _parser().parse_args(argv)
    from .errors import ObiError

    if args.command == "report":
        from .report import export_html

        try:
            report = export_html(
                args.notebook,
                args.output,
                execute=args.execute,
                timeout=args.timeout,
                kernel_name=args.kernel_name,
                theme=args.theme,
                include_code=args.include_code,
            )
        except ObiError as exc:
            print(f"obi-widgets report: error: {exc}", file=sys.stderr)
            return 2
        print(f"wrote {report}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
