// Build the prebuilt JupyterLab extension into obi_widgets/labextension (see package.json "jupyterlab").
// Installs this folder's own node_modules first when they are missing or older than package-lock.json,
// then runs @jupyter/builder against the JupyterLab core metadata pinned in @jupyterlab/core-meta, so no
// Python (and no `jupyter labextension build`) is needed. Run by the root `npm run build`.
// Usage: node js/labextension/build.mjs [--development]
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

/** Run a command in this folder, quietly; print its output and exit with its status when it fails. */
function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: here, encoding: "utf8", shell: process.platform === "win32" });
  if (r.status !== 0) {
    process.stderr.write(`${r.stdout ?? ""}${r.stderr ?? ""}`);
    console.error(`labextension: ${cmd} ${args.join(" ")} failed (${r.error ?? `exit ${r.status}`})`);
    process.exit(r.status || 1);
  }
}

const marker = join(here, "node_modules", ".package-lock.json");
const lock = join(here, "package-lock.json");
if (!existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs)) {
  // npm install, not npm ci: see ./dev (npm ci refuses lock files without other platforms' optional packages)
  run(npm, ["install", "--no-audit", "--no-fund", "--loglevel=error"]);
}
const builder = join(here, "node_modules", "@jupyter", "builder", "lib", "build-labextension.js");
const core = join(here, "node_modules", "@jupyterlab", "core-meta", "core.package.json");
run(process.execPath, [builder, "--core-package-file", core, ...process.argv.slice(2), here]);
