/** The koffi module (its default export), as the native bindings use it. */
export type Koffi = (typeof import('koffi'))['default'];

/** The sentence every native binding gives when the environment turns the layer off. */
export const NATIVE_OFF = 'RELOCATE_NATIVE=0 turns the native layer off';

/**
 * koffi for a native binding, or why the native layer is not used: the
 * `RELOCATE_NATIVE=0` off switch, or an import that failed (no prebuilt
 * binary for this platform). One place for both, so every binding obeys the
 * switch the same way; each binding still catches its own library and
 * function loading.
 */
export async function loadKoffi(): Promise<{ koffi: Koffi } | { reason: string }> {
  if (process.env.RELOCATE_NATIVE === '0') return { reason: NATIVE_OFF };
  try {
    return { koffi: (await import('koffi')).default };
  } catch (err) {
    // The single executable's stand-in for koffi's native package
    // (scripts/exe/koffi-native.cjs) leaves the real cause here: koffi's
    // loader swallows it and says only that no native module was found.
    const cause = (globalThis as Record<symbol, unknown>)[Symbol.for('relocate.nativeLoadError')];
    return { reason: typeof cause === 'string' ? cause : `koffi could not be loaded: ${(err as Error).message}` };
  }
}

/** A native binding made at most once (see nativeBinding). */
export interface NativeBinding<T> {
  /** The binding, or null when it cannot be had here (then `why` says why). */
  get(): Promise<T | null>;
  /** Why `get` gave null; empty before the first call or when it did not. */
  why(): string;
}

/**
 * The memoised load every binding does: `unsupported` says why this
 * platform has none (or undefined), then koffi is loaded (obeying
 * RELOCATE_NATIVE=0) and `make` builds the binding; a library or function
 * that fails to load is a reason too, starting with `what`.
 */
export function nativeBinding<T>(what: string, unsupported: () => string | undefined, make: (koffi: Koffi) => T): NativeBinding<T> {
  let made: Promise<T | null> | undefined;
  let why = '';
  const build = async (): Promise<T | null> => {
    const no = unsupported();
    if (no !== undefined) {
      why = no;
      return null;
    }
    const loaded = await loadKoffi();
    if ('reason' in loaded) {
      why = loaded.reason;
      return null;
    }
    try {
      return make(loaded.koffi);
    } catch (err) {
      why = `koffi could not load ${what}: ${(err as Error).message}`;
      return null;
    }
  };
  return { get: () => (made ??= build()), why: () => why };
}
