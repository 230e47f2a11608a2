/** Where a project's config lives and its format version: no zod here, the everyday call reads these. */
export const CONFIG_FILE_NAME = ".agentcore.json";
export const CONFIG_VERSION = 1;
