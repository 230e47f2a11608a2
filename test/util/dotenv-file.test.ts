import { promises as fsp } from "node:fs";
import path from "node:path";
import { parse } from "dotenv";
import { describe, expect, it } from "vitest";
import { applyDotenvChanges, formatDotenvValue, readDotenvFile, updateDotenvFile } from "../../src/util/dotenv-file.js";
import { tempDir } from "../support/cli.js";

describe(".env updates", () => {
  it("changes only the named keys, keeping comments, order, export prefixes, inline comments and quoting", () => {
    const original = [
      "# Cognito Configuration",
      "COGNITO_DISCOVERY_URL=https://old/.well-known/openid-configuration # from the workshop",
      "",
      "OPENAI_API_KEY='sk-keep-me'",
      'export COGNITO_CLIENT_ID="old-client"',
      'MULTI="line one',
      'line two"',
      'AWS_REGION="us-west-2"',
      "",
    ].join("\n");
    const update = applyDotenvChanges(original, {
      COGNITO_DISCOVERY_URL: "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_A/.well-known/openid-configuration",
      COGNITO_CLIENT_ID: "new-client",
      AWS_REGION: "us-west-2",
      NEW_KEY: 'has spaces and "quotes"',
    });
    expect(update.text).toBe(
      [
        "# Cognito Configuration",
        "COGNITO_DISCOVERY_URL=https://cognito-idp.us-west-2.amazonaws.com/us-west-2_A/.well-known/openid-configuration # from the workshop",
        "",
        "OPENAI_API_KEY='sk-keep-me'",
        "export COGNITO_CLIENT_ID=new-client",
        'MULTI="line one',
        'line two"',
        'AWS_REGION="us-west-2"',
        "NEW_KEY='has spaces and \"quotes\"'",
        "",
      ].join("\n"),
    );
    expect(update).toMatchObject({
      added: ["NEW_KEY"],
      updated: ["COGNITO_DISCOVERY_URL", "COGNITO_CLIENT_ID"],
      unchanged: ["AWS_REGION"],
      removed: [],
    });
    const parsed = parse(update.text);
    expect(parsed.NEW_KEY).toBe('has spaces and "quotes"');
    expect(parsed.MULTI).toBe("line one\nline two");
    expect(parsed.OPENAI_API_KEY).toBe("sk-keep-me");
  });

  it("removes keys set to null, keeps CRLF line endings, and appends to a file without a final newline", () => {
    const removed = applyDotenvChanges("A=1\r\nCOGNITO_ACCESS_TOKEN=x\r\nB=2\r\n", { COGNITO_ACCESS_TOKEN: null, MISSING: null });
    expect(removed.text).toBe("A=1\r\nB=2\r\n");
    expect(removed.removed).toEqual(["COGNITO_ACCESS_TOKEN"]);
    expect(applyDotenvChanges("A=1", { B: "2" }).text).toBe("A=1\nB=2\n");
    expect(applyDotenvChanges("", { B: "2" }).text).toBe("B=2\n");
  });

  it("quotes what dotenv would misread", () => {
    for (const value of [
      "plain",
      "with space",
      "hash # inside",
      'quote"s',
      "it's",
      'it\'s "both"',
      "back\\slash",
      "new\nline",
      "",
      "$HOME",
    ]) {
      expect(parse(`K=${formatDotenvValue(value)}`).K).toBe(value);
    }
  });

  it("creates a missing file, writes atomically, and leaves an unchanged file untouched", async () => {
    const file = path.join(tempDir(), ".env");
    await updateDotenvFile(file, { A: "1" }, { newFileMode: 0o600 });
    expect(await fsp.readFile(file, "utf8")).toBe("A=1\n");
    expect((await fsp.stat(file)).mode & 0o777).toBe(0o600);
    const before = (await fsp.stat(file)).mtimeMs;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await updateDotenvFile(file, { A: "1" })).unchanged).toEqual(["A"]);
    expect((await fsp.stat(file)).mtimeMs).toBe(before);
  });

  it("reports a .env it cannot read or replace as a ConfigError naming the file", async () => {
    const dir = tempDir();
    const file = path.join(dir, ".env");
    await fsp.mkdir(file);
    await expect(updateDotenvFile(file, { A: "1" })).rejects.toMatchObject({
      code: "DotenvUnusable",
      message: `Cannot read ${file}: EISDIR.`,
      hint: expect.stringContaining(file),
    });
    expect(await readDotenvFile(path.join(dir, "missing.env"))).toBeUndefined();
  });
});
