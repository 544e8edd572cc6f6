// Five whys, written from the facts: for a failed trace they follow the failure down to its root
// cause, then ask why nothing recovered it and where the time and money went; for a trace that
// only cost too much they follow the money.
import type { TraceSummary } from '../model';
import type { SpanRef, TraceFacts } from './analysis';

export interface Why {
  why: string;
  because: string;
  /** the span the answer points at, for "go to span" */
  span_id: string | null;
}

export function usd(n: number | null): string {
  if (n === null) return 'unpriced';
  if (n === 0) return '$0';
  return n >= 0.01 ? `$${n.toFixed(4).replace(/0{1,2}$/, '')}` : `$${Number(n.toPrecision(3)).toFixed(12).replace(/0+$/, '')}`;
}

export function ms(n: number): string {
  return n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${Math.round(n)} ms`;
}

const pct = (share: number) => `${Math.round(share * 100)}%`;
const q = (s: string) => `"${s}"`;

function failureWhys(trace: TraceSummary, f: TraceFacts): Why[] {
  const cause = f.root_cause!;
  const chain = f.chain;
  const whys: Why[] = [];
  const root = chain[0];
  if (chain.length > 1) {
    const step = chain[1];
    whys.push({
      why: `Why did ${q(root.name)} fail?`,
      because: `Its ${step.kind} step ${q(step.name)} ${step.status === 'error' ? `failed: ${step.error}` : 'held the failure below it'}.`,
      span_id: step.span_id,
    });
    if (chain.length > 2) {
      const between = chain.slice(2, -1);
      whys.push({
        why: `Why did ${q(step.name)} fail?`,
        because: between.length
          ? `The failure came up from ${q(cause.name)} through ${between.map((s) => q(s.name)).join(' → ')}.`
          : `Its ${cause.kind} step ${q(cause.name)} failed.`,
        span_id: cause.span_id,
      });
    }
  }
  const detail = [cause.model ? `model ${cause.model}` : null, `after ${ms(cause.duration_ms)}`].filter(Boolean).join(', ');
  whys.push({
    why: `Why did ${q(cause.name)} fail?`,
    because: `It is the deepest failed span, the root cause (${cause.kind}, ${detail}): ${cause.error}.`,
    span_id: cause.span_id,
  });

  // the retried step closest to the root cause: the cause itself, or one of the spans above it
  const upward = [...chain].reverse();
  const own = upward.map((s) => f.retries.find((r) => r.span_ids.includes(s.span_id))).find((r) => r !== undefined);
  let recovery: string;
  if (own) {
    const outcome = own.recovered ? `, then an attempt succeeded${trace.status === 'error' ? ', yet the run still failed' : ''}` : ', none succeeded';
    recovery = `${q(own.name)} was tried ${own.attempts} times under ${q(own.parent_name ?? 'the trace')}: ${own.failures} failed${outcome}.`;
  } else if (f.retries.length) {
    const r = f.retries[0];
    recovery = `${q(cause.name)} was not retried. Elsewhere ${q(r.name)} was tried ${r.attempts} times (${r.failures} failed${r.recovered ? ', then recovered' : ''}).`;
  } else {
    recovery = `Nothing retried it: ${q(cause.name)} ran once and its failure went up${root && root.span_id !== cause.span_id ? ` to ${q(root.name)}` : ''}.`;
  }
  whys.push({ why: 'Why was the failure not recovered?', because: recovery, span_id: own?.span_ids[own.span_ids.length - 1] ?? cause.span_id });
  whys.push(whereItWent(trace, f));
  return whys;
}

function whereItWent(trace: TraceSummary, f: TraceFacts): Why {
  const path = f.critical_path;
  const slowest = path.slice(1).reduce<SpanRef | null>((best, s) => (!best || s.duration_ms > best.duration_ms ? s : best), null);
  const time = path.length
    ? `The critical path ran ${path.map((s) => q(s.name)).join(' → ')}${slowest ? `; its longest step was ${q(slowest.name)} (${ms(slowest.duration_ms)})` : ''}.`
    : '';
  const top = f.expensive[0];
  const money = top ? ` The most expensive span was ${q(top.name)} (${usd(top.cost_usd)}, ${pct(top.share)} of the trace).` : ' No span reported a cost.';
  return { why: `Why did it take ${ms(trace.duration_ms)} and cost ${usd(trace.total_cost_usd)}?`, because: (time + money).trim(), span_id: slowest?.span_id ?? top?.span_id ?? null };
}

function costWhys(trace: TraceSummary, f: TraceFacts): Why[] {
  const unpriced = trace.unpriced_call_count > 0 ? ` (a lower bound: ${trace.unpriced_call_count} call(s) have no price)` : '';
  const top = f.expensive[0];
  const whys: Why[] = [];
  if (!top) {
    whys.push({ why: `Why did ${q(trace.name)} cost ${usd(trace.total_cost_usd)}?`, because: `No span reported a cost${unpriced}.`, span_id: null });
  } else {
    whys.push({
      why: `Why did ${q(trace.name)} cost ${usd(trace.total_cost_usd)}${unpriced}?`,
      because: `${q(top.name)} cost ${usd(top.cost_usd)}, ${pct(top.share)} of the trace${f.expensive.length > 1 ? `; the ${Math.min(3, f.expensive.length)} dearest spans made ${pct(f.expensive.slice(0, 3).reduce((s, e) => s + e.share, 0))}` : ''}.`,
      span_id: top.span_id,
    });
    whys.push({
      why: `Why did ${q(top.name)} cost ${usd(top.cost_usd)}?`,
      because: `It sent ${top.input_tokens ?? '?'} input and received ${top.output_tokens ?? '?'} output tokens${top.model ? ` on ${top.model}` : ''}.`,
      span_id: top.span_id,
    });
  }
  const retried = f.retries.reduce((n, r) => n + r.failures, 0);
  whys.push({
    why: `Why were there ${trace.llm_call_count} model call(s)?`,
    because: retried ? `${retried} failed attempt(s) were retried (${f.retries.map((r) => `${q(r.name)} ×${r.attempts}`).join(', ')}).` : `No call was a retry: each was a separate step of the run.`,
    span_id: f.retries[0]?.span_ids[0] ?? null,
  });
  whys.push(whereItWent(trace, f));
  return whys;
}

export function fiveWhys(trace: TraceSummary, f: TraceFacts): Why[] {
  return (f.root_cause ? failureWhys(trace, f) : costWhys(trace, f)).slice(0, 5);
}
