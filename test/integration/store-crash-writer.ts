// Child process of store-durability.test.ts: `node --import tsx store-crash-writer.ts DIR MODE`.
// forever: ingests batch after batch, printing "ack N" once ingest N resolved, until killed.
// close:   ingests three batches, closes the store and lets the process end on its own.
import { openStore } from '../../extension/server/store';
import { crashBatch } from './store-fixtures';

const [dataDir, mode] = process.argv.slice(2);

async function main(): Promise<void> {
  // small segments and frequent snapshots, so a kill lands among rollovers and snapshot writes
  const store = await openStore({ dataDir, snapshotIntervalMs: 100, segmentBytes: 128 * 1024, onWarning: (m) => process.stderr.write(m + '\n') });
  process.stdout.write('open\n');
  for (let n = 0; mode === 'forever' || n < 3; n++) {
    await store.ingest(crashBatch(n));
    process.stdout.write(`ack ${n}\n`);
    if (n === 30) await store.snapshot();
    // let the worker's messages and timers run between batches, as a collector's would
    await new Promise((resolve) => setImmediate(resolve));
  }
  await store.close();
  process.stdout.write('closed\n');
}

main().catch((err: Error) => {
  process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});
