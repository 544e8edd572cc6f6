// A misbehaving network between the SDK and the real collector: a local HTTP proxy (not ours)
// that fails requests as a test asks, then forwards the rest unchanged.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault = 'reset' | { status: number; retryAfter?: number };

export interface FlakyProxy {
  url: string;
  /** requests seen, in order, with what the proxy did */
  log: Array<{ path: string; outcome: string }>;
  /** the next requests get these faults, one each */
  failNext(...faults: Fault[]): void;
  /** a request whose body contains this text is answered 400 (a span the collector would refuse) */
  refuseBodiesContaining(text: string | null): void;
  /** every request fails like this until cleared */
  failAlways(fault: Fault | null): void;
  close(): Promise<void>;
}

export async function startFlakyProxy(target: string): Promise<FlakyProxy> {
  const pending: Fault[] = [];
  let always: Fault | null = null;
  let poison: string | null = null;
  const log: FlakyProxy['log'] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const path = req.url ?? '/';
      const fault = pending.shift() ?? always;
      if (fault === 'reset') {
        log.push({ path, outcome: 'reset' });
        req.socket.destroy();
        return;
      }
      if (fault) {
        log.push({ path, outcome: String(fault.status) });
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
        res.writeHead(fault.status, headers).end(JSON.stringify({ error: `injected ${fault.status}` }));
        return;
      }
      if (poison && body.includes(poison)) {
        log.push({ path, outcome: '400' });
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `spans[0].name: contains ${poison}` }));
        return;
      }
      const forward = http.request(target + path, { method: req.method, headers: { ...req.headers, host: new URL(target).host } }, (answer) => {
        log.push({ path, outcome: String(answer.statusCode) });
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      forward.on('error', () => res.writeHead(502).end());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    failNext: (...faults) => pending.push(...faults),
    refuseBodiesContaining: (text) => (poison = text),
    failAlways: (fault) => (always = fault),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
