/** configure's launch settings: --deploy/--runtime, --env/--env-file, --network/--subnets/--security-groups, --idle-timeout/--max-lifetime. */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { AgentManagedRuntimeType, LifecycleConfiguration$, VpcConfig$ } from "@aws-sdk/client-bedrock-agentcore-control";
import { describe, expect, it } from "vitest";
import { configure } from "../../../src/commands/configure/configure.js";
import { resolveDeploySettings } from "../../../src/commands/configure/deploy.js";
import { CODE_RUNTIMES } from "../../../src/config/schema.js";
import { createContext } from "../../../src/core/context.js";
import type { AgentcoreError } from "../../../src/errors.js";
import { MemoryOutput } from "../../../src/ui/output.js";
import { NonInteractivePrompter } from "../../../src/ui/prompts.js";
import { exists } from "../../../src/util/fs.js";
import { writeProject } from "../../support/project.js";

function deps(dir: string) {
  const output = new MemoryOutput();
  const ctx = createContext({
    cwd: dir,
    env: { AWS_CONFIG_FILE: "/nonexistent/aws-config" },
    globals: { region: "us-east-1", json: false, verbose: false, nonInteractive: true },
    output,
    prompter: new NonInteractivePrompter(),
    stdin: process.stdin,
  });
  return Object.assign(ctx, { output });
}

const IAM = { authorizerConfig: "null" };
const node = () =>
  writeProject({
    "src/agent.ts": "export {};\n",
    "package.json": JSON.stringify({ name: "a", type: "module", dependencies: { tsx: "4" } }),
  });

async function failure(promise: Promise<unknown>): Promise<AgentcoreError> {
  return promise.then(
    () => {
      throw new Error("expected a failure");
    },
    (error: AgentcoreError) => error,
  );
}

describe("configure --deploy code", () => {
  it("records deploy + runtime, writes no Dockerfile (only the .dockerignore package uses), and sends the SDK's runtime names", async () => {
    const dir = await node();
    const result = await configure({ entrypoint: "src/agent.ts", deploy: "code", ...IAM }, deps(dir));
    expect(result.agent).toMatchObject({ deploy: "code", runtime: "NODE_22" });
    expect(result.dockerfile).toBeUndefined();
    expect(await exists(path.join(dir, "Dockerfile"))).toBe(false);
    expect(await exists(path.join(dir, ".dockerignore"))).toBe(true);
    // Every name we know is one the installed SDK model has (the service rejects any other).
    expect(Object.keys(CODE_RUNTIMES).sort()).toEqual(Object.values(AgentManagedRuntimeType).sort());

    // Back to container: the Dockerfile appears and the runtime goes.
    const back = await configure({ entrypoint: "src/agent.ts", deploy: "container", ...IAM }, deps(dir));
    expect(back.agent.deploy).toBe("container");
    expect(back.agent.runtime).toBeUndefined();
    expect(await exists(path.join(dir, "Dockerfile"))).toBe(true);
  });

  it("a bare configure leaves an existing agent's deploy mode alone and writes none for a new one", async () => {
    const dir = await node();
    const first = await configure({ entrypoint: "src/agent.ts", ...IAM }, deps(dir));
    expect(first.agent.deploy).toBeUndefined();
    await configure({ entrypoint: "src/agent.ts", deploy: "code", ...IAM }, deps(dir));
    const again = await configure({ entrypoint: "src/agent.ts", ...IAM }, deps(dir));
    expect(again.agent).toMatchObject({ deploy: "code", runtime: "NODE_22" });
  });

  it("refuses a runtime past its block-update date (with the date), of the other language, or with --deploy container", async () => {
    const output = new MemoryOutput();
    const ctx = { cwd: "/", output };
    const old = await failure(
      resolveDeploySettings({ deploy: "code", runtime: "PYTHON_3_11" }, { ...ctx, today: "2026-12-01" }, "python", undefined),
    );
    expect(old.code).toBe("RuntimeDeprecated");
    expect(old.message).toContain("2026-08-31");
    expect(old.hint).toContain("PYTHON_3_12");
    expect(old.hint).not.toContain("PYTHON_3_10");
    const ok = await resolveDeploySettings(
      { deploy: "code", runtime: "PYTHON_3_11" },
      { ...ctx, today: "2026-08-30" },
      "python",
      undefined,
    );
    expect(ok.runtime).toBe("PYTHON_3_11");
    expect((await failure(resolveDeploySettings({ deploy: "code", runtime: "NODE_22" }, ctx, "python", undefined))).code).toBe(
      "InvalidRuntime",
    );
    expect((await failure(resolveDeploySettings({ deploy: "code", runtime: "NODE_20" }, ctx, "node", undefined))).code).toBe(
      "InvalidRuntime",
    );
    expect((await failure(resolveDeploySettings({ runtime: "NODE_22" }, ctx, "node", undefined))).code).toBe("ConflictingFlags");
    expect((await failure(resolveDeploySettings({ deploy: "lambda" }, ctx, "node", undefined))).code).toBe("InvalidDeployMode");
  });
});

