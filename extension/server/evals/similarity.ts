// Lexical similarity between an answer and the expected one: no model, no network, same result
// every time. Both measures read the texts as bags of normalised words (docs/evals.md).

const ARTICLES = new Set(['a', 'an', 'the']);

/** Lower-cased runs of letters and digits (any script), English articles dropped (as SQuAD's F1). */
export function words(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => !ARTICLES.has(w));
}

function counts(list: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const w of list) m.set(w, (m.get(w) ?? 0) + 1);
  return m;
}

/**
 * Token F1 (SQuAD): overlap of the two word bags, counted with multiplicity; the harmonic mean of
 * precision (shared / answer words) and recall (shared / expected words). 1 for two empty texts.
 */
export function tokenF1(answer: string, expected: string): number {
  const a = words(answer);
  const e = words(expected);
  if (a.length === 0 || e.length === 0) return a.length === e.length ? 1 : 0;
  const want = counts(e);
  let shared = 0;
  for (const w of a) {
    const n = want.get(w) ?? 0;
    if (n > 0) {
      shared++;
      want.set(w, n - 1);
    }
  }
  if (shared === 0) return 0;
  const precision = shared / a.length;
  const recall = shared / e.length;
  return (2 * precision * recall) / (precision + recall);
}

/** Cosine of the two term-frequency vectors. 1 for two empty texts. */
export function cosineSimilarity(answer: string, expected: string): number {
  const a = counts(words(answer));
  const e = counts(words(expected));
  if (a.size === 0 || e.size === 0) return a.size === e.size ? 1 : 0;
  let dot = 0;
  for (const [w, n] of a) dot += n * (e.get(w) ?? 0);
  const norm = (m: Map<string, number>) => Math.sqrt([...m.values()].reduce((s, n) => s + n * n, 0));
  return dot / (norm(a) * norm(e));
}
