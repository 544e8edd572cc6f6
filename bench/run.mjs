// `npm run bench [-- --quick] [-- --only ingest,sdk] [-- --profile]`: the benchmark suite.
// Benchmarks are not tests: nothing fails on a number. Each section runs in its own process, one
// after the other (the machine has 2 shared cores), and compares against a baseline measured in the
// same run; the table at the end shows both, their ratio and the goal from issue 4.
// The sections are TypeScript (type-checked with the rest); they are bundled into bench/out/ first
// so that no loader thread runs beside what is measured.
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'bench', 'out');

const SECTIONS = [
  { name: 'ingest', title: 'OTLP ingest over loopback', entries: ['sections/ingest.ts', 'load.ts', 'sink-server.ts'], quickMin: 2, fullMin: 4 },
  { name: 'sdk', title: 'SDK overhead per span', entries: ['sections/sdk.ts', 'sections/sdk-worker.ts', 'sink-server.ts'], quickMin: 2, fullMin: 4 },
  // the store's worker is bundled beside the section and finds sql-wasm.wasm there, as in dist/
  // --profile records the whole section process (its store worker included) with --cpu-prof
  { name: 'store', title: 'store at scale', entries: ['sections/store.ts', '../extension/server/store/store-worker.ts'], copy: [['node_modules/sql.js/dist/sql-wasm.wasm', 'sql-wasm.wasm']], quickMin: 4, fullMin: 15, profileProcess: true },
  { name: 'main-thread', title: 'extension host main thread during ingest', entries: ['sections/main-thread.ts', 'host.ts', 'load.ts'], quickMin: 2, fullMin: 4 },
  // from source under tsx: it reuses test/webview's harness, which finds the repository from its own
  // path; what it times runs in Chromium, not in this process
  { name: 'panel', title: 'trace panel in Chromium', tsx: 'sections/panel.ts', entries: [], quickMin: 3, fullMin: 6 },
];

const USAGE = `npm run bench [-- options]    (or: node bench/run.mjs [options] after npm run build)

  --quick           smaller sizes and shorter runs (~1–2 minutes in all)
  --only a,b        run only these sections: ${SECTIONS.map((s) => s.name).join(', ')}
  --profile         also record --cpu-prof profiles of the code under test into bench/out/profiles/
                    and print where the time goes
  --help            this text

A full run (no --quick, no --only) writes its table into bench/RESULTS.md and README.md; every run writes
bench/out/latest.md and bench/out/latest.json.`;

