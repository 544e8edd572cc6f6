// The published shape of `stacklens`: zero runtime dependencies, only Node built-ins and its
// own modules imported, and a built bundle exporting what the source does.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as source from '../src/index';

const SDK = path.resolve(__dirname, '..');

describe('stacklens package', () => {
  it('declares no runtime dependencies, and its entry points', () => {
    const manifest = JSON.parse(readFileSync(path.join(SDK, 'package.json'), 'utf8'));
    assert.equal(manifest.name, 'stacklens');
    assert.deepEqual(manifest.dependencies ?? {}, {});
    assert.equal(manifest.peerDependencies, undefined);
    assert.equal(manifest.main, 'dist/index.js');
    assert.equal(manifest.types, 'dist/index.d.ts');
  });

  it('imports only node: built-ins and its own modules (no vscode, nothing of extension/)', () => {
    const files = (readdirSync(path.join(SDK, 'src'), { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
    assert.ok(files.length > 10);
    for (const file of files) {
      const text = readFileSync(path.join(SDK, 'src', file), 'utf8');
      for (const match of text.matchAll(/(?:from|import|require)\s*\(?\s*['"]([^'"]+)['"]/g)) {
        const specifier = match[1];
        const ok = specifier.startsWith('node:') || (specifier.startsWith('.') && path.resolve(SDK, 'src', path.dirname(file), specifier).startsWith(path.join(SDK, 'src')));
        assert.ok(ok, `${file} imports ${specifier}`);
      }
    }
  });

  it('builds to a CommonJS bundle with the same exports (after npm run build)', () => {
    const built = require(path.join(SDK, 'dist', 'index.js'));
    assert.deepEqual(Object.keys(built).sort(), Object.keys(source).sort());
    const bundle = readFileSync(path.join(SDK, 'dist', 'index.js'), 'utf8');
    const required = [...bundle.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    assert.deepEqual(required.filter((r) => !r.startsWith('node:')), [], 'the bundle requires only built-ins');
  });
});
