// traced(fn) and the @traced() decorator: spans named after the function, nested in the
// running span, errors recorded, and the definition as the call site.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import ts from 'typescript';
import * as stacklens from '../src/index';
import { tempDir } from '../../test/support/collector';
import { cleanEnv, runNode } from './support/child';
import { arrivedTrace, lineOf, spanNamed, useCollector } from './support/collector-session';

const THIS_FILE = readFileSync(__filename, 'utf8');
const DECORATED = path.join(__dirname, 'fixtures', 'decorated.ts');
const DECORATED_SOURCE = readFileSync(DECORATED, 'utf8');

const classify = stacklens.traced(async function classify(ticket: string) { // @classify-defined
  await new Promise((resolve) => setTimeout(resolve, 2));
  if (ticket === 'angry') throw new Error('escalate to a human');
  return ticket.length > 10 ? 'long' : 'short';
});

class Router {
  private readonly prefix = 'route';

  @stacklens.traced() // @route-decorator
  async route(ticket: string): Promise<string> {
    return `${this.prefix}:${await classify(ticket)}`;
  }
}

describe('SDK traced() and @traced()', () => {
  const session = useCollector();

  it('runs a traced function as a child span named after it, keeping this, arguments and result', async () => {
    const { traceId, routed } = await stacklens.startTrace('inbox', async (root) => ({ traceId: root.traceId, routed: await new Router().route('my parcel is late') }));
    assert.equal(routed, 'route:long');
    const detail = await arrivedTrace(session.collector, traceId, 3);
    const root = spanNamed(detail, 'inbox');
    const route = spanNamed(detail, 'Router.route');
    const classified = spanNamed(detail, 'classify');
    assert.equal(route.parent_span_id, root.span_id);
    assert.equal(classified.parent_span_id, route.span_id);
    assert.equal(classified.code_file, __filename);
    assert.equal(classified.code_line, lineOf(THIS_FILE, '@classify-defined'), 'a traced function points at its definition');
    assert.equal(classified.code_function, 'classify');
    assert.equal(route.code_line, lineOf(THIS_FILE, '@route-decorator'), 'a decorated method points at its decorator');
    assert.equal(route.code_function, 'Router.route');
    assert.equal(classify.name, 'classify');
    assert.equal(classify.length, 1);
  });

  it('marks a traced function that throws as an error span and rethrows', async () => {
    let traceId = '';
    await assert.rejects(
      stacklens.startTrace('inbox-fail', async (root) => {
        traceId = root.traceId;
        await classify('angry');
      }),
      /escalate to a human/,
    );
    const span = spanNamed(await arrivedTrace(session.collector, traceId, 2), 'classify');
    assert.equal(span.status, 'error');
    assert.equal(span.status_message, 'escalate to a human');
  });

  it('refuses options it cannot use, and decorating anything but a method', () => {
    assert.throws(() => stacklens.traced(() => 1, { name: '' }), /name must be a non-empty string/);
    assert.throws(() => stacklens.traced({ kind: 'wizard' as any }), /kind must be one of/);
    const decorator = stacklens.traced();
    assert.throws(() => (decorator as any)(undefined, { kind: 'field', name: 'x' }), /decorates class methods only/);
  });

  it('type-checks TC39 decorator use with tsc (experimentalDecorators off)', function () {
    this.timeout(60_000);
    const program = ts.createProgram([DECORATED], {
      strict: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      experimentalDecorators: false,
      noEmit: true,
      skipLibCheck: true,
      lib: ['lib.es2022.d.ts'], // no DOM: only what the fixture needs, so the check stays quick
      types: ['node'],
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    assert.deepEqual(diagnostics, []);
  });

  it('works through an esbuild bundle: @traced(), @traced(options) and bare @traced on a static method', async function () {
    this.timeout(30_000);
    const outfile = path.join(tempDir('stacklens-decorated-'), 'decorated.js');
    await build({ entryPoints: [DECORATED], bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: 'linked', outfile, logLevel: 'silent' });
    const result = await runNode([outfile], cleanEnv({ STACKLENS_ENDPOINT: session.collector.url, STACKLENS_API_KEY: session.collector.token }));
    assert.equal(result.code, 0, result.stderr);
    const { traceId, answer, version } = JSON.parse(result.stdout);
    assert.equal(answer, 'Hello: shipped');
    assert.equal(version, 2);
    const detail = await arrivedTrace(session.collector, traceId, 4);
    const answerSpan = spanNamed(detail, 'SupportDesk.answer');
    const lookup = spanNamed(detail, 'order-lookup');
    const versionSpan = spanNamed(detail, 'SupportDesk.version');
    assert.equal(lookup.kind, 'tool');
    assert.equal(lookup.parent_span_id, answerSpan.span_id);
    assert.equal(answerSpan.code_file, DECORATED);
    assert.equal(answerSpan.code_line, lineOf(DECORATED_SOURCE, '@decorator-factory'));
    assert.equal(lookup.code_line, lineOf(DECORATED_SOURCE, '@decorator-options'));
    assert.equal(versionSpan.code_file, DECORATED);
    const bare = lineOf(DECORATED_SOURCE, '@decorator-bare');
    assert.ok([bare, bare + 1].includes(versionSpan.code_line!), `bare @traced points at the decorator or the method, got line ${versionSpan.code_line}`);
    assert.equal(versionSpan.code_function, 'SupportDesk.version');
  });
});
