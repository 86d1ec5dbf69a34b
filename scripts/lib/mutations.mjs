// Runs a set of check removals ("mutations") against the tests that should catch them: each check is
// removed in turn, the tests run, and the file is restored, whatever happens. Prints one line per check
// and sets a failing exit code when a removal went unnoticed.
import { execSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

/**
 * `mutations`: [the check's name, the file, the text of the check, what it becomes without it].
 * `command`: the test run that must fail for each; `env`: extra environment for it.
 */
export function runMutations(mutations, command, env = {}) {
  let survived = 0;
  for (const [name, file, from, to] of mutations) {
    const original = readFileSync(file, 'utf8');
    if (!original.includes(from)) throw new Error(`${file} no longer contains the check "${name}": update this script`);
    writeFileSync(file, original.replace(from, to));
    let failed = false;
    try {
      execSync(command, { stdio: 'ignore', env: { ...process.env, ...env } });
    } catch {
      failed = true;
    } finally {
      writeFileSync(file, original);
    }
    if (!failed) survived++;
    process.stdout.write(`${failed ? 'caught  ' : 'MISSED  '} ${name}\n`);
  }
  process.exitCode = survived === 0 ? 0 : 1;
}
