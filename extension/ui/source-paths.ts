// Spans name their source file as the traced program saw it: maybe this machine's absolute path,
// maybe a container's (/app/src/agent.ts), another machine's, a Windows path, or a relative one.
// These rules decide which open document a span belongs to and which file "Go to source" opens.
import path from 'node:path';

/** Forward slashes, no file:// scheme, lower-case drive letter, no ./ or trailing slash. */
export function normalizePath(p: string): string {
  let s = p.trim();
  if (/^file:\/\//i.test(s)) {
    s = s.replace(/^file:\/\//i, '');
    try {
      s = decodeURIComponent(s);
    } catch {
      // malformed %-escapes in a span's path: keep it as written rather than fail every lens
    }
    if (/^\/[A-Za-z]:/.test(s)) s = s.slice(1); // file:///C:/x
  }
  s = s.replace(/\\/g, '/');
  if (/^[A-Za-z]:/.test(s)) s = s[0].toLowerCase() + s.slice(1);
  const absolute = s.startsWith('/');
  s = path.posix.normalize(s);
  if (s.length > 1 && s.endsWith('/')) s = s.slice(0, -1);
  if (!absolute && s.startsWith('./')) s = s.slice(2);
  return s === '.' ? '' : s;
}

export function isAbsolutePath(p: string): boolean {
  return p.startsWith('/') || /^[a-z]:\//i.test(p);
}

/** Windows file systems ignore case; paths with a drive letter are compared that way. */
function samePath(a: string, b: string): boolean {
  if (/^[a-z]:\//i.test(a) || /^[a-z]:\//i.test(b)) return a.toLowerCase() === b.toLowerCase();
  return a === b;
}

/** The document's path relative to the deepest workspace folder that contains it, or null. */
export function workspaceRelative(docPath: string, folders: readonly string[]): string | null {
  const doc = normalizePath(docPath);
  let best: string | null = null;
  for (const folder of folders) {
    const root = normalizePath(folder);
    const prefix = root.endsWith('/') ? root : `${root}/`;
    const inside = /^[a-z]:\//i.test(doc) ? doc.toLowerCase().startsWith(prefix.toLowerCase()) : doc.startsWith(prefix);
    if (inside) {
      const rel = doc.slice(prefix.length);
      if (best === null || rel.length < best.length) best = rel;
    }
  }
  return best;
}

/**
 * Does a span's code file denote this document? The same path, or — for paths recorded on other
 * machines, in containers, or relative to the program's working folder — a path that ends with
 * the document's workspace-relative path (/app/src/agent.ts ~ <workspace>/src/agent.ts).
 */
export function matchesDocument(spanFile: string, docPath: string, folders: readonly string[]): boolean {
  const span = normalizePath(spanFile);
  const doc = normalizePath(docPath);
  if (!span) return false;
  if (samePath(span, doc)) return true;
  const rel = workspaceRelative(doc, folders);
  if (!rel) return false;
  if (isAbsolutePath(span)) return endsWithSegments(span, rel);
  return samePath(span, rel) || endsWithSegments(rel, span);
}

function endsWithSegments(full: string, suffix: string): boolean {
  const a = /^[a-z]:\//i.test(full) ? full.toLowerCase() : full;
  const b = /^[a-z]:\//i.test(full) ? suffix.toLowerCase() : suffix;
  return a.endsWith(`/${b}`);
}

/**
 * The file on this machine that a span's code file denotes: the path itself when it exists,
 * else the longest trailing part of it that exists under a workspace folder. null when none does.
 */
export async function resolveSourceFile(
  spanFile: string,
  folders: readonly string[],
  exists: (file: string) => Promise<boolean>,
): Promise<string | null> {
  const span = normalizePath(spanFile);
  if (!span) return null;
  if (isAbsolutePath(span) && (await exists(span))) return span;
  // a span's path never leads out of a workspace folder: ".." segments are dropped
  const segments = span.split('/').filter((s) => s.length > 0 && s !== '..' && s !== '.' && !/^[a-z]:$/i.test(s));
  for (let i = 0; i < segments.length; i++) {
    const tail = segments.slice(i).join('/');
    for (const folder of folders) {
      const root = normalizePath(folder);
      const candidate = path.posix.join(root, tail);
      if (!candidate.startsWith(root.endsWith('/') ? root : root + '/')) continue;
      if (await exists(candidate)) return candidate;
    }
  }
  return null;
}
