import { editDistance } from '../core/edit-distance.js';
import { RelocateError } from '../core/errors.js';
import { COMMAND_HELP, GLOBAL_HELP } from './help.js';
import type { CliIO } from './io.js';
import { packageVersion as version } from '../platform/package-version.js';
import { homedir } from 'node:os';

type Command = (argv: string[], io: CliIO) => Promise<number>;

/** Commands load lazily so `relocate validate` never pays for the executor's imports. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  validate: async () => (await import('./commands/validate.js')).validateCommand,
  plan: async () => (await import('./commands/plan.js')).planCommand,
  status: async () => (await import('./commands/status.js')).statusCommand,
  apply: async () => (await import('./commands/apply.js')).applyCommand,
  rollback: async () => (await import('./commands/runs.js')).rollbackCommand,
  resume: async () => (await import('./commands/runs.js')).resumeCommand,
  history: async () => (await import('./commands/runs.js')).historyCommand,
  import: async () => (await import('./commands/import.js')).importCommand,
  scan: async () => (await import('./commands/scan.js')).scanCommand,
  doctor: async () => (await import('./commands/doctor.js')).doctorCommand,
  completion: async () => (await import('./commands/completion.js')).completionCommand,
  demo: async () => (await import('./commands/demo.js')).demoCommand,
  dsc: async () => (await import('./commands/dsc.js')).dscCommand,
  gui: async () => (await import('./commands/gui.js')).guiCommand,
};

/** Runs the CLI and returns the exit code. Never exits the process itself (bin.ts sets the exit code). */
export async function run(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  try {
    // relocate.exe double-clicked (no arguments, a console of its own): the window, not a usage text that would flash and vanish.
    const windowManifest = name === undefined ? await (await import('../platform/double-click.js')).doubleClickStart(argv, io.env, homedir()) : undefined;
    if (windowManifest !== undefined) return await waitOnFailure(await (await COMMANDS.gui())([windowManifest], io), io);
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      const topic = name === 'help' ? rest[0] : undefined;
      io.out(topic && COMMAND_HELP[topic] ? COMMAND_HELP[topic] : GLOBAL_HELP);
      return name === undefined ? 1 : 0;
    }
    if (name === '--version' || name === '-V') {
      io.out(version());
      return 0;
    }
    const load = COMMANDS[name];
    if (!load) {
      const near = Object.keys(COMMANDS).find((c) => editDistance(name.toLowerCase(), c) <= (name.length <= 4 ? 1 : 2));
      throw new RelocateError('E_USAGE', `unknown command '${name}'${near ? ` (did you mean '${near}'?)` : ''}`, {
        hint: `commands: ${Object.keys(COMMANDS).join(', ')}; see \`relocate --help\``,
      });
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(COMMAND_HELP[name] ?? GLOBAL_HELP);
      return 0;
    }
    return await (
      await load()
    )(rest, io);
  } catch (err) {
    return reportError(err, io);
  }
}

/**
 * A window Explorer opened closes when relocate exits: after a failure
 * (the error is printed above) it stays until Enter, so the error can be read.
 */
async function waitOnFailure(code: number, io: CliIO): Promise<number> {
  if (code === 0) return code;
  io.err('Press Enter to close this window.');
  await new Promise<void>((resolve) => {
    process.stdin.once('data', () => resolve());
    process.stdin.once('end', () => resolve());
  });
  return code;
}

/** Errors for people: code, message, path, hint. A stack only with --verbose. */
export function reportError(err: unknown, io: CliIO): number {
  const e =
    err instanceof RelocateError
      ? err
      : new RelocateError('E_INTERNAL', `relocate hit an unexpected problem: ${(err as Error)?.message ?? String(err)}`, {
          hint: 'nothing was changed by this error; run again with --verbose and report the output',
          cause: err,
        });
  if (io.json) {
    io.out(JSON.stringify({ error: { code: e.code, message: e.message, path: e.path ?? null, hint: e.hint ?? null } }, null, 2));
  } else {
    io.err(`${io.color.red(`error ${e.code}`)}: ${e.message}${e.path && !e.message.includes(e.path) ? ` (${e.path})` : ''}`);
    if (e.hint) io.err(`  hint: ${e.hint}`);
  }
  if (io.verbose) io.err(String((err as Error)?.stack ?? err));
  return 1;
}
