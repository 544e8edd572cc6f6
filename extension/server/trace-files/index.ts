// Trace files (`.stacklens.json`): what the collector, the CLI and the VS Code side use.
export { TRACE_FILE_EXTENSION, TRACE_FILE_FORMAT, TraceFileError, traceFileName, type TraceFile, type TraceFileHeader } from './format';
export { writeTraceFile, traceFileText } from './export';
export { parseTraceFile, readTraceFile, importTraceFile, type ImportResult, type ParsedTraceFile } from './import';
export { traceFileRoutes } from './routes';
