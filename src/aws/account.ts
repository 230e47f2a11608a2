/** Who we are: the account and partition from STS GetCallerIdentity. */
import { fromAwsError } from "../errors.js";
import type { AwsClients } from "./clients.js";

export interface CallerIdentity {
  account: string;
  /** "aws", "aws-cn", "aws-us-gov": the second field of the caller ARN. */
  partition: string;
  arn: string;
}

export async function callerIdentity(clients: AwsClients): Promise<CallerIdentity> {
  const sts = await clients.sts();
  const { GetCallerIdentityCommand } = await import("@aws-sdk/client-sts");
  try {
    const out = await sts.send(new GetCallerIdentityCommand({}));
    const arn = out.Arn ?? "";
    return { account: out.Account ?? "", partition: arn.split(":")[1] || "aws", arn };
  } catch (error) {
    throw fromAwsError(error, "Read the AWS account (sts:GetCallerIdentity)");
  } finally {
    sts.destroy();
  }
}
