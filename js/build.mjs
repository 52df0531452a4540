// Bundle each view of js/views/ into obi_widgets/static/<name>.js (one ES module per view).
// Usage: node js/build.mjs [--watch]
import * as esbuild from "esbuild";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const views = readdirSync(join(here, "views")).filter((f) => f.endsWith(".js") || f.endsWith(".css"));

const options = {
  entryPoints: views.map((f) => join(here, "views", f)),
  outdir: join(here, "..", "obi_widgets", "static"),
  bundle: true,
  format: "esm",
  target: "es2020",
  minify: !process.argv.includes("--dev"),
  sourcemap: process.argv.includes("--dev") ? "inline" : false,
  logLevel: "info",
};

if (process.argv.includes("--watch")) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
} else {
  await esbuild.build(options);
}
