// Which spans an evaluator looks at: by name (exact or glob), kind, and call site.
import type { Span } from '../model';
import type { SpanMatch } from './config';

const globCache = new Map<string, RegExp>();

/** `*` matches any run of characters, `?` one; everything else is literal; the whole name must match. */
export function globToRegExp(glob: string): RegExp {
  let re = globCache.get(glob);
  if (!re) {
    const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[\\s\\S]*').replace(/\?/g, '[\\s\\S]');
    re = new RegExp(`^${body}$`);
    if (globCache.size > 1000) globCache.clear();
    globCache.set(glob, re);
  }
  return re;
}

export function nameMatches(pattern: string, name: string): boolean {
  return /[*?]/.test(pattern) ? globToRegExp(pattern).test(name) : pattern === name;
}

/** `src/agent.ts` matches `/home/me/app/src/agent.ts` and `C:\app\src\agent.ts`, not `mysrc/agent.ts`. */
export function fileMatches(suffix: string, file: string | null): boolean {
  if (!file) return false;
  const path = file.replace(/\\/g, '/');
  return path === suffix || path.endsWith('/' + suffix);
}

export type MatchableSpan = Pick<Span, 'name' | 'kind' | 'code_file' | 'code_line'>;

export function spanMatches(match: SpanMatch, span: MatchableSpan): boolean {
  if (match.name && !match.name.some((p) => nameMatches(p, span.name))) return false;
  if (match.kind && !match.kind.includes(span.kind)) return false;
  if (match.file !== undefined && !fileMatches(match.file, span.code_file)) return false;
  if (match.line !== undefined && span.code_line !== match.line) return false;
  return true;
}
