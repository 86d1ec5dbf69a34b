import { parseArgs, type ParseArgsConfig } from 'node:util';
import { editDistance } from '../core/edit-distance.js';
import { RelocateError } from '../core/errors.js';

/** Options every command accepts (DESIGN.md, Commands). */
export const GLOBAL_OPTIONS = {
  json: { type: 'boolean', default: false },
  'state-dir': { type: 'string' },
  verbose: { type: 'boolean', short: 'v', default: false },
  'no-color': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsConfig['options'];

export type GlobalValues = {
  json: boolean;
  'state-dir'?: string;
  verbose: boolean;
  'no-color': boolean;
  help: boolean;
};

/**
 * Parses a command's arguments strictly: an unknown option or a missing
 * value is an E_USAGE error that names the command's help.
 */
export function parseCommandArgs<O extends NonNullable<ParseArgsConfig['options']>>(
  command: string,
  argv: string[],
  options: O,
): { values: GlobalValues & Record<string, string | boolean | string[] | undefined>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: { ...GLOBAL_OPTIONS, ...options }, allowPositionals: true, strict: true });
    return { values: values as GlobalValues & Record<string, string | boolean | string[] | undefined>, positionals };
  } catch (err) {
    const unknown = /^Unknown option '([^']+)'/.exec((err as Error).message)?.[1];
    if (unknown !== undefined) throw unknownOption(command, unknown, Object.keys({ ...GLOBAL_OPTIONS, ...options }));
    throw new RelocateError('E_USAGE', (err as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ''), {
      hint: `see \`relocate ${command} --help\``,
    });
  }
}

/**
 * Options people bring from other tools (rsync, robocopy, PowerShell's
 * -WhatIf, make -n) that mean "show me, change nothing": `relocate plan` is that.
 */
const PREVIEW_OPTIONS = new Set(['--dry-run', '--dryrun', '-n', '--whatif', '--what-if', '--simulate', '--preview', '--check', '--noop']);

/** E_USAGE for an unknown option: what the user meant when we can tell, else the command's help. */
function unknownOption(command: string, given: string, known: string[]): RelocateError {
  if (PREVIEW_OPTIONS.has(given.toLowerCase())) {
    return new RelocateError('E_USAGE', `relocate ${command} has no ${given} option`, {
      hint: '`relocate plan` shows what apply would change without changing anything; `relocate status` checks for drift',
    });
  }
  const name = given.replace(/^-+/, '').toLowerCase();
  const near = name.length > 1 ? known.find((k) => editDistance(name, k) <= (name.length <= 4 ? 1 : 2)) : undefined;
  return new RelocateError('E_USAGE', `relocate ${command} has no ${given} option${near ? ` (did you mean --${near}?)` : ''}`, {
    hint: `see \`relocate ${command} --help\``,
  });
}

/** Peeks at global flags before the command is known, so even usage errors honour --json and --verbose. */
export function peekGlobals(argv: string[]): { json: boolean; verbose: boolean; noColor: boolean } {
  return {
    json: argv.includes('--json'),
    verbose: argv.includes('--verbose') || argv.includes('-v'),
    noColor: argv.includes('--no-color'),
  };
}
