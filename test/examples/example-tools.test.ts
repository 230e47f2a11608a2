import { describe, expect, it } from "vitest";
import { findArithmetic, offlineAnswer, splitIntoChunks } from "../../examples/typescript/src/offline.js";
import { CalculatorError, evaluateArithmetic, runTool } from "../../examples/typescript/src/tools.js";

describe("example agent tools", () => {
  it("evaluates arithmetic with precedence, parentheses, unary minus and right-associative powers", () => {
    expect(evaluateArithmetic("2 + 3 * 4")).toBe(14);
    expect(evaluateArithmetic("(2 + 3) * 4")).toBe(20);
    expect(evaluateArithmetic("-2 ^ 2")).toBe(-4); // -(2^2), as in maths and Python
    expect(evaluateArithmetic("2 ^ -1 * 4")).toBe(2);
    expect(evaluateArithmetic("2 ^ 3 ^ 2")).toBe(512);
    expect(evaluateArithmetic("2 ** 10 % 1000")).toBe(24);
    expect(evaluateArithmetic("7 ÷ 2 × 4")).toBe(14);
    expect(runTool("calculator", { expression: "0.1 + 0.2" })).toBe("0.1 + 0.2 = 0.3");
  });

  it("refuses anything that is not arithmetic, without evaluating it", () => {
    for (const input of ["process.exit(1)", "1 / 0", "2 +", "(1 + 2", "1 2", "", `${"9".repeat(400)}^${"9".repeat(200)}`]) {
      expect(() => evaluateArithmetic(input), input.slice(0, 20)).toThrow(CalculatorError);
    }
    expect(() => evaluateArithmetic(`${"(".repeat(150)}1${")".repeat(150)}`)).toThrow(/nested too deeply/);
    expect(() => runTool("calculator", {})).toThrow(/invalid input for calculator/);
    expect(() => runTool("shell", { command: "ls" })).toThrow(/unknown tool 'shell'/);
  });

  it("routes offline prompts to the tools and splits answers into chunks that add up to the answer", () => {
    expect(findArithmetic("What is (3 + 4) * 5 today?")).toBe("(3 + 4) * 5");
    expect(findArithmetic("I have 2 cats and 3 dogs")).toBeUndefined();
    expect(offlineAnswer("What's the weather in Paris?")).toContain("The weather in Paris is sunny");
    expect(offlineAnswer("What is 1/0?")).toMatch(/could not work out "1\/0": division by zero/);
    expect(offlineAnswer("tell me a joke")).toMatch(/You said: "tell me a joke"/);
    const text = "one two three four five six seven";
    const chunks = splitIntoChunks(text, 5);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.length).toBeLessThanOrEqual(5);
    expect(chunks.join("")).toBe(text);
  });
});
