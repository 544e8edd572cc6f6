import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readSettings } from '../../../extension/ui/settings';

const manifest = JSON.parse(readFileSync(path.join(__dirname, '../../../package.json'), 'utf8'));

describe('StackLens settings', () => {
  it('reads the defaults that package.json declares', () => {
    const props = manifest.contributes.configuration.properties as Record<string, { default: unknown }>;
    const { settings, problems } = readSettings((key) => props[`stacklens.${key}`]?.default);
    assert.deepEqual(problems, []);
    assert.equal(settings.port, 4318);
    assert.equal(settings.token, '');
    assert.deepEqual(settings.retention, { maxAgeMs: 7 * 86_400_000, maxSpans: 200_000 });
    assert.equal(settings.codeLensEnabled, true);
    assert.deepEqual(Object.keys(props).sort(), [
      'stacklens.codeLens.enabled', 'stacklens.port', 'stacklens.pricing.overrides', 'stacklens.retention.maxAgeDays', 'stacklens.retention.maxSpans', 'stacklens.token',
    ]);
  });

  it('names a bad value and keeps the default instead of breaking the collector', () => {
    const values: Record<string, unknown> = { port: 70000, 'retention.maxAgeDays': 'week', 'pricing.overrides': [1], token: 42 };
    const { settings, problems } = readSettings((key) => values[key]);
    assert.equal(settings.port, 4318);
    assert.equal(settings.retention.maxAgeMs, 7 * 86_400_000);
    assert.deepEqual(settings.priceOverrides, {});
    assert.equal(settings.token, '');
    assert.equal(problems.length, 4);
    assert.match(problems[0], /stacklens\.port is 70000: it must be a whole number from 0 to 65535; using 4318/);
  });

  it('takes a free port (0), a trimmed token and price overrides as given', () => {
    const values: Record<string, unknown> = { port: 0, token: '  sl-mine  ', 'pricing.overrides': { 'my-model': { input: 1, output: 2 } }, 'codeLens.enabled': false };
    const { settings } = readSettings((key) => values[key]);
    assert.equal(settings.port, 0);
    assert.equal(settings.token, 'sl-mine');
    assert.deepEqual(settings.priceOverrides, { 'my-model': { input: 1, output: 2 } });
    assert.equal(settings.codeLensEnabled, false);
  });
});

describe('the extension manifest', () => {
  it('declares a command for every command the extension registers, and a menu only for declared ones', () => {
    const declared = new Set((manifest.contributes.commands as Array<{ command: string }>).map((c) => c.command));
    const sources = ['trace-commands.ts', 'filter-commands.ts', 'collector-commands.ts']
      .map((f) => readFileSync(path.join(__dirname, '../../../extension/ui', f), 'utf8')).join('\n');
    const registered = [...sources.matchAll(/registerCommand\('([^']+)'/g)].map((m) => m[1]);
    assert.ok(registered.length >= 15);
    for (const id of registered) assert.ok(declared.has(id), `${id} is registered but not in contributes.commands`);
    for (const group of Object.values(manifest.contributes.menus) as Array<Array<{ command: string }>>) {
      for (const item of group) assert.ok(declared.has(item.command) || registered.includes(item.command), `menu entry ${item.command} is not a command`);
    }
  });

  it('keeps engines.vscode at a version code-server 4.139 and @types/vscode 1.100 both accept', () => {
    assert.equal(manifest.engines.vscode, '^1.100.0');
    assert.equal(manifest.main, './dist/extension.js');
    assert.ok(manifest.activationEvents.includes('onStartupFinished'));
  });

  it('points the walkthrough and the views at media files that exist', () => {
    const media = [
      manifest.contributes.viewsContainers.activitybar[0].icon,
      ...manifest.contributes.walkthroughs[0].steps.map((s: { media: { markdown: string } }) => s.media.markdown),
    ];
    for (const file of media) assert.ok(readFileSync(path.join(__dirname, '../../..', file)).length > 0, file);
    assert.equal(manifest.contributes.walkthroughs[0].steps.length, 4);
  });
});
