import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createPrivacy } from '../../../extension/server/privacy';
import { forwardHeaderSecretKey, forwardOption, readForwardSettings, readPrivacySettings, strictestCaptureContent } from '../../../extension/ui/privacy-settings';
import { COLLECTOR_SETTINGS, readSettings } from '../../../extension/ui/settings';

const manifest = JSON.parse(readFileSync(path.join(__dirname, '../../../package.json'), 'utf8'));

function privacy(values: Record<string, unknown>) {
  const problems: string[] = [];
  return { settings: readPrivacySettings((key) => values[key], problems), problems };
}

function forward(values: Record<string, unknown>, secrets: Record<string, string> = {}) {
  const problems: string[] = [];
  const settings = readForwardSettings((key) => values[key], problems);
  const option = forwardOption(settings, (name) => secrets[name], problems);
  return { settings, option, problems };
}

describe('privacy settings', () => {
  it('passes capture, the default patterns, cards and custom patterns through as plain data', () => {
    const { settings, problems } = privacy({
      'privacy.captureContent': false,
      'privacy.redact.defaults': false,
      'privacy.redact.creditCards': true,
      'privacy.redact.patterns': [{ name: ' ticket_id ', regex: 'TCK-[0-9]{6}' }, { name: 'customer', regex: '/cust_[a-z0-9]{12}/i' }],
    });
    assert.deepEqual(problems, []);
    assert.deepEqual(settings, {
      captureContent: false,
      redact: { defaults: false, creditCards: true, patterns: [{ name: 'ticket_id', regex: 'TCK-[0-9]{6}' }, { name: 'customer', regex: '/cust_[a-z0-9]{12}/i' }] },
      encryptAtRest: false,
    });
    // what the settings produce is what the collector's privacy takes without complaint
    const applied = createPrivacy({ captureContent: settings.captureContent, redact: settings.redact });
    assert.equal(applied.redactText('see TCK-123456 and CUST_ABCDEF123456'), 'see [REDACTED:ticket_id] and [REDACTED:customer]');
  });

  it('leaves out a pattern that is not a valid regex, names it, and keeps the valid ones', () => {
    const { settings, problems } = privacy({
      'privacy.redact.patterns': [{ name: 'ticket', regex: 'TCK-(\\d{5}' }, { name: 'order', regex: 'ORD-[0-9]{4}' }, { name: 'any', regex: 'x*' }, { name: '9bad', regex: 'a' }],
    });
    assert.deepEqual(settings.redact.patterns, [{ name: 'order', regex: 'ORD-[0-9]{4}' }]);
    assert.equal(problems.length, 3);
    assert.match(problems[0], /stacklens\.privacy\.redact\.patterns\[0\] "ticket" is not a valid regular expression: .*Unterminated group.*NOT redacted/);
    assert.match(problems[1], /patterns\[2\] "any" matches the empty string/);
    assert.match(problems[2], /patterns\[3\] "9bad": a name is letters/);
  });

  it('names a value of the wrong type and keeps the safe default', () => {
    const { settings, problems } = privacy({ 'privacy.captureContent': 'no', 'privacy.redact.defaults': 0, 'privacy.redact.patterns': { name: 'x' } });
    assert.equal(settings.captureContent, true);
    assert.equal(settings.redact.defaults, true);
    assert.deepEqual(settings.redact.patterns, []);
    assert.equal(problems.length, 3);
    assert.match(problems[0], /privacy\.redact\.patterns must be a list/);
  });

  it('turns content capture off when any folder of the window turns it off', () => {
    assert.equal(strictestCaptureContent([true, undefined, true]), true);
    assert.equal(strictestCaptureContent([true, false, undefined]), false);
    assert.equal(strictestCaptureContent([]), true);
  });

  it('restarts the collector when a privacy or forwarding setting changes', () => {
    assert.ok(COLLECTOR_SETTINGS.includes('stacklens.privacy'));
    assert.ok(COLLECTOR_SETTINGS.includes('stacklens.forward'));
    const props = manifest.contributes.configuration.properties;
    assert.equal(props['stacklens.privacy.captureContent'].scope, 'resource');
    assert.equal(readSettings(() => undefined).settings.privacy.encryptAtRest, false);
  });
});

describe('forwarding settings', () => {
  it('sends the named headers with their secret values, and keeps the values out of settings', () => {
    const { option, problems } = forward(
      { 'forward.endpoint': ' https://cloud.langfuse.com/api/public/otel ', 'forward.headers': ['Authorization', 'x-tenant', 'authorization'] },
      { Authorization: 'Basic cGs6c2s=', 'x-tenant': 'acme' },
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(option, { endpoint: 'https://cloud.langfuse.com/api/public/otel', headers: { Authorization: 'Basic cGs6c2s=', 'x-tenant': 'acme' } });
    assert.equal(manifest.contributes.configuration.properties['stacklens.forward.headers'].items.type, 'string');
  });

  it('forwards without a header whose value was never set, and says how to set it', () => {
    const { option, problems } = forward({ 'forward.endpoint': 'http://tempo:4318', 'forward.headers': ['Authorization'] });
    assert.deepEqual(option, { endpoint: 'http://tempo:4318', headers: {} });
    assert.deepEqual(problems, ['forwarding header "Authorization" has no value: run "StackLens: Set Forwarding Header…" to set it; forwarding without it']);
  });

  it('turns forwarding off for an endpoint the collector would refuse, naming why, instead of stopping the collector', () => {
    for (const [endpoint, why] of [['tempo:4317', /not http\(s\)/], ['https://user:pw@host/otel', /credentials in a header/], ['not a url', /is not a URL/]] as const) {
      const { option, problems } = forward({ 'forward.endpoint': endpoint });
      assert.equal(option, undefined);
      assert.equal(problems.length, 1);
      assert.match(problems[0], why);
      assert.match(problems[0], /forwarding is off$/);
    }
  });

  it('is off without an endpoint, and names headers set without one', () => {
    assert.equal(forward({}).option, undefined);
    assert.deepEqual(forward({}).problems, []);
    assert.match(forward({ 'forward.headers': ['Authorization'] }).problems[0], /forward\.endpoint is empty/);
  });

  it('drops a header StackLens sets itself, keeping the rest', () => {
    const { option, problems } = forward({ 'forward.endpoint': 'http://x:4318', 'forward.headers': ['Content-Type', 'api_key'] }, { 'Content-Type': 'text/plain', api_key: 'k' });
    assert.deepEqual(option?.headers, { api_key: 'k' });
    assert.match(problems[0], /"Content-Type" is set by StackLens itself/);
  });

  it('keeps one secret per header name, whatever its case', () => {
    assert.equal(forwardHeaderSecretKey('Authorization'), forwardHeaderSecretKey('authorization'));
    assert.equal(forwardHeaderSecretKey('x-api-key'), 'stacklens.forward.header.x-api-key');
  });
});
