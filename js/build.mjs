// Bundle each view named in obi_widgets/views/registry.json into obi_widgets/static/<stem>.js
// (one ES module per view, with its CSS as static/<stem>.css when js/views/<stem>.css exists).
// Usage: node js/build.mjs [--watch] [--dev]
import * as esbuild from "esbuild";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildReportRuntime } from "./build_report.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const registry = JSON.parse(readFileSync(join(here, "..", "obi_widgets", "views", "registry.json"), "utf8"));
const stems = Object.values(registry.views);
const entryPoints = [];
for (const stem of stems) {
  const js = join(here, "views", `${stem}.js`);
  if (!existsSync(js)) throw new Error(`registry.json names view ${stem} but ${js} does not exist`);
  entryPoints.push(js);
  const css = join(here, "views", `${stem}.css`);
  if (existsSync(css)) entryPoints.push(css);
}

const options = {
  entryPoints,
  outdir: join(here, "..", "obi_widgets", "static"),
  bundle: true,
  format: "esm",
  target: "es2020",
  minify: !process.argv.includes("--dev"),
  sourcemap: process.argv.includes("--dev") ? "inline" : false,
  logLevel: "warning",
};

if (process.argv.includes("--watch")) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
} else {
  await esbuild.build(options);
  buildReportRuntime(join(here, ".."));
}
