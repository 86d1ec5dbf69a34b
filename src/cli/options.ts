import { parseArgs, type ParseArgsConfig } from 'node:util';
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
    throw new RelocateError('E_USAGE', (err as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ''), {
      hint: `see \`relocate ${command} --help\``,
    });
  }
}

/** Peeks at global flags before the command is known, so even usage errors honour --json and --verbose. */
export function peekGlobals(argv: string[]): { json: boolean; verbose: boolean; noColor: boolean } {
  return {
    json: argv.includes('--json'),
    verbose: argv.includes('--verbose') || argv.includes('-v'),
    noColor: argv.includes('--no-color'),
  };
}
