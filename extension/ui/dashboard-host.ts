// The host's side of the dashboard conversation, without VS Code: it validates what the webview
// posts, answers usage reports and SQL from the collector, and hands the rest (open a trace,
// settings, clipboard) to the adapter. dashboard-panel.ts wires it to a webview panel; the
// Chromium harness wires it to a page.
import type { CollectorApi } from '../server/rpc';
import { parseDashboardMessage, type DashboardView, type HostToDashboard } from '../../webview/protocol';
import { usageReport } from './usage-report';

export interface DashboardHostOptions {
  collector: Pick<CollectorApi, 'stats' | 'budget' | 'query' | 'sql'>;
  post(message: HostToDashboard): void;
  openTrace(traceId: string): Promise<void> | void;
  openBudgetSettings(): Promise<void> | void;
  copy(text: string): Promise<void> | void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
}

export class DashboardHost {
  private ready = false;
  private view: DashboardView = 'usage';
  /** the range the webview last asked for; until null: up to now */
  private range: { since: number; until: number | null } | null = null;
  /** bumped per report asked for, so a slow answer never replaces a newer one */
  private generation = 0;

  constructor(private readonly o: DashboardHostOptions) {}

  /** Whether a store change should bring a fresh report (the webview has asked for one). */
  get showsUsage(): boolean {
    return this.ready && this.range !== null;
  }

  showView(view: DashboardView): void {
    this.view = view;
    if (this.ready) this.o.post({ type: 'showView', view });
  }

  /** The webview was (re)created: it starts over and says `ready` again. */
  reset(): void {
    this.ready = false;
    this.range = null;
  }

  async receive(data: unknown): Promise<void> {
    const message = parseDashboardMessage(data);
    if (!message) {
      this.o.log('warn', `ignored a malformed message from the dashboard: ${JSON.stringify(data)?.slice(0, 200)}`);
      return;
    }
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.o.post({ type: 'showView', view: this.view });
        return;
      case 'requestUsage':
        this.range = { since: message.since, until: message.until };
        this.o.post({ type: 'loadingUsage' });
        await this.sendUsage();
        return;
      case 'openTrace':
        await this.o.openTrace(message.traceId);
        return;
      case 'runSql':
        await this.runSql(message.id, message.sql);
        return;
      case 'openBudgetSettings':
        await this.o.openBudgetSettings();
        return;
      case 'copy':
        await this.o.copy(message.text);
        return;
      case 'log':
        this.o.log(message.level, `[dashboard] ${message.message}`);
        return;
    }
  }

  /** A fresh report of the range on screen. */
  async sendUsage(): Promise<void> {
    const range = this.range;
    if (!range) return;
    const generation = ++this.generation;
    try {
      const report = await usageReport(this.o.collector, range.since, range.until ?? Date.now());
      if (generation === this.generation) this.o.post({ type: 'showUsage', report });
    } catch (err) {
      if (generation === this.generation) this.o.post({ type: 'usageError', message: `The usage could not be read: ${(err as Error).message}` });
    }
  }

  private async runSql(id: number, sql: string): Promise<void> {
    const started = Date.now();
    try {
      const result = await this.o.collector.sql(sql);
      this.o.post({ type: 'sqlResult', id, result, elapsed_ms: Date.now() - started });
    } catch (err) {
      this.o.post({ type: 'sqlError', id, message: (err as Error).message });
    }
  }
}
