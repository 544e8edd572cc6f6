// A span while the user's code runs: what it records, and the cost and call count it rolls up
// from its descendants as they end (seed 004). It becomes the simple span form of
// docs/simple-span-format.md only at export.
import type { CallSiteCapture } from './call-site';
import { describe } from './config';
import { ValidationError } from './errors';
import { exportScore, exportSpan, type ScoreRecord } from './exporter';
import { newSpanId, newTraceId } from './ids';
import { attributeValue, llmRecord, spanKind, status as checkStatus, tagList, type AttributeValue, type Attributes, type LlmCall, type LlmRecord, type SpanKind } from './validate';

export interface CostShare {
  model: string;
  /** what the SDK knows this model cost (calls reported with costUsd) */
  costUsd: number;
  /** share of the span's known cost, in percent with one decimal */
  pct: number;
  calls: number;
}

export interface ScoreOptions {
  reason?: string;
  label?: string;
}

/** The handle passed to startTrace / span callbacks. */
export interface Span {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | null;
  readonly name: string;
  /** Attaches an LLM call's metadata (seed 001 record_llm); a second call replaces the first. */
  recordLlm(call: LlmCall): this;
  setAttribute(key: string, value: AttributeValue | undefined): this;
  addTag(...tags: string[]): this;
  setStatus(status: 'ok' | 'error', message?: string): this;
  setKind(kind: SpanKind): this;
  addEvent(name: string, attributes?: Attributes): this;
  /** Posts a score for this span (an eval result, user feedback). */
  score(name: string, value: number, options?: ScoreOptions): this;
  /**
   * Cost of this span and of its descendants that have ended, as far as the SDK knows it: calls
   * recorded with costUsd. Calls without it count 0 here (the collector prices them from tokens).
   */
  readonly totalCostUsd: number;
  /** LLM calls in this span and its ended descendants */
  readonly callCount: number;
  /** of those, the calls whose cost the SDK does not know */
  readonly unpricedCallCount: number;
  /** Known cost per model, most expensive first (seed 004 cost_breakdown). */
  costBreakdown(): CostShare[];
}

interface ModelTotal {
  costUsd: number;
  calls: number;
}

export interface SpanEvent {
  name: string;
  time: number;
  attributes: Attributes;
}

const timeOrigin = performance.timeOrigin;

/** epoch milliseconds with sub-millisecond precision */
export function now(): number {
  return timeOrigin + performance.now();
}

export class ActiveSpan implements Span {
  startTime = now();
  endTime: number | null = null;
  kind: SpanKind | null = null;
  status: 'ok' | 'error' | null = null;
  statusMessage: string | null = null;
  attributes: Attributes | null = null;
  tags: string[] | null = null;
  events: SpanEvent[] | null = null;
  llm: LlmRecord | null = null;
  /** the traced function's name, when it should win over the frame's */
  codeFunction: string | null = null;
  private pendingScores: ScoreRecord[] | null = null;
  private childCostUsd = 0;
  private childCalls = 0;
  private childUnpriced = 0;
  private childModels: Map<string, ModelTotal> | null = null;

  // Ids are drawn when first read (by the caller, a child, or the exporter), so a span nobody
  // asks about before export costs no random bytes on the hot path.
  private id: string | null = null;
  private traceIdValue: string | null = null;

  constructor(
    readonly name: string,
    readonly parent: ActiveSpan | null,
    /** agent for a trace's root, internal for spans below */
    readonly defaultKind: SpanKind,
    readonly callSite: CallSiteCapture | null,
  ) {}

  get traceId(): string {
    return (this.traceIdValue ??= this.parent ? this.parent.traceId : newTraceId());
  }

  get spanId(): string {
    return (this.id ??= newSpanId());
  }

  get parentSpanId(): string | null {
    return this.parent ? this.parent.spanId : null;
  }

  get ended(): boolean {
    return this.endTime !== null;
  }

  recordLlm(call: LlmCall): this {
    this.setLlm(llmRecord(call, 'span.recordLlm()'));
    return this;
  }

  setLlm(record: LlmRecord): void {
    if (!this.ended) this.llm = record;
  }

  setAttribute(key: string, value: AttributeValue | undefined): this {
    if (value === undefined || this.ended) return this;
    (this.attributes ??= {})[key] = attributeValue(key, value, 'span.setAttribute()');
    return this;
  }

  addTag(...tags: string[]): this {
    if (this.ended) return this;
    for (const tag of tagList(tags, 'span.addTag()')) {
      const list = (this.tags ??= []);
      if (!list.includes(tag)) list.push(tag);
    }
    return this;
  }

  setStatus(status: 'ok' | 'error', message?: string): this {
    const checked = checkStatus(status, 'span.setStatus()');
    if (message !== undefined && typeof message !== 'string') {
      throw new ValidationError('message', `span.setStatus(): the message must be a string, got ${describe(message)}.`);
    }
    if (this.ended) return this;
    this.status = checked;
    this.statusMessage = message ?? null;
    return this;
  }

