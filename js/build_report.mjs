// The offline runtime of exported reports (obi_widgets/report): copies the pinned front-end pieces
// from node_modules into obi_widgets/static/report/, so a report inlines them and the page fetches
// nothing when opened. Versions are the exact ones in package.json / package-lock.json.
//   require.js   requirejs (the AMD loader the widget libraries' classic-notebook bundles expect)
//   widgets.js   @jupyter-widgets/html-manager's embed-amd.js (widget manager, base, controls,
//                output), with its Font Awesome fonts inlined as data: URLs (woff2 only) and the
//                source-map comments removed (they would be requests from the page's devtools)
//   mathjax.js   MathJax 3's tex-svg-full component (SVG output needs no font files)
//   versions.json  the versions of the three, read by the report for its credits line
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";

/** @param {string} root the project root */
export function buildReportRuntime(root) {
  const require = createRequire(join(root, "package.json"));
  const out = join(root, "obi_widgets", "static", "report");
  mkdirSync(out, { recursive: true });
  const pkg = (/** @type {string} */ name) => dirname(require.resolve(`${name}/package.json`));
  const version = (/** @type {string} */ name) => JSON.parse(readFileSync(join(pkg(name), "package.json"), "utf8")).version;

  writeFileSync(join(out, "require.js"), readFileSync(join(pkg("requirejs"), "require.js"), "utf8"));

  const fonts = join(pkg("@fortawesome/fontawesome-free"), "webfonts");
  let widgets = readFileSync(join(pkg("@jupyter-widgets/html-manager"), "dist", "embed-amd.js"), "utf8");
  // src:url(a.eot);src:url(a.eot?#iefix) format(...),url(a.woff2) format("woff2"),... -> woff2 only
  widgets = widgets.replace(/src:url\(\.\.\/webfonts\/([\w-]+)\.eot\);src:[^;}]*/g, (_, font) => {
    const data = readFileSync(join(fonts, `${font}.woff2`)).toString("base64");
    return `src:url(data:font/woff2;base64,${data}) format("woff2")`;
  });
  if (widgets.includes("../webfonts/")) throw new Error("build_report: a Font Awesome url() was not inlined");
  // the controls' copy of the fonts are webpack assets (`n.p + "<hash>.woff2"`, beside embed-amd.js):
  // woff2, which every browser the page supports takes first, becomes a data: URL, the fallbacks empty
  const dist = join(pkg("@jupyter-widgets/html-manager"), "dist");
  widgets = widgets.replace(/\b\w\.p\+"([0-9a-f]{20})\.(woff2|woff|ttf|eot|svg)"/g, (_, hash, ext) => {
    if (ext !== "woff2") return '"data:,"';
    return `"data:font/woff2;base64,${readFileSync(join(dist, `${hash}.woff2`)).toString("base64")}"`;
  });
  if (/[0-9a-f]{20}\.(woff2|woff|ttf|eot|svg)"/.test(widgets)) throw new Error("build_report: a font asset was not inlined");
  widgets = widgets.replace(/^\/\/# sourceMappingURL=.*$/gm, "");
  writeFileSync(join(out, "widgets.js"), widgets);

  writeFileSync(join(out, "mathjax.js"), readFileSync(join(pkg("mathjax"), "es5", "tex-svg-full.js"), "utf8"));

  const versions = {
    requirejs: version("requirejs"),
    "@jupyter-widgets/html-manager": version("@jupyter-widgets/html-manager"),
    mathjax: version("mathjax"),
  };
  writeFileSync(join(out, "versions.json"), JSON.stringify(versions, null, 1) + "\n");
}
