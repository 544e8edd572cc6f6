// Who holds a port: nobody, a StackLens collector (another window, or `stacklens serve`), or some
// other program. GET /healthz needs no token, so this works before we know whose token is in use.
import { requestLocal, CollectorHttpError } from './http-collector';

export type PortHolder =
  | { kind: 'free' }
  | { kind: 'stacklens'; version: string | null }
  | { kind: 'foreign'; detail: string };

export async function probePort(port: number, timeoutMs = 1500): Promise<PortHolder> {
  try {
    const answer = await requestLocal(port, 'GET', '/healthz', { timeoutMs });
    if (answer.statusCode === 200) {
      try {
        const json = JSON.parse(answer.body) as { service?: unknown; version?: unknown };
        if (json.service === 'stacklens') return { kind: 'stacklens', version: typeof json.version === 'string' ? json.version : null };
      } catch {
        // a 200 that is not our JSON: someone else's server
      }
    }
    // A collector that wants its token even for /healthz still names itself in the challenge.
    if (answer.statusCode === 401 && /realm="stacklens"/.test(String(answer.headers['www-authenticate'] ?? ''))) {
      return { kind: 'stacklens', version: null };
    }
    return { kind: 'foreign', detail: `it answers GET /healthz with HTTP ${answer.statusCode}, not as StackLens` };
  } catch (err) {
    if (err instanceof CollectorHttpError && err.code === 'ECONNREFUSED') return { kind: 'free' };
    return { kind: 'foreign', detail: `it does not speak HTTP like StackLens (${(err as Error).message})` };
  }
}
