import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { evalsFilePath, judgeOption, readSettings } from '../../../extension/ui/settings';

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
    assert.deepEqual(settings.budget, { monthlyUsd: null, warnAtPct: 80, hardLimit: false, perTag: {} });
    assert.deepEqual(settings.evals, { file: '', judge: { provider: 'vscode', url: '', model: '' } });
    assert.deepEqual(Object.keys(props).sort(), [
      'stacklens.budget.hardLimit', 'stacklens.budget.monthlyUsd', 'stacklens.budget.perTag', 'stacklens.budget.warnAtPct',
      'stacklens.codeLens.enabled', 'stacklens.evals.file', 'stacklens.evals.judge.model', 'stacklens.evals.judge.provider', 'stacklens.evals.judge.url',
      'stacklens.forward.endpoint', 'stacklens.forward.headers',
      'stacklens.port', 'stacklens.pricing.overrides',
      'stacklens.privacy.captureContent', 'stacklens.privacy.encryptAtRest', 'stacklens.privacy.redact.creditCards', 'stacklens.privacy.redact.defaults', 'stacklens.privacy.redact.patterns',
      'stacklens.retention.maxAgeDays', 'stacklens.retention.maxSpans', 'stacklens.token',
    ]);
    assert.deepEqual(settings.privacy, { captureContent: true, redact: { defaults: true, creditCards: false, patterns: [] }, encryptAtRest: false });
    assert.deepEqual(settings.forward, { endpoint: '', headerNames: [] });
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

describe('budget and evals settings', () => {
  it('takes a monthly budget, its warning threshold, the hard limit and per-tag budgets as plain data', () => {
    const values: Record<string, unknown> = { 'budget.monthlyUsd': 1000, 'budget.warnAtPct': 90, 'budget.hardLimit': true, 'budget.perTag': { support: 300, search: 0 } };
    const { settings, problems } = readSettings((key) => values[key]);
    assert.deepEqual(problems, []);
    assert.deepEqual(settings.budget, { monthlyUsd: 1000, warnAtPct: 90, hardLimit: true, perTag: { support: 300, search: 0 } });
  });

  it('names a wrong budget value and keeps every valid one', () => {
    const values: Record<string, unknown> = { 'budget.monthlyUsd': -5, 'budget.warnAtPct': 150, 'budget.hardLimit': 'yes', 'budget.perTag': { support: 300, search: 'lots', '': 1 } };
    const { settings, problems } = readSettings((key) => values[key]);
    assert.deepEqual(settings.budget, { monthlyUsd: null, warnAtPct: 80, hardLimit: false, perTag: { support: 300 } });
    assert.equal(problems.length, 5);
    assert.match(problems[0], /stacklens\.budget\.monthlyUsd is -5: it must be an amount in USD ≥ 0/);
    assert.match(problems[1], /stacklens\.budget\.warnAtPct is 150: it must be a percent from 1 to 100; using 80/);
    assert.ok(problems.some((p) => /perTag\["search"\] is "lots"/.test(p)));
  });

  it('needs a URL and a model for an OpenAI-compatible judge, and names what is missing', () => {
    const ok = readSettings((key) => ({ 'evals.judge.provider': 'openai-compatible', 'evals.judge.url': 'http://127.0.0.1:11434/v1', 'evals.judge.model': 'llama3.1' })[key]);
    assert.deepEqual(ok.problems, []);
    assert.deepEqual(judgeOption(ok.settings.evals.judge, 'sk-x'), { kind: 'openai', url: 'http://127.0.0.1:11434/v1', model: 'llama3.1', apiKey: 'sk-x' });
    const missing = readSettings((key) => ({ 'evals.judge.provider': 'openai-compatible', 'evals.judge.url': 'localhost:11434' })[key]);
    assert.equal(missing.settings.evals.judge.provider, 'off');
    assert.match(missing.problems[0], /stacklens\.evals\.judge\.url .* and stacklens\.evals\.judge\.model are needed/);
    assert.equal(judgeOption(missing.settings.evals.judge, undefined), undefined);
    assert.deepEqual(judgeOption({ provider: 'vscode', url: '', model: '' }, undefined), { kind: 'main' });
    const unknown = readSettings((key) => ({ 'evals.judge.provider': 'copilot' })[key]);
    assert.match(unknown.problems[0], /must be one of vscode, openai-compatible, off; using vscode/);
  });

  it('reads the evals file from the first workspace folder unless the setting is absolute', () => {
    assert.equal(evalsFilePath('', '/home/dev/app'), path.join('/home/dev/app', '.stacklens', 'evals.json'));
    assert.equal(evalsFilePath('config/evals.json', '/home/dev/app'), path.join('/home/dev/app', 'config', 'evals.json'));
    assert.equal(evalsFilePath('/etc/evals.json', undefined), '/etc/evals.json');
    assert.equal(evalsFilePath('', undefined), undefined, 'no folder: no evaluators, rather than a file in some working directory');
  });
});

describe('the extension manifest', () => {
  it('declares a command for every command the extension registers, and a menu only for declared ones', () => {
    const declared = new Set((manifest.contributes.commands as Array<{ command: string }>).map((c) => c.command));
    const sources = ['trace-commands.ts', 'filter-commands.ts', 'collector-commands.ts', 'judge-commands.ts', 'dashboard-panel.ts', 'trace-file-commands.ts', 'forward-commands.ts', 'mcp-server.ts']
      .map((f) => readFileSync(path.join(__dirname, '../../../extension/ui', f), 'utf8')).join('\n');
    const registered = [...sources.matchAll(/registerCommand\('([^']+)'/g)].map((m) => m[1]);
    assert.ok(registered.length >= 19);
    for (const id of ['stacklens.openDashboard', 'stacklens.openSqlConsole', 'stacklens.runEvals', 'stacklens.postmortem', 'stacklens.exportTrace', 'stacklens.exportTraces', 'stacklens.importTraceFile', 'stacklens.traceFile.import', 'stacklens.setForwardHeader', 'stacklens.copyMcpConfiguration']) assert.ok(registered.includes(id), `${id} is registered`);
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
