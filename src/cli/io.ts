import { colorWanted, palette, type Palette } from '../render/color.js';

/**
 * Where a command writes and what it knows of the terminal. Commands never
 * touch process.stdout directly, so tests can capture everything.
 * Invariant: with `json`, stdout receives exactly one JSON document.
 */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  json: boolean;
  verbose: boolean;
  color: Palette;
  stdinIsTTY: boolean;
  stderrIsTTY: boolean;
  env: Record<string, string | undefined>;
  cwd: string;
}

export function processIO(opts: { json: boolean; verbose: boolean; noColor: boolean }): CliIO {
  return {
    out: (t) => process.stdout.write(t.endsWith('\n') ? t : t + '\n'),
    err: (t) => process.stderr.write(t.endsWith('\n') ? t : t + '\n'),
    json: opts.json,
    verbose: opts.verbose,
    color: palette(colorWanted(process.stdout.isTTY, process.env, opts.noColor)),
    stdinIsTTY: process.stdin.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    env: process.env,
    cwd: process.cwd(),
  };
}
