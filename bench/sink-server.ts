// The ceiling and the discarding endpoint: a bare Node HTTP server on 127.0.0.1 that reads each
// body and parses it (JSON.parse, or protobuf decode with the same protobufjs schema the collector
// uses), counts the spans and throws them away. Against it, the collector's rate shows what
// everything beyond reading and parsing costs; the SDK section exports to it so that neither SDK
// pays for a real backend. First line printed: `sink listening on http://127.0.0.1:PORT`.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ExportTraceServiceRequest } from '../extension/server/ingest/otlp-schema';

interface OtlpShape {
  resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: unknown[] }> }>;
}

const counts = { requests: 0, spans: 0 };

function countOtlp(request: OtlpShape): number {
  let n = 0;
  for (const rs of request.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) n += ss.spans?.length ?? 0;
  return n;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function answer(res: ServerResponse, status: number, body: string | Buffer, type = 'application/json'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method === 'GET' && path === '/counts') return answer(res, 200, JSON.stringify(counts));
  if (req.method !== 'POST') return answer(res, 405, '{"error":"POST only"}');
  const body = await readBody(req);
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim();
  counts.requests++;
  if (path === '/v1/traces') {
    if (type === 'application/x-protobuf') {
      counts.spans += countOtlp(ExportTraceServiceRequest.decode(body) as unknown as OtlpShape);
      return answer(res, 200, Buffer.alloc(0), 'application/x-protobuf');
    }
    counts.spans += countOtlp(JSON.parse(body.toString('utf8')) as OtlpShape);
    return answer(res, 200, '{"partialSuccess":{}}');
  }
  if (path === '/api/v1/spans') {
    // the simple span form: answer with ids like the collector, since the SDK may read them
    const parsed = JSON.parse(body.toString('utf8')) as { spans?: Array<{ trace_id?: string; span_id?: string }>; trace_id?: string; span_id?: string };
    if (Array.isArray(parsed.spans)) {
      counts.spans += parsed.spans.length;
      return answer(res, 200, JSON.stringify({ trace_ids: parsed.spans.map((s) => s.trace_id ?? ''), span_ids: parsed.spans.map((s) => s.span_id ?? '') }));
    }
    counts.spans += 1;
    return answer(res, 200, JSON.stringify({ trace_id: parsed.trace_id ?? '', span_id: parsed.span_id ?? '' }));
  }
  return answer(res, 404, `{"error":"no route ${path}"}`);
}

const server = createServer((req, res) => {
  handle(req, res).catch((err: Error) => answer(res, 400, JSON.stringify({ error: err.message })));
});
server.keepAliveTimeout = 30_000;
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  process.stdout.write(`sink listening on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
process.on('disconnect', () => process.exit(0));
