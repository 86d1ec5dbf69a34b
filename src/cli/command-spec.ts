/**
 * The commands and options as shell completion offers them. Kept next to
 * the help texts (help.ts) and checked against them by the tests: every
 * command here has a help text, and every option here appears in its help.
 */

/** What an option's value is, for completion: a folder, a file, or one of a list. */
export type ValueKind = 'dir' | 'file' | readonly string[];

export interface OptionSpec {
  long: string;
  short?: string;
  /** Absent for a flag. */
  value?: ValueKind;
  description: string;
}

/** What a command's positional arguments are. */
export type ArgsKind = 'manifest' | 'manifest-or-plan' | 'dirs' | 'run' | 'shell' | 'dsc' | 'none';

/** `relocate dsc`'s words: the resource, then the operation. */
export const DSC_WORDS = ['link', 'get', 'test', 'set', 'export'] as const;

export interface CommandSpec {
  description: string;
  args: ArgsKind;
  options: OptionSpec[];
}

export const SHELLS = ['bash', 'zsh', 'fish', 'powershell'] as const;
export type Shell = (typeof SHELLS)[number];

const YES: OptionSpec = { long: 'yes', short: 'y', description: 'do not ask (needed without a terminal)' };
const PROGRESS: OptionSpec = { long: 'progress', value: ['json'], description: 'progress as JSON lines on stderr' };

export const OS_NAMES = ['win32', 'windows', 'linux', 'darwin', 'macos'] as const;

/** Options every command takes (options.ts GLOBAL_OPTIONS). */
export const GLOBAL_OPTION_SPECS: OptionSpec[] = [
  { long: 'json', description: 'machine output on stdout (one JSON document)' },
  { long: 'state-dir', value: 'dir', description: 'where runs and the journal are kept' },
  { long: 'verbose', short: 'v', description: 'more detail; stack traces for internal errors' },
  { long: 'no-color', description: 'no colours' },
  { long: 'help', short: 'h', description: 'help for this command' },
];

export const COMMAND_SPECS: Record<string, CommandSpec> = {
  validate: { description: 'check a manifest without touching the disk', args: 'manifest', options: [{ long: 'os', value: OS_NAMES, description: 'evaluate as on another OS' }] },
  plan: { description: 'show what apply would change', args: 'manifest', options: [{ long: 'out', value: 'file', description: 'save the plan as JSON' }] },
  status: { description: 'drift check: 0 in sync, 2 drift, 1 error', args: 'manifest', options: [] },
  apply: {
    description: 'move the data and create the links',
    args: 'manifest-or-plan',
    options: [
      YES,
      { long: 'verify', value: ['meta', 'content'], description: 'how copies are verified' },
      { long: 'no-rollback', description: 'on failure keep the finished steps' },
      PROGRESS,
    ],
  },
  rollback: { description: 'undo a run', args: 'run', options: [YES, { long: 'force', description: 'skip steps whose results drifted' }, PROGRESS] },
  resume: { description: 'finish an unfinished run', args: 'none', options: [YES, { long: 'no-rollback', description: 'on failure keep the finished steps' }, PROGRESS] },
  history: { description: 'list the runs', args: 'none', options: [] },
  import: {
    description: 'write manifest entries for links already on disk',
    args: 'dirs',
    options: [
      { long: 'recursive', short: 'r', description: 'search real subfolders too' },
      { long: 'write', short: 'w', value: 'file', description: 'merge the entries into this manifest' },
      YES,
    ],
  },
  scan: {
    description: 'what is big, and what is safe to move',
    args: 'dirs',
    options: [
      { long: 'top', value: ['10', '20', '50', '100'], description: 'how many of the largest to list (default 20)' },
      { long: 'to', value: 'dir', description: 'show free space after moving the safe ones to this drive' },
    ],
  },
  doctor: { description: 'check what this machine can do', args: 'manifest', options: [] },
  completion: { description: 'print a shell completion script', args: 'shell', options: [] },
  demo: { description: 'a guided tour in a throwaway sandbox', args: 'none', options: [{ long: 'keep', description: 'keep the sandbox afterwards' }] },
  dsc: { description: 'the Microsoft DSC v3 resource Relocate/Link (JSON on stdin)', args: 'dsc', options: [] },
  gui: {
    description: 'a local web UI on 127.0.0.1',
    args: 'manifest',
    options: [
      // Any number; 0 (a free port, the default) is the one word worth offering.
      { long: 'port', value: ['0'], description: 'listen on this port (default 0: a free one)' },
      { long: 'no-open', description: 'print the address instead of opening a browser' },
    ],
  },
};
