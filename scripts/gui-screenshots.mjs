// Makes the README's GUI screenshots (docs/screenshots/*.png) from a real
// run: builds, runs the browser tests (test/gui/browser.test.ts, which save
// every screen into test-artifacts/gui/), then copies the main screens.
// Needs Debian's chromium (or RELOCATE_TEST_CHROMIUM). Usage:
//   node scripts/gui-screenshots.mjs [--no-build]
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The screens the README shows, in its order. */
const SCREENS = ['scan', 'move', 'plan', 'apply', 'apply-in-use', 'drives', 'entries', 'history', 'links', 'doctor', 'zoom-200'];

const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, RELOCATE_SKIP_EXE: '1' } });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
if (!process.argv.includes('--no-build')) run('npm', ['run', 'build']);
run('npx', ['vitest', 'run', 'test/gui/browser.test.ts']);
const from = join(root, 'test-artifacts/gui');
const to = join(root, 'docs/screenshots');
mkdirSync(to, { recursive: true });
for (const name of SCREENS) {
  const src = join(from, `${name}.png`);
  if (!existsSync(src)) {
    process.stderr.write(`gui-screenshots: ${src} is missing (did its test run?)\n`);
    process.exit(1);
  }
  copyFileSync(src, join(to, `${name}.png`));
}
process.stdout.write(`gui-screenshots: ${SCREENS.length} screens in docs/screenshots/\n`);
