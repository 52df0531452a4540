"""The scripts a report inlines: the AMD loader, the widget manager, the widget libraries' front ends.

The page is the one ipywidgets' HTML manager renders (``@jupyter-widgets/html-manager``'s
``embed-amd.js``): it reads the widget state from the page and loads each model's module with
require.js. Here every module it will ask for is already defined in the page, so nothing is fetched:

- ``@jupyter-widgets/base``, ``controls`` and ``output`` come with the manager itself;
- any other module (``anywidget``, ``bqplot``, ``bqscales``...) is the classic-notebook AMD bundle
  its Python package installs under ``share/jupyter/nbextensions/<module>/index.js``. Those
  bundles call ``define`` without a name (require.js names them by the URL it loaded them from);
  a small shim names the next anonymous ``define`` after the module the page is about to define.

The manager, require.js and MathJax are built from pinned npm packages into
``obi_widgets/static/report/`` (``js/build_report.mjs``).
"""

from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path

from ..errors import ReportError
from ..views._base import STATIC

RUNTIME = STATIC / "report"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
# modules the HTML manager defines itself
BUILTIN = frozenset({"@jupyter-widgets/base", "@jupyter-widgets/controls", "@jupyter-widgets/output"})

# Names the next anonymous define() after window.obiDefineAs (set by the page before each bundle).
DEFINE_SHIM = """(function () {
  var define0 = window.define;
  window.obiDefineAs = null;
  window.define = function (name, deps, factory) {
    if (typeof name !== "string" && window.obiDefineAs) {
      var as = window.obiDefineAs;
      window.obiDefineAs = null;
      return define0(as, name, deps);
    }
    return define0.apply(this, arguments);
  };
  window.define.amd = define0.amd;
})();"""


def inline_script(js: str) -> str:
    """``js`` made safe inside an inline ``<script>``: no ``</script`` or ``<!--`` that would end it
    or switch the HTML parser's script state (``<\\/`` and ``<\\!`` mean the same in JS strings and
    regular expressions)."""
    return js.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT").replace("<!--", "<\\!--")


def runtime_file(name: str) -> str:
    """The text of one of the built runtime files (``static/report/<name>``)."""
    path = RUNTIME / name
    if not path.exists():
        raise ReportError(
            f"report runtime file {path} is missing: build the front end with `npm install && npm run build` "
            "(pip and uv do this when they install the package)"
        )
    return path.read_text(encoding="utf-8")


def runtime_versions() -> dict[str, str]:
    """Versions of the pinned pieces (require.js, the HTML manager, MathJax) inlined into reports."""
    return json.loads(runtime_file("versions.json"))


def widget_modules(state: dict) -> dict[str, str]:
    """``{module name: version}`` of every model and view module the widget state uses."""
    modules: dict[str, str] = {}
    for model in state.get("state", {}).values():
        for kind in ("model", "view"):
            name = model.get(f"{kind}_module") or model.get("state", {}).get(f"_{kind}_module")
            version = model.get(f"{kind}_module_version") or model.get("state", {}).get(f"_{kind}_module_version")
            if name:
                modules.setdefault(name, version or "*")
    return modules


def nbextension_dirs() -> list[Path]:
    """Folders where widget packages install their classic-notebook bundles (Jupyter's data path)."""
    from jupyter_core.paths import jupyter_path

    return [Path(p) for p in jupyter_path("nbextensions")]


def module_bundle(name: str, version: str) -> str:
    """The AMD bundle of widget module ``name`` from the installed packages (ReportError if absent)."""
    dirs = nbextension_dirs()
    for folder in dirs:
        path = folder / name / "index.js"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    searched = ", ".join(str(d) for d in dirs)
    raise ReportError(
        f"the notebook uses widget module {name!r} (version {version}) but no front end for it is installed: "
        f"expected {name}/index.js in one of {searched} (install the Python package that provides it)"
    )


def module_scripts(state: dict) -> list[tuple[str, str]]:
    """``[(define name or "", script)]`` in page order: the manager, then each non-built-in module."""
    scripts = [("", runtime_file("widgets.js"))]
    for name, version in sorted(widget_modules(state).items()):
        if name not in BUILTIN:
            scripts.append((name, module_bundle(name, version)))
    return scripts


def pack(js: str) -> str:
    """``js`` gzip-compressed and base64-encoded, for a ``<script type="application/x-obi-packed">``
    that the page's loader (``UNPACK``) inflates with the browser's DecompressionStream: the widget
    manager and MathJax are a third of their size this way."""
    return base64.b64encode(gzip.compress(js.encode("utf-8"), compresslevel=9, mtime=0)).decode("ascii")


# Inflates the packed scripts in page order and runs each (naming the next anonymous define after its
# data-obi-define); the widget manager renders the views once it has run, on or after the load event.
UNPACK = """(async function () {
  var packed = document.querySelectorAll('script[type="application/x-obi-packed"]');
  if (typeof DecompressionStream === "undefined") {
    var note = document.createElement("p");
    note.className = "obi-report-browser";
    note.textContent = "The interactive views of this report need a browser from 2023 or later " +
      "(Chrome 80, Firefox 113, Safari 16.4): this one cannot unpack them.";
    document.body.insertBefore(note, document.body.firstChild);
    return;
  }
  var texts = [];
  for (var i = 0; i < packed.length; i++) {
    var raw = atob(packed[i].textContent.trim());
    var bytes = new Uint8Array(raw.length);
    for (var j = 0; j < raw.length; j++) bytes[j] = raw.charCodeAt(j);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    texts.push(new Response(stream).text());
  }
  texts = await Promise.all(texts);
  for (var k = 0; k < packed.length; k++) {
    var name = packed[k].getAttribute("data-obi-define");
    if (name) window.obiDefineAs = name;
    var script = document.createElement("script");
    script.textContent = texts[k];
    document.head.appendChild(script);
  }
})();"""


def head_scripts() -> list[str]:
    """Scripts for the page's head: require.js and the define shim."""
    return [inline_script(runtime_file("require.js")), DEFINE_SHIM]
