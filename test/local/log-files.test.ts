/**
 * The local runtime's log files (src/local/log-files.ts, src/local/agent-output.ts): bounded by rotation,
 * read and followed across a rotation without losing or repeating a line, and the agent's output split
 * into stamped lines (chunks cut mid-line and mid-character, CRLF, a last line without a newline).
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { type AgentLogEvent, AgentOutput } from "../../src/local/agent-output.js";
import { JsonLinesFile, JsonLinesReader, rotatedFile } from "../../src/local/log-files.js";
import { tempDir } from "../support/cli.js";

describe("log files", () => {
  it("rotate at the size bound into <file>.1, and a follower reads every line once across the rotation", async () => {
    const file = path.join(tempDir(), "requests.jsonl");
    const log = new JsonLinesFile<{ time: string; n: number }>(file, { fresh: true, maxBytes: 200 });
    const follower = new JsonLinesReader<{ time: string; n: number }>(file);
    const seen: number[] = [];
    const time = new Date().toISOString();
    for (let n = 0; n < 20; n++) {
      log.append({ time, n });
      if (n % 3 === 0) seen.push(...(await follower.readNew()).map((e) => e.n));
    }
    seen.push(...(await follower.readNew()).map((e) => e.n));
    expect(seen).toEqual([...Array(20).keys()]);
    // Bounded: the file and its one rotated copy, each under the bound; the oldest lines are gone.
    for (const f of [file, rotatedFile(file)]) {
      const stat = await fsp.stat(f);
      expect(stat.size).toBeLessThanOrEqual(200);
      expect(stat.mode & 0o777).toBe(0o600);
    }
    const all = (await new JsonLinesReader<{ time: string; n: number }>(file).readAll()).map((e) => e.n);
    expect(all.at(-1)).toBe(19);
    expect(all.length).toBeLessThan(20);
    expect(all).toEqual([...Array(all.length).keys()].map((i) => 20 - all.length + i));
    // A line being written (no newline yet) waits for the next read.
    log.close();
    await fsp.appendFile(file, '{"time":"x","n":20');
    expect(await follower.readNew()).toEqual([]);
    await fsp.appendFile(file, "}\n");
    expect((await follower.readNew()).map((e) => e.n)).toEqual([20]);
    // A fresh log starts empty and drops the rotated copy.
    new JsonLinesFile(file, { fresh: true }).close();
    expect(await new JsonLinesReader(file).readAll()).toEqual([]);
  });

  it("the agent's output: raw in the text log, line by line with time and stream in the JSON log", async () => {
    const dir = tempDir();
    const output = new AgentOutput(path.join(dir, "a.log"), path.join(dir, "a.jsonl"), { fresh: true });
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const done = output.attach(stdout, stderr);
    const euro = Buffer.from("€");
    stdout.write("first li");
    stdout.write(Buffer.concat([Buffer.from("ne "), euro.subarray(0, 1)]));
    stdout.write(Buffer.concat([euro.subarray(1), Buffer.from("\r\nsecond\n")]));
    stderr.write("oops\n");
    stdout.end("no newline at the end");
    stderr.end();
    await done;
    output.close();
    expect(await fsp.readFile(path.join(dir, "a.log"), "utf8")).toBe("first line €\r\nsecond\noops\nno newline at the end");
    const events = await new JsonLinesReader<AgentLogEvent>(path.join(dir, "a.jsonl")).readAll();
    expect(events.map(({ stream, message }) => ({ stream, message }))).toEqual([
      { stream: "stdout", message: "first line €" },
      { stream: "stdout", message: "second" },
      { stream: "stderr", message: "oops" },
      { stream: "stdout", message: "no newline at the end" },
    ]);
    for (const e of events) expect(Number.isNaN(Date.parse(e.time))).toBe(false);
  });
});
