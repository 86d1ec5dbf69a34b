import path from 'node:path';
import { RelocateError } from '../../core/errors.js';
import { startGuiServer } from '../../gui/server/server.js';
import { existsFollowed } from '../../platform/exists.js';
import { openBrowser } from '../../platform/open-browser.js';
import { selfCommand } from '../../platform/self-command.js';
import type { CliIO } from '../io.js';
import { parseCommandArgs } from '../options.js';

/** The manifest the GUI reads and edits: the one named, else ./relocate.yaml or ./links.yaml, else ./relocate.yaml (made on the first move). */
function guiManifest(given: string | undefined, cwd: string): string {
  if (given !== undefined) return path.resolve(cwd, given);
  const found = ['relocate.yaml', 'links.yaml'].map((n) => path.join(cwd, n)).find((p) => existsFollowed(p));
  return found ?? path.join(cwd, 'relocate.yaml');
}

function portOf(value: unknown): number {
  if (value === undefined) return 0;
  const s = String(value);
  if (!/^[0-9]{1,5}$/.test(s) || Number(s) > 65535)
    throw new RelocateError('E_USAGE', `--port must be a port number (0-65535), not '${s}'`, {
      hint: '--port 0 (the default) lets the system choose a free port',
    });
  return Number(s);
}

/**
 * `relocate gui [MANIFEST] [--port N] [--no-open]`: serves the local web
 * UI on 127.0.0.1 until Ctrl-C (or SIGTERM/SIGHUP), opening it in the
 * default browser (with --no-open, or when no browser opens, the URL with
 * its token is printed on stdout instead). The server runs relocate's own
 * commands for every answer (src/gui/server): it never elevates itself and
 * never decides a rule. A job still running when it stops gets SIGINT: it
 * stops at a safe point and rolls back, as in a terminal.
 */
export async function guiCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('gui', argv);
  if (positionals.length > 1) throw new RelocateError('E_USAGE', 'gui takes one manifest', { hint: 'see `relocate gui --help`' });
  const manifest = guiManifest(positionals[0], io.cwd);
  // A manifest that does not exist yet is made on the first move, but only in a folder that does: a typo fails now, not after the first click.
  if (!existsFollowed(path.dirname(manifest))) {
    throw new RelocateError('E_NOT_FOUND', `the folder of ${manifest} does not exist`, {
      path: path.dirname(manifest),
      hint: 'name a manifest in an existing folder (it is created on the first move if missing)',
    });
  }
  const port = portOf(values.port);
  const stateDir = typeof values['state-dir'] === 'string' ? path.resolve(io.cwd, values['state-dir']) : undefined;
  let server;
  try {
    // An address handed to the browser travels on a command line other users can read: its token opens one session only.
    server = await startGuiServer({
      manifest,
      port,
      singleUseToken: values['no-open'] !== true,
      engine: { command: await selfCommand(), env: io.env, cwd: io.cwd, ...(stateDir !== undefined ? { stateDir } : {}) },
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      throw new RelocateError('E_USAGE', `cannot listen on 127.0.0.1:${port}: ${code === 'EADDRINUSE' ? 'the port is in use' : 'not permitted'}`, {
        hint: 'choose another --port, or leave it out for a free one',
      });
    }
    throw err;
  }
  const opened = values['no-open'] === true ? false : await openBrowser(server.url);
  if (io.json) io.out(JSON.stringify({ formatVersion: 1, url: server.url, port: server.port, manifest, opened }));
  else if (opened) {
    // The address's token opens one session only and is not printed: a browser that did not come up needs a new address.
    io.err(
      `relocate gui: opened ${server.url.replace(/\?token=.*/, '')} in your browser (manifest ${manifest}). Ctrl-C stops the server; if no browser window came up, stop it and run \`relocate gui --no-open\` for an address to open yourself.`,
    );
  } else {
    io.out(server.url);
    io.err(`relocate gui: open the address above in a browser on this machine (manifest ${manifest}). Ctrl-C stops the server.`);
  }
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(sig, () => resolve(sig));
  });
  io.err(`relocate gui: ${signal}, stopping the server.`);
  await server.close();
  return 0;
}
