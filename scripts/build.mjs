#!/usr/bin/env node
/**
 * `npm run build`: tsc (src/ -> dist/), then one bundle for startup.
 *
 * The bundle, dist/cli/bundle.js (what bin/agentcore-ts runs), holds the CLI entry, the
 * command-registration modules beside it and commander: Node loads 3 files for `--help` instead of
 * about 20, which keeps startup within 2.5x `node -e 0` (bench/startup.mjs). Everything else stays
 * where tsc put it and loads as before: dynamic imports (operations, output, prompts, the context)
 * and static imports from outside dist/cli/ (errors.js must stay one module, or `instanceof
 * AgentcoreError` would see two classes) remain imports. The bundle sits in dist/cli/, so their
 * relative paths stay valid.
 *
 * Then the embedded Cognito's emulator is bundled without aws-sdk v2 (scripts/vendor-cognito-local.mjs).
 *
 * The bundle is built even when tsc reports type errors (tsc still emits); the exit code is tsc's.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { vendorCognitoLocal } from "./vendor-cognito-local.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CLI_DIR = path.join(ROOT, "dist", "cli");
const TSC = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");

const tsc = spawnSync(process.execPath, [TSC, "-p", "tsconfig.build.json"], { cwd: ROOT, stdio: "inherit" });
if (tsc.error) throw tsc.error;

const inCommander = (file) => file.split(path.sep).join("/").includes("/node_modules/commander/");

await build({
  entryPoints: [path.join(CLI_DIR, "main.js")],
  outfile: path.join(CLI_DIR, "bundle.js"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  logLevel: "warning",
  // commander is CommonJS: its require() calls of Node built-ins need a real require in an ES module.
  banner: { js: 'import { createRequire } from "node:module"; const require = createRequire(import.meta.url);' },
  plugins: [
    {
      name: "registration-only",
      setup(build) {
        build.onResolve({ filter: /.*/ }, (args) => {
          if (args.kind === "entry-point") return undefined;
          if (args.kind === "dynamic-import") return { path: args.path, external: true };
          if (args.path === "commander" || inCommander(args.importer)) return undefined;
          if (args.path.startsWith("./") && path.dirname(path.resolve(path.dirname(args.importer), args.path)) === CLI_DIR)
            return undefined;
          return { path: args.path, external: true };
        });
      },
    },
  ],
});

await vendorCognitoLocal(ROOT);

process.exitCode = tsc.status ?? 1;
