// The program the person runs from the integrated terminal: plain Node, the real SDK (linked into
// the workspace's node_modules the way the fixture's `file:` dependency installs it), configured
// only by the STACKLENS_* variables the extension puts into terminals. Each run is one trace
// with a retrieval and an LLM call, so the panel has a waterfall to replay.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './tools';

export const PROGRAM_FILE = 'answer-questions.cjs';
export const TRACE_NAME = 'support-agent';
export const LLM_SPAN_NAME = 'draft-answer';
export const COMPLETION = 'Refunds reach your card within 5 working days.';
export const QUESTIONS = ['How long do refunds take?', 'Do you ship to Norway?', 'Is the warranty transferable?'];

const source = `// Answers support questions; every answer is traced to StackLens (see the CodeLens above the calls).
const { startTrace, span, shutdown } = require('stacklens');

async function answer(question) {
  return startTrace('${TRACE_NAME}', async (run) => {
    run.setAttribute('question', question);
    const docs = await span('search-docs', async (s) => {
      s.setKind('retrieval');
      await new Promise((resolve) => setTimeout(resolve, 40));
      return ['refunds.md', 'shipping.md'];
    });
    return span('${LLM_SPAN_NAME}', async (s) => {
      await new Promise((resolve) => setTimeout(resolve, 120));
      const completion = ${JSON.stringify(COMPLETION)};
      s.recordLlm({ model: 'gpt-4o-mini', provider: 'openai', inputTokens: 420, outputTokens: 96, prompt: question + '\\n' + docs.join(', '), completion });
      return completion;
    });
  });
}

(async () => {
  for (const question of ${JSON.stringify(QUESTIONS)}) await answer(question);
  await shutdown();
  console.log('answered ${QUESTIONS.length} questions, traced to ' + process.env.STACKLENS_ENDPOINT);
})();
`;

/** Writes the program into the workspace and links the SDK; returns the program's lines. */
export function writeTracedProgram(workspace: string): string[] {
  writeFileSync(path.join(workspace, PROGRAM_FILE), source);
  mkdirSync(path.join(workspace, 'node_modules'), { recursive: true });
  symlinkSync(path.join(repoRoot, 'sdk'), path.join(workspace, 'node_modules', 'stacklens'), 'dir');
  return source.split('\n');
}

/** The 1-based line holding `text` (the line a call site is recorded at). */
export function lineOf(lines: string[], text: string): number {
  const index = lines.findIndex((line) => line.includes(text));
  if (index < 0) throw new Error(`${PROGRAM_FILE} has no line with ${text}`);
  return index + 1;
}
