// Builds the widgets' ESM bundle and stylesheet into sfn_notebook/notebook/static/.
//
//   node build.mjs           bundle src/index.ts and copy src/style.css (after `tsc --noEmit`)
//   node build.mjs --check   exit 1 when the committed bundle is not what the sources give
//   node build.mjs --test    bundle test/*.test.ts for node and run them with `node --test`
//
// The outputs are committed, so installing the Python package never needs node. Each output
// starts with a hash of the sources (src/, SHARED, package.json, this file); tests/test_widgets.py
// recomputes it in Python to catch a bundle that is out of date without needing node at all.

import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "sfn_notebook", "notebook", "static");
// Sources outside widgets/ that the bundle imports: the SVG sanitizer shared with the JupyterLab
// extension (one allowlist for both front-ends), and the graph's zoom/pan/fit and export.
export const SHARED = ["svgsafe.ts", "zoom.ts", "export.ts"].map((name) =>
  join(here, "..", "labextension", "src", name),
);

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

/** sha256 over (path, NUL, content, NUL) of every source, in sorted path order. */
export function sourceHash() {
  const inputs = [
    ...files(join(here, "src")),
    ...SHARED,
    join(here, "package.json"),
    join(here, "build.mjs"),
  ]
    .map((path) => relative(here, path).split("\\").join("/"))
    .sort();
  const hash = createHash("sha256");
  for (const path of inputs) {
    hash.update(path);
    hash.update("\0");
    hash.update(readFileSync(join(here, path)));
    hash.update("\0");
  }
  return hash.digest("hex");
}

async function bundle() {
  const banner = `// sfn-notebook widgets, built by widgets/build.mjs from widgets/src. Do not edit.\n// source-sha256: ${sourceHash()}`;
  const result = await esbuild.build({
    entryPoints: [join(here, "src", "index.ts")],
    bundle: true,
    format: "esm",
    target: "es2020",
    charset: "utf8",
    legalComments: "none",
    write: false,
    banner: { js: banner },
  });
  const css = `/* sfn-notebook widgets, copied by widgets/build.mjs from widgets/src. Do not edit.\n   source-sha256: ${sourceHash()} */\n${readFileSync(join(here, "src", "style.css"), "utf8")}`;
  return { "widgets.js": result.outputFiles[0].text, "widgets.css": css };
}

const mode = process.argv[2];
if (mode === "--test") {
  const dir = join(here, ".test-build");
  rmSync(dir, { recursive: true, force: true });
  const tests = files(join(here, "test")).filter((path) => path.endsWith(".test.ts"));
  await esbuild.build({
    entryPoints: tests,
    bundle: true,
    platform: "node",
    format: "esm",
    outdir: dir,
    outExtension: { ".js": ".mjs" },
    logLevel: "warning",
  });
  const built = files(dir).filter((path) => path.endsWith(".mjs"));
  execFileSync(process.execPath, ["--test", ...built], { stdio: "inherit" });
} else {
  const outputs = await bundle();
  if (mode === "--check") {
    const stale = Object.entries(outputs).filter(([name, text]) => {
      try {
        return readFileSync(join(out, name), "utf8") !== text;
      } catch {
        return true;
      }
    });
    if (stale.length) {
      console.error(`out of date: ${stale.map(([name]) => name).join(", ")}; run npm run build`);
      process.exit(1);
    }
  } else {
    mkdirSync(out, { recursive: true });
    for (const [name, text] of Object.entries(outputs)) writeFileSync(join(out, name), text);
    console.log(`wrote ${Object.keys(outputs).join(", ")} to ${relative(process.cwd(), out)}`);
  }
}
