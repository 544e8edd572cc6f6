// Deterministic GenAI content for every benchmark: prompts, completions and attributes of the
// size real chat calls carry (~1 KB of message text per span, as in DESIGN.md "Scale"). A seeded
// generator keeps runs comparable; a pool of texts keeps generating a million spans cheap, and a
// per-span suffix keeps each text distinct so a store that hashes content cannot dedupe them away.

const WORDS = (
  'the invoice pipeline agent retrieves customer records validates totals against ledger entries ' +
  'summarises anomalies for review rate limits apply per token retries use exponential backoff ' +
  'refresh tokens rotate on every use the prior token stays valid for a grace window to absorb ' +
  'races shed load at the proxy before paging budget breach webhook fires automatically cache ' +
  'hit ratio latency percentile embedding vector similarity threshold chunk overlap document ' +
  'section heading table figure reference answer citation source confidence tool call result'
).split(' ');

/** mulberry32: small, fast, good enough to vary benchmark data reproducibly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function sentence(random: () => number, chars: number): string {
  const words: string[] = [];
  let length = 0;
  while (length < chars) {
    const word = WORDS[Math.floor(random() * WORDS.length)];
    words.push(word);
    length += word.length + 1;
  }
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1, chars - 1) + '.';
}

export const MODELS = [
  { model: 'gpt-4o-mini', provider: 'openai' },
  { model: 'gpt-4o', provider: 'openai' },
  { model: 'claude-sonnet-4-5', provider: 'anthropic' },
  { model: 'claude-haiku-4-5', provider: 'anthropic' },
  { model: 'gemini-2.5-flash', provider: 'gemini' },
] as const;

export const TAGS = ['production', 'staging', 'support', 'rag-pipeline', 'summarisation', 'eval', 'nightly', 'canary'];

const POOL = 256;
const random = seededRandom(42);
const systemPrompts = Array.from({ length: 16 }, () => sentence(random, 240));
const userPrompts = Array.from({ length: POOL }, () => sentence(random, 300));
const completions = Array.from({ length: POOL }, () => sentence(random, 420));

/** ~600 bytes: the chat messages of a call, as gen_ai.input.messages JSON (GenAI semconv parts). */
export function inputMessages(i: number): string {
  return JSON.stringify([
    { role: 'system', parts: [{ type: 'text', content: systemPrompts[i % systemPrompts.length] }] },
    { role: 'user', parts: [{ type: 'text', content: `${userPrompts[i % POOL]} #${i}` }] },
  ]);
}

/** ~500 bytes: the answer, as gen_ai.output.messages JSON. */
export function outputMessages(i: number): string {
  return JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: `${completions[(i * 7) % POOL]} #${i}` }], finish_reason: 'stop' }]);
}

/** The plain prompt / completion text of span i (SDK and store sections). */
export function promptText(i: number): string {
  return `${systemPrompts[i % systemPrompts.length]}\n\n${userPrompts[i % POOL]} #${i}`;
}
export function completionText(i: number): string {
  return `${completions[(i * 7) % POOL]} #${i}`;
}

/** Source files of the app under trace: call sites for CodeLens aggregates. */
export const CODE_FILES = Array.from({ length: 40 }, (_, i) => `/home/dev/app/src/agents/${['planner', 'retriever', 'writer', 'grader', 'router'][i % 5]}-${i}.ts`);
