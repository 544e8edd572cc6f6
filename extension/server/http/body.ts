// Reads a request body within limits. The compressed size is checked while the bytes arrive
// and the decompressed size by zlib itself (maxOutputLength), so a gzip bomb costs at most the
// limit in memory and nothing in time on the event loop (zlib runs on the thread pool).
import type { IncomingMessage } from 'node:http';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { HttpError } from './errors';

const gunzipAsync = promisify(gunzip);

export interface BodyLimits {
  /** bytes on the wire (default 16 MiB) */
  maxBodyBytes: number;
  /** bytes after decompression (default 64 MiB) */
  maxDecompressedBytes: number;
}

export const DEFAULT_BODY_LIMITS: BodyLimits = {
  maxBodyBytes: 16 * 1024 * 1024,
  maxDecompressedBytes: 64 * 1024 * 1024,
};

const mib = (n: number) => `${Math.round((n / 1024 / 1024) * 10) / 10} MiB`;

export async function readBody(req: IncomingMessage, limits: BodyLimits): Promise<Buffer> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
  if (encoding !== 'identity' && encoding !== 'gzip') {
    throw new HttpError(415, `content-encoding "${encoding}" is not supported: send gzip or no encoding`);
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limits.maxBodyBytes) {
    discardRest(req);
    throw new HttpError(413, `body of ${mib(declared)} exceeds the ${mib(limits.maxBodyBytes)} limit`, { connection: 'close' });
  }
  const raw = await collect(req, limits.maxBodyBytes);
  if (encoding === 'identity') return raw;
  try {
    return await gunzipAsync(raw, { maxOutputLength: limits.maxDecompressedBytes });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
      throw new HttpError(413, `gzip body inflates beyond the ${mib(limits.maxDecompressedBytes)} limit`);
    }
    throw new HttpError(400, `gzip body could not be decompressed: ${(err as Error).message}`);
  }
}

function collect(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const fail = (err: Error) => {
      if (done) return;
      done = true;
      reject(err);
    };
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > max) {
        chunks.length = 0;
        fail(new HttpError(413, `body exceeds the ${mib(max)} limit`, { connection: 'close' }));
        return; // the rest is read and dropped (see discardRest)
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    });
    req.on('error', (err) => fail(new HttpError(400, `request body could not be read: ${err.message}`)));
    req.on('aborted', () => fail(new HttpError(400, 'request was aborted before its body was complete')));
  });
}

/**
 * Reads and drops the rest of a refused upload, so the client finishes sending and then reads
 * the 413 instead of failing with a broken pipe. The server's requestTimeout bounds a sender that
 * never stops; "connection: close" ends the socket afterwards.
 */
function discardRest(req: IncomingMessage): void {
  req.on('data', () => {});
  req.resume();
}
