// The SQL console: one read-only statement over the store (the llm_calls and trace_costs views
// and the tables), results as a table, a refusal or error shown as the line the store gave.
import type { JSX } from 'preact';
import type { ConsoleResult } from '../../../extension/server/sql-console';
import { formatCount } from '../../layout/format';
import { Button } from '../../ui/toolkit';
import { postToHost } from '../host';
import { runSql, setSqlText, sql, sqlText } from '../store';

const EXAMPLES: Array<{ label: string; sql: string }> = [
  { label: 'Cost by model', sql: 'SELECT model, COUNT(*) AS calls, ROUND(SUM(cost_usd), 4) AS cost_usd, ROUND(AVG(latency_ms)) AS avg_ms\nFROM llm_calls\nGROUP BY model\nORDER BY cost_usd DESC' },
  { label: 'Slowest calls', sql: 'SELECT time, span_name, model, latency_ms, cost_usd, status\nFROM llm_calls\nORDER BY latency_ms DESC\nLIMIT 20' },
  { label: 'Costliest traces', sql: 'SELECT started, name, total_cost_usd, call_count, duration_ms, status\nFROM trace_costs\nORDER BY total_cost_usd DESC\nLIMIT 20' },
  { label: 'Failed spans', sql: "SELECT name, COUNT(*) AS failures, MAX(status_message) AS example\nFROM spans\nWHERE status = 'error'\nGROUP BY name\nORDER BY failures DESC" },
  { label: 'Eval scores', sql: 'SELECT name, COUNT(*) AS runs, ROUND(AVG(value), 3) AS avg, SUM(label = \'pass\') AS passed\nFROM scores\nGROUP BY name' },
];

function cell(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Tab-separated, for pasting into a spreadsheet. */
function tsv(r: ConsoleResult): string {
  const clean = (v: unknown) => cell(v).replace(/[\t\r\n]+/g, ' ');
  return [r.columns.join('\t'), ...r.rows.map((row) => row.map(clean).join('\t'))].join('\n');
}

/** A column whose first non-null value is a number reads right-aligned, header included. */
function numericColumns(r: ConsoleResult): boolean[] {
  return r.columns.map((_, j) => typeof r.rows.find((row) => row[j] !== null && row[j] !== undefined)?.[j] === 'number');
}

function Results({ r, elapsedMs }: { r: ConsoleResult; elapsedMs: number }): JSX.Element {
  const numeric = numericColumns(r);
  const summary = r.truncated
    ? `showing the first ${formatCount(r.rows.length)} of ${formatCount(r.row_count)} rows`
    : `${formatCount(r.row_count)} row${r.row_count === 1 ? '' : 's'}`;
  return (
    <>
      <div class="sql-status" role="status">
        <span data-sql-summary>{`${summary} · ${elapsedMs} ms`}</span>
        <span class="spacer" />
        {r.rows.length > 0 && (
          <Button appearance="secondary" data-action="copy-tsv" title="Copy the rows as tab-separated text" onClick={() => postToHost({ type: 'copy', text: tsv(r) })}>
            Copy rows
          </Button>
        )}
      </div>
      <div class="sql-results">
        <table class="grid sql-table">
          <thead>
            <tr>
              {r.columns.map((c, i) => (
                <th key={i} scope="col" class={numeric[i] ? 'num' : ''}>{c}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {r.rows.map((row, i) => (
              <tr key={i}>
                {row.map((v, j) => (
                  <td key={j} class={v === null ? 'is-null' : typeof v === 'number' ? 'num' : ''}>{cell(v)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

export function SqlConsole(): JSX.Element {
  const state = sql.value;
  const running = state.kind === 'running';
  return (
    <div class="sql">
      <div class="sql-editor">
        <textarea
          class="sql-text"
          spellcheck={false}
          aria-label="SQL query"
          value={sqlText.value}
          rows={7}
          onInput={(e) => setSqlText((e.target as HTMLTextAreaElement).value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              runSql();
            }
          }}
        />
        <div class="sql-toolbar">
          <Button appearance="primary" data-action="run-sql" title="Run the query (Ctrl+Enter)" disabled={running} onClick={() => runSql()}>
            {running ? 'Running…' : 'Run'}
          </Button>
          <span class="muted">Ctrl+Enter · read-only: one SELECT, WITH, EXPLAIN or VALUES · at most 1,000 rows shown</span>
          <span class="spacer" />
          <label class="sql-examples">
            <span class="muted">Examples</span>
            <select
              data-sql-examples
              onChange={(e) => {
                const picked = EXAMPLES[Number((e.target as HTMLSelectElement).value)];
                (e.target as HTMLSelectElement).value = '';
                if (picked) setSqlText(picked.sql);
              }}
            >
              <option value="">Pick one…</option>
              {EXAMPLES.map((x, i) => (
                <option key={i} value={String(i)}>{x.label}</option>
              ))}
            </select>
          </label>
        </div>
      </div>
      {state.kind === 'error' && (
        <div class="callout is-error sql-error" role="alert" data-sql-error>
          {state.message}
        </div>
      )}
      {state.kind === 'result' && <Results r={state.result} elapsedMs={state.elapsedMs} />}
      {state.kind === 'idle' && <p class="muted sql-hint">Tables: spans, traces, scores, tags, call_sites. Views: llm_calls (every counted model call), trace_costs (every trace's cost).</p>}
    </div>
  );
}
