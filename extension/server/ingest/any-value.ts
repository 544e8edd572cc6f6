// OTLP AnyValue / KeyValue lists into plain JSON values, for both encodings.
// Integers outside JavaScript's safe range stay decimal strings (exact) instead of becoming
// rounded numbers; bytes become base64 text, as the OTLP/JSON mapping writes them. An AnyValue
// of an unexpected shape is kept as the JSON it was, since an attribute is never a reason to drop
// a span.
import type { AttributeValue, Attributes } from '../model';
import type { LongLike } from './time';

const INTEGER = /^-?\d+$/;

function jsonInt(x: unknown): AttributeValue {
  if (typeof x === 'string' && INTEGER.test(x)) {
    const n = Number(x);
    return Number.isSafeInteger(n) ? n : x;
  }
  // Unsafe integers read the same as from protobuf: exact decimal text of the value received.
  if (typeof x === 'number' && Number.isInteger(x) && !Number.isSafeInteger(x)) return BigInt(x).toString();
  return plain(x);
}

function jsonDouble(x: unknown): AttributeValue {
  if (typeof x === 'string' && x !== 'NaN' && x !== 'Infinity' && x !== '-Infinity' && x.trim() !== '') {
    const n = Number(x);
    return Number.isNaN(n) ? x : n;
  }
  return plain(x);
}

/**
 * Any parsed JSON as an AttributeValue (undefined → null). Non-finite numbers (1e400 in JSON, or
 * a protobuf double) become "Infinity" / "-Infinity" / "NaN" as proto3 JSON writes them, since
 * JSON text cannot hold them as numbers and they would turn into null when stored.
 */
function plain(x: unknown): AttributeValue {
  if (typeof x === 'number' && !Number.isFinite(x)) return String(x);
  return x === undefined ? null : (x as AttributeValue);
}

export function jsonAnyValue(v: unknown): AttributeValue {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return plain(v);
  const o = v as Record<string, unknown>;
  for (const key in o) {
    const x = o[key];
    switch (key) {
      case 'stringValue':
      case 'string_value':
        return plain(x);
      case 'intValue':
      case 'int_value':
        return jsonInt(x);
      case 'doubleValue':
      case 'double_value':
        return jsonDouble(x);
      case 'boolValue':
      case 'bool_value':
        return x === 'true' ? true : x === 'false' ? false : plain(x);
      case 'arrayValue':
      case 'array_value': {
        const values = (x as { values?: unknown } | null)?.values;
        return Array.isArray(values) ? values.map(jsonAnyValue) : x === null || (typeof x === 'object' && values === undefined) ? [] : plain(x);
      }
      case 'kvlistValue':
      case 'kvlist_value': {
        const values = (x as { values?: unknown } | null)?.values;
        return Array.isArray(values) ? jsonKeyValues(values) : x === null || (typeof x === 'object' && values === undefined) ? {} : plain(x);
      }
      case 'bytesValue':
      case 'bytes_value':
        return plain(x);
    }
  }
  return null;
}

/**
 * Sets an attribute. The key is untrusted: `__proto__` must become an ordinary key, not replace
 * the prototype of the attribute map (which would make it appear to hold other attributes).
 */
function set(into: Attributes, key: string, value: AttributeValue): void {
  if (key === '__proto__') Object.defineProperty(into, key, { value, enumerable: true, writable: true, configurable: true });
  else into[key] = value;
}

/** A JSON KeyValue list; entries without a string key cannot be kept and are skipped. */
export function jsonKeyValues(list: unknown[], into: Attributes = {}): Attributes {
  for (let i = 0; i < list.length; i++) {
    const kv = list[i] as { key?: unknown; value?: unknown } | null;
    if (kv === null || typeof kv !== 'object' || typeof kv.key !== 'string') continue;
    set(into, kv.key, jsonAnyValue(kv.value));
  }
  return into;
}

/** protobufjs message shapes (camelCase field names, oneof virtual field `value`). */
export interface PbAnyValue {
  value?: string;
  stringValue?: string;
  boolValue?: boolean;
  intValue?: LongLike | number;
  doubleValue?: number;
  arrayValue?: { values: PbAnyValue[] } | null;
  kvlistValue?: { values: PbKeyValue[] } | null;
  bytesValue?: Uint8Array;
}
export interface PbKeyValue {
  key: string;
  value?: PbAnyValue | null;
}

function pbInt(x: LongLike | number | undefined): AttributeValue {
  if (x === undefined) return null;
  if (typeof x === 'number') return x;
  // |value| < 2^53 exactly when the high word is within ±2^21
  if (x.high >= -0x200000 && x.high < 0x200000) return x.high * 4294967296 + (x.low >>> 0);
  return String(x);
}

export function pbAnyValue(v: PbAnyValue | null | undefined): AttributeValue {
  if (!v) return null;
  switch (v.value) {
    case 'stringValue':
      return v.stringValue ?? '';
    case 'intValue':
      return pbInt(v.intValue);
    case 'doubleValue':
      return plain(v.doubleValue ?? 0);
    case 'boolValue':
      return v.boolValue ?? false;
    case 'arrayValue':
      return v.arrayValue ? v.arrayValue.values.map(pbAnyValue) : [];
    case 'kvlistValue':
      return v.kvlistValue ? pbKeyValues(v.kvlistValue.values) : {};
    case 'bytesValue':
      return v.bytesValue ? Buffer.from(v.bytesValue.buffer, v.bytesValue.byteOffset, v.bytesValue.byteLength).toString('base64') : '';
    default:
      return null;
  }
}

export function pbKeyValues(list: PbKeyValue[], into: Attributes = {}): Attributes {
  for (let i = 0; i < list.length; i++) {
    const kv = list[i];
    set(into, kv.key, pbAnyValue(kv.value));
  }
  return into;
}
