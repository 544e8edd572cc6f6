// Mocha inside code-server's real (Node) extension host: what `--extensionTestsPath` does for
// desktop VS Code. code-server refuses those flags, but its workbench takes the same two paths as
// a `payload` when started with the smoke-test driver, and reports the test run through two hooks
// the page provides: codeAutomationLog (the host's console, and the workbench's own log) and
// codeAutomationExit (the host's exit code: 0 when run() resolved).
import { mkdirSync } from 'node:fs';
import { format } from 'node:util';
import { launchBrowser, newWorkbenchPage, screenshot } from './browser';
import { runEnv, startCodeServer } from './code-server';
import { waitFor } from './wait';

export interface ExtensionTestOptions {
  /** folder with the extension's package.json (its `main` is loaded from there) */
  extensionDevelopmentPath: string;
  /** a module exporting run(): Promise<void>, as for @vscode/test-electron */
  extensionTestsPath: string;
  /** the folder the workbench opens */
  workspace: string;
  runDir: string;
  /** user settings for the run (collector port, say) */
  settings?: Record<string, unknown>;
  timeoutMs: number;
  /** each line of the suite's output as it arrives (the workbench's start-up chatter left out) */
  onLine?: (line: string) => void;
}

export interface ExtensionTestResult {
  exitCode: number;
  /** everything logged, formatted as console.log would, ANSI colours removed */
  lines: string[];
  passing: number;
  failing: number;
  pending: number;
  /** what code-server printed, for diagnosis */
  serverOutput: string;
  /** processes stop() had to end after code-server itself (extension host, pty host, watcher...) */
  sweptPids: number[];
}

const ansi = /\u001b\[[0-9;]*[A-Za-z]/g;
const tallyLine = /^\s*tests: (\d+) passed, (\d+) failed, (\d+) skipped\s*$/;

/**
 * A line of in-host output as it is echoed into this mocha's report. test/run.mjs takes the first
 * "tests: N passed, …" line of a stage's output as the stage's tally, so the in-host tally is
 * reworded: the outer reporter's line is the one that counts.
 */
export function echoLine(line: string): string {
  const tally = tallyLine.exec(line);
  return tally ? `in-host run: ${tally[1]} tests passed, ${tally[2]} failed, ${tally[3]} skipped` : line;
}

// The workbench logs through the same hook. These messages are its start-up steps and the failed
// marketplace look-ups of a machine without internet: true, harmless, and noise in a test report.
const workbenchChatter = [
  /^(Resolving connection token|Resolved connection token|Creating a socket|Updating additional builtin extensions cache)/,
  /^\[(reconnection-grace-time|Service Worker|AgentHost[^\]]*|AccountPolicyGate)\]/,
  /^Creation of workbench contribution '[^']+' took \d+ms/,
  /authentication provider '(github|microsoft)'/,
  /(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|fetch failed).*(open-vsx\.org|github\.com|marketplace|gallery)/i,
  /(open-vsx\.org|api\.github\.com).*(ENOTFOUND|EAI_AGAIN|failed)/i,
];

/**
 * Mocha's closing counts from the in-host output: the tally line of test/support/reporter.cjs
 * ("tests: 8 passed, 0 failed, 0 skipped") when there is one, else the spec reporter's
 * "12 passing (3s)", "1 failing", "2 pending".
 */
export function mochaCounts(lines: string[]): { passing: number; failing: number; pending: number } {
  const tally = lines.map((line) => tallyLine.exec(line)).filter((m) => m !== null).pop();
  if (tally) return { passing: Number(tally[1]), failing: Number(tally[2]), pending: Number(tally[3]) };
  const count = (word: string) => {
    let found = 0;
    for (const line of lines) {
      const match = new RegExp(`^\\s*(\\d+) ${word}\\b`).exec(line);
      if (match) found = Number(match[1]);
    }
    return found;
  };
  return { passing: count('passing'), failing: count('failing'), pending: count('pending') };
}

/** One console call from the page, as console.log would have printed it. */
export function formatLogMessage(message: unknown): string[] {
  const args = Array.isArray(message) ? message : [message];
  return format(...args).replace(ansi, '').split(/\r?\n/);
}

export async function runExtensionTests(options: ExtensionTestOptions): Promise<ExtensionTestResult> {
  mkdirSync(options.runDir, { recursive: true });
  const server = await startCodeServer({ runDir: options.runDir, smokeTestDriver: true, settings: options.settings });
  const lines: string[] = [];
  let result: Omit<ExtensionTestResult, 'sweptPids'>;
  let sweptPids: number[];
  try {
    const browser = await launchBrowser(runEnv(options.runDir, server.runId));
    try {
      const page = await newWorkbenchPage(browser);
      let exitCode: number | undefined;
      await page.exposeFunction('codeAutomationLog', (_level: string, message: unknown) => {
        const formatted = formatLogMessage(message);
        lines.push(...formatted);
        if (!workbenchChatter.some((pattern) => pattern.test(formatted[0] ?? ''))) formatted.forEach((line) => options.onLine?.(echoLine(line)));
      });
      await page.exposeFunction('codeAutomationExit', (code: number) => {
        exitCode = code;
      });
      await page.goto(
        server.url(options.workspace, [
          ['extensionDevelopmentPath', options.extensionDevelopmentPath],
          ['extensionTestsPath', options.extensionTestsPath],
        ]),
      );
      const { code } = await waitFor(
        'the extension host to finish the test suite (codeAutomationExit)',
        options.timeoutMs,
        () => exitCode !== undefined && { code: exitCode },
        () => `${lines.slice(-15).join('\n')}\n--- code-server:\n${server.output().slice(-1500)}`,
      ).catch(async (error: unknown) => {
        await screenshot(page, 'vscode-suite-timeout');
        throw error;
      });
      result = { exitCode: code, lines, ...mochaCounts(lines), serverOutput: server.output() };
    } finally {
      await browser.close().catch(() => undefined);
    }
  } finally {
    sweptPids = await server.stop();
  }
  return { ...result, sweptPids };
}
