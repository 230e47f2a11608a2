/**
 * The Output an operation gets inside a quickstart step: its lines and spinners are --verbose detail,
 * its warnings are kept for the step's notes, the streamed answer is indented under the step, and
 * nothing an abandoned operation says after the step ended gets through.
 */
import { describe, expect, it } from "vitest";
import { StepOutput } from "../../../src/commands/quickstart/step-output.js";
import { MemoryOutput } from "../../../src/ui/output.js";

describe("StepOutput", () => {
  it("turns lines and spinners into debug lines, keeps warnings, indents the stream and ends its last line", async () => {
    const parent = new MemoryOutput(false, true);
    const output = new StepOutput(parent);
    output.info("Using the embedded local Cognito");
    output.info("");
    output.success("Saved");
    const answer = await output.task("Log in", async (update) => {
      update("waiting");
      return 42;
    });
    expect(answer).toBe(42);
    output.warn("the discovery URL changed");
    output.write("one\ntw");
    output.write(new TextEncoder().encode("o\n\nthree"));
    output.close();
    expect(parent.lines).toEqual([]);
    expect(parent.debugs).toEqual(["    Using the embedded local Cognito", "    ✔ Saved", "    Log in: waiting", "    ✔ Log in"]);
    expect(output.warnings).toEqual(["the discovery URL changed"]);
    expect(parent.warnings).toEqual([]);
    expect(parent.written).toBe("  │ one\n  │ two\n  │\n  │ three\n");
  });

  it("drops what an operation says after the step was closed (an interrupted step)", () => {
    const parent = new MemoryOutput(false, true);
    const output = new StepOutput(parent);
    output.close();
    output.info("late");
    output.warn("late");
    output.write("late");
    expect([parent.debugs, output.warnings, parent.written]).toEqual([[], [], ""]);
  });
});
