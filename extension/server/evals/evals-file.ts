// The workspace's evals file, kept current: read at start, re-read when it changes (polled with
// stat, which survives editors that save by replacing the file), and checked before an on-demand
// run. A file that cannot be used keeps the last good evaluators running and says why.
import { readFileSync, statSync, unwatchFile, watchFile } from 'node:fs';
import { EvalsConfigError, parseEvalsText, type Evaluator } from './config';

export interface EvalsFileStatus {
  /** absolute path, or null when no file was configured */
  file: string | null;
  exists: boolean;
  evaluators: Evaluator[];
  /** entries skipped and keys ignored, each naming its path in the file */
  problems: string[];
  /** why the file as a whole could not be used (the previous evaluators stay), or null */
  error: string | null;
  loaded_at: number | null;
}

export class EvalsFile {
  private evaluators: Evaluator[] = [];
  private problems: string[] = [];
  private error: string | null = null;
  private exists = false;
  private loadedAt: number | null = null;
  private seen = '';
  private readonly onFileChange = () => this.refresh();
  private watching = false;

  constructor(
    readonly file: string | null,
    private readonly warn: (message: string) => void,
    pollMs = 1000,
  ) {
    this.refresh();
    if (file) {
      watchFile(file, { interval: pollMs, persistent: false }, this.onFileChange);
      this.watching = true;
    }
  }

  current(): Evaluator[] {
    return this.evaluators;
  }

  status(): EvalsFileStatus {
    return { file: this.file, exists: this.exists, evaluators: this.evaluators, problems: this.problems, error: this.error, loaded_at: this.loadedAt };
  }

  /** Re-reads the file when its size or modification time changed since the last read. */
  refresh(): void {
    if (!this.file) return;
    let signature: string;
    try {
      const st = statSync(this.file);
      signature = `${st.mtimeMs}:${st.size}:${st.ino}`;
    } catch {
      signature = 'missing';
    }
    if (signature === this.seen) return;
    this.seen = signature;
    if (signature === 'missing') {
      // no file: the workspace declares no evaluators
      this.set([], [], null, false);
      return;
    }
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      this.fail(`could not read it: ${(err as Error).message}`);
      return;
    }
    try {
      const config = parseEvalsText(text);
      this.set(config.evaluators, config.problems, null, true);
      for (const p of config.problems) this.warn(`${this.file}: ${p}`);
    } catch (err) {
      if (!(err instanceof EvalsConfigError)) throw err;
      this.fail(err.message);
    }
  }

  close(): void {
    if (this.watching && this.file) unwatchFile(this.file, this.onFileChange);
    this.watching = false;
  }

  private set(evaluators: Evaluator[], problems: string[], error: string | null, exists: boolean): void {
    this.evaluators = evaluators;
    this.problems = problems;
    this.error = error;
    this.exists = exists;
    this.loadedAt = Date.now();
  }

  private fail(why: string): void {
    const kept = this.evaluators.length ? `; the ${this.evaluators.length} evaluator(s) loaded before keep running` : '';
    this.error = `${this.file}: ${why}${kept}`;
    this.exists = true;
    this.warn(this.error);
  }
}
