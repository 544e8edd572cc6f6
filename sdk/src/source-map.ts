// Maps a generated position (bundle, tsx-compiled TypeScript) back to the source the user wrote,
// so CodeLens lands on their .ts line. Node's own cache answers when it has the map (tsx and
// --enable-source-maps load maps as modules compile); otherwise we read the file's
// `//# sourceMappingURL` ourselves, once per file, asynchronously (never on the hot path), and
// decode only as many lines of the VLQ mappings as lookups need.
import { readFile } from 'node:fs/promises';
import { findSourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface SourcePosition {
  file: string;
  /** 1-based */
  line: number;
}

type Mapper = (line: number, column: number) => SourcePosition | null;

const mappers = new Map<string, Mapper | null>();
const loading = new Map<string, Promise<void>>();

/** Loads the source maps of these generated files (paths or file:// URLs) unless known already. */
export async function loadSourceMaps(files: Iterable<string>): Promise<void> {
  const waits: Promise<void>[] = [];
  for (const file of files) {
    if (mappers.has(file)) continue;
    let pending = loading.get(file);
    if (!pending) {
      pending = mapperFor(file).then(
        (mapper) => void mappers.set(file, mapper),
        () => void mappers.set(file, null),
      );
      pending.finally(() => loading.delete(file));
      loading.set(file, pending);
    }
    waits.push(pending);
  }
  await Promise.all(waits);
}

/** The original position of a generated one; the generated one when no map is known. */
export function originalPosition(file: string, line: number, column: number): SourcePosition {
  const mapped = mappers.get(file)?.(line, column);
  return mapped ?? { file: toPath(file), line };
}

function toPath(file: string): string {
  if (file.startsWith('file:')) {
    try {
      return fileURLToPath(file);
    } catch {
      return file;
    }
  }
  return file;
}

async function mapperFor(file: string): Promise<Mapper | null> {
  const filePath = toPath(file);
  if (!path.isAbsolute(filePath)) return null;
  const fromNode = nodeMapper(filePath);
  if (fromNode) return fromNode;
  const text = await readFile(filePath, 'utf8');
  const reference = sourceMappingReference(text);
  if (!reference) return null;
  let json: string;
  let mapFile: string;
  if (reference.startsWith('data:')) {
    json = decodeDataUrl(reference);
    mapFile = filePath;
  } else {
    mapFile = reference.startsWith('file:') ? fileURLToPath(reference) : path.resolve(path.dirname(filePath), decodeURIComponent(reference));
    json = await readFile(mapFile, 'utf8');
  }
  return decodedMapper(JSON.parse(json), mapFile);
}

function nodeMapper(filePath: string): Mapper | null {
  let map: ReturnType<typeof findSourceMap> | undefined;
  try {
    map = findSourceMap(filePath) ?? findSourceMap(pathToFileURL(filePath).href);
  } catch {
    return null;
  }
  if (!map) return null;
  const nodeMap = map;
  return (line, column) => {
    const entry = nodeMap.findEntry(line - 1, column - 1) as Partial<{ originalSource: string; originalLine: number }>;
    if (!entry || typeof entry.originalSource !== 'string' || typeof entry.originalLine !== 'number') return null;
    return { file: toPath(entry.originalSource), line: entry.originalLine + 1 };
  };
}

function sourceMappingReference(text: string): string | null {
  const at = Math.max(text.lastIndexOf('//# sourceMappingURL='), text.lastIndexOf('//@ sourceMappingURL='));
  if (at < 0) return null;
  const match = /^\/\/[#@] sourceMappingURL=(\S+)\s*$/.exec(text.slice(at));
  return match ? match[1] : null;
}

function decodeDataUrl(url: string): string {
  const comma = url.indexOf(',');
  const header = url.slice(5, comma);
  const body = url.slice(comma + 1);
  return header.endsWith(';base64') ? Buffer.from(body, 'base64').toString('utf8') : decodeURIComponent(body);
}

interface RawSourceMap {
  version?: number;
  sources?: (string | null)[];
  sourceRoot?: string;
  mappings?: string;
  sections?: unknown;
}

function decodedMapper(map: RawSourceMap, mapFile: string): Mapper | null {
  // Index maps (`sections`) are not produced by esbuild, tsc, tsx or swc; not supported.
  if (typeof map.mappings !== 'string' || !Array.isArray(map.sources)) return null;
  const root = map.sourceRoot ?? '';
  const sources = map.sources.map((source) => resolveSource(root, source ?? '', mapFile));
  const mappings = new LazyMappings(map.mappings);
  return (line, column) => {
    const segment = mappings.find(line - 1, column - 1);
    if (!segment) return null;
    const file = sources[segment.source];
    return file ? { file, line: segment.line + 1 } : null;
  };
}

function resolveSource(root: string, source: string, mapFile: string): string | null {
  const joined = root ? root.replace(/\/?$/, '/') + source : source;
  if (joined.startsWith('file:')) return toPath(joined);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(joined)) return null; // webpack://, http:// ...: not a file on this disk
  return path.resolve(path.dirname(mapFile), joined);
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < BASE64.length; i++) BASE64_VALUE[BASE64.charCodeAt(i)] = i;

/**
 * The `mappings` field, decoded line by line on demand. Each decoded line is a flat array of
 * [generatedColumn, sourceIndex, originalLine, originalColumn] quadruples, in column order.
 */
export class LazyMappings {
  private readonly lines: number[][] = [];
  private position = 0;
  // fields relative to the previous segment carry over from line to line
  private source = 0;
  private originalLine = 0;
  private originalColumn = 0;

  constructor(private readonly text: string) {}

  /**
   * The last segment at or before a 0-based generated line and column (as Node's
   * SourceMap.findEntry answers: a position before a line's first segment belongs to the
   * previous mapped line), or null before the first segment.
   */
  find(line: number, column: number): { source: number; line: number; column: number } | null {
    while (this.lines.length <= line && this.position <= this.text.length) this.decodeLine();
    for (let at = Math.min(line, this.lines.length - 1); at >= 0; at--) {
      const segments = this.lines[at];
      if (segments.length === 0) continue;
      const index = at === line ? lastAtOrBefore(segments, column) : segments.length / 4 - 1;
      if (index < 0) continue;
      return { source: segments[index * 4 + 1], line: segments[index * 4 + 2], column: segments[index * 4 + 3] };
    }
    return null;
  }

  private decodeLine(): void {
    const text = this.text;
    const segments: number[] = [];
    let generatedColumn = 0;
    let i = this.position;
    while (i < text.length && text.charCodeAt(i) !== 59 /* ; */) {
      if (text.charCodeAt(i) === 44 /* , */) {
        i++;
        continue;
      }
      const fields: number[] = [];
      while (i < text.length && text.charCodeAt(i) !== 44 && text.charCodeAt(i) !== 59) {
        let value = 0;
        let shift = 0;
        let digit: number;
        do {
          const code = text.charCodeAt(i++);
          digit = code < 128 ? BASE64_VALUE[code] : -1;
          if (digit < 0) throw new Error(`invalid base64 VLQ character at ${i - 1} of the source map's mappings`);
          value += (digit & 31) * 2 ** shift;
          shift += 5;
        } while (digit & 32);
        fields.push(value % 2 === 1 ? -(value - 1) / 2 : value / 2);
      }
      generatedColumn += fields[0] ?? 0;
      if (fields.length >= 4) {
        this.source += fields[1];
        this.originalLine += fields[2];
        this.originalColumn += fields[3];
        segments.push(generatedColumn, this.source, this.originalLine, this.originalColumn);
      }
    }
    this.position = i + 1; // past the ';' (or past the end)
    // the spec does not promise segments in column order, and the lookup needs it
    if (!isSorted(segments)) sortQuadruples(segments);
    this.lines.push(segments);
  }
}

function lastAtOrBefore(segments: number[], column: number): number {
  let low = 0;
  let high = segments.length / 4 - 1;
  let best = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (segments[middle * 4] <= column) {
      best = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return best;
}

function isSorted(segments: number[]): boolean {
  for (let i = 4; i < segments.length; i += 4) if (segments[i] < segments[i - 4]) return false;
  return true;
}

function sortQuadruples(segments: number[]): void {
  const quads: number[][] = [];
  for (let i = 0; i < segments.length; i += 4) quads.push(segments.slice(i, i + 4));
  quads.sort((a, b) => a[0] - b[0]);
  segments.length = 0;
  for (const q of quads) segments.push(...q);
}
