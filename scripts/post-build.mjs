// Makes the CLI entry executable after tsc (npm link and a clone's `npx relocate` need the bit).
import { chmodSync } from 'node:fs';
chmodSync(new URL('../dist/cli/bin.js', import.meta.url), 0o755);
