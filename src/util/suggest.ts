/**
 * "Did you mean …?" for a misspelt key or name: the known word nearest to what was typed, when it is
 * near enough to be a typo (case, a dropped or extra letter, a plural, a swapped pair).
 */

/** Damerau-Levenshtein distance (optimal string alignment), case-insensitive. */
function distance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const d: number[][] = Array.from({ length: s.length + 1 }, (_, i) => [i, ...Array<number>(t.length).fill(0)]);
  for (let j = 1; j <= t.length; j++) d[0]![j] = j;
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[s.length]![t.length]!;
}

/** The known word closest to `typed`, or undefined when none is within a typo's reach. */
export function closestMatch(typed: string, known: readonly string[]): string | undefined {
  const reach = Math.max(1, Math.min(3, Math.floor(typed.length / 4)));
  let best: { word: string; d: number } | undefined;
  for (const word of known) {
    const d = distance(typed, word);
    if (d <= reach && (!best || d < best.d)) best = { word, d };
  }
  return best?.word;
}

/** ` Did you mean "x"?` (with its leading space), or "". */
export function didYouMean(typed: string, known: readonly string[]): string {
  const match = closestMatch(typed, known);
  return match ? ` Did you mean "${match}"?` : "";
}
