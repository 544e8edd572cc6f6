import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MCP_PROVIDER_ID, mcpEndpoint, mcpJsonSnippet } from '../../../extension/ui/mcp-config';

const root = path.join(__dirname, '../../..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

describe('the MCP server definition', () => {
  it('points at the collector\'s /mcp with its token as a bearer header', () => {
    assert.deepEqual(mcpEndpoint('http://127.0.0.1:43211', 'sl-abc'), { url: 'http://127.0.0.1:43211/mcp', headers: { Authorization: 'Bearer sl-abc' } });
    assert.equal(mcpEndpoint('http://127.0.0.1:4318/', 't')?.url, 'http://127.0.0.1:4318/mcp');
    assert.equal(mcpEndpoint(null, 't'), null);
  });

  it('copies the .vscode/mcp.json that docs/mcp.md documents, with this collector\'s port and no token in it', () => {
    const docs = readFileSync(path.join(root, 'docs/mcp.md'), 'utf8');
    const block = /### VS Code \(`\.vscode\/mcp\.json`\)[\s\S]*?```json\n([\s\S]*?)```/.exec(docs);
    assert.ok(block, 'docs/mcp.md has the VS Code snippet');
    const documented = JSON.parse(block[1].replace('4318', '43211'));
    const snippet = mcpJsonSnippet('http://127.0.0.1:43211');
    assert.deepEqual(JSON.parse(snippet), documented);
    assert.ok(!/sl-/.test(snippet));
  });

  it('is declared as an MCP server definition provider in the manifest', () => {
    assert.deepEqual(manifest.contributes.mcpServerDefinitionProviders, [{ id: MCP_PROVIDER_ID, label: 'StackLens' }]);
  });
});
