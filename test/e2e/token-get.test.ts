/**
 * `token get` on a real terminal (the built binary in a pty): the browser sign-in prints the URL,
 * waits, the sign-in (driven by HTTP against oidc-provider, no browser) lands on the loopback
 * callback, and the terminal shows the result; `token show --raw` then prints that token.
 */
import { describe, expect, it } from "vitest";
import { signIn, USERS, useOidcProvider } from "../fakes/oidc-provider.js";
import { runCli, tempDir, testEnv } from "../support/cli.js";
import { runCliInPty } from "../support/pty.js";

const provider = useOidcProvider();

describe("token get on a terminal", () => {
  it("authorization code + PKCE: prints the sign-in URL, catches the redirect, shows the token masked", async () => {
    const env = testEnv();
    const cwd = tempDir("agentcore-ts-proj-");
    const args = ["token", "get", "--discovery-url", provider.op.discoveryUrl, "--client-id", "web-client", "--flow", "authorization-code"];
    const options = [
      "--redirect-port",
      String(provider.redirectPort),
      "--no-browser",
      "--timeout",
      "30",
      "--scope",
      "openid",
      "offline_access",
      "invoke",
    ];
    const session = runCliInPty([...args, ...options], { cwd, env });
    await session.waitFor("Sign in in your browser", 15_000);
    await session.waitFor(/\/auth\?\S+/);
    const url = /(http:\/\/127\.0\.0\.1:\d+\/auth\?\S+)/.exec(session.text)![1];
    const page = await signIn(url, { login: "alice", password: USERS.alice });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Signed in");
    const result = await session.done;
    expect(result.code).toBe(0);
    expect(result.text).toContain('Access token for "alice"');
    expect(result.text).toMatch(/token\s+eyJ\S+…\S+ \(\d+ chars\)/);

    const raw = await runCli(["token", "show", "--raw"], { cwd, env });
    expect(raw.code).toBe(0);
    expect(raw.stdout.trim()).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(result.text).not.toContain(raw.stdout.trim());
  });
});
