import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { matchesDocument, normalizePath, resolveSourceFile, workspaceRelative } from '../../../extension/ui/source-paths';

describe('matching span source paths to documents', () => {
  const workspace = ['/home/dev/shop'];
  const doc = '/home/dev/shop/src/agents/support.ts';

  it('matches the same absolute path', () => {
    assert.ok(matchesDocument('/home/dev/shop/src/agents/support.ts', doc, workspace));
  });

  it('matches a path recorded in a container by its workspace-relative suffix', () => {
    assert.ok(matchesDocument('/app/src/agents/support.ts', doc, workspace));
    assert.ok(matchesDocument('/workspaces/shop/src/agents/support.ts', doc, workspace));
  });

  it('matches a relative path recorded by the program', () => {
    assert.ok(matchesDocument('src/agents/support.ts', doc, workspace));
    assert.ok(matchesDocument('./src/agents/support.ts', doc, workspace));
  });

  it('matches a Windows path and a file URI from another machine', () => {
    assert.ok(matchesDocument('C:\\Users\\ci\\shop\\src\\agents\\support.ts', doc, workspace));
    assert.ok(matchesDocument('file:///C:/Users/ci/shop/src/agents/support.ts', doc, workspace));
    assert.ok(matchesDocument('c:/Work/Shop/src/x.ts', 'C:\\work\\shop\\src\\x.ts', ['C:\\work\\shop']));
  });

  it('does not match a file that only shares the name or a partial segment', () => {
    assert.ok(!matchesDocument('/app/lib/agents/support.ts', doc, workspace));
    assert.ok(!matchesDocument('/app/src/agents/my-support.ts', doc, workspace));
    assert.ok(!matchesDocument('/app/xsrc/agents/support.ts', doc, workspace));
  });

  it('needs a workspace folder for suffix matching: outside one, only the exact path matches', () => {
    assert.ok(!matchesDocument('/app/support.ts', '/tmp/support.ts', workspace));
    assert.ok(matchesDocument('/tmp/support.ts', '/tmp/support.ts', workspace));
  });

  it('uses the deepest workspace folder for the relative path', () => {
    assert.equal(workspaceRelative('/repo/packages/api/src/a.ts', ['/repo', '/repo/packages/api']), 'src/a.ts');
    assert.ok(matchesDocument('/app/src/a.ts', '/repo/packages/api/src/a.ts', ['/repo', '/repo/packages/api']));
  });

  it('normalises separators, schemes, drive letters and dot segments', () => {
    assert.equal(normalizePath('C:\\a\\.\\b\\..\\c.ts'), 'c:/a/c.ts');
    assert.equal(normalizePath('file:///home/x%20y/a.ts'), '/home/x y/a.ts');
    assert.equal(normalizePath('./src/a.ts'), 'src/a.ts');
  });
});

describe('resolving a span source path to a file of this workspace', () => {
  let root: string;
  const exists = async (file: string) => {
    try {
      return statSync(file).isFile();
    } catch {
      return false;
    }
  };

  before(() => {
    root = mkdtempSync(path.join(tmpdir(), 'stacklens-paths-'));
    mkdirSync(path.join(root, 'src', 'agents'), { recursive: true });
    writeFileSync(path.join(root, 'src', 'agents', 'support.ts'), 'export {};\n');
    writeFileSync(path.join(root, 'support.ts'), 'export {};\n');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('keeps an absolute path that exists', async () => {
    const file = path.join(root, 'src', 'agents', 'support.ts');
    assert.equal(await resolveSourceFile(file, [root], exists), normalizePath(file));
  });

  it('finds a container path under the workspace by its longest existing suffix', async () => {
    assert.equal(await resolveSourceFile('/app/src/agents/support.ts', [root], exists), `${normalizePath(root)}/src/agents/support.ts`);
  });

  it('resolves a relative path against the workspace folders', async () => {
    assert.equal(await resolveSourceFile('src/agents/support.ts', ['/nowhere', root], exists), `${normalizePath(root)}/src/agents/support.ts`);
  });

  it('never leads a relative path out of the workspace folder', async () => {
    const outside = path.join(path.dirname(root), `outside-${path.basename(root)}.ts`);
    writeFileSync(outside, 'secret\n');
    try {
      const climbing = `../${path.basename(outside)}`;
      assert.equal(await resolveSourceFile(climbing, [root], exists), null);
      assert.equal(await resolveSourceFile('../../src/agents/support.ts', [root], exists), `${normalizePath(root)}/src/agents/support.ts`);
    } finally {
      rmSync(outside, { force: true });
    }
  });

  it('keeps a file:// path with malformed escapes as written instead of failing', () => {
    assert.equal(normalizePath('file:///%zz/a.ts'), '/%zz/a.ts');
  });

  it('returns null when no part of the path exists in the workspace', async () => {
    assert.equal(await resolveSourceFile('/app/lib/other.ts', [root], exists), null);
    assert.equal(await resolveSourceFile('', [root], exists), null);
  });
});
