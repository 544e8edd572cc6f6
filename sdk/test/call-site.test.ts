// Spans carry the user's call site, mapped back to TypeScript: under tsx (Node's own source
// maps), and in an esbuild bundle run by plain node (the SDK reads the map itself).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { build } from 'esbuild';
import * as stacklens from '../src/index';
import { LazyMappings } from '../src/source-map';
import { tempDir } from '../../test/support/collector';
import { cleanEnv, runNode } from './support/child';
import { arrivedTrace, lineOf, spanNamed, useCollector } from './support/collector-session';

const THIS_FILE = readFileSync(__filename, 'utf8');
const APP = path.join(__dirname, 'fixtures', 'bundled-app.ts');
const APP_SOURCE = readFileSync(APP, 'utf8');

// the same span name with textually identical callbacks at two places
const twinA = () => stacklens.startTrace('twin', async (s) => s.traceId); // @twin-a
const twinB = () => stacklens.startTrace('twin', async (s) => s.traceId); // @twin-b

class Librarian {
  lookup(): Promise<string> {
    return stacklens.span('lookup', async (s) => s.traceId); // @method-call
  }
}

describe('SDK call sites', () => {
  const session = useCollector();

  it('points a span at the file, line and method that started it', async () => {
    const traceId = await new Librarian().lookup();
    const span = spanNamed(await arrivedTrace(session.collector, traceId), 'lookup');
    assert.equal(span.code_file, __filename);
    assert.equal(span.code_line, lineOf(THIS_FILE, '@method-call'));
    assert.equal(span.code_function, 'Librarian.lookup');
  });

  it('tells apart two places that start the same span name with identical callbacks', async () => {
    const runs: Array<[string, string]> = [];
    for (let i = 0; i < 6; i++) runs.push([await twinA(), '@twin-a'], [await twinB(), '@twin-b']);
    for (const [traceId, marker] of runs) {
      const span = spanNamed(await arrivedTrace(session.collector, traceId), 'twin');
      assert.equal(span.code_line, lineOf(THIS_FILE, marker), `trace ${traceId} from ${marker}`);
    }
  });

  it('captures the stack only on a few of many calls from one place (the cost of a span stays low)', async () => {
    const capture = Error.captureStackTrace;
    let captured = 0;
    Error.captureStackTrace = function (target: object, boundary?: Function) {
      captured++;
      capture.call(Error, target, boundary);
    };
    let last = '';
    try {
      for (let i = 0; i < 200; i++) last = await stacklens.span('hot-loop', async (s) => s.traceId); // @hot-loop
    } finally {
      Error.captureStackTrace = capture;
    }
    assert.ok(captured <= 8, `captured ${captured} stacks for 200 spans`);
    const span = spanNamed(await arrivedTrace(session.collector, last), 'hot-loop');
    assert.equal(span.code_line, lineOf(THIS_FILE, '@hot-loop'));
  });

  for (const sourcemap of ['linked', 'inline'] as const) {
    it(`maps a bundle with a ${sourcemap} source map back to the .ts lines, with no --enable-source-maps`, async function () {
      this.timeout(30_000);
      const traceId = await runBundle(sourcemap, []);
      await checkBundledTrace(traceId);
    });
  }

  it('uses Node’s own mapping when the bundle runs with --enable-source-maps', async function () {
    this.timeout(30_000);
    await checkBundledTrace(await runBundle('linked', ['--enable-source-maps']));
  });

  it('decodes source-map mappings exactly as Node’s SourceMap does', async () => {
    const out = await build({ entryPoints: [APP], bundle: true, platform: 'node', format: 'cjs', write: false, sourcemap: 'external', outfile: path.join(tempDir(), 'x.js') });
    const mapFile = out.outputFiles.find((f) => f.path.endsWith('.map'))!;
    const payload = JSON.parse(mapFile.text);
    const ours = new LazyMappings(payload.mappings);
    const node = new SourceMap(payload);
    const lines = out.outputFiles.find((f) => f.path.endsWith('.js'))!.text.split('\n');
    let compared = 0;
    for (let line = 0; line < lines.length; line += 7) {
      for (let column = 0; column < lines[line].length; column += 5) {
        const expected = node.findEntry(line, column) as { originalLine?: number; originalSource?: string };
        const found = ours.find(line, column);
        if (expected.originalLine === undefined) continue;
        assert.ok(found, `a mapping for ${line}:${column}`);
        assert.equal(found.line, expected.originalLine, `original line of ${line}:${column}`);
        assert.equal(path.basename(payload.sources[found.source]), path.basename(expected.originalSource!), `source of ${line}:${column}`);
        compared++;
      }
    }
    assert.ok(compared > 200, `compared ${compared} positions`);
  });

  async function runBundle(sourcemap: 'linked' | 'inline', nodeArgs: string[]): Promise<string> {
    const outfile = path.join(tempDir('stacklens-bundle-'), 'app.js');
    await build({ entryPoints: [APP], bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap, outfile, logLevel: 'silent' });
    const result = await runNode([...nodeArgs, outfile], cleanEnv({ STACKLENS_ENDPOINT: session.collector.url, STACKLENS_API_KEY: session.collector.token }));
    assert.equal(result.code, 0, result.stderr);
    return result.stdout.trim();
  }

  async function checkBundledTrace(traceId: string): Promise<void> {
    const detail = await arrivedTrace(session.collector, traceId, 3);
    const expect = (name: string, marker: string, fn: string | null) => {
      const span = spanNamed(detail, name);
      assert.equal(span.code_file, APP, `${name} file`);
      assert.equal(span.code_line, lineOf(APP_SOURCE, marker), `${name} line`);
      if (fn) assert.equal(span.code_function, fn, `${name} function`);
    };
    expect('bundled-run', '@bundled-run', null);
    expect('pipeline-step', '@pipeline-step', 'Pipeline.run');
    expect('summariseText', '@summarise-defined', 'summariseText');
  }
});
