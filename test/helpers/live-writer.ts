/**
 * Live programs for the files-in-use tests (issue 13 §4): small node
 * children that hold something inside a folder the way real programs do —
 * a log appended to every few ms through an open descriptor, a working
 * folder, a memory map whose descriptor was closed — each named by
 * `process.title` (what /proc/<pid>/comm shows), so a test can check that
 * relocate names the program. Every child is killed by `stopAll` (call it
 * in afterEach/afterAll or a finally): no test leaves one running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** A running child; `stop()` ends it and waits for it (SIGTERM, then SIGKILL). */
export interface LiveProcess {
  pid: number;
  /** The name /proc/<pid>/comm shows (at most 15 bytes). */
  title: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

const running = new Set<LiveProcess>();

/** koffi's entry file, for the mmap holder (a child cannot resolve it from a temporary folder). */
const KOFFI = createRequire(import.meta.url).resolve('koffi');

function start(title: string, script: string, args: string[], cwd?: string): Promise<LiveProcess> {
  const child = spawn(process.execPath, ['-e', script, title, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...(cwd ? { cwd } : {}) });
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lp: LiveProcess = {
    pid: child.pid!,
    title,
    child,
    async stop() {
      running.delete(lp);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
  running.add(lp);
  // Each script prints "ready" once it holds what it holds.
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      if (out.includes('ready')) resolve(lp);
    });
    child.once('exit', (code) => reject(new Error(`the ${title} child exited (${code}) before it was ready: ${err}`)));
  });
}

/**
 * Appends `line <n>\n` to `file` every `intervalMs` through one descriptor
 * held open (O_APPEND), as a logger does. On SIGTERM it writes the number of
 * the last line it wrote to `countFile` (outside the tree) and exits, so a
 * test knows exactly what must be somewhere afterwards.
 */
export function appendWriter(file: string, intervalMs: number, countFile: string, title = 'inuse-writer'): Promise<LiveProcess> {
  const script = `
    const fs = require('fs');
    const [title, file, ms, countFile] = process.argv.slice(1);
    process.title = title;
    const fd = fs.openSync(file, 'a');
    let n = 0;
    const write = () => { n++; fs.writeSync(fd, 'line ' + n + '\\n'); };
    write();
    setInterval(write, Number(ms));
    process.on('SIGTERM', () => { fs.writeFileSync(countFile, String(n)); process.exit(0); });
    console.log('ready');`;
  return start(title, script, [file, String(intervalMs), countFile]);
}

/**
 * Rewrites `file` whole by path (open, write, close: no descriptor held
 * between writes) every `intervalMs`, as an editor saves; on SIGTERM the
 * number of the last write that succeeded goes to `countFile`.
 */
export function rewriter(file: string, intervalMs: number, countFile: string, title = 'inuse-rewriter'): Promise<LiveProcess> {
  const script = `
    const fs = require('fs');
    const [title, file, ms, countFile] = process.argv.slice(1);
    process.title = title;
    let n = 0;
    // A write may find no folder for a moment (set aside, link not yet made): it fails and is not counted.
    const write = () => { try { fs.writeFileSync(file, 'version ' + (n + 1) + '\\n'); n++; } catch {} };
    write();
    setInterval(write, Number(ms));
    process.on('SIGTERM', () => { fs.writeFileSync(countFile, String(n)); process.exit(0); });
    console.log('ready');`;
  return start(title, script, [file, String(intervalMs), countFile]);
}

/** A program whose working folder is `dir` and that holds nothing else there. */
export function cwdHolder(dir: string, title = 'inuse-cwd'): Promise<LiveProcess> {
  const script = `process.title = process.argv[1]; setInterval(() => {}, 1000); console.log('ready');`;
  return start(title, script, [], dir);
}

/** Holds `file` open without writing (read-only descriptor). */
export function openHolder(file: string, title = 'inuse-open'): Promise<LiveProcess> {
  const script = `
    const fs = require('fs');
    process.title = process.argv[1];
    const fd = fs.openSync(process.argv[2], 'r');
    setInterval(() => fs.fstatSync(fd), 1000);
    console.log('ready');`;
  return start(title, script, [file]);
}

/**
 * Maps `file` (shared, read-write) and closes the descriptor: only the
 * memory map is left (/proc/<pid>/maps), as a database's shared memory is.
 */
export function mmapHolder(file: string, title = 'inuse-mmap'): Promise<LiveProcess> {
  const script = `
    const fs = require('fs');
    process.title = process.argv[1];
    const koffi = require(process.argv[3]);
    const libc = koffi.load('libc.so.6');
    const mmap = libc.func('void *mmap(void *addr, size_t len, int prot, int flags, int fd, long off)');
    const fd = fs.openSync(process.argv[2], 'r+');
    const size = fs.fstatSync(fd).size;
    const PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1;
    const p = mmap(null, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (koffi.address(p) === BigInt('0xffffffffffffffff')) { console.error('mmap failed'); process.exit(3); }
    fs.closeSync(fd);
    globalThis.keep = p;
    setInterval(() => {}, 1000);
    console.log('ready');`;
  return start(title, script, [file, KOFFI]);
}

/** Stops every child still running (teardown). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop()));
}

/** Lines `line 1` … `line n`, as appendWriter writes them. */
export function expectedLines(n: number): string {
  let s = '';
  for (let i = 1; i <= n; i++) s += `line ${i}\n`;
  return s;
}

/** The count a stopped writer left in its count file. */
export function writtenCount(countFile: string): number {
  return Number(readFileSync(countFile, 'utf8'));
}
