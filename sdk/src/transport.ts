// One HTTP request to the collector with node:http(s): no dependency, keep-alive sockets that
// do not hold the process open when idle (Node unrefs free keep-alive sockets).
import http from 'node:http';
import https from 'node:https';

const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 4 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 4 }),
};

export interface Reply {
  status: number;
  /** seconds, from a Retry-After header */
  retryAfter: number | null;
  body: string;
}

export interface RequestOptions {
  method: 'GET' | 'POST';
  url: URL;
  apiKey: string | null;
  body?: string;
  timeoutMs: number;
  /** the request does not keep the process alive (a background look-up a short script need not wait for) */
  unref?: boolean;
}

/** Resolves with any HTTP answer; rejects only when no answer came (refused, reset, timed out). */
export function send({ method, url, apiKey, body, timeoutMs, unref }: RequestOptions): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (apiKey) headers.authorization = `Bearer ${apiKey}`;
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const module = url.protocol === 'https:' ? https : http;
    const request = module.request(url, { method, headers, agent: agents[url.protocol as 'http:' | 'https:'] }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const retryAfter = Number(response.headers['retry-after']);
        resolve({ status: response.statusCode ?? 0, retryAfter: Number.isFinite(retryAfter) ? retryAfter : null, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    if (unref) request.on('socket', (socket) => socket.unref());
    request.setTimeout(timeoutMs, () => request.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    request.on('error', reject);
    request.end(body);
  });
}

/** The one-line reason of an error answer: the collector's `error` field, or the body itself. */
export function reason(reply: Reply): string {
  try {
    const parsed = JSON.parse(reply.body) as { error?: unknown; message?: unknown };
    const text = parsed.error ?? parsed.message;
    if (typeof text === 'string' && text) return text;
  } catch {
    /* not JSON */
  }
  const body = reply.body.trim().replace(/\s+/g, ' ');
  return body ? body.slice(0, 300) : `HTTP ${reply.status}`;
}
