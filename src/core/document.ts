/**
 * A result whose --json document is not the whole result. `run` (src/cli/run.ts) prints
 * `JSON.stringify(result)`, and JSON.stringify asks a value that has a `toJSON` method for its JSON form
 * (https://tc39.es/ecma262/#sec-serializejsonproperty). So a result can carry every fact its printer needs
 * (the file a line names, whether .env changed) while its documented --json shape stays as it is.
 */

/**
 * Gives `result` the --json document `document(result)`. The `toJSON` it adds is not enumerable: spreading,
 * comparing or listing the result's keys does not see it, and a spread copy serializes in full.
 */
export function withJsonDocument<R extends object>(result: R, document: (result: R) => unknown): R {
  Object.defineProperty(result, "toJSON", { value: () => document(result), enumerable: false });
  return result;
}
