// Entry of the suite that runs inside a real VS Code extension host (extensionTestsPath): VS Code
// loads out/test/vscode/index.js and awaits run(). Build with `node test/vscode/build.mjs`.
import { readdirSync } from 'node:fs';
import path from 'node:path';
// Mocha stays outside the bundle (it loads its interfaces by name): it is resolved from the
// repository's node_modules, two levels above out/test/vscode.
import Mocha from 'mocha';

const repoRoot = path.resolve(__dirname, '../../..');

export async function run(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const reporter = require(path.join(repoRoot, 'test/support/reporter.cjs')) as typeof Mocha.reporters.Base;
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter });
  const grep = process.env.STACKLENS_TEST_GREP;
  if (grep) mocha.grep(grep);
  for (const file of readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort()) mocha.addFile(path.join(__dirname, file));
  await new Promise<void>((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} StackLens test(s) failed inside VS Code`)) : resolve()));
  });
}
