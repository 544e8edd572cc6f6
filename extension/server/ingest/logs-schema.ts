// The OTLP logs messages, added to the protobufjs root of otlp-schema.ts so they share its common
// (AnyValue, KeyValue, InstrumentationScope) and resource types. Field numbers follow
// opentelemetry-proto v1.x logs/v1/logs.proto and collector/logs/v1/logs_service.proto; the same
// edition-2023 features as otlp-schema.ts (no UTF-8 validation: an invalid byte becomes U+FFFD
// instead of failing the request).
import protobuf from 'protobufjs';
import { otlpRoot } from './otlp-schema';

const HEADER = `
edition = "2023";
option features.field_presence = IMPLICIT;
option features.utf8_validation = NONE;
`;

const LOGS = `
package opentelemetry.proto.logs.v1;
message LogsData { repeated ResourceLogs resource_logs = 1; }
message ResourceLogs {
  opentelemetry.proto.resource.v1.Resource resource = 1;
  repeated ScopeLogs scope_logs = 2;
  string schema_url = 3;
  // deprecated InstrumentationLibraryLogs, same wire layout; old exporters still send it
  repeated ScopeLogs instrumentation_library_logs = 1000;
}
message ScopeLogs {
  opentelemetry.proto.common.v1.InstrumentationScope scope = 1;
  repeated LogRecord log_records = 2;
  string schema_url = 3;
}
message LogRecord {
  reserved 4;
  fixed64 time_unix_nano = 1;
  fixed64 observed_time_unix_nano = 11;
  int32 severity_number = 2;
  string severity_text = 3;
  opentelemetry.proto.common.v1.AnyValue body = 5;
  repeated opentelemetry.proto.common.v1.KeyValue attributes = 6;
  uint32 dropped_attributes_count = 7;
  fixed32 flags = 8;
  bytes trace_id = 9;
  bytes span_id = 10;
  string event_name = 12;
}
`;

const LOGS_SERVICE = `
package opentelemetry.proto.collector.logs.v1;
message ExportLogsServiceRequest {
  repeated opentelemetry.proto.logs.v1.ResourceLogs resource_logs = 1;
}
message ExportLogsPartialSuccess {
  int64 rejected_log_records = 1;
  string error_message = 2;
}
message ExportLogsServiceResponse {
  ExportLogsPartialSuccess partial_success = 1;
}
`;

function extendRoot(): protobuf.Root {
  if (!otlpRoot.lookup('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest')) {
    for (const text of [LOGS, LOGS_SERVICE]) protobuf.parse(HEADER + text, otlpRoot, { keepCase: false });
    otlpRoot.resolveAll();
  }
  return otlpRoot;
}

const root = extendRoot();
export const ExportLogsServiceRequest = root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest');
export const ExportLogsServiceResponse = root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse');
