import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCliAsync, type CliResult } from './cli.js';
import { buildTree, cacheSpec, gamesSpec, seededBytes, type TreeSpec } from './crash-tree.js';
import { TRACED_CALLS } from './durability-effects.js';
import { loopFsReason, loopReason, mountLoop, type LoopFs, type LoopVolume } from './loop-volume.js';

/**
 * The fsync-order audit's sandbox: two loop-mounted ext4 volumes, A and B.
 * A holds the links' folders, the state folder and the path-lock registry;
 * the manifest (in a temporary folder off both volumes) has four entries:
 * - Games: a rich tree (hard links, symlinks, odd modes) moved across
 *   volumes to B (copy, verify, rename, set aside, link, delete);
 * - Cache: moved on A to a folder two levels deep that does not exist yet
 *   (mkdirs of two levels, one rename between folders);
 * - Shared: `conflict: merge` into a folder on A that already holds one
 *   identical file and one of its own (renames between folders, subset delete);
 * - Config: `conflict: backup` against a target on B that holds data (the
 *   folder renamed aside to its backup name).
 * Every path is canonical (no link on the way), as the audit assumes.
 */
export interface AuditSandbox {
  volA: string;
  volB: string;
  work: string;
  manifest: string;
  stateDir: string;
  lockDir: string;
  cleanup(): void;
}

/** Why the audit cannot run here (no strace, no root, no loop devices, no mkfs for `fsB`), or undefined. */
export function auditReason(fsB: LoopFs = 'ext4'): string | undefined {
  const loop = loopReason() ?? loopFsReason(fsB);
  if (loop) return loop;
  try {
    execFileSync('sh', ['-c', 'command -v strace'], { stdio: 'ignore' });
  } catch {
    return 'strace is not installed (Debian: strace; .ci/run installs it)';
  }
  return undefined;
}

const file = (rel: string, data: string | Buffer, mtime: number): TreeSpec => ({ rel, kind: 'file', data: Buffer.from(data), mode: 0o644, mtime });
const dir = (rel: string, mtime: number): TreeSpec => ({ rel, kind: 'dir', mode: 0o755, mtime });

/**
 * `fsB` is volume B's file system: ext4 (syncfs honoured) or ntfs (NTFS
 * through ntfs-3g, a FUSE file system whose syncfs does nothing, so every
 * copied file and folder must be fsync'd).
 */
export function buildAuditSandbox(label: string, fsB: LoopFs = 'ext4'): AuditSandbox {
  const vols: LoopVolume[] = [];
  let work = '';
  const cleanup = () => {
    for (const v of vols) v.unmount();
    if (work) rmSync(work, { recursive: true, force: true });
  };
  try {
    vols.push(mountLoop('ext4', 48, `audit-${label}-a`), mountLoop(fsB, 48, `audit-${label}-b`));
    const [volA, volB] = [vols[0]!.dir, vols[1]!.dir];
    work = mkdtempSync(path.join(os.tmpdir(), `relocate-audit-${label}-`));
    const home = path.join(volA, 'home');
    const outside = path.join(volA, 'outside');
    mkdirSync(home);
    mkdirSync(outside);
    buildTree(path.join(home, 'Games'), gamesSpec(), outside);
    buildTree(path.join(home, 'Cache'), cacheSpec(), outside);
    const t = 1_650_000_000;
    buildTree(
      path.join(home, 'Shared'),
      [
        dir('', t),
        file('same.txt', 'same in both\n', t + 1),
        file('only-link.txt', seededBytes(5, 9000), t + 2),
        dir('sub', t + 3),
        file('sub/deep.txt', 'deep\n', t + 4),
      ],
      outside,
    );
    mkdirSync(path.join(volA, 'library'));
    buildTree(
      path.join(volA, 'library', 'Shared'),
      [dir('', t), file('same.txt', 'same in both\n', t + 1), file('only-target.txt', 'target\n', t + 5)],
      outside,
    );
    buildTree(
      path.join(home, 'Config'),
      [dir('', t), file('settings.ini', '[a]\nb=1\n', t + 6), dir('profiles', t + 7), file('profiles/p1', seededBytes(9, 3000), t + 8)],
      outside,
    );
    buildTree(path.join(volB, 'Config'), [dir('', t), file('settings.ini', '[a]\nb=2\n', t + 9)], outside);
    const sb: AuditSandbox = {
      volA,
      volB,
      work,
      manifest: path.join(work, 'relocate.yaml'),
      stateDir: path.join(volA, 'state'),
      lockDir: path.join(volA, 'locks'),
      cleanup,
    };
    const entry = (link: string, target: string, conflict?: string) => [
      `  - link: ${link}`,
      `    target: ${target}`,
      '    type: symlink',
      ...(conflict ? [`    conflict: ${conflict}`] : []),
    ];
    const lines = [
      'version: 1',
      'links:',
      ...entry(path.join(home, 'Games'), path.join(volB, 'Games')),
      ...entry(path.join(home, 'Cache'), path.join(volA, 'store', 'deep', 'Cache')),
      ...entry(path.join(home, 'Shared'), path.join(volA, 'library', 'Shared'), 'merge'),
      ...entry(path.join(home, 'Config'), path.join(volB, 'Config'), 'backup'),
    ];
    writeFileSync(sb.manifest, lines.join('\n') + '\n');
    // What the sandbox's making left unwritten is put on disk now: the audit starts from a durable disk.
    execFileSync('sync');
    return sb;
  } catch (err) {
    cleanup();
    throw err;
  }
}

/** One traced command: its result and its strace output. */
export interface Traced {
  result: CliResult;
  trace: string;
}

/**
 * Runs the built CLI under `strace -f -y -qq -tt -s 200` (every call the
 * audit understands), with the sandbox's state folder and lock registry.
 * `portable` sets RELOCATE_NATIVE=0 (no koffi: no syncfs, no renameat2);
 * `crashAfter` the hook that SIGKILLs the CLI after that journal line.
 */
export async function traceCli(sb: AuditSandbox, args: string[], opts: { portable: boolean; crashAfter?: number }): Promise<Traced> {
  const out = path.join(sb.work, `trace-${Date.now()}-${Math.random().toString(16).slice(2)}.txt`);
  const strace = ['strace', '-f', '-y', '-qq', '-tt', '-s', '200', '-o', out, '-e', `trace=${TRACED_CALLS.map((c) => `?${c}`).join(',')}`];
  const result = await runCliAsync([...args, '--state-dir', sb.stateDir], {
    cwd: sb.work,
    wrapper: strace,
    // UV_USE_IO_URING=0: file work libuv sent through io_uring would be invisible to strace (the audit refuses such a trace).
    env: {
      UV_USE_IO_URING: '0',
      RELOCATE_LOCK_DIR: sb.lockDir,
      RELOCATE_NATIVE: opts.portable ? '0' : '',
      RELOCATE_TEST_CRASH_AFTER: opts.crashAfter === undefined ? '' : String(opts.crashAfter),
    },
  });
  const trace = existsSync(out) ? readFileSync(out, 'utf8') : '';
  return { result, trace };
}

/** Every journal in the state folder, by path, with its text (the audit reads journal lines by offset). */
export function journalTexts(sb: AuditSandbox): Record<string, string> {
  const runs = path.join(sb.stateDir, 'runs');
  const out: Record<string, string> = {};
  if (!existsSync(runs)) return out;
  for (const id of readdirSync(runs)) {
    const j = path.join(runs, id, 'journal.jsonl');
    if (existsSync(j)) out[j] = readFileSync(j, 'utf8');
  }
  return out;
}
