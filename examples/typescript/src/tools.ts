/**
 * The agent's two tools, the same pair the AgentCore Inbound Auth workshop's Strands agent has:
 * a calculator and a (demo) weather tool. Each tool has a zod input schema, used both to validate
 * the model's tool input and (as JSON Schema) to describe the tool to Bedrock.
 */
import { z } from "zod";

export interface AgentTool<Input extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  inputSchema: Input;
  run(input: z.infer<Input>): string;
}

// ---------------------------------------------------------------------------------------------
// calculator: a small recursive-descent parser, so arbitrary input never reaches eval/Function.
// Grammar: expr := term (('+'|'-') term)* ; term := unary (('*'|'/'|'%') unary)* ;
//          unary := ('+'|'-') unary | power ; power := atom ('^' unary)? ; atom := number | '(' expr ')'
// so -2^2 = -(2^2) = -4, 2^-1 = 0.5 and 2^3^2 = 2^9, as in maths and Python.
// '**' is accepted as a synonym of '^', and '×' / '÷' as '*' / '/'.
// ---------------------------------------------------------------------------------------------

export class CalculatorError extends Error {}

const MAX_EXPRESSION_LENGTH = 500;
const MAX_NESTING = 100;

type Token = { kind: "number"; value: number } | { kind: "op"; value: string };

function tokenize(expression: string): Token[] {
  const source = expression.replace(/\*\*/g, "^").replace(/×/g, "*").replace(/÷/g, "/");
  const tokens: Token[] = [];
  const pattern = /\s*(?:(\d+(?:\.\d*)?|\.\d+)(?:e([+-]?\d+))?|([-+*/%^()]))/y;
  let position = 0;
  while (position < source.length) {
    if (/^\s*$/.test(source.slice(position))) break;
    pattern.lastIndex = position;
    const match = pattern.exec(source);
    if (!match) throw new CalculatorError(`unexpected character '${source.slice(position).trim()[0]}' in "${expression}"`);
    position = pattern.lastIndex;
    if (match[1] !== undefined) tokens.push({ kind: "number", value: Number(match[1] + (match[2] ? `e${match[2]}` : "")) });
    else tokens.push({ kind: "op", value: match[3] as string });
  }
  return tokens;
}

/** Evaluates an arithmetic expression (+ - * / % ^, parentheses, decimals). Throws CalculatorError. */
export function evaluateArithmetic(expression: string): number {
  if (expression.length > MAX_EXPRESSION_LENGTH) throw new CalculatorError(`expression longer than ${MAX_EXPRESSION_LENGTH} characters`);
  const tokens = tokenize(expression);
  if (tokens.length === 0) throw new CalculatorError("empty expression");
  let index = 0;
  let depth = 0;
  const peek = (): Token | undefined => tokens[index];
  const takeOp = (...ops: string[]): string | undefined => {
    const token = peek();
    if (token?.kind === "op" && ops.includes(token.value)) {
      index++;
      return token.value;
    }
    return undefined;
  };

  const expr = (): number => {
    let value = term();
    for (let op = takeOp("+", "-"); op; op = takeOp("+", "-")) value = op === "+" ? value + term() : value - term();
    return value;
  };
  const term = (): number => {
    let value = unary();
    for (let op = takeOp("*", "/", "%"); op; op = takeOp("*", "/", "%")) {
      const right = unary();
      if (op !== "*" && right === 0) throw new CalculatorError("division by zero");
      value = op === "*" ? value * right : op === "/" ? value / right : value % right;
    }
    return value;
  };
  const power = (): number => {
    const base = atom();
    return takeOp("^") ? base ** unary() : base;
  };
  const unary = (): number => {
    if (++depth > MAX_NESTING) throw new CalculatorError("expression nested too deeply");
    try {
      const sign = takeOp("+", "-");
      if (sign) return sign === "-" ? -unary() : unary();
      return power();
    } finally {
      depth--;
    }
  };
  const atom = (): number => {
    const token = peek();
    if (token?.kind === "number") {
      index++;
      return token.value;
    }
    if (takeOp("(")) {
      const value = expr();
      if (!takeOp(")")) throw new CalculatorError("missing ')'");
      return value;
    }
    throw new CalculatorError(token ? `unexpected '${token.value}'` : "expression ends too early");
  };

  const value = expr();
  const rest = peek();
  if (rest) throw new CalculatorError(`unexpected '${rest.value}'`);
  if (!Number.isFinite(value)) throw new CalculatorError("result is not a finite number");
  return value;
}

/** 0.1 + 0.2 prints as 0.3: round to 12 significant digits, then drop trailing zeros. */
export function formatNumber(value: number): string {
  return String(Number(value.toPrecision(12)));
}

export const calculator: AgentTool<z.ZodObject<{ expression: z.ZodString }>> = {
  name: "calculator",
  description: "Evaluate an arithmetic expression with + - * / % ^ and parentheses, e.g. '(12.5 * 4) - 7'.",
  inputSchema: z.object({ expression: z.string().min(1).describe("The arithmetic expression to evaluate") }),
  run: ({ expression }) => `${expression.trim()} = ${formatNumber(evaluateArithmetic(expression))}`,
};

// ---------------------------------------------------------------------------------------------
// weather: a demo tool with a fixed, deterministic answer (the workshop's tool returns "sunny").
// ---------------------------------------------------------------------------------------------

export const weather: AgentTool<z.ZodObject<{ location: z.ZodOptional<z.ZodString> }>> = {
  name: "weather",
  description: "Get the current weather. Demo tool: always returns the same forecast.",
  inputSchema: z.object({ location: z.string().optional().describe("City or place; optional") }),
  run: ({ location }) => `The weather ${location ? `in ${location.trim()} ` : ""}is sunny, 22 °C, with a light breeze.`,
};

export const TOOLS: readonly AgentTool[] = [calculator, weather];

/** Runs a tool by name with untrusted input (from the model): validates it against the tool's schema. */
export function runTool(name: string, input: unknown): string {
  const tool = TOOLS.find((candidate) => candidate.name === name);
  if (!tool) throw new Error(`unknown tool '${name}'`);
  const parsed = tool.inputSchema.safeParse(input ?? {});
  if (!parsed.success) throw new Error(`invalid input for ${name}: ${z.prettifyError(parsed.error)}`);
  return tool.run(parsed.data);
}