  setKind(kind: SpanKind): this {
    if (!this.ended) this.kind = spanKind(kind, 'span.setKind()');
    return this;
  }

  addEvent(name: string, attributes?: Attributes): this {
    if (this.ended) return this;
    if (typeof name !== 'string' || name === '') throw new ValidationError('name', `span.addEvent(): the event name must be a non-empty string, got ${describe(name)}.`);
    const checked: Attributes = {};
    for (const [key, value] of Object.entries(attributes ?? {})) checked[key] = attributeValue(key, value, 'span.addEvent()');
    (this.events ??= []).push({ name, time: now(), attributes: checked });
    return this;
  }

  /** Error status, its message, and an `exception` event (OpenTelemetry's convention). */
  recordError(error: unknown): void {
    if (this.ended) return;
    const message = error instanceof Error ? error.message : String(error);
    this.status = 'error';
    this.statusMessage = message || (error instanceof Error ? error.name : 'error');
    const attributes: Attributes = { 'exception.type': error instanceof Error ? error.name : typeof error, 'exception.message': message };
    if (error instanceof Error && typeof error.stack === 'string') attributes['exception.stacktrace'] = error.stack;
    (this.events ??= []).push({ name: 'exception', time: now(), attributes });
  }

  score(name: string, value: number, options: ScoreOptions = {}): this {
    if (typeof name !== 'string' || name === '') throw new ValidationError('name', `span.score(): the score name must be a non-empty string, got ${describe(name)}.`);
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new ValidationError('value', `span.score(): the value of score ${JSON.stringify(name)} must be a finite number, got ${describe(value)}.`);
    for (const field of ['reason', 'label'] as const) {
      const given = options?.[field];
      if (given !== undefined && typeof given !== 'string') throw new ValidationError(field, `span.score(): ${field} must be a string, got ${describe(given)}.`);
    }
    const score: ScoreRecord = { trace_id: this.traceId, span_id: this.spanId, name, value, source: 'sdk' };
    if (options?.reason !== undefined) score.reason = options.reason;
    if (options?.label !== undefined) score.label = options.label;
    // a score goes out after its span, so the collector never sees a score for an unknown span
    if (this.ended) exportScore(score);
    else (this.pendingScores ??= []).push(score);
    return this;
  }

  get totalCostUsd(): number {
    return (this.llm?.costUsd ?? 0) + this.childCostUsd;
  }

  get callCount(): number {
    return (this.llm ? 1 : 0) + this.childCalls;
  }

  get unpricedCallCount(): number {
    return (this.llm && this.llm.costUsd === null ? 1 : 0) + this.childUnpriced;
  }

  costBreakdown(): CostShare[] {
    const models = this.modelTotals();
    const total = [...models.values()].reduce((sum, m) => sum + m.costUsd, 0);
    return [...models.entries()]
      .map(([model, m]) => ({ model, costUsd: m.costUsd, pct: total > 0 ? Math.round((m.costUsd / total) * 1000) / 10 : 0, calls: m.calls }))
      .sort((a, b) => b.costUsd - a.costUsd || b.calls - a.calls || a.model.localeCompare(b.model));
  }

  private modelTotals(): Map<string, ModelTotal> {
    const models = new Map<string, ModelTotal>();
    for (const [model, m] of this.childModels ?? []) models.set(model, { ...m });
    if (this.llm) {
      const own = models.get(this.llm.model) ?? { costUsd: 0, calls: 0 };
      own.costUsd += this.llm.costUsd ?? 0;
      own.calls += 1;
      models.set(this.llm.model, own);
    }
    return models;
  }

  /** Ends the span once: rolls it up into its parent and queues it for export. */
  end(endTime = now()): void {
    if (this.ended) return;
    this.endTime = endTime;
    this.parent?.absorb(this);
    exportSpan(this);
    if (this.pendingScores) for (const score of this.pendingScores) exportScore(score);
    this.pendingScores = null;
  }

  private absorb(child: ActiveSpan): void {
    this.childCostUsd += child.totalCostUsd;
    this.childCalls += child.callCount;
    this.childUnpriced += child.unpricedCallCount;
    if (child.callCount === 0) return;
    const models = (this.childModels ??= new Map());
    for (const [model, m] of child.modelTotals()) {
      const total = models.get(model);
      if (total) {
        total.costUsd += m.costUsd;
        total.calls += m.calls;
      } else {
        models.set(model, m);
      }
    }
  }

  /** kind sent to the collector: explicit, else llm for a span with a model, else by position */
  effectiveKind(): SpanKind {
    return this.kind ?? (this.llm ? 'llm' : this.defaultKind);
  }
}
