import { vi } from 'vitest';

/*
 * The precompiled schema validator (src/manifest/generated, written by
 * scripts/gen-validator.mjs) does `import rt0 from "ajv/dist/runtime/ucs2length.js"`
 * and calls `rt0.default(...)`. Node gives a CommonJS module's whole
 * `exports` as the default import, so that works in the CLI; vitest's
 * CommonJS interop gives `exports.default` (the function itself), so
 * `rt0.default` is undefined and every schema check throws. Until the
 * generator emits code that works under both, the helper is replaced by a
 * function that is also its own `.default`.
 *
 * Import this module before anything that loads src/manifest/load.ts (the
 * helpers in ./manifest.ts do so and re-export loadManifest).
 */
vi.mock('ajv/dist/runtime/ucs2length.js', async (importOriginal) => {
  const original = await importOriginal<{ default: ((s: string) => number) | { default: (s: string) => number } }>();
  const fn = typeof original.default === 'function' ? original.default : original.default.default;
  const both = Object.assign((s: string) => fn(s), { default: fn });
  return { default: both };
});

