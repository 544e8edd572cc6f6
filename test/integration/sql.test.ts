// The SQL console route: read-only SQL over the store's tables and views, writes refused with a
// 400 that names why, a row limit, and nothing lost.
import assert from 'node:assert/strict';
import { startCollector, type RunningCollector } from '../support/collector';

const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');
const TRACE = hex(0x5c1, 32);

describe('SQL console route', function () {
  this.timeout(30_000);
  let c: RunningCollector;
  const sql = (text: unknown) => c.request('POST', '/api/v1/sql', typeof text === 'string' ? { sql: text } : text);

  before(async () => {
    c = await startCollector();
    const res = await c.request('POST', '/api/v1/spans', {
      spans: [
        { trace_id: TRACE, span_id: hex(1, 16), name: 'agent', kind: 'agent' },
        { trace_id: TRACE, span_id: hex(2, 16), parent_span_id: hex(1, 16), name: 'plan', model: 'gpt-4o', input_tokens: 100, output_tokens: 20, cost_usd: 0.25 },
        { trace_id: TRACE, span_id: hex(3, 16), parent_span_id: hex(1, 16), name: 'answer', model: 'gpt-4o-mini', input_tokens: 50, output_tokens: 10, cost_usd: 0.125 },
      ],
    });
    assert.equal(res.status, 200);
  });
  after(async () => {
    assert.equal(await c.stop(), 0);
  });

  it('answers columns and rows of a SELECT over the views', async () => {
    const res = await sql('SELECT span_name, model, cost_usd FROM llm_calls ORDER BY cost_usd DESC');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { columns: ['span_name', 'model', 'cost_usd'], rows: [['plan', 'gpt-4o', 0.25], ['answer', 'gpt-4o-mini', 0.125]], row_count: 2, truncated: false });
    const costs = await sql(`SELECT trace_id, call_count, total_cost_usd FROM trace_costs`);
    assert.deepEqual(costs.body.rows, [[TRACE, 2, 0.375]]);
  });

  it('takes WITH queries and shows a blob as its size, never raw bytes', async () => {
    const res = await sql("WITH t(x) AS (SELECT x'0102ff') SELECT x, length(x) FROM t");
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.rows, [['<blob 3 bytes>', 3]]);
  });

  it('answers at most 1,000 rows and says it truncated', async () => {
    const res = await sql('WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 1500) SELECT x FROM n');
    assert.equal(res.status, 200);
    assert.equal(res.body.rows.length, 1000);
    assert.deepEqual(res.body.rows[999], [1000]);
    assert.equal(res.body.row_count, 1500);
    assert.equal(res.body.truncated, true);
  });

  const refusals: Array<[string, RegExp]> = [
    ['DELETE FROM spans', /only SELECT, WITH or EXPLAIN statements are allowed, not DELETE/],
    ['DROP TABLE spans', /not DROP/],
    ["ATTACH DATABASE '/tmp/evil.db' AS evil", /not ATTACH/],
    ["UPDATE spans SET name = 'x'", /not UPDATE/],
    ["INSERT INTO scores (score_id) VALUES ('x')", /not INSERT/],
    ['PRAGMA writable_schema = 1', /not PRAGMA/],
    ['SELECT 1; DELETE FROM spans', /only one statement is allowed/],
    ['WITH x AS (SELECT 1) DELETE FROM spans', /DELETE is not allowed/],
    ['SELECT * FROM pragma_table_info(\'spans\') WHERE 0; PRAGMA journal_mode = OFF', /only one statement is allowed/],
  ];
  for (const [statement, why] of refusals) {
    it(`refuses ${statement.split(' ').slice(0, 2).join(' ')}… with a 400 naming why`, async () => {
      const res = await sql(statement);
      assert.equal(res.status, 400);
      assert.match(res.body.error, /^query refused: /);
      assert.match(res.body.error, why);
    });
  }

  it('refuses SQL that does not run with a 400 carrying the database message', async () => {
    const res = await sql('SELECT nope FROM spans');
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'query failed: no such column: nope');
  });

  it('refuses a body without SQL', async () => {
    for (const body of [{}, { sql: '' }, { sql: 42 }]) {
      const res = await sql(body);
      assert.equal(res.status, 400);
      assert.equal(res.body.error, 'expected a JSON object {"sql": "SELECT ..."}');
    }
    const text = await c.request('POST', '/api/v1/sql', 'SELECT 1', { 'content-type': 'text/plain' });
    assert.equal(text.status, 415);
  });

  it('loses nothing to the refused writes', async () => {
    const res = await sql('SELECT (SELECT COUNT(*) FROM spans), (SELECT COUNT(*) FROM scores), (SELECT COUNT(*) FROM traces)');
    assert.deepEqual(res.body.rows, [[3, 0, 1]]);
    const trace = await c.request('GET', `/api/v1/traces/${TRACE}`);
    assert.deepEqual(trace.body.spans.map((s: { name: string }) => s.name).sort(), ['agent', 'answer', 'plan']);
  });

  it('reports spend with no limit when no budget is set', async () => {
    const res = await c.request('GET', '/api/v1/budget');
    assert.equal(res.status, 200);
    assert.equal(res.body.spent_usd, 0.375);
    assert.deepEqual([res.body.limit_usd, res.body.pct_used, res.body.warn, res.body.exceeded, res.body.hard_limit], [null, null, false, false, false]);
  });
});
