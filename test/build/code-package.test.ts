/** The code zip (modes, determinism, limits) and the Node bundler's handling of native modules. */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildZip } from "../../src/build/code-zip.js";
import { bundleNodeAgent } from "../../src/build/node-bundle.js";
import type { AgentcoreError } from "../../src/errors.js";
import { writeProject } from "../support/project.js";

/** External attributes of each central-directory entry: the unix mode is the high 16 bits. */
function modesOf(zip: Uint8Array): Record<string, number> {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const modes: Record<string, number> = {};
  for (let i = 0; i + 46 <= zip.length; i++) {
    if (view.getUint32(i, true) !== 0x02014b50) continue;
    const nameLength = view.getUint16(i + 28, true);
    const name = new TextDecoder().decode(zip.subarray(i + 46, i + 46 + nameLength));
    modes[name] = view.getUint32(i + 38, true) >>> 16;
  }
  return modes;
}

const enc = (s: string) => new TextEncoder().encode(s);

describe("buildZip", () => {
  it("keeps executables executable, makes files world-readable, gives the same bytes for the same files in any order", () => {
    const files = [
      { path: "run.sh", data: enc("#!/bin/sh\n"), mode: 0o700 },
      { path: "agent.py", data: enc("print(1)\n"), mode: 0o600 },
    ];
    const zip = buildZip(files);
    expect(modesOf(zip.bytes)).toEqual({ "agent.py": 0o100644, "run.sh": 0o100755 });
    expect(buildZip([...files].reverse()).sha256).toBe(zip.sha256);
    expect(zip).toMatchObject({ files: 2, unzippedBytes: 19 });
  });

  it("refuses more than the limits, with the numbers", () => {
    const files = [{ path: "big.bin", data: new Uint8Array(4096).map((_, i) => (i * 7919) % 251), mode: 0o644 }];
    const unzipped = (() => {
      try {
        buildZip(files, { zipped: 1e9, unzipped: 1024 });
      } catch (error) {
        return error as AgentcoreError;
      }
    })();
    expect(unzipped?.code).toBe("PackageTooLarge");
    expect(unzipped?.message).toMatch(/unzipped; AgentCore takes at most/);
    expect(() => buildZip(files, { zipped: 100, unzipped: 1e9 })).toThrow(/zipped; AgentCore takes at most/);
  });
});

describe("bundleNodeAgent and native modules", () => {
  async function projectWithNative(prebuild: boolean): Promise<string> {
    const dir = await writeProject({
      "agent.js": 'import { hello } from "native-thing";\nconsole.log(hello());\n',
      "package.json": JSON.stringify({ name: "p", type: "module", dependencies: { "native-thing": "1.0.0" } }),
      "node_modules/native-thing/package.json": JSON.stringify({ name: "native-thing", version: "1.0.0", main: "index.js" }),
      "node_modules/native-thing/index.js": "exports.hello = () => 'hi';\n",
      "node_modules/native-thing/binding.gyp": "{}\n",
    });
    if (prebuild) {
      await fsp.mkdir(path.join(dir, "node_modules/native-thing/prebuilds/linux-arm64"), { recursive: true });
      await fsp.writeFile(path.join(dir, "node_modules/native-thing/prebuilds/linux-arm64/native-thing.node"), "bin");
    }
    return dir;
  }

  it("refuses a native module without a linux-arm64 build, naming it", async () => {
    const dir = await projectWithNative(false);
    const error = await bundleNodeAgent({ projectDir: dir, entrypoint: "agent.js" }).catch((e: AgentcoreError) => e);
    expect((error as AgentcoreError).code).toBe("NativeModuleUnsupported");
    expect((error as AgentcoreError).message).toContain("native-thing@1.0.0");
  });

  it("carries a native module that ships a linux-arm64 prebuild beside the bundle", async () => {
    const dir = await projectWithNative(true);
    const bundle = await bundleNodeAgent({ projectDir: dir, entrypoint: "agent.js" });
    expect(bundle.carried).toEqual(["native-thing@1.0.0"]);
    expect(bundle.files.map((f) => f.path)).toContain("node_modules/native-thing/prebuilds/linux-arm64/native-thing.node");
  });
});
