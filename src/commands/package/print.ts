/** The human text of `package`. */
import { megabytes } from "../../build/code-zip.js";
import type { Output } from "../../ui/output.js";
import type { PackageResult } from "./types.js";

export function printPackage(result: PackageResult, output: Output): void {
  output.success(`Packaged ${result.agent}: ${result.path}`);
  output.info(`  Size:        ${megabytes(result.bytes)} zipped, ${megabytes(result.unzippedBytes)} unzipped, ${result.files} files`);
  output.info(`  SHA-256:     ${result.sha256}`);
  output.info(`  Runtime:     ${result.runtime}`);
  output.info(`  Entry point: ${JSON.stringify(result.entryPoint)}`);
  for (const note of result.notes) output.info(`  Note:        ${note}`);
}
