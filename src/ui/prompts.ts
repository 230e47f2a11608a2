/**
 * The prompter operations ask through. On a TTY it uses @inquirer/prompts; with --non-interactive,
 * CI=true or a non-TTY stdin it never waits: a question with a default takes the default, one
 * without fails with an error that names the flag to pass.
 */
import { UsageError } from "../errors.js";

export interface InputQuestion {
  message: string;
  /** The flag that supplies this value non-interactively, named in the error. */
  flag: string;
  default?: string;
  /** Returns an error message, or true when valid (may be async: checked where the answer is typed). */
  validate?: (value: string) => string | true | Promise<string | true>;
  /** An empty answer is allowed (returned as ""); without it a value is required. */
  optional?: boolean;
}

export interface ConfirmQuestion {
  message: string;
  default: boolean;
}

export interface SelectQuestion<T extends string> {
  message: string;
  flag: string;
  choices: { value: T; name?: string; description?: string }[];
  default?: T;
}

export interface Prompter {
  readonly interactive: boolean;
  input(question: InputQuestion): Promise<string>;
  password(question: Omit<InputQuestion, "default">): Promise<string>;
  confirm(question: ConfirmQuestion): Promise<boolean>;
  select<T extends string>(question: SelectQuestion<T>): Promise<T>;
}

function missing(flag: string, message: string): UsageError {
  return new UsageError(`Missing a required value: ${message.replace(/[:?]\s*$/, "")}.`, {
    hint: `Pass ${flag} (prompts are off: --non-interactive, CI=true or stdin is not a terminal).`,
    code: "MissingValue",
  });
}

export class NonInteractivePrompter implements Prompter {
  readonly interactive = false;
  async input(q: InputQuestion): Promise<string> {
    if (q.default !== undefined && q.default !== "") {
      const verdict = (await q.validate?.(q.default)) ?? true;
      if (verdict !== true) throw new UsageError(verdict, { hint: `Pass a valid ${q.flag}.` });
      return q.default;
    }
    if (q.optional) return "";
    throw missing(q.flag, q.message);
  }
  async password(q: Omit<InputQuestion, "default">): Promise<string> {
    throw missing(q.flag, q.message);
  }
  async confirm(q: ConfirmQuestion): Promise<boolean> {
    return q.default;
  }
  async select<T extends string>(q: SelectQuestion<T>): Promise<T> {
    if (q.default !== undefined) return q.default;
    throw missing(q.flag, q.message);
  }
}

export class InquirerPrompter implements Prompter {
  readonly interactive = true;
  async input(q: InputQuestion): Promise<string> {
    const { input } = await import("@inquirer/prompts");
    // @inquirer awaits the check and keeps the prompt open with its message until the answer passes.
    const validate = q.validate;
    return (
      await input({
        message: q.message,
        default: q.default,
        ...(validate ? { validate: (value: string) => validate(value.trim()) } : {}),
        required: q.optional !== true,
      })
    ).trim();
  }
  async password(q: Omit<InputQuestion, "default">): Promise<string> {
    const { password } = await import("@inquirer/prompts");
    return password({ message: q.message, mask: "*", validate: q.validate });
  }
  async confirm(q: ConfirmQuestion): Promise<boolean> {
    const { confirm } = await import("@inquirer/prompts");
    return confirm({ message: q.message, default: q.default });
  }
  async select<T extends string>(q: SelectQuestion<T>): Promise<T> {
    const { select } = await import("@inquirer/prompts");
    return select<T>({ message: q.message, choices: q.choices, default: q.default });
  }
}

/** Scripted answers, for tests of operations: answers are consumed in order. */
export class ScriptedPrompter implements Prompter {
  readonly interactive = true;
  readonly asked: string[] = [];
  constructor(private readonly answers: (string | boolean)[]) {}
  private next(message: string): string | boolean {
    this.asked.push(message);
    if (this.answers.length === 0) throw new Error(`Unexpected prompt: ${message}`);
    return this.answers.shift()!;
  }
  async input(q: InputQuestion): Promise<string> {
    const a = this.next(q.message);
    const value = a === "" && q.default !== undefined ? q.default : String(a);
    const verdict = (await q.validate?.(value)) ?? true;
    if (verdict !== true) throw new UsageError(verdict);
    return value;
  }
  async password(q: Omit<InputQuestion, "default">): Promise<string> {
    return String(this.next(q.message));
  }
  async confirm(q: ConfirmQuestion): Promise<boolean> {
    const a = this.next(q.message);
    return typeof a === "boolean" ? a : /^y/i.test(a);
  }
  async select<T extends string>(q: SelectQuestion<T>): Promise<T> {
    const a = this.next(q.message);
    return (a === "" && q.default !== undefined ? q.default : String(a)) as T;
  }
}

export function isInteractive(options: { nonInteractive?: boolean; env?: NodeJS.ProcessEnv; stdinIsTTY?: boolean }): boolean {
  const env = options.env ?? process.env;
  if (options.nonInteractive) return false;
  if (env.CI === "true" || env.CI === "1") return false;
  return options.stdinIsTTY ?? process.stdin.isTTY === true;
}
