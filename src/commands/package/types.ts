/** The inputs and result of `package`. */
import type { CodeRuntime } from "../../config/schema.js";

export interface PackageInputs {
  agentName?: string;
  /** Where to write the zip (default: .agentcore-ts/<agent>.zip in the project directory). */
  out?: string;
}

/** The --json document of `package`. */
export interface PackageResult {
  agent: string;
  /** Absolute path of the zip. */
  path: string;
  bytes: number;
  unzippedBytes: number;
  files: number;
  sha256: string;
  runtime: CodeRuntime;
  /** As CodeConfiguration.entryPoint takes it. */
  entryPoint: string[];
  notes: string[];
}
