// The postmortem as Markdown, to paste into an issue or a doc. Span names and error messages are
// untrusted text: every one is escaped so it reads as itself and never as Markdown or HTML.
import type { Postmortem } from './index';
import type { SpanRef } from './analysis';
import { ms, usd } from './whys';

/** One line of plain text, safe in Markdown prose and table cells. */
export function mdText(s: string, max = 300): string {
  const one = s.replace(/\s+/g, ' ').trim();
  const cut = one.length > max ? one.slice(0, max - 1) + '…' : one;
  // inline syntax anywhere; block syntax (heading, list, quote) only matters at a line's start
  return cut.replace(/[\\`*_{}[\]<>|~&]/g, '\\$&').replace(/^([#+-])/, '\\$1').replace(/^(\d+)([.)])/, '$1\\$2');
}

function table(head: string[], rows: string[][]): string[] {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

const name = (s: SpanRef) => `${mdText(s.name)} (${s.kind})`;

export function toMarkdown(pm: Omit<Postmortem, 'markdown'>): string {
  const lines: string[] = [];
  lines.push(`# Postmortem: ${mdText(pm.trace_name)}`, '');
  lines.push(
    `Trace \`${pm.trace_id}\` · ${pm.status === 'error' ? 'failed' : 'succeeded'} · ${ms(pm.duration_ms)} · ${usd(pm.total_cost_usd)} · ${pm.span_count} spans`,
    '',
  );
  lines.push('## Five whys', '');
  pm.whys.forEach((w, i) => lines.push(`${i + 1}. **${mdText(w.why)}** ${mdText(w.because, 1000)}`));
  lines.push('');
  if (pm.root_cause) {
    lines.push('## Root cause', '', `${name(pm.root_cause)}: ${mdText(pm.root_cause.error ?? '')}`, '');
    lines.push('## Failing chain', '', pm.chain.map((s) => `${mdText(s.name)}${s.status === 'error' ? ' ✗' : ''}`).join(' → '), '');
  }
  if (pm.retries.length) {
    lines.push('## Retries', '');
    lines.push(
      ...table(
        ['span', 'under', 'attempts', 'failed', 'recovered'],
        pm.retries.map((r) => [mdText(r.name), mdText(r.parent_name ?? '(trace)'), String(r.attempts), String(r.failures), r.recovered ? 'yes' : 'no']),
      ),
      '',
    );
  }
  if (pm.critical_path.length) {
    lines.push('## Critical path', '');
    lines.push(...table(['span', 'duration', 'status'], pm.critical_path.map((s) => [name(s), ms(s.duration_ms), s.status])), '');
  }
  if (pm.expensive.length) {
    lines.push('## Most expensive spans', '');
    lines.push(
      ...table(
        ['span', 'model', 'tokens in / out', 'cost', 'share'],
        pm.expensive.map((s) => [name(s), mdText(s.model ?? '-'), `${s.input_tokens ?? '-'} / ${s.output_tokens ?? '-'}`, usd(s.cost_usd), `${Math.round(s.share * 100)}%`]),
      ),
      '',
    );
  }
  return lines.join('\n');
}
