/**
 * Decoders for what relocate reads back from its own files (a saved plan,
 * a run's record, journal lines): each checks that a parsed JSON value has
 * the shape its TypeScript type promises, instead of `JSON.parse(…) as T`,
 * so a damaged or foreign file is refused with the place that is wrong
 * rather than read as something it is not.
 *
 * A decoder returns the value it was given (never a copy): fields it does
 * not know stay, as the journal's rule asks ("readers ignore fields they do
 * not know"), and a record written back keeps them. `obj` takes a shape
 * naming every field of its type, the optional ones through `opt`, so a
 * field added to a type is a compile error here until its decoder says how
 * to read it.
 */

/** Where a value is wrong (`entries[3].action`) and what was expected there. Invariant: `message` names both. */
export class DecodeError extends Error {
  constructor(
    readonly at: string,
    readonly expected: string,
  ) {
    super(`${at || 'the top level'}: expected ${expected}`);
    this.name = 'DecodeError';
  }
}

/** Checks `v` (found at `at`) and returns it as a T, or throws DecodeError. */
export type Decoder<T> = (v: unknown, at: string) => T;

/** A field that may be absent (never null: JSON.stringify leaves undefined fields out). */
export interface Optional<T> {
  readonly optional: Decoder<T>;
}

/** Every field of T, each with its decoder; T's optional fields through `opt`. */
export type Shape<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? Optional<Exclude<T[K], undefined>> : Decoder<T[K]> };

const describe = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v);

function fail(at: string, expected: string, v: unknown): never {
  throw new DecodeError(at, `${expected}, found ${describe(v)}${typeof v === 'string' ? ` '${v.length > 40 ? `${v.slice(0, 40)}…` : v}'` : ''}`);
}

export const str: Decoder<string> = (v, at) => (typeof v === 'string' ? v : fail(at, 'a string', v));

export const num: Decoder<number> = (v, at) => (typeof v === 'number' && Number.isFinite(v) ? v : fail(at, 'a number', v));

/** A whole number ≥ 0 (positions, counts, indexes). */
export const count: Decoder<number> = (v, at) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : fail(at, 'a whole number ≥ 0', v));

export const bool: Decoder<boolean> = (v, at) => (typeof v === 'boolean' ? v : fail(at, 'true or false', v));

/** One of a fixed set of strings, numbers or booleans. */
export function oneOf<const T extends readonly (string | number | boolean)[]>(...values: T): Decoder<T[number]> {
  const set = new Set<unknown>(values);
  return (v, at) => (set.has(v) ? (v as T[number]) : fail(at, `one of ${values.map((x) => JSON.stringify(x)).join(', ')}`, v));
}

export function opt<T>(d: Decoder<T>): Optional<T> {
  return { optional: d };
}

export function list<T>(item: Decoder<T>): Decoder<T[]> {
  return (v, at) => {
    if (!Array.isArray(v)) fail(at, 'a list', v);
    v.forEach((x, i) => item(x, `${at}[${i}]`));
    return v as T[];
  };
}

/** An object whose values are all T (a map keyed by strings). */
export function dict<T>(value: Decoder<T>): Decoder<Record<string, T>> {
  return (v, at) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(at, 'an object', v);
    for (const [k, x] of Object.entries(v)) value(x, `${at}.${k}`);
    return v as Record<string, T>;
  };
}

/** Any JSON object, its fields unchecked (a journal line's step info, read by its own step's code). */
export const anyObject: Decoder<Record<string, unknown>> = (v, at) =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : fail(at, 'an object', v);

const join = (at: string, key: string): string => (at ? `${at}.${key}` : key);

/** An object with T's fields, each checked by its decoder; fields not in the shape are kept unchecked. */
export function obj<T>(shape: Shape<T>): Decoder<T> {
  const fields = Object.entries<Decoder<unknown> | Optional<unknown>>(shape);
  return (v, at) => {
    const o = anyObject(v, at);
    for (const [key, d] of fields) {
      const x = o[key];
      if (typeof d === 'function') d(x, join(at, key));
      else if (x !== undefined) d.optional(x, join(at, key));
    }
    return o as T;
  };
}

/**
 * A union told apart by the string field `tag` (`op`, `severity`): each
 * value of the tag has its own decoder. An unknown tag fails, naming the
 * known ones.
 */
export function tagged<T>(tag: string, variants: Record<string, Decoder<T>>): Decoder<T> {
  const known = oneOf(...Object.keys(variants));
  return (v, at) => variants[known(anyObject(v, at)[tag], join(at, tag))](v, at);
}

/** `JSON.parse` whose failure is a DecodeError at the top level (a torn or foreign file). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new DecodeError('', `JSON (${(err as Error).message})`);
  }
}
