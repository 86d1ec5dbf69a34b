import { COMMAND_SPECS, GLOBAL_OPTION_SPECS, GLOBAL_OPTIONS_HELP, type CommandName, type OptionSpec, type OptionsHelp } from './command-spec.js';

/** How an option is written in the help: `-y, --yes`, `--verify MODE`. */
export function optionLabel(o: OptionSpec): string {
  return `${o.short === undefined ? '' : `-${o.short}, `}--${o.long}${o.placeholder === undefined ? '' : ` ${o.placeholder}`}`;
}

/** One option's lines: the label, then the explanation's lines at `column`. */
function optionRows(o: OptionSpec, help: readonly string[], layout: OptionsHelp): string[] {
  return help.map((text, i) => `  ${i === 0 ? optionLabel(o) : ''}`.padEnd(layout.column) + text);
}

/**
 * The lines of `relocate COMMAND --help`'s `Options:` block (without the
 * heading or a final newline), made from the command table: the command's
 * own options in their order, then the global options its help explains.
 * Empty for a command whose help has no such block.
 */
export function commandOptionLines(command: CommandName): string {
  const spec = COMMAND_SPECS[command];
  if (spec.optionsHelp === undefined) return '';
  const layout = spec.optionsHelp;
  const own = spec.options.flatMap((o) => optionRows(o, o.help, layout));
  const explained: Partial<Record<string, readonly string[]>> = layout.globals ?? {};
  const globals = GLOBAL_OPTION_SPECS.flatMap((o) => {
    const help = explained[o.long];
    return help === undefined ? [] : optionRows(o, help, layout);
  });
  return [...own, ...globals].join('\n');
}

/** The lines of `relocate --help`'s `Options for every command:` block (without the heading or a final newline). */
export function globalOptionLines(): string {
  return GLOBAL_OPTION_SPECS.flatMap((o) => optionRows(o, o.help, GLOBAL_OPTIONS_HELP)).join('\n');
}
