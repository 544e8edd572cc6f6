// Tables, indexes and views of the store. Rows stay small: span content (prompts, completions,
// large attribute JSON) lives in the journal, a row keeps its location, a preview and a hash.
// Per-trace and per-call-site aggregates are maintained on insert, never computed by scanning.

export const SCHEMA_VERSION = 2;

/** Hourly rollups for stats() (rollups.ts), maintained as spans are applied. */
const ROLLUP_TABLES = `
-- kind 0: calls that name no model (in trace_hours: every trace); kind 1: the named model or tag
CREATE TABLE call_hours (
  hour INTEGER NOT NULL,          -- floor(start_time / 3600000), UTC
  kind INTEGER NOT NULL,
  model TEXT NOT NULL,
  calls INTEGER NOT NULL,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  total_tokens INTEGER NOT NULL,
  cost_usd REAL NOT NULL,
  errors INTEGER NOT NULL,
  latency BLOB NOT NULL,          -- histogram: [bucket, count] pairs, u32 little-endian
  PRIMARY KEY (hour, kind, model)
) WITHOUT ROWID;
CREATE TABLE trace_hours (
  hour INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  tag TEXT NOT NULL,
  traces INTEGER NOT NULL,
  calls INTEGER NOT NULL,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cost_usd REAL NOT NULL,
  PRIMARY KEY (hour, kind, tag)
) WITHOUT ROWID;
`;

/**
 * From schema 1 (stats scanned covering indexes of calls) to 2 (hourly rollups): the caller then
 * fills the rollups from the rows (Rollups.rebuild).
 */
export const MIGRATE_1_TO_2 = `
DROP INDEX spans_calls;
DROP INDEX spans_call_latency;
DROP INDEX spans_call_duration;
CREATE INDEX spans_call_time ON spans (start_time) WHERE is_call = 1 AND usage_counted = 1;
${ROLLUP_TABLES}
`;

export const SCHEMA = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

CREATE TABLE spans (
  trace_id TEXT NOT NULL,
  span_id TEXT NOT NULL,
  parent_span_id TEXT,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  start_time REAL NOT NULL,
  end_time REAL NOT NULL,
  duration_ms REAL NOT NULL,
  status TEXT NOT NULL,
  status_message TEXT,
  service_name TEXT,
  operation TEXT,
  model TEXT,
  request_model TEXT,
  provider TEXT,
  input_tokens INTEGER,
  output_tokens INTEGER,
  total_tokens INTEGER,
  cache_read_tokens INTEGER,
  cache_write_tokens INTEGER,
  reasoning_tokens INTEGER,
  cost_usd REAL,
  cost_source TEXT,
  is_call INTEGER NOT NULL,       -- a model call: kind llm or embedding, or it reports usage
  has_usage INTEGER NOT NULL,     -- it reports tokens or a cost (2: its own call, never a wrapper)
  below_usage INTEGER NOT NULL,   -- a descendant reports usage
  below_call INTEGER NOT NULL,    -- a descendant is a model call
  usage_counted INTEGER NOT NULL, -- 0 for wrappers whose usage repeats a descendant's
  input_preview TEXT,
  input_hash TEXT,
  output_preview TEXT,
  output_hash TEXT,
  attributes TEXT,                -- JSON, or NULL when it is in the content file
  events TEXT,
  resource TEXT,
  tags TEXT NOT NULL,
  code_file TEXT,
  code_line INTEGER,
  code_function TEXT,
  session_id TEXT,
  user_id TEXT,
  content_seg INTEGER,            -- journal segment, byte offset and length of the span's blobs
  content_off INTEGER,
  content_len INTEGER,
  content_refs TEXT               -- JSON {i|o|a|e|r: [offset in the blobs, length, encoding]}
);
CREATE UNIQUE INDEX spans_id ON spans (span_id, trace_id);
CREATE INDEX spans_trace ON spans (trace_id, parent_span_id);
-- Counted model calls by start: the partial hours at the edges of a stats() range, and exact
-- percentiles of a range with few calls. Whole hours come from call_hours.
CREATE INDEX spans_call_time ON spans (start_time) WHERE is_call = 1 AND usage_counted = 1;
CREATE INDEX spans_errors ON spans (start_time) WHERE status = 'error';
CREATE INDEX spans_site ON spans (code_file, code_line, start_time) WHERE code_file IS NOT NULL AND code_line IS NOT NULL;

