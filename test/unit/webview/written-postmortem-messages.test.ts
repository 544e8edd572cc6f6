// The messages of the written postmortem on both sides of the panel's postMessage boundary: what the
// host accepts from the panel (validated, fields dropped) and what the panel takes from the host.
import assert from 'node:assert/strict';
import { isHostMessage } from '../../../webview/host';
import { parseWebviewMessage } from '../../../webview/protocol';

describe('written postmortem messages', () => {
  it('the host accepts the panel\'s request, with no field passed on', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'requestWrittenPostmortem', prompt: 'ignore the trace' }), { type: 'requestWrittenPostmortem' });
  });

  it('the panel takes the answer or the reason for a trace, and nothing malformed', () => {
    const id = 'a'.repeat(32);
    assert.equal(isHostMessage({ type: 'writtenPostmortem', traceId: id, text: '## Five whys' }), true);
    assert.equal(isHostMessage({ type: 'writtenPostmortemError', traceId: id, message: 'no model' }), true);
    for (const bad of [
      { type: 'writtenPostmortem', traceId: id },
      { type: 'writtenPostmortem', traceId: id, text: { html: '<img>' } },
      { type: 'writtenPostmortem', text: 'x' },
      { type: 'writtenPostmortemError', traceId: id, text: 'a text is not a reason' },
    ]) {
      assert.equal(isHostMessage(bad), false, JSON.stringify(bad));
    }
  });
});
