// Who may talk to the collector. It listens on loopback only, but a browser on this machine can
// still reach loopback: the Host check stops DNS rebinding, the Origin check stops pages from
// posting cross-origin, and the bearer token stops everything else that has not been given it.
import type { IncomingMessage } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { HttpError } from './errors';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export function hostName(hostHeader: string): string {
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1).toLowerCase();
  const colon = hostHeader.lastIndexOf(':');
  return (colon === -1 ? hostHeader : hostHeader.slice(0, colon)).toLowerCase();
}

export function checkHost(req: IncomingMessage): void {
  const host = req.headers.host;
  if (!host) throw new HttpError(400, 'the Host header is missing');
  if (!LOOPBACK_HOSTS.has(hostName(host))) {
    throw new HttpError(403, `Host "${host}" is not a loopback name: use 127.0.0.1 or localhost`);
  }
}

export function checkOrigin(req: IncomingMessage, port: number): void {
  const origin = req.headers.origin;
  if (origin === undefined) return;
  const allowed = [`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`];
  if (!allowed.includes(origin.toLowerCase())) {
    throw new HttpError(403, `requests from the web origin "${origin}" are refused: the collector serves local programs, not web pages`);
  }
}

export function checkToken(req: IncomingMessage, token: string): void {
  const header = req.headers.authorization;
  if (!header) {
    throw new HttpError(401, 'missing "Authorization: Bearer <token>": the token is in STACKLENS_API_KEY of StackLens terminals, or printed by `stacklens serve`', {
      'www-authenticate': 'Bearer realm="stacklens"',
    });
  }
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!match || !sameSecret(match[1].trim(), token)) {
    throw new HttpError(401, 'the bearer token is not this collector\'s token', { 'www-authenticate': 'Bearer realm="stacklens", error="invalid_token"' });
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
