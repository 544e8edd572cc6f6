// Collector and store threads yield the CPU to the editor. On 2 cores, a burst of ingest keeps
// both busy and VS Code's extension host thread would wait for a core (bench/RESULTS.md, main
// thread: ~50 ms delays at normal priority, ~15 ms at nice 10).
import os from 'node:os';

export function lowerThreadPriority(): void {
  // On Linux, pid 0 names the calling thread alone; elsewhere it would lower the whole process
  // (the editor included), so leave other platforms as they are.
  if (process.platform !== 'linux') return;
  try {
    os.setPriority(0, 10);
  } catch {
    // not allowed (containers may forbid it): run at normal priority
  }
}
