// The JSON the collector's HTTP API answers (DESIGN.md "HTTP API"), as these tests read it.
// Declared here, loosely, because sdk/ imports nothing of extension/ (its model.ts is the source).
/* eslint-disable @typescript-eslint/no-explicit-any */
export interface StoredSpan {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  name: string;
  events: Array<{ name: string; time: number; attributes: Record<string, any> }>;
  attributes: Record<string, any>;
  [field: string]: any;
}

export interface TraceDetail {
  trace: { trace_id: string; name: string; [field: string]: any };
  spans: StoredSpan[];
  scores: Array<{ [field: string]: any }>;
}
