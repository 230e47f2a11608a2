/** The human text of `destroy`, rendered from its result through the Output sink. */
import type { Output } from "../../ui/output.js";
import type { DestroyResult } from "./types.js";

export function printDestroy(result: DestroyResult, output: Output): void {
  if (result.cancelled) {
    output.info("Nothing was deleted.");
    return;
  }
  if (result.neverLaunched && result.ecrRepository.outcome === "kept") {
    output.info(
      `Nothing of agent ${result.agent} was left to delete in ${result.region}: it was never launched (or is destroyed already), so no AWS call was made.`,
    );
    return;
  }
  const deleted = [
    result.runtime === "deleted" ? `runtime ${result.runtimeId}` : undefined,
    result.executionRole.outcome === "deleted" ? `execution role ${result.executionRole.name}` : undefined,
    result.codebuildProject.outcome === "deleted" ? `CodeBuild project ${result.codebuildProject.name}` : undefined,
    result.codebuildRole.outcome === "deleted" ? `CodeBuild role ${result.codebuildRole.name}` : undefined,
    result.ecrRepository.outcome === "deleted" ? `ECR repository ${result.ecrRepository.name}` : undefined,
    result.codeArtifacts?.outcome === "deleted"
      ? `${result.codeArtifacts.objects} code zip${result.codeArtifacts.objects === 1 ? "" : "s"} from s3://${result.codeArtifacts.bucket} (the bucket stays: other agents may use it)`
      : undefined,
  ].filter((d): d is string => d !== undefined);
  if (deleted.length === 0) output.info(`Nothing of agent ${result.agent} was left to delete in ${result.region}.`);
  for (const item of deleted) output.success(`Deleted ${item}`);
  // deleteEcrRepo was not asked for exactly when the repository is still "kept".
  if (result.ecrRepository.outcome === "kept") {
    output.info(`Kept ECR repository ${result.ecrRepository.name} (pass --delete-ecr-repo to delete it and its images).`);
  }
}
