// Prompts kept in StackLens (seed 001 prompts.get): the collector serves them per environment.
import { currentConfig, describe } from './config';
import { ApiError, AuthError, ValidationError } from './errors';
import { reason, send, type Reply } from './transport';

export type PromptEnv = 'dev' | 'staging' | 'production';
const ENVS: readonly string[] = ['dev', 'staging', 'production'];

/** Fetches the active text of a prompt for an environment (default production). */
async function get(name: string, options: { env?: PromptEnv } = {}): Promise<string> {
  if (typeof name !== 'string' || name === '') throw new ValidationError('name', `prompts.get(): the prompt name must be a non-empty string, got ${describe(name)}.`);
  const env = options?.env ?? 'production';
  if (!ENVS.includes(env)) throw new ValidationError('env', `prompts.get(): env must be one of ${ENVS.join(', ')}, got ${describe(env)}.`);
  const config = currentConfig();
  const base = config.endpoint.href.endsWith('/') ? config.endpoint.href : config.endpoint.href + '/';
  const url = new URL(`api/v1/prompts/${encodeURIComponent(name)}?env=${env}`, base);
  let reply: Reply;
  try {
    reply = await send({ method: 'GET', url, apiKey: config.apiKey, timeoutMs: config.export.timeoutMs });
  } catch (error) {
    throw new ApiError(0, `Could not fetch prompt ${JSON.stringify(name)}: the StackLens collector at ${config.endpoint.origin} did not answer (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}). Is it running?`, { cause: error });
  }
  if (reply.status === 401 || reply.status === 403) {
    throw new AuthError(`The StackLens collector at ${config.endpoint.origin} refused the API key while fetching prompt ${JSON.stringify(name)} (HTTP ${reply.status}: ${reason(reply)}). Check STACKLENS_API_KEY or configure({ apiKey }).`, reply.status);
  }
  if (reply.status === 404) {
    throw new ApiError(404, `No prompt ${JSON.stringify(name)} for env ${env} on the StackLens collector at ${config.endpoint.origin} (${reason(reply)}). Add it to the collector's prompts folder, or check the name and env.`);
  }
  if (reply.status < 200 || reply.status >= 300) {
    throw new ApiError(reply.status, `Fetching prompt ${JSON.stringify(name)} failed: the StackLens collector answered HTTP ${reply.status}: ${reason(reply)}`);
  }
  let text: unknown;
  try {
    text = (JSON.parse(reply.body) as { text?: unknown }).text;
  } catch {
    text = undefined;
  }
  if (typeof text !== 'string') {
    throw new ApiError(reply.status, `The StackLens collector's answer for prompt ${JSON.stringify(name)} has no "text" string; is ${config.endpoint.origin} a StackLens collector?`);
  }
  return text;
}

export const prompts = { get };
