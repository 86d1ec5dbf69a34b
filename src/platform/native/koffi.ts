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
    return { reason: `koffi could not be loaded: ${(err as Error).message}` };
  }
}
