/**
 * .dockerignore with Docker's semantics (moby/patternmatcher): one pattern per line, `#` comments,
 * patterns cleaned like Go's filepath.Clean and made relative, `*` and `?` never cross '/', `**`
 * spans any number of directories, `[...]` classes, `\` escapes, `!` re-includes, the LAST matching
 * pattern wins, and a pattern that matches a parent directory matches everything below it.
 */
import path from "node:path";

interface Rule {
  exclusion: boolean;
  regex: RegExp;
}

export class DockerIgnore {
  private constructor(private readonly rules: Rule[]) {}

  static parse(text: string): DockerIgnore {
    const rules: Rule[] = [];
    const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
    for (const line of lines) {
      if (line.startsWith("#")) continue;
      let pattern = line.trim();
      if (pattern === "") continue;
      const exclusion = pattern.startsWith("!");
      if (exclusion) pattern = pattern.slice(1).trim();
      if (pattern === "") continue;
      pattern = path.posix.normalize(pattern).replace(/\/+$/, "");
      if (pattern.length > 1 && pattern.startsWith("/")) pattern = pattern.slice(1);
      if (pattern === "" || pattern === ".") pattern = ".";
      rules.push({ exclusion, regex: compile(pattern) });
    }
    return new DockerIgnore(rules);
  }

  static empty(): DockerIgnore {
    return new DockerIgnore([]);
  }

  /** True when some `!` pattern exists: an excluded directory may still hold re-included files. */
  get hasExclusions(): boolean {
    return this.rules.some((r) => r.exclusion);
  }

  /** Whether `relPath` (posix, relative to the context root) is left out of the build context. */
  ignores(relPath: string): boolean {
    const parts = relPath.split("/");
    let ignored = false;
    for (const rule of this.rules) {
      let match = rule.regex.test(relPath);
      for (let i = 1; !match && i < parts.length; i++) match = rule.regex.test(parts.slice(0, i).join("/"));
      if (match) ignored = !rule.exclusion;
    }
    return ignored;
  }
}

const REGEX_SPECIAL = new Set([".", "+", "(", ")", "|", "{", "}", "$", "^"]);

/** Translates one cleaned pattern into an anchored regular expression. */
function compile(pattern: string): RegExp {
  let re = "^";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === "*") {
      if (pattern[i + 1] === "*") {
        i++;
        if (pattern[i + 1] === "/") i++;
        re += i + 1 >= pattern.length ? ".*" : "(.*/)?";
      } else {
        re += "[^/]*";
      }
    } else if (ch === "?") {
      re += "[^/]";
    } else if (ch === "\\") {
      const next = pattern[++i];
      if (next !== undefined) re += `\\${next}`;
    } else if (ch === "[") {
      // A character class as in Go's filepath.Match: [^...] or [!...] negates.
      const end = pattern.indexOf("]", i + 2);
      if (end === -1) {
        re += "\\[";
      } else {
        let body = pattern.slice(i + 1, end);
        if (body.startsWith("!")) body = `^${body.slice(1)}`;
        re += `[${body.replace(/\\(?!.)/g, "\\\\")}]`;
        i = end;
      }
    } else if (REGEX_SPECIAL.has(ch) || ch === "]") {
      re += `\\${ch}`;
    } else {
      re += ch;
    }
  }
  try {
    return new RegExp(`${re}$`, "s");
  } catch {
    // A malformed class: match the pattern literally rather than fail the build.
    return new RegExp(`^${pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "s");
  }
}
