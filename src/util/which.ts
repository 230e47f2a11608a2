/** Finding an executable on PATH, as a shell would. */
import { accessSync, constants } from "node:fs";
import path from "node:path";

/** The full path of `name` from PATH (a name with a slash is taken as it is), or undefined when PATH has none. */
export function which(name: string, env: NodeJS.ProcessEnv): string | undefined {
  if (name.includes("/")) return name;
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
