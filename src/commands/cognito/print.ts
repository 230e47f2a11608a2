/**
 * The human text of the `cognito` commands' results (--json prints their documents instead), and what a
 * foreground `cognito local start` says as it runs.
 */
import { PASSWORD_ENV } from "../../auth/cognito.js";
import { CONFIG_FILE_NAME } from "../../config/file.js";
import { describeExpiry } from "../../ui/format.js";
import type { Output } from "../../ui/output.js";
import type {
  CognitoDeleteResult,
  CognitoLocalReporter,
  CognitoLocalStartResult,
  CognitoLocalStatus,
  CognitoLocalStopResult,
  CognitoSetupResult,
} from "./types.js";

export function printCognitoSetup(result: CognitoSetupResult, output: Output): void {
  const envNote = result.envChanged ? `${result.files.envKeys.join(", ")} set in .env` : ".env already up to date";
  output.success(`Saved the ids to ${CONFIG_FILE_NAME} (cognito) and the tokens to the token cache; ${envNote}.`);
  output.info("");
  output.info(`Save these values${result.local ? " (embedded local Cognito)" : ""}:`);
  output.info(`  Discovery URL:  ${result.discoveryUrl}`);
  output.info(`  App client ID:  ${result.clientId}`);
  output.info(`  Access token:   ${result.accessToken.masked}, ${describeExpiry(new Date(result.accessToken.expiresAt))}`);
  output.info("                  `agentcore-ts token show --raw` prints it; `agentcore-ts token refresh` renews it.");
  if (result.m2m) {
    const m = result.m2m;
    output.info(`  M2M client ID:  ${m.client.id} (client credentials; its secret stays in Cognito)`);
    output.info(`  Scopes:         ${m.scopes.join(", ")}`);
    output.info(`  Token endpoint: ${m.tokenEndpoint} (domain ${m.domain.name})`);
    output.info(`  M2M token:      cached, ${describeExpiry(new Date(m.token.expiresAt))}; \`agentcore-ts token get\` renews it.`);
  }
  if (result.browserLogin) {
    output.info(
      `  Browser login:  ${result.browserLogin.redirectUri} (domain ${result.browserLogin.domain}); \`agentcore-ts token get --flow authorization-code\``,
    );
  }
  if (result.generatedPassword) {
    output.info("");
    output.info(`The password of "${result.user.username}" was generated and is not stored. When the refresh token expires,`);
    output.info(
      `log in again with it: ${PASSWORD_ENV}='${result.generatedPassword}' agentcore-ts token refresh (or pipe it to --password-stdin).`,
    );
  }
  output.info("");
  output.info(`Next: ${result.next}   (picks up the discovery URL and client id as defaults)`);
  if (result.local) output.info("The embedded Cognito starts by itself when a command needs it (`agentcore-ts cognito local status`).");
}

export function printCognitoDelete(result: CognitoDeleteResult, output: Output): void {
  if (!result.deleted) {
    output.info(
      result.pool === "kept"
        ? "Nothing was deleted."
        : `Nothing to delete: no Cognito setup is recorded in ${result.configFile ?? `a ${CONFIG_FILE_NAME} here or above`}.`,
    );
    return;
  }
  output.success(result.pool === "deleted" ? `Deleted user pool ${result.userPoolId}` : `User pool ${result.userPoolId} was already gone`);
  output.success(`Removed the cognito section from ${result.configFile}`);
  const removed = result.cachedTokensRemoved ?? 0;
  output.success(`Removed ${removed} cached token set${removed === 1 ? "" : "s"}`);
  if (result.envKeysRemoved?.length) output.success(`Removed ${result.envKeysRemoved.join(", ")} from .env`);
}

export function printCognitoLocalStatus(status: CognitoLocalStatus, output: Output): void {
  if (status.running) {
    output.info(
      `Embedded Cognito: running on ${status.endpoint} (pid ${status.pid}, ${status.mode === "persistent" ? "started by `cognito local start`" : `on demand, held by ${status.holds} command(s)`})`,
    );
  } else {
    output.info(`Embedded Cognito: not running (starts on demand on ${status.endpoint})`);
  }
  output.info(`  data: ${status.dataDir} (${status.pools} user pool${status.pools === 1 ? "" : "s"})`);
}

function printCognitoLocalRunning(status: CognitoLocalStatus, startedInMs: number | undefined, output: Output): void {
  output.success(
    `Embedded Cognito running on ${status.endpoint} (pid ${status.pid}, started in ${startedInMs} ms; data in ${status.dataDir})`,
  );
}

export function printCognitoLocalStart(result: CognitoLocalStartResult, output: Output): void {
  if (result.started === "already-running") {
    output.info(`The embedded Cognito is already running on ${result.endpoint} (pid ${result.pid}); reusing it.`);
    printCognitoLocalStatus(result, output);
  } else {
    printCognitoLocalRunning(result, result.startedInMs, output);
    output.info("Stop it with `agentcore-ts cognito local stop`.");
  }
}

/**
 * A foreground `cognito local start`, said as it happens: the running server (with --json its status
 * document, written once it is up so a script can read it while it runs), then its stop.
 */
export function cognitoLocalReporter(output: Output): CognitoLocalReporter {
  return {
    ready(status, startedInMs) {
      printCognitoLocalRunning(status, startedInMs, output);
      output.info("Press Ctrl-C to stop it.");
      output.result(status);
    },
    stopped: () => output.info("Embedded Cognito stopped."),
  };
}

export function printCognitoLocalStop(result: CognitoLocalStopResult, output: Output): void {
  if (!result.wasRunning) output.info("The embedded Cognito is not running.");
  else output.success(`Stopped the embedded Cognito (pid ${result.pid}); its data stays in ${result.dataDir}.`);
}
