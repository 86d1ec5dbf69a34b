/**
 * The command table (src/cli/command-spec.ts) is the only place options are
 * declared; the parser's config, the completion scripts and the help's
 * option lines are made from it. These tests check the generators, so an
 * option the parser accepts but the help or completion leaves out (or the
 * reverse) fails here with the command and the option named.
 */
import { describe, expect, it } from 'vitest';
import { COMMAND_SPECS, GLOBAL_OPTION_SPECS, GLOBAL_OPTIONS_HELP, type CommandName, type OptionSpec } from '../../src/cli/command-spec.js';
import { completionScript } from '../../src/cli/completion.js';
import { COMMAND_HELP, GLOBAL_HELP } from '../../src/cli/help.js';
import { commandOptionLines, globalOptionLines, optionLabel } from '../../src/cli/option-help.js';
import { parseCommandArgs } from '../../src/cli/options.js';
import { RelocateError } from '../../src/core/errors.js';

const commands = Object.keys(COMMAND_SPECS) as CommandName[];
const spec = (c: CommandName) => COMMAND_SPECS[c]!;
const words = (o: OptionSpec) => [`--${o.long}`, ...(o.short === undefined ? [] : [`-${o.short}`])];
/** The arguments that give option `o` on a command line: a value option gets a value it accepts. */
const given = (o: OptionSpec) => [`--${o.long}`, ...(o.value === undefined ? [] : [typeof o.value === 'string' ? 'x' : o.value[0]!])];

/** The lines of a help text's block that starts with `heading`, up to the blank line after it. */
function block(help: string, heading: string): string[] {
  const lines = help.split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) return [];
  const end = lines.findIndex((l, i) => i > start && l === '');
  return lines.slice(start + 1, end);
}

/** The options a parse of `argv` for `command` gives as E_USAGE "has no … option", or undefined when it parses. */
function rejected(command: CommandName, argv: string[]): string | undefined {
  try {
    parseCommandArgs(command, argv);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(RelocateError);
    expect((err as RelocateError).code).toBe('E_USAGE');
    return (err as RelocateError).message;
  }
}

describe('the parser is made from the table', () => {
  it.each(commands)('%s accepts each of its own options and the global ones', (command) => {
    for (const o of [...spec(command).options, ...GLOBAL_OPTION_SPECS]) {
      expect(rejected(command, given(o)), `relocate ${command} --${o.long}`).toBeUndefined();
      if (o.short !== undefined) expect(rejected(command, [`-${o.short}`, ...given(o).slice(1)]), `relocate ${command} -${o.short}`).toBeUndefined();
    }
  });

  it.each(commands)('%s rejects, with E_USAGE, every option the table gives other commands but not it', (command) => {
    const own = new Set([...spec(command).options, ...GLOBAL_OPTION_SPECS].map((o) => o.long));
    const others = commands.flatMap((c) => spec(c).options).filter((o) => !own.has(o.long));
    for (const o of [...others, { long: 'not-an-option', description: '' }]) {
      expect(rejected(command, given(o)), `relocate ${command} --${o.long}`).toMatch(new RegExp(`^relocate ${command} has no --${o.long} option`));
    }
    const ownShort = new Set([...spec(command).options, ...GLOBAL_OPTION_SPECS].map((o) => o.short));
    for (const o of others) {
      if (o.short !== undefined && !ownShort.has(o.short))
        expect(rejected(command, [`-${o.short}`]), `relocate ${command} -${o.short}`).toMatch(new RegExp(`^relocate ${command} has no -${o.short} option`));
    }
  });

  it('a flag is false when absent, a value is undefined unless the table gives a default', () => {
    const apply = parseCommandArgs('apply', []).values;
    expect(apply).toMatchObject({ yes: false, 'no-rollback': false, verify: 'meta', json: false, verbose: false, 'no-color': false, help: false });
    expect(apply.progress).toBeUndefined();
    expect(apply['state-dir']).toBeUndefined();
    expect(parseCommandArgs('apply', ['-y', '--verify', 'content']).values).toMatchObject({ yes: true, verify: 'content' });
  });
});

