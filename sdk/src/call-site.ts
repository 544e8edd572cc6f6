// Where user code called the SDK. On the hot path we only ask V8 to capture the frames
// (Error.captureStackTrace with a small limit, ~1.5 µs); V8 turns them into structured
// CallSite objects lazily, the first time `.stack` is read, which the exporter does off the
// hot path with its own prepareStackTrace in place. No stack string is ever formatted.

export interface RawFrame {
  /** path or file:// URL of the running (possibly generated) file */
  file: string;
  /** 1-based */
  line: number;
  /** 1-based */
  column: number;
  function: string | null;
}

/** Frames captured but not yet read, or (from the call-site cache) the frame already read. */
export interface CallSiteCapture {
  readonly stack?: unknown;
  /** pass over node_modules frames (wrappers reached through frameworks) */
  skipLibraries: boolean;
  /** the frame once read: one capture serves every call of a traced() function */
  frame?: RawFrame | null;
}

type V8CallSite = NodeJS.CallSite;
const keepFrames = (_error: Error, frames: V8CallSite[]): V8CallSite[] => frames;

/** Captures the frames below `boundary`, the SDK function that user code called. */
export function captureCallSite(boundary: Function, skipLibraries = false): CallSiteCapture {
  const previousLimit = Error.stackTraceLimit;
  const capture = { skipLibraries } as CallSiteCapture;
  Error.stackTraceLimit = skipLibraries ? 12 : 2;
  Error.captureStackTrace(capture, boundary);
  Error.stackTraceLimit = previousLimit;
  return capture;
}

/**
 * The user's frame of a capture. With `skipLibraries`, frames in node_modules are passed over,
 * so a call that reaches a wrapper through a framework (LangChain calling openai) is attributed
 * to the user's own code.
 */
export function readCallSite(capture: CallSiteCapture): RawFrame | null {
  if (capture.frame === undefined) capture.frame = userFrame(capture);
  return capture.frame;
}

function userFrame(capture: CallSiteCapture): RawFrame | null {
  const previousPrepare = Error.prepareStackTrace;
  try {
    Error.prepareStackTrace = keepFrames;
    const frames = capture.stack;
    if (!Array.isArray(frames)) return null; // formatted before we got to it (e.g. a debugger)
    let chosen: V8CallSite | undefined;
    for (const frame of frames as V8CallSite[]) {
      const file = frame.getFileName();
      if (!file || file.startsWith('node:')) continue;
      if (capture.skipLibraries && (isLibrary(file) || isDecoratorHelper(frame))) continue;
      chosen = frame;
      break;
    }
    chosen ??= (frames as V8CallSite[]).find((f) => f.getFileName());
    // the V8 frames hold the callers' functions and receivers: keep only the plain data
    delete (capture as { stack?: unknown }).stack;
    if (!chosen) return null;
    return { file: chosen.getFileName()!, line: chosen.getLineNumber() ?? 0, column: chosen.getColumnNumber() ?? 0, function: functionName(chosen) };
  } catch {
    return null; // a location is nice to have; never fail over it
  } finally {
    Error.prepareStackTrace = previousPrepare;
  }
}

function isLibrary(file: string): boolean {
  return file.includes('/node_modules/') || file.includes('\\node_modules\\');
}

function functionName(frame: V8CallSite): string | null {
  const name = frame.getFunctionName();
  if (!name) return null;
  if (frame.isToplevel()) return name;
  const type = frame.getTypeName();
  return type && type !== 'Object' && type !== 'Function' && !name.startsWith(type + '.') ? `${type}.${name}` : name;
}

// esbuild and tsc apply a bare `@traced` decorator from helpers they emit into the user's file.
function isDecoratorHelper(frame: V8CallSite): boolean {
  const name = frame.getFunctionName();
  return !!name && /^__(decorateElement|esDecorate|runInitializers|decorate)$/.test(name);
}

/**
 * Call sites of startTrace() / span() / trace(), remembered per span name and callback.
 *
 * Capturing a stack costs V8 about 2 µs, as much as a whole span should; the same span name
 * with the same callback source text nearly always comes from the same place in the code. So
 * the first calls of such a key capture and read their frame, later calls reuse it, and a
 * sample of them (the first 4 calls, then every 256th) captures again to check. A key whose
 * check finds a different place has two call sites: it captures on every call from then on.
 * The cache holds read frames (plain data), never live stacks that would pin user objects.
 */
export class CallSiteCache {
  private readonly byName = new Map<string, Map<number, CachedSite>>();
  private size = 0;

  constructor(private readonly maxEntries = 4096) {}

  /** `boundary` is the SDK function the user called; `callback` the function passed to it, if any. */
  lookup(boundary: Function, name: string, callback: Function | null): CallSiteCapture {
    const key = callback ? sourceKey(callback) : 0;
    let byKey = this.byName.get(name);
    const entry = byKey?.get(key);
    if (entry === undefined) {
      const capture = captureCallSite(boundary);
      if (this.size >= this.maxEntries) return capture; // dynamic names: stop remembering, stay exact
      if (!byKey) this.byName.set(name, (byKey = new Map()));
      byKey.set(key, { site: { skipLibraries: false, frame: readCallSite(capture) }, calls: 1, ambiguous: false });
      this.size++;
      return capture;
    }
    if (entry.ambiguous) return captureCallSite(boundary);
    const calls = ++entry.calls;
    if (calls > 4 && (calls & 255) !== 0) return entry.site;
    const fresh = captureCallSite(boundary);
    if (sameFrame(readCallSite(fresh), entry.site.frame ?? null)) return entry.site;
    entry.ambiguous = true;
    return fresh;
  }
}

interface CachedSite {
  site: CallSiteCapture;
  calls: number;
  /** the key was seen at two places: capture every call */
  ambiguous: boolean;
}

const functionSource = Function.prototype.toString;

/**
 * A cheap fingerprint of a callback's source text: V8 returns it as a slice of the script, so
 * its length and two characters cost no copy. Different literals with the same name rarely
 * share both; when they do, the sampled checks above find out.
 */
function sourceKey(callback: Function): number {
  let source: string;
  try {
    source = functionSource.call(callback);
  } catch {
    return 1;
  }
  const length = source.length;
  return length * 4294967296 + source.charCodeAt(length >> 1) * 65536 + source.charCodeAt(length >> 2);
}

function sameFrame(a: RawFrame | null, b: RawFrame | null): boolean {
  if (!a || !b) return a === b;
  return a.file === b.file && a.line === b.line && a.column === b.column;
}
