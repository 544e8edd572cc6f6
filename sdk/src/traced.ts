// traced(fn) and the @traced() method decorator (TC39 decorators, as TypeScript 5 and esbuild
// emit them without experimentalDecorators). The call site recorded is where traced() is
// written, the function's definition, captured once: every run of the function then counts
// for the same CodeLens, and calling the wrapper costs no stack capture.
import { captureCallSite, type CallSiteCapture } from './call-site';
import { describe } from './config';
import { ValidationError } from './errors';
import { openSpan, runInSpan } from './tracer';
import { spanKind, type SpanKind } from './validate';

export interface TracedOptions {
  /** span name; defaults to the function's name (Class.method for methods) */
  name?: string;
  kind?: SpanKind;
}

type AnyFunction = (this: any, ...args: any[]) => any;
type MethodDecorator = <This, Args extends unknown[], Return>(
  method: (this: This, ...args: Args) => Return,
  context: ClassMethodDecoratorContext<This, (this: This, ...args: Args) => Return>,
) => (this: This, ...args: Args) => Return;

/** Wraps a function so every call runs in a span (a child of the running span, if any). */
export function traced<F extends AnyFunction>(fn: F, options?: TracedOptions): F;
/** A method decorator: `@traced()` or `@traced({ name, kind })`. */
export function traced(options?: TracedOptions): MethodDecorator;
/** The bare decorator form: `@traced`. */
export function traced<This, Args extends unknown[], Return>(
  method: (this: This, ...args: Args) => Return,
  context: ClassMethodDecoratorContext<This, (this: This, ...args: Args) => Return>,
): (this: This, ...args: Args) => Return;
export function traced(first?: AnyFunction | TracedOptions, second?: unknown): unknown {
  if (typeof first === 'function') {
    if (isMethodContext(second)) return decorate(first, second, {}, captureCallSite(traced, true));
    const options = checkOptions(second, 'traced(fn, options)');
    return wrap(first, options.name ?? (first.name || 'anonymous'), options, captureCallSite(traced));
  }
  const options = checkOptions(first, 'traced(options)');
  const site = captureCallSite(traced);
  return (method: AnyFunction, context: ClassMethodDecoratorContext) => {
    if (!isMethodContext(context)) {
      throw new ValidationError('context', `@traced() decorates class methods only; it was applied to a ${describe((context as { kind?: unknown })?.kind)}. Wrap plain functions with traced(fn).`);
    }
    return decorate(method, context, options, site);
  };
}

function wrap<F extends AnyFunction>(fn: F, name: string, options: TracedOptions, site: CallSiteCapture): F {
  const spanOptions = options.kind ? { kind: options.kind } : undefined;
  const where = `traced function ${name}`;
  const wrapper = function (this: unknown, ...args: unknown[]) {
    const span = openSpan(name, false, 'internal', site, spanOptions, where);
    span.codeFunction = name;
    return runInSpan(span, fn, this, args);
  };
  Object.defineProperty(wrapper, 'name', { value: fn.name, configurable: true });
  Object.defineProperty(wrapper, 'length', { value: fn.length, configurable: true });
  return wrapper as unknown as F;
}

function decorate(method: AnyFunction, context: ClassMethodDecoratorContext, options: TracedOptions, site: CallSiteCapture): AnyFunction {
  const methodName = String(context.name);
  const spanOptions = options.kind ? { kind: options.kind } : undefined;
  const replacement = function (this: any, ...args: unknown[]) {
    // the class is known only once the method runs: a decorator context does not carry it
    const owner = context.static ? this?.name : this?.constructor?.name;
    const name = options.name ?? (owner ? `${owner}.${methodName}` : methodName);
    const span = openSpan(name, false, 'internal', site, spanOptions, '@traced() method');
    span.codeFunction = owner ? `${owner}.${methodName}` : methodName;
    return runInSpan(span, method, this, args);
  };
  Object.defineProperty(replacement, 'name', { value: method.name, configurable: true });
  return replacement;
}

function isMethodContext(value: unknown): value is ClassMethodDecoratorContext {
  return !!value && typeof value === 'object' && (value as { kind?: unknown }).kind === 'method' && typeof (value as { addInitializer?: unknown }).addInitializer === 'function';
}

function checkOptions(value: unknown, where: string): TracedOptions {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object') throw new ValidationError('options', `${where}: options must be an object like { name, kind }, got ${describe(value)}.`);
  const options = value as TracedOptions;
  if (options.name !== undefined && (typeof options.name !== 'string' || options.name === '')) {
    throw new ValidationError('name', `${where}: name must be a non-empty string, got ${describe(options.name)}.`);
  }
  if (options.kind !== undefined) spanKind(options.kind, where);
  return options;
}
