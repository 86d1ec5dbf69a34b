#!/usr/bin/env node
import { processIO } from './io.js';
import { run } from './main.js';
import { peekGlobals } from './options.js';

const argv = process.argv.slice(2);
run(argv, processIO(peekGlobals(argv))).then((code) => {
  process.exitCode = code;
});
