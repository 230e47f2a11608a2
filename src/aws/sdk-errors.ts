/** Small predicates over AWS SDK v3 errors (the SDK names each error after the service's type). */

export function awsErrorName(error: unknown): string | undefined {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === "string" ? name : undefined;
}

export function awsErrorMessage(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === "string" ? message : String(error);
}

/** The HTTP status the service answered with, when the SDK recorded one. */
export function awsHttpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}

/** True when the SDK error's type is one of `names` (IAM's NoSuchEntity arrives as NoSuchEntityException). */
export function isAwsError(error: unknown, ...names: string[]): boolean {
  const name = awsErrorName(error);
  return name !== undefined && names.includes(name);
}

/** The tag that marks resources agentcore-ts created: only those are ever changed or deleted. */
export const MANAGED_TAG_KEY = "agentcore-ts:managed";
export const MANAGED_TAG_VALUE = "true";
