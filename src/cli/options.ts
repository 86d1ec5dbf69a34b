import { parseArgs, type ParseArgsConfig } from 'node:util';
import {
  COMMAND_SPECS,
  GLOBAL_OPTION_SPECS,
  type CommandName,
  type CommandOptions,
  type GlobalOptions,
  type OptionSpec,
  type ValueKind,
} from './command-spec.js';
import { editDistance } from '../core/edit-distance.js';
import { RelocateError } from '../core/errors.js';

/** What the parser gives for one option: a flag is a boolean, a value a string (undefined when absent and without a default). */
type ParsedValue<O extends OptionSpec> = O extends { value: ValueKind } ? (O extends { default: string } ? string : string | undefined) : boolean;

/** The parsed values of a list of options, by long name. */
type ValuesOf<L extends readonly OptionSpec[]> = { [O in L[number] as O['long']]: ParsedValue<O> };

/** What `parseCommandArgs(command, …)` returns as `values`: the global options and the command's own, typed from the command table. */
export type CommandValues<C extends CommandName> = ValuesOf<GlobalOptions> & ValuesOf<CommandOptions<C>>;

/** One option as node:util's parseArgs takes it. */
type ParseArgsOptionConfig = NonNullable<ParseArgsConfig['options']>[string];

/** An option's parseArgs config. Keys are left out rather than set to undefined: parseArgs rejects `short: undefined`. */
function parseConfigOf(o: OptionSpec): ParseArgsOptionConfig {
  const short = o.short === undefined ? {} : { short: o.short };
  if (o.value === undefined) return { type: 'boolean', ...short, default: false };
  return { type: 'string', ...short, ...(o.default === undefined ? {} : { default: o.default }) };
}

/** The parseArgs options of a command: the global ones first (the order "did you mean" searches), then the command's own. */
function parseOptionsOf(command: CommandName): Record<string, ParseArgsOptionConfig> {
  const spec = COMMAND_SPECS[command];
  return Object.fromEntries([...GLOBAL_OPTION_SPECS, ...spec.options].map((o) => [o.long, parseConfigOf(o)]));
}

/**
 * Parses a command's arguments strictly, with the options the command
 * table declares for it: an unknown option or a missing value is an
 * E_USAGE error that names the command's help.
 */
export function parseCommandArgs<C extends CommandName>(command: C, argv: string[]): { values: CommandValues<C>; positionals: string[] } {
  const options = parseOptionsOf(command);
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    // The config was built from the same table entries CommandValues is computed from: a flag as a boolean, a value as a string.
    return { values: values as CommandValues<C>, positionals };
  } catch (err) {
    const unknown = /^Unknown option '([^']+)'/.exec((err as Error).message)?.[1];
    if (unknown !== undefined) throw unknownOption(command, unknown, Object.keys(options));
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
