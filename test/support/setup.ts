import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import "aws-sdk-client-mock-vitest/extend";

// Hermetic: whatever the caller set for AWS, Cognito or this tool must not reach a test (a region,
// profile, endpoint or token of theirs would change what the code under test does). Only what is
// set here, and what a test sets itself, counts.
for (const key of Object.keys(process.env)) {
  if (/^(AWS_|AGENTCORE_TS_|COGNITO_)/.test(key)) delete process.env[key];
}
// No test may ever reach AWS: dummy credentials, and a dead endpoint unless a test points a service elsewhere.
process.env.AWS_ACCESS_KEY_ID = "AKIATESTTESTTESTTEST";
process.env.AWS_SECRET_ACCESS_KEY = "test-secret-key";
process.env.AWS_REGION = "us-east-1";
process.env.AWS_ENDPOINT_URL = "http://127.0.0.1:9";
process.env.AWS_EC2_METADATA_DISABLED = "true";
process.env.AWS_CONFIG_FILE = "/nonexistent/aws-config";
process.env.AWS_SHARED_CREDENTIALS_FILE = "/nonexistent/aws-credentials";
// The pinned SDK versions support Node 20; its notice about future releases is noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
// A private home per test file, never the caller's ~/.agentcore-ts.
process.env.AGENTCORE_TS_HOME = mkdtempSync(path.join(os.tmpdir(), "agentcore-ts-home-"));
