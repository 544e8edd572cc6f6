// Reads a trace file off the main thread (dist/trace-file-reader.js, see
// extension/server/trace-files/reader-worker.ts) and answers its traces.
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { TraceDetail } from '../server/model';

export function readTraceFileOffThread(distDir: string, bytes: Uint8Array): Promise<TraceDetail[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(path.join(distDir, 'trace-file-reader.js'), { workerData: bytes });
    worker.once('message', (answer: { ok: true; traces: TraceDetail[] } | { ok: false; error: string }) => {
      void worker.terminate();
      if (answer.ok) resolve(answer.traces);
      else reject(new Error(answer.error));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the trace file reader stopped (exit code ${code}) before answering`)));
  });
}
