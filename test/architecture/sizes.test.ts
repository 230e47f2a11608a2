/**
 * The layout's size rule: no source file over ~400 lines, except where splitting would scatter one idea —
 * such a file says why in a comment near its top that starts with "Size:".
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/cli.js";

const MAX_LINES = 400;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith(".ts") ? [full] : [];
  });
}

/** Files over the limit that do not explain themselves in a "Size:" comment in their first 40 lines. */
function oversized(files: { name: string; text: string }[]): string[] {
  return files
    .map(({ name, text }) => ({ name, lines: text.split("\n") }))
    .filter(({ lines }) => lines.length > MAX_LINES && !lines.slice(0, 40).some((line) => /^\s*(\*|\/\/)\s*Size:/.test(line)))
    .map(({ name, lines }) => `${name} (${lines.length} lines)`);
}

describe("the layout's size rule", () => {
  it(`no file in src/ over ${MAX_LINES} lines without a "Size:" comment saying why`, () => {
    const files = sourceFiles(path.join(REPO_ROOT, "src")).map((file) => ({
      name: path.relative(REPO_ROOT, file),
      text: readFileSync(file, "utf8"),
    }));
    expect(files.length).toBeGreaterThan(50);
    expect(oversized(files)).toEqual([]);
  });

  it("the check catches what it forbids", () => {
    const long = "x\n".repeat(MAX_LINES + 1);
    expect(oversized([{ name: "a.ts", text: long }])).toEqual([`a.ts (${MAX_LINES + 2} lines)`]);
    expect(oversized([{ name: "b.ts", text: `/**\n * Size: one state machine.\n */\n${long}` }])).toEqual([]);
  });
});
