// Ingest failures the collector turns into HTTP answers. The message is one line that names the
// problem (and where it is) so a user can fix the sender; never a stack trace.

export class IngestError extends Error {
  /** 400: the body could not be read; 415: a content type we do not speak */
  readonly status: 400 | 415;

  constructor(message: string, status: 400 | 415 = 400) {
    super(message);
    this.name = 'IngestError';
    this.status = status;
  }
}

/** Shortens untrusted text quoted in an error message so the message stays one readable line. */
export function quote(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = JSON.stringify(value);
  else if (value === undefined) text = 'undefined';
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Names a JSON value's type the way a user would ("an array", "a string", "null"). */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `a string (${quote(value)})`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return typeof value;
}
