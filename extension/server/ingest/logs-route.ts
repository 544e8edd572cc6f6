// POST /v1/logs: OTLP log records (JSON or protobuf, gzip, the body limits of every route) joined
// to their spans as events. Only what is truly kept is acknowledged: records naming no span are
// answered as rejected (partial success); records whose span has not arrived get a 503, which
// OTLP exporters retry.
import type { Route } from '../api-routes';
import { HttpError } from '../http/errors';
import { otlpEncoding } from './index';
import { logsToPatches, encodeLogsResponse } from './logs';
import type { LogAttacher } from './logs-attach';
import { decodeLogsRequest } from './logs-decode';

/** how long a request waits for spans its records name before answering 503 */
const WAIT_FOR_SPANS_MS = 2000;

export function logsRoute(attacher: LogAttacher, waitMs = WAIT_FOR_SPANS_MS): Route {
  return {
    method: 'POST',
    pattern: /^\/v1\/logs$/,
    async handle(ctx) {
      const contentType = ctx.req.headers['content-type'] ?? '';
      const encoding = otlpEncoding(contentType); // 415 before the body is read
      const request = decodeLogsRequest(await ctx.body(), encoding);
      const result = logsToPatches(request);
      const { missing } = await attacher.attach(result.patches, waitMs);
      if (missing.length > 0) {
        const records = missing.reduce((n, p) => n + p.events.length, 0);
        const first = missing[0];
        throw new HttpError(
          503,
          `${records} log record${records === 1 ? '' : 's'} name${records === 1 ? 's' : ''} a span that has not arrived (trace ${first.trace_id}, span ${first.span_id}${missing.length > 1 ? ` and ${missing.length - 1} more` : ''}): send the spans to /v1/traces; the exporter retries this request`,
          { 'retry-after': '2' },
        );
      }
      const answer = encodeLogsResponse(result, encoding);
      return { body: answer.body, contentType: answer.contentType };
    },
  };
}