function parseArgs(argv) {
  const options = { quick: false, only: null, profile: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') options.quick = true;
    else if (a === '--profile') options.profile = true;
    else if (a === '--only' || a.startsWith('--only=')) {
      const list = a.includes('=') ? a.slice(7) : argv[++i];
      if (!list) throw new Error('--only needs a list of sections, e.g. --only ingest,sdk');
      options.only = list.split(',').map((s) => s.trim()).filter(Boolean);
      const unknown = options.only.filter((n) => !SECTIONS.some((s) => s.name === n));
      if (unknown.length) throw new Error(`unknown section ${unknown.map((u) => `"${u}"`).join(', ')}: choose from ${SECTIONS.map((s) => s.name).join(', ')}`);
    } else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown option "${a}"\n\n${USAGE}`);
  }
  return options;
}

/** Bundles a section's entries; returns an error line instead of throwing, so other sections still run. */
async function bundle(section, options) {
  const entries = options.profile && section.profileProcess ? [...section.entries, 'lib/cpu-profile.ts'] : section.entries;
  try {
    await Promise.all(
      entries.map((entry) =>
        build({
          entryPoints: [path.join(root, 'bench', entry)],
          outfile: path.join(outDir, path.basename(entry).replace(/\.ts$/, '.js')),
          bundle: true,
          platform: 'node',
          format: 'cjs',
          target: 'node20',
          sourcemap: true,
          logLevel: 'silent',
          // playwright-core and esbuild stay packages (they find their own files at run time)
          external: ['vscode', 'playwright-core', 'esbuild'],
        }),
      ),
    );
    for (const [from, to] of section.copy ?? []) copyFileSync(path.join(root, from), path.join(outDir, to));
    return null;
  } catch (err) {
    const first = err.errors?.[0];
    return first ? `the bench could not be built against the code as it is: ${first.text}${first.location ? ` (${first.location.file}:${first.location.line})` : ''}` : String(err.message ?? err);
  }
}

function runSection(section, options) {
  const rowsFile = path.join(outDir, `rows-${section.name}.json`);
  rmSync(rowsFile, { force: true });
  const profileDir = options.profile && section.profileProcess ? path.join(outDir, 'profiles', `${section.name}-process`) : null;
  if (profileDir) {
    rmSync(profileDir, { recursive: true, force: true });
    mkdirSync(profileDir, { recursive: true });
  }
  const profileArgs = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  const limitMs = (options.quick ? section.quickMin : section.fullMin) * 60_000;
  const sectionOptions = { root, quick: options.quick, rowsFile, outDir, profile: options.profile };
  return new Promise((resolve) => {
    const script = section.tsx ? ['--import', 'tsx', path.join(root, 'bench', section.tsx)] : [path.join(outDir, `${section.name}.js`)];
    const child = spawn(process.execPath, [...(section.nodeArgs ?? []), ...profileArgs, ...script, JSON.stringify(sectionOptions)], { stdio: ['ignore', 'inherit', 'pipe'], cwd: root });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
      process.stderr.write(d);
    });
    const timer = setTimeout(() => {
      stderr += `\nthe section ran longer than its limit of ${limitMs / 60_000} minutes and was stopped`;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    }, limitMs);
    const stop = () => child.kill('SIGTERM');
    process.once('SIGINT', stop);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      process.off('SIGINT', stop);
      const rows = existsSync(rowsFile) ? JSON.parse(readFileSync(rowsFile, 'utf8')) : [];
      if (code !== 0 && rows.length === 0) {
        const why = stderr.trim().split('\n').filter(Boolean).pop() ?? `exited with ${code ?? signal}`;
        rows.push({ section: section.name, measure: section.title, value: null, unit: '', note: `not measured: ${why}` });
      } else if (code !== 0 || signal) {
        rows.push({ section: section.name, measure: '(section ended early)', value: null, unit: '', note: `not measured: ${stderr.trim().split('\n').filter(Boolean).pop() ?? `exited with ${code ?? signal}`}` });
      }
      if (profileDir) {
        // one profile per thread: the section's and its store worker's
        const { summariseProfiles } = createRequire(import.meta.url)(path.join(outDir, 'cpu-profile.js'));
        console.log(`-- ${section.name}, profiles by thread (${path.relative(root, profileDir)}):\n${summariseProfiles(profileDir, root)}`);
      }
      resolve(rows);
    });
  });
}

// ---- the table -------------------------------------------------------------------------------

function fmt(x) {
  if (x === null || x === undefined) return '';
  if (!Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  if (abs >= 1000) return Math.round(x).toLocaleString('en-US');
  if (abs >= 100) return x.toFixed(0);
  if (abs >= 10) return x.toFixed(1);
  if (abs >= 1) return x.toFixed(2);
  return x === 0 ? '0' : x.toPrecision(2);
}

function ratioOf(row) {
  if (row.value === null || !row.baseline || !Number.isFinite(row.baseline.value) || row.baseline.value === 0) return null;
  return row.value / row.baseline.value;
}

function goalMet(row) {
  if (!row.goal) return null;
  const x = row.goal.on === 'ratio' ? ratioOf(row) : row.value;
  if (x === null || !Number.isFinite(x)) return null;
  const t = row.goal.target;
  return { '>=': x >= t, '<=': x <= t, '<': x < t, '>': x > t, '=': x === t }[row.goal.op];
}

function tableLines(rows) {
  const header = ['section', 'measure', 'value', 'baseline', 'ratio', 'goal', 'met?'];
  const cells = rows.map((r) => {
    const ratio = ratioOf(r);
    const met = goalMet(r);
    const unit = (v) => (r.unit ? `${fmt(v)} ${r.unit}` : fmt(v));
    return [
      r.section,
      r.measure,
      r.value === null ? 'not measured' : unit(r.value),
      r.baseline ? `${unit(r.baseline.value)} (${r.baseline.label})` : '—',
      ratio === null ? '—' : fmt(ratio),
      r.goal?.text ?? '—',
      r.goal ? (met === null ? '?' : met ? 'yes' : '**no**') : '—',
    ].map((c) => String(c).replace(/\|/g, '\\|'));
  });
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) => `| ${c.map((x, i) => x.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)];
}

function notesLines(rows) {
  return rows.filter((r) => r.note).map((r) => `- ${r.section} · ${r.measure}: ${r.note}`);
}

function machine() {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}; load average at start ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`;
}

function writeResults(rows, options, startedAt, seconds) {
  const title = `Run of ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC${options.quick ? ' (--quick)' : ''}${options.only ? ` (--only ${options.only.join(',')})` : ''}, ${Math.round(seconds)} s`;
  const md = [title, '', `Machine: ${machine()}`, '', ...tableLines(rows), '', ...notesLines(rows)].join('\n') + '\n';
  writeFileSync(path.join(outDir, 'latest.md'), md);
  writeFileSync(path.join(outDir, 'latest.json'), JSON.stringify({ startedAt, options, machine: machine(), rows }, null, 2));
  if (options.quick || options.only) return md;
  // RESULTS.md gets the notes of each row too; the README only the title and the table
  replaceBetweenMarkers(path.join(root, 'bench', 'RESULTS.md'), md);
  replaceBetweenMarkers(path.join(root, 'README.md'), [title, '', ...tableLines(rows)].join('\n') + '\n');
  return md;
}

function replaceBetweenMarkers(file, content) {
  if (!existsSync(file)) return;
  const text = readFileSync(file, 'utf8');
  const start = '<!-- bench-table:start -->';
  const end = '<!-- bench-table:end -->';
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a !== -1 && b > a) writeFileSync(file, text.slice(0, a + start.length) + '\n' + content + text.slice(b));
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  mkdirSync(outDir, { recursive: true });
  const startedAt = new Date();
  const t0 = performance.now();
  console.log(`StackLens bench${options.quick ? ' --quick' : ''} on ${machine()}`);
  const all = [];
  for (const section of SECTIONS) {
    if (options.only && !options.only.includes(section.name)) continue;
    console.log(`\n=== ${section.name}: ${section.title}`);
    const broken = await bundle(section, options);
    if (broken) {
      console.log(`  not measured: ${broken}`);
      all.push({ section: section.name, measure: section.title, value: null, unit: '', note: `not measured: ${broken}` });
      continue;
    }
    all.push(...(await runSection(section, options)));
  }
  const md = writeResults(all, options, startedAt, (performance.now() - t0) / 1000);
  console.log(`\n${md}`);
  console.log(`(table also in bench/out/latest.md${!options.quick && !options.only ? ' and bench/RESULTS.md' : ''})`);
}

main().catch((err) => {
  console.error(`bench: ${err.message}`);
  process.exit(2);
});
