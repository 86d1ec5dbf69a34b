import type { ManifestIO } from '../manifest/types.js';
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
  /** Where manifests are read from; the disk (nodeManifestIO) unless set. `relocate dsc` serves its one-entry manifest from memory. */
  manifestIO?: ManifestIO;
}

/**
 * A reader that went away (`relocate apply | head -1`) must not turn a run
 * into a crash: the run goes on to its end and its exit code, with nothing
 * more written to that stream. Without a listener Node would throw the
 * EPIPE error asynchronously, in the middle of a move.
 */
function writer(stream: NodeJS.WriteStream): (t: string) => void {
  let closed = false;
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') closed = true;
    else throw err;
  });
  return (t) => {
    if (!closed) stream.write(t.endsWith('\n') ? t : t + '\n');
  };
}

export function processIO(opts: { json: boolean; verbose: boolean; noColor: boolean }): CliIO {
  return {
    out: writer(process.stdout),
    err: writer(process.stderr),
    json: opts.json,
    verbose: opts.verbose,
    color: palette(colorWanted(process.stdout.isTTY, process.env, opts.noColor)),
    stdinIsTTY: process.stdin.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    env: process.env,
    cwd: process.cwd(),
  };
}