describe("configure --env / --env-file", () => {
  it("merges file, flags and what the agent had (flags win), warns on secret-looking values, and enforces the API's limits", async () => {
    const dir = await node();
    await fsp.writeFile(path.join(dir, "agent.env"), "STAGE=dev\nREGION_HINT=eu\n");
    const d = deps(dir);
    const r = await configure(
      { entrypoint: "src/agent.ts", ...IAM, envFile: "agent.env", env: ["STAGE=prod", "GITHUB=ghp_0123456789abcdefghijklmnopqrstuvwxyz"] },
      d,
    );
    expect(r.agent.environmentVariables).toEqual({ STAGE: "prod", REGION_HINT: "eu", GITHUB: "ghp_0123456789abcdefghijklmnopqrstuvwxyz" });
    expect(d.output.warnings.join("\n")).toMatch(/GITHUB looks like a secret/);
    expect(d.output.warnings.join("\n")).not.toMatch(/STAGE looks like a secret/);
    const again = await configure({ entrypoint: "src/agent.ts", ...IAM, env: ["LOG=debug"] }, deps(dir));
    expect(Object.keys(again.agent.environmentVariables).sort()).toEqual(["GITHUB", "LOG", "REGION_HINT", "STAGE"]);

    const ctx = { cwd: dir, output: new MemoryOutput() };
    expect((await failure(resolveDeploySettings({ env: ["NOEQUALS"] }, ctx, "node", undefined))).code).toBe("InvalidEnv");
    expect((await failure(resolveDeploySettings({ env: [`BIG=${"x".repeat(5001)}`] }, ctx, "node", undefined))).message).toContain("5001");
    const many = Array.from({ length: 51 }, (_, i) => `V${i}=1`);
    expect((await failure(resolveDeploySettings({ env: many }, ctx, "node", undefined))).message).toContain("51 variables");
    expect((await failure(resolveDeploySettings({ env: ["DB_PASSWORD=x"] }, ctx, "node", undefined))).code).toBe("SecretInConfig");
    expect((await failure(resolveDeploySettings({ envFile: "missing.env" }, ctx, "node", undefined))).code).toBe("EnvFileNotFound");
  });
});

describe("configure --network / lifecycle", () => {
  it("stores the API's shapes, keeps them on a bare reconfigure, and rejects what the model rejects", async () => {
    const dir = await node();
    const r = await configure(
      {
        entrypoint: "src/agent.ts",
        ...IAM,
        network: "vpc",
        subnets: "subnet-0123456789abcdef0,subnet-0123456789abcdef1",
        securityGroups: "sg-0123456789abcdef0",
        idleTimeout: "300",
        maxLifetime: "3600",
      },
      deps(dir),
    );
    expect(r.agent.networkConfiguration).toEqual({
      networkMode: "VPC",
      networkModeConfig: { subnets: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"], securityGroups: ["sg-0123456789abcdef0"] },
    });
    expect(r.agent.lifecycleConfiguration).toEqual({ idleRuntimeSessionTimeout: 300, maxLifetime: 3600 });
    // Member names are the SDK model's (it drops unknown keys silently).
    const members = (schema: unknown) => (schema as unknown[])[4] as string[];
    expect(members(VpcConfig$)).toEqual(expect.arrayContaining(["subnets", "securityGroups"]));
    expect(members(LifecycleConfiguration$)).toEqual(expect.arrayContaining(["idleRuntimeSessionTimeout", "maxLifetime"]));

    const kept = await configure({ entrypoint: "src/agent.ts", ...IAM, idleTimeout: "600" }, deps(dir));
    expect(kept.agent.networkConfiguration?.networkMode).toBe("VPC");
    expect(kept.agent.lifecycleConfiguration).toEqual({ idleRuntimeSessionTimeout: 600, maxLifetime: 3600 });
    const pub = await configure({ entrypoint: "src/agent.ts", ...IAM, network: "public" }, deps(dir));
    expect(pub.agent.networkConfiguration).toEqual({ networkMode: "PUBLIC" });

    const ctx = { cwd: dir, output: new MemoryOutput() };
    const bad = (inputs: Parameters<typeof resolveDeploySettings>[0]) => failure(resolveDeploySettings(inputs, ctx, "node", undefined));
    expect((await bad({ network: "vpc", subnets: "subnet-0123456789abcdef0" })).message).toContain("--security-groups");
    expect((await bad({ network: "vpc", subnets: "subnet-1", securityGroups: "sg-0123456789abcdef0" })).message).toContain("subnet-1");
    expect((await bad({ network: "public", subnets: "subnet-0123456789abcdef0" })).code).toBe("ConflictingFlags");
    expect((await bad({ network: "private" })).code).toBe("InvalidNetwork");
    expect((await bad({ idleTimeout: "59" })).code).toBe("InvalidLifecycle");
    expect((await bad({ maxLifetime: "1209601" })).code).toBe("InvalidLifecycle");
    expect((await bad({ idleTimeout: "1.5" })).code).toBe("InvalidLifecycle");
    expect((await bad({ idleTimeout: "7200", maxLifetime: "3600" })).code).toBe("InvalidLifecycle");
  });
});