describe('the help is made from the table', () => {
  it.each(commands)('%s: its help lists every option of the table (in its Options: block, or its usage line when it has none)', (command) => {
    const help = COMMAND_HELP[command]!;
    const lines = block(help, 'Options:');
    const table = spec(command);
    expect(lines.length > 0, `relocate ${command} --help has an Options: block exactly when the table lays one out`).toBe(table.optionsHelp !== undefined);
    if (table.optionsHelp === undefined) {
      for (const o of table.options) expect(help.split('\n')[0], `--${o.long} in relocate ${command}'s usage line`).toContain(`[--${o.long}]`);
      return;
    }
    const column = table.optionsHelp.column;
    expect(lines.join('\n')).toBe(commandOptionLines(command));
    for (const o of table.options) {
      expect(lines, `--${o.long} in relocate ${command} --help`).toContainEqual(`  ${optionLabel(o)}`.padEnd(column) + o.help[0]);
      expect(optionLabel(o).length + 4, `--${o.long}'s label leaves two spaces before column ${column}`).toBeLessThanOrEqual(column);
    }
  });

  it.each(commands)('%s: every option its Options: block names is one the parser accepts', (command) => {
    const labels = block(COMMAND_HELP[command]!, 'Options:').filter((l) => /^ {2}-/.test(l));
    for (const label of labels) {
      const long = /--([a-z-]+)/.exec(label)![1]!;
      expect(
        rejected(command, given([...spec(command).options, ...GLOBAL_OPTION_SPECS].find((o) => o.long === long) ?? { long, description: '' })),
        `relocate ${command} --${long}`,
      ).toBeUndefined();
    }
  });

  it('the global help lists every global option, laid out as the table says', () => {
    const lines = block(GLOBAL_HELP, 'Options for every command:');
    expect(lines.join('\n')).toBe(globalOptionLines());
    for (const o of GLOBAL_OPTION_SPECS) {
      expect(lines).toContainEqual(`  ${optionLabel(o)}`.padEnd(GLOBAL_OPTIONS_HELP.column) + o.help[0]);
      expect(optionLabel(o).length + 4).toBeLessThanOrEqual(GLOBAL_OPTIONS_HELP.column);
    }
  });

  it('a continuation line is indented to the column, and a label comes from the long name, short letter and placeholder', () => {
    expect(commandOptionLines('apply').split('\n').slice(0, 3)).toEqual([
      '  -y, --yes           do not ask (needed without a terminal)',
      '  --verify MODE       meta (default): names, sizes, times, modes, link texts;',
      "                      content: also every file's bytes, compared on both sides",
    ]);
    expect(commandOptionLines('demo')).toBe('');
  });
});

describe('completion is made from the table', () => {
  const scripts = { bash: completionScript('bash'), zsh: completionScript('zsh'), fish: completionScript('fish'), powershell: completionScript('powershell') };

  it.each(commands)('%s: every shell offers exactly its options and the global ones', (command) => {
    const all = [...spec(command).options, ...GLOBAL_OPTION_SPECS];
    const expected = all.flatMap(words).sort();
    const bashOpts = new RegExp(`^ {12}${command}\\) opts="([^"]*)"`, 'm').exec(scripts.bash)?.[1];
    expect(bashOpts?.split(' ').sort(), 'bash').toEqual(expected);
    const psOpts = new RegExp(`^ {8}'${command}' = @\\(([^)]*)\\)`, 'm').exec(scripts.powershell)?.[1];
    expect(
      psOpts
        ?.split(', ')
        .map((w) => w.slice(1, -1))
        .sort(),
      'powershell',
    ).toEqual(expected);
    const fishLongs = [...scripts.fish.matchAll(new RegExp(`^complete -c relocate -n '__fish_seen_subcommand_from ${command}' .*?-l (\\S+)`, 'gm'))].map(
      (m) => m[1],
    );
    expect(fishLongs.sort(), 'fish').toEqual(all.map((o) => o.long).sort());
    const zshBlock = new RegExp(`\\(${command}\\)\\n([\\s\\S]*?);;`).exec(scripts.zsh)?.[1] ?? '';
    for (const o of all) expect(zshBlock, `zsh: --${o.long} for ${command}`).toContain(`--${o.long}`);
  });
});
