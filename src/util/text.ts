/** The trimmed value, or undefined when it is missing or blank (an empty env variable means "not set"). */
export function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== "" ? value.trim() : undefined;
}
