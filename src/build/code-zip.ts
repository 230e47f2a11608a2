/**
 * The zip of a code deployment: deterministic (sorted entries, fixed timestamps), so the same files
 * give the same bytes and the same content hash, and with POSIX modes, which AgentCore Runtime
 * applies as they are ("AgentCore Runtime uses POSIX file permissions", developer guide:
 * runtime-get-started-code-deploy). Files are made world-readable, executables keep their x bits.
 */
import { createHash } from "node:crypto";
import { type Zippable, zipSync } from "fflate";
import { ValidationError } from "../errors.js";

/** Not adjustable (developer guide: bedrock-agentcore-limits). */
export const MAX_ZIPPED_BYTES = 250 * 1024 * 1024;
export const MAX_UNZIPPED_BYTES = 750 * 1024 * 1024;

export interface ZipFile {
  /** Posix path inside the zip. */
  path: string;
  data: Uint8Array;
  /** Permission bits (0o777 part); executables keep x. */
  mode: number;
}

export interface BuiltZip {
  bytes: Uint8Array;
  files: number;
  unzippedBytes: number;
  sha256: string;
}

const ZIP_MTIME = new Date("2020-01-01T00:00:00Z");

export function buildZip(files: ZipFile[], limits = { zipped: MAX_ZIPPED_BYTES, unzipped: MAX_UNZIPPED_BYTES }): BuiltZip {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const unzippedBytes = sorted.reduce((sum, f) => sum + f.data.byteLength, 0);
  if (unzippedBytes > limits.unzipped) throw tooLarge("unzipped", unzippedBytes, limits.unzipped);
  const zippable: Zippable = {};
  for (const file of sorted) {
    const mode = (file.mode & 0o111 ? 0o755 : 0o644) | (file.mode & 0o777);
    zippable[file.path] = [file.data, { os: 3, attrs: (0o100000 | mode) << 16, mtime: ZIP_MTIME }];
  }
  const bytes = zipSync(zippable, { level: 6 });
  if (bytes.byteLength > limits.zipped) throw tooLarge("zipped", bytes.byteLength, limits.zipped);
  return { bytes, files: sorted.length, unzippedBytes, sha256: createHash("sha256").update(bytes).digest("hex") };
}

export function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function tooLarge(kind: string, bytes: number, limit: number): ValidationError {
  return new ValidationError(`The code package is ${megabytes(bytes)} ${kind}; AgentCore takes at most ${megabytes(limit)} ${kind}.`, {
    hint: "Leave files out with .dockerignore, drop unused dependencies, or deploy a container image (configure --deploy container).",
    code: "PackageTooLarge",
    details: { kind, bytes, limit },
  });
}
