/**
 * The one table of relocate's commands and their options. Each option is
 * declared once, and three things are made from it: the parser's config
 * (options.ts), the shell completion scripts (completion.ts) and the
 * option lines of the help texts (option-help.ts, used by help.ts).
 */

/** What an option's value is, for completion: a folder, a file, or one of a list. */
export type ValueKind = 'dir' | 'file' | readonly string[];

interface OptionBase {
  /** The name after `--`; unique among a command's options and the global ones. */
  long: string;
  /** The one letter after `-`, if the option has one. */
  short?: string;
  /** What completion shows beside the option: one short line. */
  description: string;
  /** The option's explanation under the help's `Options:`, one string per line (the first beside the option). */
  help?: readonly string[];
}

/** A flag: present or absent, parsed as a boolean that is false when absent. */
export interface FlagSpec extends OptionBase {
  value?: undefined;
  placeholder?: undefined;
  default?: undefined;
}

/** An option that takes one string value. */
export interface ValueOptionSpec extends OptionBase {
  /** What completion offers for the value. */
  value: ValueKind;
  /** The value's name in the help: `MODE` in `--verify MODE`. */
  placeholder: string;
  /** What the parser gives when the option is absent; without it, undefined. */
  default?: string;
}

export type OptionSpec = FlagSpec | ValueOptionSpec;

/** An option of a command whose help has an `Options:` block: it must say something there. */
export type DocumentedOptionSpec = OptionSpec & { help: readonly string[] };

/** What a command's positional arguments are. */
export type ArgsKind = 'manifest' | 'manifest-or-plan' | 'dirs' | 'run' | 'shell' | 'dsc' | 'none';

/** `relocate dsc`'s words: the resource, then the operation. */
export const DSC_WORDS = ['link', 'get', 'test', 'set', 'export'] as const;

/**
 * How a help text's `Options:` block is laid out. Each option is one line
 * `  LABEL  TEXT`, its further lines indented to the same column.
 */
export interface OptionsHelp {
  /** Where the explanations start, counted from the line's start; each label ends at least two spaces before it. */
  column: number;
  /** Global options this command's help explains in its own words, listed after the command's own (in the global help's order). */
  globals?: Partial<Record<GlobalOptionName, readonly string[]>>;
}

/**
 * A command. Either its help has an `Options:` block and every option of
 * the command has lines in it, or the help has none (demo explains --keep
 * in its prose and usage line): the types allow nothing in between.
 */
export type CommandSpec = {
  /** The short line completion shows beside the command. */
  description: string;
  args: ArgsKind;
} & ({ options: readonly DocumentedOptionSpec[]; optionsHelp: OptionsHelp } | { options: readonly OptionSpec[]; optionsHelp?: undefined });

export const SHELLS = ['bash', 'zsh', 'fish', 'powershell'] as const;
export type Shell = (typeof SHELLS)[number];

export const OS_NAMES = ['win32', 'windows', 'linux', 'darwin', 'macos'] as const;

/** Kept literal (`as const`) so options.ts can type the parsed values from it. */
const GLOBAL_TABLE = [
  { long: 'json', description: 'machine output on stdout (one JSON document)', help: ['machine output on stdout (one JSON document)'] },
  { long: 'state-dir', value: 'dir', placeholder: 'DIR', description: 'where runs and the journal are kept', help: ['where runs and the journal are kept'] },
  { long: 'verbose', short: 'v', description: 'more detail; stack traces for internal errors', help: ['more detail; stack traces for internal errors'] },
  { long: 'no-color', description: 'no colours', help: ['no colours (NO_COLOR is honoured too)'] },
  { long: 'help', short: 'h', description: 'help for this command', help: ['help for a command'] },
] as const satisfies readonly DocumentedOptionSpec[];

/** The global options with their literal types. */
export type GlobalOptions = typeof GLOBAL_TABLE;
export type GlobalOptionName = GlobalOptions[number]['long'];

/** Options every command takes, in the order the global help lists them. */
export const GLOBAL_OPTION_SPECS: readonly DocumentedOptionSpec[] = GLOBAL_TABLE;

/** The layout of the global help's `Options for every command:` block. */
export const GLOBAL_OPTIONS_HELP: OptionsHelp = { column: 24 };

const YES = {
  long: 'yes',
  short: 'y',
  description: 'do not ask (needed without a terminal)',
  help: ['do not ask (needed without a terminal)'],
} as const satisfies OptionSpec;
const PROGRESS = {
  long: 'progress',
  value: ['json'],
  placeholder: 'json',
  description: 'progress as JSON lines on stderr',
  help: [
    'progress as JSON lines on stderr (one object per line:',
    'start, entry, step, progress with bytes, rate and time',
    'left, in-use naming the program, end); stdout keeps its',
    'output (one document with --json). relocate gui uses it',
  ],
} as const satisfies OptionSpec;

/** The column of apply's, rollback's and resume's options: they share YES and PROGRESS, so they line up alike. */
const RUN_OPTIONS_HELP = { column: 22 } as const satisfies OptionsHelp;

