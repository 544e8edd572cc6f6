// Spans that carry no code location (OpenTelemetry exporters, other SDKs) can still get a lens:
// where the source calls something with the span's name as a literal first argument —
// trace("document-summary", …), startTrace('agent-run', …), start_as_current_span("rag") —
// that line is where the span comes from.

export interface NamedCall {
  /** 0-based line */
  line: number;
  /** 0-based column of the callee's first character */
  column: number;
  name: string;
  callee: string;
}

// callee( "literal" — the literal in ", ' or ` quotes, no newline inside, escapes allowed.
// Template literals with ${…} are not names, so they are skipped below.
const CALL_WITH_LITERAL = /([A-Za-z_$][\w$]*)\s*\(\s*(?:name\s*=\s*)?(["'`])((?:\\.|(?!\2)[^\\\r\n])*)\2/g;

/**
 * Callees that open spans in the SDKs we know of (trace, startTrace, span, traced,
 * startActiveSpan, start_as_current_span, observe, workflow/task/agent/tool decorators).
 * console.log("agent-run") names the span too, but is not where it comes from.
 */
export const TRACING_CALLEE = /trace|span|observe|workflow|task|agent|tool|step/i;

/**
 * The calls in `text` whose first argument is one of `names`, at most one per line (the first).
 * One pass over the text whatever the number of names.
 */
export function findNamedCalls(text: string, names: ReadonlySet<string>, callee: RegExp = TRACING_CALLEE): NamedCall[] {
  if (names.size === 0) return [];
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const found: NamedCall[] = [];
  let lastLine = -1;
  CALL_WITH_LITERAL.lastIndex = 0;
  for (let m = CALL_WITH_LITERAL.exec(text); m; m = CALL_WITH_LITERAL.exec(text)) {
    const [, calleeName, quote, raw] = m;
    if (!callee.test(calleeName)) continue;
    if (quote === '`' && raw.includes('${')) continue;
    const name = unescape(raw);
    if (!names.has(name)) continue;
    const line = lineAt(lineStarts, m.index);
    if (line === lastLine) continue;
    lastLine = line;
    found.push({ line, column: m.index - lineStarts[line], name, callee: calleeName });
  }
  return found;
}

function unescape(raw: string): string {
  return raw.includes('\\') ? raw.replace(/\\(.)/g, '$1') : raw;
}

function lineAt(lineStarts: number[], offset: number): number {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
