/**
 * The embedded Cognito's emulator, cognito-local, built into one file the package ships:
 * dist/embedded-cognito/vendor/cognito-local.cjs, with its licences beside it.
 *
 * Why: cognito-local depends on aws-sdk v2 (about 100 MB, past its end of support, with a postinstall
 * notice) and @aws-crypto/client-node, and uses them only for Lambda triggers and KMS-encrypted custom
 * senders, which the embedded Cognito never configures. An npm override cannot drop them for users:
 * npm applies overrides only from the root project's package.json
 * (https://docs.npmjs.com/cli/v11/configuring-npm/package-json#overrides), and agentcore-ts is a
 * dependency in every install but its own. So cognito-local is a devDependency, bundled here at build
 * time with stand-ins for those two packages that fail, saying why, if a trigger or custom sender is
 * ever invoked. The whole embedded-Cognito test suite runs against this bundle.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { build } from "esbuild";

const STAND_INS = {
  "aws-sdk": `
const unavailable = (what) => { throw new Error(what + " is not available in agentcore-ts's embedded Cognito: it ships without aws-sdk v2, so Lambda triggers and KMS custom senders cannot run. Run cognito-local itself for those."); };
// Constructed at start-up by cognito-local's Lambda service; used only when a trigger is invoked.
class Lambda { invoke() { return unavailable("A Lambda trigger"); } }
class KMS { constructor() { unavailable("KMS (a custom sender)"); } }
module.exports = { Lambda, KMS };
`,
  "@aws-crypto/client-node": `
const unavailable = () => { throw new Error("KMS encryption (a custom email or SMS sender) is not available in agentcore-ts's embedded Cognito: it ships without @aws-crypto/client-node."); };
module.exports = {
  CommitmentPolicy: { REQUIRE_ENCRYPT_ALLOW_DECRYPT: "REQUIRE_ENCRYPT_ALLOW_DECRYPT" },
  buildClient: () => ({ encrypt: unavailable, decrypt: unavailable }),
  KmsKeyringNode: class { constructor() { unavailable(); } },
};
`,
};

/** What server.ts and m2m.ts take from the bundle: the server factory, its logger and its signing key. */
const ENTRY = `
module.exports = {
  createDefaultServer: require("cognito-local").createDefaultServer,
  pino: require("pino"),
  privateKey: require("cognito-local/lib/keys/cognitoLocal.private.json"),
};
`;

export async function vendorCognitoLocal(root) {
  const outDir = path.join(root, "dist", "embedded-cognito", "vendor");
  const require = createRequire(path.join(root, "package.json"));
  const cognitoLocalDir = path.dirname(require.resolve("cognito-local/package.json"));
  const result = await build({
    stdin: { contents: ENTRY, resolveDir: root, sourcefile: "cognito-local-entry.cjs", loader: "js" },
    outfile: path.join(outDir, "cognito-local.cjs"),
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    // pino is resolved from cognito-local's own tree, as cognito-local itself would.
    nodePaths: [path.join(cognitoLocalDir, "node_modules")],
    absWorkingDir: root,
    metafile: true,
    logLevel: "warning",
    legalComments: "none",
    plugins: [
      {
        name: "stand-ins",
        setup(b) {
          const filter = new RegExp(
            `^(${Object.keys(STAND_INS)
              .map((n) => n.replace(/[/.]/g, "\\$&"))
              .join("|")})$`,
          );
          b.onResolve({ filter }, (args) => ({ path: args.path, namespace: "stand-in" }));
          // fast-url-parser (via pino-http) requires "punycode" and depends on the userland package of that name;
          // Node hands it the deprecated built-in instead, which warns (DEP0040) from any file outside node_modules,
          // as this bundle is. Give it the package it declares ("punycode/" names the userland one).
          b.onResolve({ filter: /^punycode$/ }, (args) => ({
            path: createRequire(path.join(args.resolveDir, "x.js")).resolve("punycode/"),
          }));
          b.onLoad({ filter: /.*/, namespace: "stand-in" }, (args) => ({ contents: STAND_INS[args.path], loader: "js" }));
        },
      },
    ],
  });
  writeFileSync(path.join(outDir, "THIRD-PARTY-LICENSES.txt"), licences(root, result.metafile));
}

/** The licence text of every package with code in the bundle (MIT, ISC and alike require it to travel with the code). */
function licences(root, metafile) {
  const packages = new Map();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /^(.*node_modules\/((?:@[^/]+\/)?[^/]+))\//.exec(input);
    if (match) packages.set(match[2], path.join(root, match[1]));
  }
  const sections = [...packages.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, dir]) => {
      const manifest = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
      const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
      const text = file ? readFileSync(path.join(dir, file), "utf8").trim() : `License: ${manifest.license ?? "see the package"}`;
      return `${name}@${manifest.version} (${manifest.license ?? "unknown"})\n\n${text}\n`;
    });
  return `dist/embedded-cognito/vendor/cognito-local.cjs bundles these packages:\n\n${sections.join(`\n${"-".repeat(72)}\n\n`)}`;
}
