// Reads the .cpuprofile files `node --cpu-prof` writes and names where the time went: self time
// by function and by file, which is what RESULTS.md's bottleneck notes are made from.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  idleMs: number;
  topFunctions: Array<{ name: string; ms: number; pct: number }>;
  topFiles: Array<{ file: string; ms: number; pct: number }>;
}

function shortUrl(url: string, root: string): string {
  const plain = url.replace(/^file:\/\//, '');
  return plain.startsWith(root) ? path.relative(root, plain) : plain || '(native)';
}

// esbuild's unminified bundles mark where each source module starts with a `// path/to/file.ts`
// line: enough to name the module a sampled line belongs to, without reading source maps.
const MODULE_MARK = /^\/\/ (\S+\.(?:ts|tsx|js|mjs|cjs))$/;
const moduleStarts = new Map<string, Array<[number, string]> | null>();

function sourceModule(url: string, line: number): string | null {
  if (!url.startsWith('file://') && !url.startsWith('/')) return null;
  const file = url.replace(/^file:\/\//, '');
  let starts = moduleStarts.get(file);
  if (starts === undefined) {
    try {
      starts = [];
      readFileSync(file, 'utf8').split('\n').forEach((text, i) => {
        const m = MODULE_MARK.exec(text);
        if (m) starts!.push([i, m[1]]);
      });
      if (starts.length === 0) starts = null;
    } catch {
      starts = null;
    }
    moduleStarts.set(file, starts);
  }
  if (!starts) return null;
  let found: string | null = null;
  for (const [at, name] of starts) {
    if (at > line) break;
    found = name;
  }
  return found;
}

/**
 * Reads the module layout of bundles before they are profiled: a summary made later must not map
 * lines with a bundle that `npm run build` has rewritten in the meantime.
 */
export function rememberBundles(files: string[]): void {
  for (const file of files) sourceModule(`file://${file}`, 0);
}

/** Monotonic-clock microseconds, the clock V8 stamps profile samples with. */
export function profileClockUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/**
 * Self time of one or more profiles (of the same program: several recordings are added up).
 * With `windows` ([start, end] in profileClockUs), only samples taken inside them count: the
 * phase of interest without the rest of the recording.
 */
export function summariseProfile(files: string | string[], root: string, top = 20, windows?: Array<[number, number]>): ProfileSummary {
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let idle = 0;
  let total = 0;
  for (const file of Array.isArray(files) ? files : [files]) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const selfUs = new Map<number, number>();
    let at = profile.startTime;
    for (let i = 0; i < profile.samples.length; i++) {
      const delta = profile.timeDeltas[i] ?? 0;
      at += delta;
      if (windows && !windows.some(([from, to]) => at >= from && at <= to)) continue;
      selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + delta);
    }
    for (const [id, us] of selfUs) {
      const frame = byId.get(id)!.callFrame;
      total += us;
      if (frame.functionName === '(idle)') {
        idle += us;
        continue;
      }
      const bundle = shortUrl(frame.url, root);
      const module = sourceModule(frame.url, frame.lineNumber);
      const where = module ?? bundle;
      const name = `${frame.functionName || '(anonymous)'}  ${module ? `${module} (${bundle}:${frame.lineNumber + 1})` : `${bundle}${frame.url ? `:${frame.lineNumber + 1}` : ''}`}`;
      byFunction.set(name, (byFunction.get(name) ?? 0) + us);
      byFile.set(where, (byFile.get(where) ?? 0) + us);
    }
  }
  const busy = Math.max(1, total - idle);
  const rank = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
  return {
    file: Array.isArray(files) ? `${files.length} recordings` : files,
    totalMs: total / 1000,
    idleMs: idle / 1000,
    topFunctions: rank(byFunction).map(([name, us]) => ({ name, ms: us / 1000, pct: (100 * us) / busy })),
    topFiles: rank(byFile).map(([f, us]) => ({ file: f, ms: us / 1000, pct: (100 * us) / busy })),
  };
}

/**
 * Summarises the profiles in `dir` into `<dir>/summary.txt` and returns the text: one summary per
 * file (one per thread with --cpu-prof), or one over all files when `merge` (several recordings of
 * one phase).
 */
export function summariseProfiles(dir: string, root: string, merge = false, windows?: Array<[number, number]>): string {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort();
  const groups = merge ? [files] : files.map((f) => [f]);
  const parts = groups.map((group) => {
    const s = summariseProfile(group.map((f) => path.join(dir, f)), root, 20, windows);
    const name = group.length === 1 ? group[0] : `${path.basename(dir)} (${group.length} recordings)`;
    const lines = [
      `== ${name}: ${(s.totalMs / 1000).toFixed(1)} s sampled, ${((100 * s.idleMs) / Math.max(1, s.totalMs)).toFixed(0)}% idle`,
      '  self time by function (% of busy time):',
      ...s.topFunctions.map((x) => `    ${x.pct.toFixed(1).padStart(5)}%  ${x.ms.toFixed(0).padStart(7)} ms  ${x.name}`),
      '  self time by source module:',
      ...s.topFiles.slice(0, 10).map((x) => `    ${x.pct.toFixed(1).padStart(5)}%  ${x.ms.toFixed(0).padStart(7)} ms  ${x.file}`),
    ];
    return lines.join('\n');
  });
  const text = parts.join('\n\n') + '\n';
  writeFileSync(path.join(dir, 'summary.txt'), text);
  return text;
}
