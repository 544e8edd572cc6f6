// A small flag parser: `--name value`, `--name=value`, boolean `--flag`. Unknown flags and bad
// numbers are usage errors that say what is accepted.
export type ArgSpec = Record<string, 'string' | 'number' | 'boolean'>;
export type Args = Record<string, string | number | boolean | undefined>;

export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseArgs(argv: string[], spec: ArgSpec): Args {
  const args: Args = {};
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (!token.startsWith('--')) throw new UsageError(`unexpected argument "${token}"`);
    const eq = token.indexOf('=');
    const name = token.slice(2, eq === -1 ? undefined : eq);
    const type = spec[name];
    if (!type) throw new UsageError(`unknown option --${name}; accepted: ${Object.keys(spec).map((k) => '--' + k).join(', ')}`);
    if (type === 'boolean') {
      args[name] = eq === -1 ? true : token.slice(eq + 1) !== 'false';
      continue;
    }
    const raw = eq === -1 ? argv[++i] : token.slice(eq + 1);
    if (raw === undefined) throw new UsageError(`--${name} needs a value`);
    if (type === 'number') {
      const n = Number(raw);
      if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${name}: "${raw}" is not a non-negative number`);
      args[name] = n;
    } else {
      args[name] = raw;
    }
  }
  return args;
}
