/** The hints of invoke failures: which claim a 403 names, and the configured value it is compared with. */
import { describe, expect, it } from "vitest";
import type { CustomJwtAuthorizer } from "../../src/config/schema.js";
import { type InvokeErrorContext, invokeError, mismatchedClaim } from "../../src/invoke/errors.js";

const ARN = "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/my_agent-AbCdEf1234";
const departmentRule = {
  inboundTokenClaimName: "department",
  inboundTokenClaimValueType: "STRING",
  authorizingClaimMatchValue: { claimMatchOperator: "EQUALS", claimMatchValue: { matchValueString: "engineering" } },
};
const groupsRule = {
  inboundTokenClaimName: "groups",
  inboundTokenClaimValueType: "STRING_ARRAY",
  authorizingClaimMatchValue: { claimMatchOperator: "CONTAINS", claimMatchValue: { matchValueStringList: ["admins"] } },
};
const authorizer: CustomJwtAuthorizer = {
  discoveryUrl: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPool/.well-known/openid-configuration",
  allowedClients: ["client-abc"],
  customClaims: [departmentRule, groupsRule],
};
const context: InvokeErrorContext = { auth: "bearer", arn: ARN, qualifier: "DEFAULT", authorizer, agentName: "my_agent" };
const hintOf403 = (message: string) => invokeError({ status: 403, errorType: "AccessDeniedException", message }, context).hint ?? "";
const hintOf401 = (message: string, extra: Partial<InvokeErrorContext> = {}) =>
  invokeError({ status: 401, errorType: "UnauthorizedException", message }, { ...context, ...extra }).hint ?? "";

describe("invoke error hints for claim mismatches", () => {
  it("reads the claim name only from a quoted name (or a known claim), never the word after 'claim'", () => {
    expect(mismatchedClaim("Claim 'aud' value mismatch.")).toBe("aud");
    expect(mismatchedClaim("Claim 'client_id' mismatch")).toBe("client_id");
    expect(mismatchedClaim('Claim "department" value mismatch.')).toBe("department");
    expect(mismatchedClaim("Custom claim validation failed.")).toBeUndefined();
    expect(mismatchedClaim("Claim value mismatch")).toBeUndefined();
  });

  it("a Runtime's 401 naming a claim is a claim mismatch, not an expired token; this tool's finding leads the hint", () => {
    const hint = hintOf401("Claim 'client_id' value mismatch with configuration.", {
      tokenFinding: 'client_id "other" is not in allowedClients [client-abc]. Get the token from an allowed app client.',
    });
    expect(hint).toMatch(/^The token: client_id "other" is not in allowedClients \[client-abc\]\. /);
    expect(hint).toContain('"client_id" claim does not match allowedClients ["client-abc"]');
    expect(hint).not.toMatch(/expired/);
    expect(hintOf401("Claim 'iss' value mismatch with configuration.")).toMatch(
      /^The token's issuer \(iss\) is not the issuer behind discoveryUrl/,
    );
    const unparsed = invokeError(
      { status: 403, errorType: "AccessDeniedException", message: "OAuth authorization failed: Failed to parse token" },
      context,
    );
    expect(unparsed.message).toContain("OAuth authorization failed: Failed to parse token");
    expect(unparsed.hint).toMatch(/could not parse the bearer token: send the access token itself/);
    expect(hintOf401("OAuth authorization failed: Token has expired", { tokenFinding: "expired 5m ago. Get a fresh token." })).toMatch(
      /^The token: expired 5m ago\. Get a fresh token\. The runtime refused the bearer token/,
    );
  });

  it("a named standard claim: the configured allowedClients value", () => {
    const hint = hintOf403("Claim 'client_id' mismatch");
    expect(hint).toContain('"client_id" claim does not match allowedClients ["client-abc"]');
  });

  it("a named custom claim: only that claim's customClaims rule", () => {
    const hint = hintOf403("Claim 'department' value mismatch.");
    expect(hint).toContain('"department" claim does not match customClaims');
    expect(hint).toContain('"matchValueString":"engineering"');
    expect(hint).not.toContain("groups");
  });

  it("a custom-claim failure naming no claim: every configured rule, no invented claim name", () => {
    const hint = hintOf403("Custom claim validation failed.");
    expect(hint).not.toContain('"validation"');
    expect(hint).toContain("claims do not satisfy customClaims");
    expect(hint).toContain("department");
    expect(hint).toContain("groups");
    expect(hint).toContain("token verify");
  });

  it("424: the agent's log group, with the logs command in the runtime's region", () => {
    const hint =
      invokeError(
        { status: 424, errorType: "RuntimeClientError", message: "Received error (500) from runtime." },
        { ...context, region: "eu-west-1" },
      ).hint ?? "";
    expect(hint).toContain('Agent "my_agent" itself failed');
    expect(hint).toContain("log group /aws/bedrock-agentcore/runtimes/my_agent-AbCdEf1234-DEFAULT");
    expect(hint).toContain("`agentcore-ts logs --agent my_agent --since 1h --region eu-west-1`");
  });

  it("503 from the local gateway: the issuer is unreachable, not an AWS outage", () => {
    const down = { status: 503, errorType: "ServiceUnavailableException", message: "The token issuer could not be reached." };
    expect(invokeError(down, { ...context, local: {} }).hint).toMatch(/could not fetch the token issuer.*cognito local status/);
    expect(invokeError(down, context).hint).toBe("The service failed on its side: retry in a moment.");
  });

  it("403 method mismatch on a bearer call chosen by COGNITO_ACCESS_TOKEN: says to unset it", () => {
    const mismatch = {
      status: 403,
      errorType: "AccessDeniedException",
      message:
        "Authorization method mismatch. The agent is configured for a different authorization method than what was used in your request.",
    };
    const unknownAgent = { auth: "bearer" as const, arn: ARN, qualifier: "DEFAULT" };
    expect(invokeError(mismatch, { ...unknownAgent, tokenSource: "env" }).hint).toContain("COGNITO_ACCESS_TOKEN unset");
    expect(invokeError(mismatch, { ...unknownAgent, tokenSource: "flag" }).hint).not.toContain("COGNITO_ACCESS_TOKEN");
  });
});
