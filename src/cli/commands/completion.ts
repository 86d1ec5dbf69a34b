import { RelocateError } from '../../core/errors.js';
import { SHELLS, type Shell } from '../command-spec.js';
import { completionScript } from '../completion.js';
import type { CliIO } from '../io.js';
import { parseCommandArgs } from '../options.js';

/**
 * `relocate completion SHELL`: prints the completion script for bash, zsh,
 * fish or PowerShell (`pwsh` is accepted for PowerShell). The script's
 * first lines say how to load it. With --json: `{ formatVersion, shell,
 * script }`.
 */
export async function completionCommand(argv: string[], io: CliIO): Promise<number> {
  const { positionals } = parseCommandArgs('completion', argv);
  const asked = positionals[0]?.toLowerCase();
  const shell = (asked === 'pwsh' ? 'powershell' : asked) as Shell | undefined;
  if (positionals.length !== 1 || !shell || !SHELLS.includes(shell)) {
    throw new RelocateError(
      'E_USAGE',
      positionals.length === 0
        ? 'completion needs the name of a shell'
        : positionals.length > 1
          ? 'completion takes one shell'
          : `no completion for the shell '${positionals[0]}'`,
      {
        hint: `use one of ${SHELLS.join(', ')}, e.g. \`source <(relocate completion bash)\``,
      },
    );
  }
  const script = completionScript(shell);
  if (io.json) io.out(JSON.stringify({ formatVersion: 1, shell, script }, null, 2));
  else io.out(script);
  return 0;
}
