/**
 * The dependency rules of the layout (docs/architecture.md), checked on every run:
 * - nothing outside src/cli/ imports src/cli/ (registration only);
 * - no cycle between the top-level folders of src/ (a library folder never reaches back into one that uses it);
 * - src/commands/<x>/ imports no other command's folder, except src/commands/shared/. The one exception is
 *   the quickstart, which is by definition the other commands run in a row: it may import their operation
 *   entry points (listed below), never their private helpers.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/cli.js";

const SRC = path.join(REPO_ROOT, "src");

interface Edge {
  from: string;
  to: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith(".ts") ? [full] : [];
  });
}

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["'](\.{1,2}\/[^"']+)["']/g;

/** Every relative import in src/, as repository-relative paths of the importer and the imported file. */
function importEdges(): Edge[] {
  return sourceFiles(SRC).flatMap((file) => {
    const text = readFileSync(file, "utf8");
    return [...text.matchAll(IMPORT)].map((match) => ({
      from: path.relative(SRC, file),
      to: path.relative(SRC, path.resolve(path.dirname(file), match[1]!)).replace(/\.js$/, ".ts"),
    }));
  });
}

/** src/auth/tokens.ts -> "auth"; src/errors.ts -> "errors.ts". */
const topLevel = (file: string) => file.split(path.sep)[0]!;
/** src/commands/token/show.ts -> "token"; anything else -> undefined. */
const commandOf = (file: string) => (file.startsWith(`commands${path.sep}`) ? file.split(path.sep)[1] : undefined);

function cliImportViolations(edges: Edge[]): Edge[] {
  return edges.filter((e) => topLevel(e.to) === "cli" && topLevel(e.from) !== "cli");
}

/** The operations `quickstart --local` runs, as `agentcore-ts <command>` would. */
const QUICKSTART_OPERATIONS = ["cognito/setup.ts", "configure/configure.ts", "invoke/invoke.ts", "invoke/mcp.ts", "token/refresh.ts"].map(
  (f) => path.join("commands", ...f.split("/")),
);

function crossCommandViolations(edges: Edge[]): Edge[] {
  return edges.filter((e) => {
    const from = commandOf(e.from);
    const to = commandOf(e.to);
    if (from === "quickstart" && QUICKSTART_OPERATIONS.includes(e.to)) return false;
    return from !== undefined && to !== undefined && from !== to && to !== "shared";
  });
}

/** Cycles in the graph of top-level folders, each as the list of folders around it. */
function folderCycles(edges: Edge[]): string[][] {
  const graph = new Map<string, Set<string>>();
  for (const e of edges) {
    const [a, b] = [topLevel(e.from), topLevel(e.to)];
    if (a === b) continue;
    if (!graph.has(a)) graph.set(a, new Set());
    graph.get(a)!.add(b);
  }
  const cycles: string[][] = [];
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, "visiting");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "visiting") cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return cycles;
}

const show = (edges: Edge[]) => edges.map((e) => `${e.from} -> ${e.to}`);

describe("the layout's dependency rules", () => {
  const edges = importEdges();

  it("reads the imports of src/ (static and dynamic)", () => {
    expect(edges.length).toBeGreaterThan(200);
    expect(edges).toContainEqual({ from: path.join("cli", "token.ts"), to: path.join("cli", "run.ts") });
    expect(edges.some((e) => e.from.startsWith(`cli${path.sep}`) && e.to.startsWith(`commands${path.sep}`))).toBe(true);
  });

  it("nothing outside src/cli/ imports src/cli/", () => {
    expect(show(cliImportViolations(edges))).toEqual([]);
  });

  it("no cycle between top-level folders", () => {
    expect(folderCycles(edges)).toEqual([]);
  });

  it("a command's folder imports no other command's, except commands/shared/ (and the quickstart's operations)", () => {
    expect(show(crossCommandViolations(edges))).toEqual([]);
  });

  it("the checks catch what they forbid", () => {
    const e = (from: string, to: string) => ({ from: path.join(...from.split("/")), to: path.join(...to.split("/")) });
    expect(cliImportViolations([e("commands/token/show.ts", "cli/run.ts")])).toHaveLength(1);
    expect(folderCycles([e("auth/a.ts", "local/b.ts"), e("local/b.ts", "auth/c.ts")])).toEqual([["auth", "local", "auth"]]);
    expect(crossCommandViolations([e("commands/status/a.ts", "commands/launch/b.ts")])).toHaveLength(1);
    expect(crossCommandViolations([e("commands/status/a.ts", "commands/shared/b.ts")])).toHaveLength(0);
    expect(crossCommandViolations([e("commands/quickstart/a.ts", "commands/configure/configure.ts")])).toHaveLength(0);
    expect(crossCommandViolations([e("commands/quickstart/a.ts", "commands/configure/validate.ts")])).toHaveLength(1);
  });
});
