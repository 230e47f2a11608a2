/** The human text of `invoke`: none after the fact. */
import type { Output } from "../../ui/output.js";
import type { InvokeResult } from "./types.js";

/**
 * The agent's answer was written through Output.write while it arrived (src/invoke/render.ts), ending
 * on a line of its own; session id, status and content type are --verbose lines during the call. So a
 * human run prints nothing more, and --json prints the result as its one document.
 */
export function printInvoke(_result: InvokeResult, _output: Output): void {}
