"""Write the course notebooks of notebooks/course/ from the chapter sources in tools/course/.

Each ``tools/course/chNN.py`` defines ``FILENAME`` (e.g. ``"04_order_flow_imbalance.ipynb"``),
``TITLE`` and ``CELLS``: a list of ``(kind, source)`` with kind "md", "code", "exercise" (the
student's answer cell) or "solution" (a worked solution, collapsed). Run
``uv run python tools/make_course.py`` after editing a chapter; nbval runs every notebook written.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from make_notebooks import write  # noqa: E402  (tools/ is not a package)


def chapters() -> list:
    """The chapter modules of tools/course/, in file-name order."""
    found = []
    for path in sorted((HERE / "course").glob("ch[0-9][0-9].py")):
        spec = importlib.util.spec_from_file_location(f"course_{path.stem}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        found.append(module)
    return found


def main(only: list[str] | None = None) -> None:
    for module in chapters():
        if only and not any(module.FILENAME.startswith(o) or module.__name__.endswith(o) for o in only):
            continue
        print(f"wrote {write(f'course/{module.FILENAME}', module.CELLS)}")


if __name__ == "__main__":
    main(sys.argv[1:] or None)
