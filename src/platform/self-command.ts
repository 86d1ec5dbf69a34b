import { spawn } from 'node:child_process';

/**
 * Running relocate's own CLI as a child process: how `relocate gui`'s
 * server drives the engine without a second implementation of any rule
 * (src/gui/server/engine.ts), and how it asks for an elevated apply.
 */

/**
 * The command line that starts this same relocate: `[node, script]` when
 * run as `node …/bin.js` (process.argv[1] is the script), or
 * `[executable]` alone inside a Node single executable application (there
 * argv[1] repeats the executable and the script is built in).
 */
export async function selfCommand(): Promise<[string, ...string[]]> {
  if (await isSingleExecutable()) return [process.execPath];
  const script = process.argv[1];
  if (!script) throw new Error('cannot tell which script is running relocate (process.argv[1] is empty)');
  return [process.execPath, script];
}

/** Whether this process is a Node single executable application (node:sea exists from Node 20.12; before it, never). */
async function isSingleExecutable(): Promise<boolean> {
  try {
    const sea = (await import('node:sea')) as { isSea?: () => boolean };
    return sea.isSea?.() === true;
  } catch {
    return false;
  }
}

/** How a child ended: its exit code (null when a signal ended it), and everything it wrote. */
export interface ChildResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** A running child: `done` settles when it has exited and its output is read; `stop` asks it to stop (a `stop` line on stdin, or SIGINT: relocate stops at a safe point). */
export interface RunningChild {
  pid: number | undefined;
  done: Promise<ChildResult>;
  stop(): void;
}

export interface ChildOptions {
  env: Record<string, string | undefined>;
  cwd: string;
  /** Called with each complete line of stderr as it arrives (the `--progress json` lines). */
  onStderrLine?: (line: string) => void;
  /** Largest stdout kept, in bytes; beyond it the child is killed (a JSON answer is never this big). */
  maxStdoutBytes?: number;
  /**
   * The child is a run with `--progress json`: `stop()` writes the line
   * `stop` to its stdin (src/cli/interrupts.ts), which works on every OS,
   * instead of SIGINT, which Node delivers on Windows as TerminateProcess.
   */
  stopByStdin?: boolean;
}

/**
 * Starts `command` (from selfCommand, plus arguments) with no shell and no
 * stdin (a pipe for `stop` lines with stopByStdin), collecting stdout and stderr. Never throws: a child that cannot
 * start ends with code null and the reason on stderr.
 */
export function runChild(command: readonly string[], opts: ChildOptions): RunningChild {
  const [program, ...args] = command;
  // A process group of its own (POSIX): Ctrl-C in the terminal of `relocate gui` reaches the server alone, which passes
  // one SIGINT on (stop()). Reaching the child too would make that a second signal, which stops a run at once instead of
  // at a safe point.
  const base = { cwd: opts.cwd, env: opts.env as NodeJS.ProcessEnv, windowsHide: true, detached: process.platform !== 'win32' };
  const child = opts.stopByStdin
    ? spawn(program, args, { ...base, stdio: ['pipe', 'pipe', 'pipe'] })
    : spawn(program, args, { ...base, stdio: ['ignore', 'pipe', 'pipe'] });
  // A child that has exited closes its end: a late `stop` must not throw EPIPE in the server.
  child.stdin?.on('error', () => undefined);
  const max = opts.maxStdoutBytes ?? 64 * 1024 * 1024;
  let stdout = '';
  let stderr = '';
  let partial = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (stdout.length > max) child.kill();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    if (!opts.onStderrLine) return;
    partial += chunk;
    let nl: number;
    while ((nl = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, nl).replace(/\r$/, '');
      partial = partial.slice(nl + 1);
      opts.onStderrLine(line);
    }
  });
  const done = new Promise<ChildResult>((resolve) => {
    child.on('error', (err) => resolve({ code: null, signal: null, stdout, stderr: `${stderr}${err.message}\n` }));
    child.on('close', (code, signal) => {
      if (partial && opts.onStderrLine) opts.onStderrLine(partial);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    pid: child.pid,
    done,
    stop: () => {
      if (child.exitCode !== null) return;
      if (child.stdin && child.stdin.writable) child.stdin.write('stop\n');
      else child.kill('SIGINT');
    },
  };
}

/**
 * The PowerShell script that runs `command` elevated (a UAC prompt) and
 * waits for it: `Start-Process -Verb RunAs -Wait`, exiting with its exit
 * code. Each argument is single-quoted for PowerShell (a quote doubled)
 * and, inside, double-quoted for the C runtime command line Start-Process
 * hands the child (it joins -ArgumentList with spaces). Pure.
 */
export function elevatedScript(command: readonly string[]): string {
  const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
  const [program, ...args] = command;
  const argList = args.map((a) => q(`"${a.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\+)$/, '$1$1')}"`)).join(',');
  return `$p = Start-Process -FilePath ${q(program)}${args.length > 0 ? ` -ArgumentList ${argList}` : ''} -Verb RunAs -Wait -PassThru; exit $p.ExitCode`;
}

/**
 * The command line that runs elevatedScript(command): powershell.exe with
 * the script as -EncodedCommand (UTF-16LE, base64), so no quoting of the
 * outer command line can change it. Unit-tested on every OS; only Windows
 * runs it.
 */
export function elevatedCommandLine(command: readonly string[]): [string, ...string[]] {
  return ['powershell.exe', '-NoProfile', '-NonInteractive', '-EncodedCommand', Buffer.from(elevatedScript(command), 'utf16le').toString('base64')];
}
