// Entry of dist/trace-file-reader.js: reads one .stacklens.json file (gunzip, JSON, normalising)
// in a short-lived worker_thread, so opening a large trace file never stalls the editor.
import { parentPort, workerData } from 'node:worker_threads';
import { readTraceFile } from './import';

try {
  parentPort!.postMessage({ ok: true, traces: readTraceFile(workerData as Uint8Array) });
} catch (err) {
  parentPort!.postMessage({ ok: false, error: (err as Error).message });
}
