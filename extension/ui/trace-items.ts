// How traces and spans look as tree rows: icons by kind, errors in the error colour, numbers as
// description, details in a tooltip. Span content is untrusted, so tooltips append it as text.
import * as vscode from 'vscode';
import type { SpanKind, StoredSpan, TraceSummary } from '../server/model';
import { formatAgo, formatCost, formatDuration, formatTime, spanCost, spanDescription, traceDescription, SEPARATOR } from './format';
import type { SpanTree } from './trace-pages';

export type TraceTreeNode =
  | { type: 'trace'; summary: TraceSummary }
  | { type: 'span'; traceId: string; tree: SpanTree }
  | { type: 'more'; before: number }
  | { type: 'notice'; text: string; detail?: string };

export const KIND_ICONS: Record<SpanKind, string> = {
  agent: 'hubot',
  llm: 'sparkle',
  tool: 'tools',
  retrieval: 'search',
  embedding: 'symbol-array',
  eval: 'checklist',
  internal: 'symbol-method',
};

const errorIcon = () => new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));

export function traceItem(t: TraceSummary, now: number): vscode.TreeItem {
  const item = new vscode.TreeItem(t.name || '(unnamed trace)', t.span_count > 1 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
  item.id = `trace:${t.trace_id}`;
  item.description = `${traceDescription(t)}${SEPARATOR}${formatAgo(t.start_time, now)}`;
  const singleCall = t.span_count === 1 && t.llm_call_count === 1;
  item.iconPath = t.status === 'error' ? errorIcon() : new vscode.ThemeIcon(singleCall ? KIND_ICONS.llm : 'pulse');
  item.contextValue = 'trace';
  item.tooltip = traceTooltip(t, now);
  item.command = { command: 'stacklens.openTrace', title: 'Open Trace', arguments: [t.trace_id] };
  item.accessibilityInformation = { label: `${t.name}, ${t.status === 'error' ? 'failed, ' : ''}${item.description}` };
  return item;
}

function traceTooltip(t: TraceSummary, now: number): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendMarkdown('**').appendText(t.name).appendMarkdown('**\n\n');
  if (t.status === 'error') md.appendMarkdown(`$(error) ${t.error_count} failed span${t.error_count === 1 ? '' : 's'}\n\n`);
  const rows: Array<[string, string]> = [
    ['started', `${formatTime(t.start_time, now)} (${formatAgo(t.start_time, now)})`],
    ['duration', formatDuration(t.duration_ms)],
    ['spans', `${t.span_count} (${t.llm_call_count} LLM call${t.llm_call_count === 1 ? '' : 's'})`],
    ['cost', formatCost(t.total_cost_usd, t.unpriced_call_count)],
    ['tokens', `${t.input_tokens} in, ${t.output_tokens} out`],
  ];
  if (t.models.length) rows.push(['models', t.models.join(', ')]);
  if (t.tags.length) rows.push(['tags', t.tags.join(', ')]);
  if (t.service_name) rows.push(['service', t.service_name]);
  rows.push(['trace id', t.trace_id]);
  appendRows(md, rows);
  md.supportThemeIcons = true;
  return md;
}

export function spanItem(traceId: string, tree: SpanTree): vscode.TreeItem {
  const s = tree.span;
  const item = new vscode.TreeItem(s.name || '(unnamed span)', tree.children.length > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
  item.id = `span:${traceId}:${s.span_id}`;
  item.description = spanDescription(s);
  item.iconPath = s.status === 'error' ? errorIcon() : new vscode.ThemeIcon(KIND_ICONS[s.kind] ?? 'symbol-method');
  item.contextValue = 'span';
  item.tooltip = spanTooltip(s);
  item.command = { command: 'stacklens.openTrace', title: 'Open Trace', arguments: [traceId, s.span_id] };
  return item;
}

function spanTooltip(s: StoredSpan): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.supportThemeIcons = true;
  md.appendMarkdown(`$(${KIND_ICONS[s.kind] ?? 'symbol-method'}) **`).appendText(s.name).appendMarkdown(`** — ${s.kind}\n\n`);
  if (s.status === 'error') {
    md.appendMarkdown('$(error) **Error**: ').appendText(s.status_message ?? 'the span ended with status error').appendMarkdown('\n\n');
  }
  const rows: Array<[string, string]> = [['duration', formatDuration(s.duration_ms)]];
  if (s.model) rows.push(['model', `${s.model}${s.provider ? ` (${s.provider})` : ''}`]);
  if (s.input_tokens !== null || s.output_tokens !== null) {
    const cache = s.cache_read_tokens ? `, ${s.cache_read_tokens} cached` : '';
    rows.push(['tokens', `${s.input_tokens ?? 0} in${cache}, ${s.output_tokens ?? 0} out`]);
  }
  const cost = spanCost(s);
  if (cost) rows.push(['cost', s.cost_source && s.cost_source !== 'unpriced' ? `${cost} (${s.cost_source})` : cost]);
  if (s.code_file) rows.push(['source', `${s.code_file}${s.code_line ? `:${s.code_line}` : ''}${s.code_function ? ` in ${s.code_function}` : ''}`]);
  rows.push(['span id', s.span_id]);
  appendRows(md, rows);
  return md;
}

function appendRows(md: vscode.MarkdownString, rows: Array<[string, string]>): void {
  for (const [name, value] of rows) {
    md.appendMarkdown(`${name}: `).appendText(value).appendMarkdown('  \n');
  }
}

export function moreItem(before: number): vscode.TreeItem {
  const item = new vscode.TreeItem('Load more…', vscode.TreeItemCollapsibleState.None);
  item.id = `more:${before}`;
  item.iconPath = new vscode.ThemeIcon('ellipsis');
  item.tooltip = 'Load older traces';
  item.command = { command: 'stacklens.loadMoreTraces', title: 'Load More Traces' };
  return item;
}

export function noticeItem(text: string, detail?: string): vscode.TreeItem {
  const item = new vscode.TreeItem(text, vscode.TreeItemCollapsibleState.None);
  item.iconPath = new vscode.ThemeIcon('warning');
  if (detail) item.tooltip = detail;
  return item;
}
