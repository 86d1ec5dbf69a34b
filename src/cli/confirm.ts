import { createInterface } from 'node:readline/promises';
import { RelocateError } from '../core/errors.js';
import type { CliIO } from './io.js';

/**
 * Asks before a command changes the disk (DESIGN.md): `--yes` answers for
 * the user; without a terminal and without `--yes` the command refuses.
 */
export async function confirm(io: CliIO, question: string, yes: boolean, command: string): Promise<boolean> {
  if (yes) return true;
  if (!io.stdinIsTTY) {
    throw new RelocateError('E_NEEDS_YES', `${command} changes the disk and there is no terminal to ask; nothing was changed`, {
      hint: `run it in a terminal to answer the question, or add --yes to confirm in advance`,
    });
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = (await rl.question(`${question} [y/N] `)).trim().toLowerCase();
    return answer === 'y' || answer === 'yes';
  } finally {
    rl.close();
  }
}
