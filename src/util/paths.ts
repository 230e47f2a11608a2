/**
 * Paths inside agentcore-ts's own package (templates/, examples/, dist/), wherever it is installed.
 * This file sits at src/util/paths.ts and, built, at dist/util/paths.js: two levels below the package
 * root either way, so this is the one place that knows the depth.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The package root, or a path inside it: packageRoot("templates"). */
export function packageRoot(...segments: string[]): string {
  return path.join(ROOT, ...segments);
}