CREATE TABLE traces (
  trace_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  has_root INTEGER NOT NULL,
  start_time REAL NOT NULL,
  end_time REAL NOT NULL,
  duration_ms REAL NOT NULL,
  span_count INTEGER NOT NULL,
  llm_call_count INTEGER NOT NULL,
  error_count INTEGER NOT NULL,
  ok_count INTEGER NOT NULL,
  total_cost_usd REAL NOT NULL,
  unpriced_call_count INTEGER NOT NULL,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  status TEXT NOT NULL,
  root_status TEXT, -- the root span's own status: when set, it is the trace's
  tags TEXT NOT NULL,
  models TEXT NOT NULL,
  service_name TEXT,
  session_id TEXT,
  user_id TEXT,
  search TEXT NOT NULL            -- lower-case trace id, name, span names and models, for q=
) WITHOUT ROWID;
-- covering: a newest-first listing filtered by status or q= reads the index, not the rows
CREATE INDEX traces_start ON traces (start_time, status, search);
CREATE INDEX traces_status ON traces (status, start_time);

-- one row per (trace, model) and (trace, tag), with the trace's start: model= and tag= list
-- newest first straight from an index
CREATE TABLE trace_models (trace_id TEXT NOT NULL, model TEXT NOT NULL, start_time REAL NOT NULL, PRIMARY KEY (trace_id, model)) WITHOUT ROWID;
CREATE INDEX trace_models_model ON trace_models (model, start_time);
CREATE TABLE tags (trace_id TEXT NOT NULL, tag TEXT NOT NULL, start_time REAL NOT NULL, PRIMARY KEY (trace_id, tag)) WITHOUT ROWID;
CREATE INDEX tags_tag ON tags (tag, start_time);

CREATE TABLE scores (
  score_id TEXT PRIMARY KEY,
  trace_id TEXT NOT NULL,
  span_id TEXT,
  name TEXT NOT NULL,
  value REAL NOT NULL,
  label TEXT,
  reason TEXT,
  source TEXT NOT NULL,
  created_at REAL NOT NULL,
  site_file TEXT,                 -- the call site the score counts towards, once its span is known
  site_line INTEGER
) WITHOUT ROWID;
CREATE INDEX scores_trace ON scores (trace_id, span_id);
CREATE INDEX scores_site ON scores (site_file, site_line) WHERE site_file IS NOT NULL;

CREATE TABLE call_sites (
  code_file TEXT NOT NULL,
  code_line INTEGER NOT NULL,
  code_function TEXT,
  name TEXT NOT NULL,
  runs INTEGER NOT NULL,
  error_count INTEGER NOT NULL,
  last_run REAL NOT NULL,
  last_trace_id TEXT NOT NULL,
  last_span_id TEXT NOT NULL,
  recent TEXT NOT NULL,           -- JSON [[start, duration], ...]: the latest runs, for p50
  p50_ms REAL NOT NULL,
  total_cost_usd REAL NOT NULL,
  score_sum REAL NOT NULL,
  score_count INTEGER NOT NULL,
  PRIMARY KEY (code_file, code_line)
) WITHOUT ROWID;

${ROLLUP_TABLES}
-- spans whose content is in each journal segment: a segment is deleted once none are left
CREATE TABLE segments (seg INTEGER PRIMARY KEY, live INTEGER NOT NULL);

-- seed 004: every counted model call, and the cost of every trace
CREATE VIEW llm_calls AS
SELECT strftime('%Y-%m-%dT%H:%M:%fZ', start_time / 1000.0, 'unixepoch') AS time,
  start_time, trace_id, span_id, parent_span_id, name AS span_name, kind, operation, provider, model,
  input_tokens, output_tokens,
  COALESCE(total_tokens, COALESCE(input_tokens, 0) + COALESCE(output_tokens, 0)) AS total_tokens,
  cache_read_tokens, cache_write_tokens, reasoning_tokens, cost_usd, cost_source,
  duration_ms AS latency_ms, status, status_message,
  json_object('span_name', name, 'tags', json(tags)) AS tags,
  service_name, session_id, user_id, code_file, code_line, code_function
FROM spans WHERE is_call = 1 AND usage_counted = 1;

CREATE VIEW trace_costs AS
SELECT trace_id, name, total_cost_usd, llm_call_count AS call_count, unpriced_call_count,
  input_tokens, output_tokens,
  strftime('%Y-%m-%dT%H:%M:%fZ', start_time / 1000.0, 'unixepoch') AS started,
  start_time, duration_ms, span_count, status, models, tags
FROM traces;
`;