/** Kept literal (`as const`) so options.ts can type each command's parsed values from it. */
const COMMAND_TABLE = {
  validate: {
    description: 'check a manifest without touching the disk',
    args: 'manifest',
    optionsHelp: { column: 14 },
    options: [
      {
        long: 'os',
        value: OS_NAMES,
        placeholder: 'OS',
        description: 'evaluate as on another OS',
        help: [
          'evaluate as on another OS: win32 (windows), linux, darwin (macos).',
          'Checks a Windows manifest on Linux (paths, `when:`); environment',
          'variables still come from this machine.',
        ],
      },
    ],
  },
  plan: {
    description: 'show what apply would change',
    args: 'manifest',
    optionsHelp: { column: 15, globals: { json: ['print the plan as JSON (formatVersion 1)'] } },
    options: [
      {
        long: 'out',
        value: 'file',
        placeholder: 'FILE',
        description: 'save the plan as JSON',
        help: [
          'save the plan as JSON; `relocate apply FILE` later carries out',
          'exactly that plan and refuses it if the disk changed since.',
          'Refused inside a folder the plan moves (E_OUT_INSIDE_MOVE)',
        ],
      },
    ],
  },
  status: { description: 'drift check: 0 in sync, 2 drift, 1 error', args: 'manifest', options: [] },
  apply: {
    description: 'move the data and create the links',
    args: 'manifest-or-plan',
    optionsHelp: RUN_OPTIONS_HELP,
    options: [
      YES,
      {
        long: 'verify',
        value: ['meta', 'content'],
        placeholder: 'MODE',
        default: 'meta',
        description: 'how copies are verified',
        help: ['meta (default): names, sizes, times, modes, link texts;', "content: also every file's bytes, compared on both sides"],
      },
      {
        long: 'no-rollback',
        description: 'on failure keep the finished steps',
        help: ['on failure, keep the finished steps (resume later)', 'instead of undoing them'],
      },
      PROGRESS,
    ],
  },
  rollback: {
    description: 'undo a run',
    args: 'run',
    optionsHelp: RUN_OPTIONS_HELP,
    options: [YES, { long: 'force', description: 'skip steps whose results drifted', help: ['skip the steps whose results drifted'] }, PROGRESS],
  },
  resume: {
    description: 'finish an unfinished run',
    args: 'none',
    optionsHelp: RUN_OPTIONS_HELP,
    options: [YES, { long: 'no-rollback', description: 'on failure keep the finished steps', help: ['on failure, keep the finished steps'] }, PROGRESS],
  },
  history: { description: 'list the runs', args: 'none', options: [] },
  import: {
    description: 'write manifest entries for links already on disk',
    args: 'dirs',
    optionsHelp: { column: 23 },
    options: [
      { long: 'recursive', short: 'r', description: 'search real subfolders too', help: ['search real subfolders too (links are never entered)'] },
      {
        long: 'write',
        short: 'w',
        value: 'file',
        placeholder: 'FILE',
        description: 'merge the entries into this manifest',
        help: ['merge the entries into this manifest (created if missing)'],
      },
      { ...YES, help: ['write without asking (needed without a terminal)'] },
    ],
  },
  scan: {
    description: 'what is big, and what is safe to move',
    args: 'dirs',
    optionsHelp: { column: 15 },
    options: [
      {
        long: 'top',
        value: ['10', '20', '50', '100'],
        placeholder: 'N',
        description: 'how many of the largest to list (default 20)',
        help: ['list the N largest (default 20)'],
      },
      {
        long: 'to',
        value: 'dir',
        placeholder: 'DIR',
        description: 'show free space after moving the safe ones to this drive',
        help: ["also show each drive's free space once the safe folders", "listed moved to DIR's drive (DIR need not exist yet)"],
      },
    ],
  },
  doctor: { description: 'check what this machine can do', args: 'manifest', options: [] },
  completion: { description: 'print a shell completion script', args: 'shell', options: [] },
  // No Options: block: the help's usage line and prose explain --keep.
  demo: { description: 'a guided tour in a throwaway sandbox', args: 'none', options: [{ long: 'keep', description: 'keep the sandbox afterwards' }] },
  dsc: { description: 'the Microsoft DSC v3 resource Relocate/Link (JSON on stdin)', args: 'dsc', options: [] },
  gui: {
    description: 'a local web UI on 127.0.0.1',
    args: 'manifest',
    optionsHelp: { column: 18, globals: { json: ['print {url, port, manifest, opened} as JSON instead'] } },
    options: [
      // Any number; 0 (a free port, the default) is the one word worth offering.
      {
        long: 'port',
        value: ['0'],
        placeholder: 'N',
        description: 'listen on this port (default 0: a free one)',
        help: ['listen on port N (default 0: a free port)'],
      },
      {
        long: 'no-open',
        description: 'print the address instead of opening a browser',
        help: ['print the address (http://127.0.0.1:PORT/?token=…) on', 'stdout instead of opening a browser'],
      },
    ],
  },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMAND_TABLE;

/** The options a command declares (globals not included), with their literal types. */
export type CommandOptions<C extends CommandName> = (typeof COMMAND_TABLE)[C]['options'];

/** The commands, in the order completion offers them; looked up by any string (a command typed by the user). */
export const COMMAND_SPECS: Readonly<Record<string, CommandSpec>> = COMMAND_TABLE;
