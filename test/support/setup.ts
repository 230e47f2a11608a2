import "aws-sdk-client-mock-vitest/extend";

// No test may ever reach AWS: dummy credentials, and a dead endpoint unless a test points a service elsewhere.
process.env.AWS_ACCESS_KEY_ID ??= "AKIATESTTESTTESTTEST";
process.env.AWS_SECRET_ACCESS_KEY ??= "test-secret-key";
process.env.AWS_REGION ??= "us-east-1";
process.env.AWS_ENDPOINT_URL ??= "http://127.0.0.1:9";
process.env.AWS_EC2_METADATA_DISABLED = "true";
// The pinned SDK versions support Node 20; its notice about future releases is noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
