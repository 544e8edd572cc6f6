// Prompts served by GET /api/v1/prompts/:name?env=… (seed 001 `prompts.get`). Locally they are
// plain files, so they live in the repository beside the code that uses them:
//   <dir>/<name>.<env>.md|txt   — one per environment
//   <dir>/<name>.md|txt         — any environment without its own file
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { HttpError } from './http/errors';

export const PROMPT_ENVS = ['dev', 'staging', 'production'] as const;
export type PromptEnv = (typeof PROMPT_ENVS)[number];

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export async function readPrompt(dir: string | undefined, name: string, env: string): Promise<{ name: string; env: PromptEnv; text: string; file: string }> {
  if (!NAME.test(name) || name.includes('..')) {
    throw new HttpError(400, `prompt name "${name}" may only hold letters, digits, ".", "_" and "-"`);
  }
  if (!PROMPT_ENVS.includes(env as PromptEnv)) throw new HttpError(400, `env: "${env}" must be one of ${PROMPT_ENVS.join(', ')}`);
  if (!dir) throw new HttpError(404, `prompt "${name}" not found: this collector has no prompts folder (start it with --prompts DIR)`);
  const candidates = [`${name}.${env}.md`, `${name}.${env}.txt`, `${name}.md`, `${name}.txt`];
  for (const file of candidates) {
    const full = path.join(dir, file);
    try {
      return { name, env: env as PromptEnv, text: await readFile(full, 'utf8'), file: full };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  throw new HttpError(404, `prompt "${name}" for env "${env}" not found: looked for ${candidates.join(', ')} in ${dir}`);
}
