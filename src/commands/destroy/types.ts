/** The inputs and result of `destroy`. */

export interface DestroyInputs {
  agentName?: string;
  deleteEcrRepo?: boolean;
  yes?: boolean;
  timeoutSeconds?: number;
}

/** What became of one resource: deleted, already gone, kept because agentcore-ts did not create it, or kept on purpose. */
export type Removal = "deleted" | "not-found" | "not-managed" | "kept";

export interface DestroyResult {
  agent: string;
  region: string;
  /** The user declined the confirmation: nothing was deleted. */
  cancelled: boolean;
  /** The agent has no deployment section: launch never started, so nothing was looked up or deleted in AWS. */
  neverLaunched: boolean;
  runtimeId?: string;
  runtime: "deleted" | "not-found" | "not-launched";
  executionRole: { name?: string; outcome: Removal };
  ecrRepository: { name: string; outcome: Removal };
  codebuildProject: { name: string; outcome: Removal };
  codebuildRole: { name: string; outcome: Removal };
  /** Code agents: this agent's zips in the artifact bucket (the bucket itself is shared by the account's agents and kept). */
  codeArtifacts?: { bucket: string; outcome: Removal; objects: number };
}
