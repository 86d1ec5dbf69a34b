/**
 * Issue 17 §4: every step's preconditions and undo, one row each. A row
 * names a safety check (a refusal before a step, a resume or an undo
 * touches the disk), sets up the situation it guards against, calls the
 * step jobs (or runForward with a hand-made step list) and asserts
 * the refusal's code AND that nothing was lost on disk.
 *
 * Mutation proof (run on 2026-12-07 against d5feba7): each check was
 * removed from src (its line deleted, or its condition made always-pass),
 * this file run, and the file restored with git checkout. Each row's test
 * is named by its id. "yes": the row's test failed without the check.
 * "yes, code only": it failed on the refusal's code alone, because a
 * second barrier (named) still refused and nothing was lost. "no": the
 * test still passed, and why. The file:function column names the files the
 * checks live in now: step-ops.ts was split by job after that pass (the
 * checks moved unchanged; the run on both disks below re-checked a sample).
 *
 * | id                                     | file:function                                   | fails without the check |
 * |----------------------------------------|-------------------------------------------------|-------------------------|
 * | rename.from-exists                     | exec/do-step.ts:doStep                          | no: the port's rename of nothing fails with the same E_MISSING (and so does its folder sync); the check only words the refusal, nothing can be lost without it |
 * | rename.no-replace                      | platform/fs/rename.ts:renameNoReplace           | yes (made a plain rename(2)) |
 * | copy.no-replace                        | platform/fs/copy-tree.ts:copyTree               | no alone: the file root is created exclusively ('wx', EEXIST → E_EXISTS); yes with both removed |
 * | verify.equal                           | exec/do-step.ts:doStep                          | yes |
 * | link.no-replace                        | platform/fs/links.ts:makeLink                   | no check to remove (symlink(2) itself never replaces); yes for a create that replaces (simulated) |
 * | check-link.exists                      | exec/step-checks.ts:checkLink                   | yes (a TypeError instead) |
 * | check-link.hardlink-same-file          | exec/step-checks.ts:checkLink                   | yes |
 * | check-link.is-link                     | exec/step-checks.ts:checkLink                   | no alone: check-link.points-to-target refuses a folder too, same code; yes with both removed |
 * | check-link.points-to-target            | exec/step-checks.ts:checkLink                   | yes |
 * | check-link.target-exists               | exec/step-checks.ts:checkLink                   | yes |
 * | check-in-use.held                      | exec/step-checks.ts:refuseIfInUse               | yes |
 * | unlink.gone                            | exec/do-step.ts:doStep                          | yes, code only: unlink.is-link then refuses (E_NOT_A_LINK) |
 * | unlink.hardlink-same-file              | exec/do-step.ts:doStep                          | yes (the file of its own was deleted) |
 * | unlink.is-link                         | exec/do-step.ts:doStep                          | no alone: unlink.points-to-target and the port's removeLink (platform/fs/links.ts:removeLinkAt) refuse a folder too, same code; yes with all three removed |
 * | unlink.points-to-target                | exec/do-step.ts:doStep                          | yes (the other link was removed) |
 * | delete.one-device                      | exec/begin-info.ts:beginInfo                    | yes (the port's deleteTree makes its own mount check, not tested here: test/exec/mounts-midrun.test.ts) |
 * | delete.twin-exists                     | exec/do-step.ts:doStep                          | yes (the only copy was deleted) |
 * | forward.left-by-run.rename             | exec/executor.ts:checkLeftByRun, leftByRun      | yes (the throw; and the copy's madeId lookup alone) |
 * | forward.left-by-run.delete             | exec/executor.ts:checkLeftByRun, leftByRun      | yes (the throw; and the rename's movedId lookup alone: the other folder was deleted) |
 * | guard.scope                            | exec/guard.ts:GuardedFs.check                   | yes (the unrelated folder was deleted) |
 * | guard.through-link                     | exec/guard.ts:GuardedFs.check                   | yes (deleted through the link) |
 * | resume.rename.moved-identity           | exec/resume-step.ts:stepTookEffect              | yes |
 * | resume.rename.ambiguous                | exec/resume-step.ts:stepTookEffect              | yes (made `return false`: the executor would redo it, and the no-replace rename refuse) |
 * | resume.link.not-ours                   | exec/resume-step.ts:stepTookEffect              | yes (made `return false`) |
 * | resume.rename.from-identity            | exec/resume-step.ts:clearPartial                | yes |
 * | resume.copy.made-identity              | exec/identity.ts:undoIdentity (copy)            | yes (the other folder was deleted) |
 * | resume.copy.unrecorded-root            | exec/identity.ts:undoIdentity (copy)            | yes (made always-go) |
 * | resume.copy.original-exists            | exec/resume-step.ts:clearPartial                | yes (the copy, all that was left, was deleted) |
 * | resume.delete.path-identity            | exec/identity.ts:undoIdentity (delete)          | yes |
 * | resume.delete.remainder-verified       | exec/twin-check.ts:verifyRemainder, its call in clearPartial | yes |
 * | undo.rename.identity                   | exec/identity.ts:undoIdentity (rename)          | yes (made always-go: the other folder was moved) |
 * | undo.rename.to-gone                    | exec/undo-step.ts:undoStep (rename)             | yes, code only: the port's rename of nothing (E_MISSING) |
 * | undo.rename.from-taken                 | exec/undo-step.ts:undoStep (rename)             | yes, code only: the no-replace rename (E_EXISTS) |
 * | undo.copy.made-identity                | exec/identity.ts:undoIdentity (copy)            | yes (the other folder was deleted) |
 * | undo.force-skips-drift                 | exec/undo-step.ts:undoStep (identity verdict)   | yes (undoStep ignoring the verdict deleted the other folder under --force; it also fails undo.*.identity rows) |
 * | undo.copy.unrecorded-root              | exec/identity.ts:undoIdentity (copy)            | yes (made always-go) |
 * | undo.copy.original-exists              | exec/undo-step.ts:undoStep (copy)               | yes (the only copy was deleted) |
 * | undo.mkdirs.made-identity              | exec/undo-step.ts:undoStep (mkdirs)             | yes (the other, empty folder was removed) |
 * | undo.mkdirs.only-empty                 | platform/node-fs.ts:NodeFs.rmdirIfEmpty         | yes (made a recursive rm) |
 * | undo.link.hardlink-same-file           | exec/undo-step.ts:undoStep (link)               | yes (the file of its own was deleted) |
 * | undo.link.points-to-target             | exec/undo-step.ts:undoStep (link)               | yes |
 * | undo.unlink.occupied                   | exec/undo-step.ts:undoStep (unlink)             | yes, code only: the port's link creation (E_EXISTS) |
 * | undo.delete.twin-exists                | exec/undo-delete.ts:undoDelete                  | yes, code only: reading the missing twin fails (E_MISSING) before anything is written |
 * | undo.delete.path-identity              | exec/identity.ts:undoIdentity (delete)          | yes |
 * | undo.delete.remainder-differs          | exec/undo-delete.ts:undoDelete                  | yes, code only: the verify after restoreMissing (E_VERIFY); the files put back came from the twin, none lost |
 * | undo.delete.remainder-differs.legacy   | exec/twin-check.ts:remainderVerdict             | yes (the undo reported done with a file still missing) |
 * | undo.delete.whole-kept                 | exec/undo-delete.ts:undoDelete                  | yes (E_VERIFY from the verify after restoreMissing) |
 * | undo.delete.restore-verified           | exec/undo-delete.ts:undoDelete                  | yes |
 * | undo.delete.survivors-keep-identity    | exec/undo-delete.ts:undoDelete → restoreMissing | yes (added 2026-12-07: what is left deleted before restoreMissing, the root kept, so all came back as copies; the survivor was another file. No other row failed on identity, nor did the Windows harness before mem-fs/survivors.ts) |
 * | undo.delete.copy-verified              | exec/undo-delete.ts:undoDelete                  | yes (the short copy was renamed into place) |
 * | undo.delete.staging-own                | exec/undo-delete.ts:undoDelete                  | yes (made always-delete: the other folder was deleted) |
 * | undo.never-begun                       | exec/executor.ts:runUndo                        | yes (the other folder at the copy's path was deleted) |
 * | undo.subset.remainder-differs          | exec/undo-delete.ts:undoDelete (subset)         | yes, code only: the verify after restoreSubsetMissing (E_VERIFY) |
 * | undo.subset.all-back                   | exec/subset-restore.ts:restoreSubsetMissing     | yes, code only: the verify after it (E_VERIFY), which here sees the leftover staging |
 * | undo.subset.restore-verified           | exec/undo-delete.ts:undoDelete (subset)         | yes |
 * | undo.subset.staging-only-while-missing | exec/subset-restore.ts:clearStaging             | yes (the user's file was deleted) |
 * | undo.subset.staging-kind               | exec/subset-restore.ts:clearStaging             | yes (the user's folder was deleted) |
 *
 * Two disks (2026-12-07): every row runs on the real disk (NodeFs on
 * temporary folders) and on the in-memory POSIX disk (test/helpers/mem-fs),
 * each with its own scene helper, port and "nothing changed" reader
 * (test/helpers/scene-disk.ts, mem-fs/scene-disk.ts). No row needed to stay
 * real-disk only. Re-checked
 * on both disks: unlink.hardlink-same-file, unlink.points-to-target,
 * unlink.gone (code only), delete.twin-exists, undo.copy.original-exists,
 * undo.link.hardlink-same-file, undo.subset.staging-kind,
 * resume.delete.remainder-verified, forward.left-by-run.delete,
 * guard.through-link, undo.never-begun, undo.mkdirs.made-identity,
 * undo.delete.staging-own, undo.rename.identity (undoStep's identity
 * verdict) and undo.delete.survivors-keep-identity failed on both as the
 * table says; rename.from-exists still passed on both. A check inside
 * platform/ (rename.no-replace, copy.no-replace, link.no-replace,
 * undo.mkdirs.only-empty) is NodeFs's own, so removing it can fail only the
 * real-disk variant (tried: NodeFs.rmdirIfEmpty made a recursive rm failed
 * that variant alone); the in-memory variant holds the memory port to the
 * same promise (tried: mem-fs/disk.ts renameNoReplace made to replace a
 * file, and mem-fs/port.ts rmdirIfEmpty made a deleteTree, each failed the
 * in-memory variant alone).
 *
 * Not rows, on purpose: checks that only decide between "nothing to undo"
 * and E_DRIFT (undoIdentity's "the rename never happened", undoStep's
 * "already put back" cases of unlink and delete, the intact-copy shortcut
 * of a delete's undo): removing one turns a quiet no-op into a refusal or
 * a round trip, never a loss. namesHash's order check guards the port's
 * contract (sorted names), not the disk.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stagingName } from '../../../src/core/own-names.js';
import { runForward, runUndo, type ExecEvent } from '../../../src/exec/executor.js';
import type { FsPort } from '../../../src/exec/fs-port.js';
import { GuardedFs } from '../../../src/exec/guard.js';
import * as begin from '../../../src/exec/begin-info.js';
import * as doing from '../../../src/exec/do-step.js';
import * as resume from '../../../src/exec/resume-step.js';
import * as undoing from '../../../src/exec/undo-step.js';
import type { StepInfo } from '../../../src/exec/step-info.js';
import type { ProgressFn } from '../../../src/exec/fs-port.js';
import { hostOs, styleForOs } from '../../../src/core/paths.js';
import type { RunStep, Step } from '../../../src/exec/steps.js';
import type { RunStore } from '../../../src/journal/runs.js';
import type { JournalLine, RunRecord } from '../../../src/journal/types.js';
import { RelocateError } from '../../../src/core/errors.js';
import { memScene } from '../../helpers/mem-fs/scene-disk.js';
import { MTIME, realScene, type SceneDisk } from '../../helpers/scene-disk.js';
import { errorOf } from '../../helpers/relocate-error.js';

/**
 * The disks every row runs on: the real one (NodeFs on temporary folders)
 * and the in-memory POSIX one (test/helpers/mem-fs). Each gives the scene
 * helper `disk`, the port under test (`makePort`) and the reader behind
 * `keepsAll`, so one row is one scene on both.
 */
const DISKS = [
  { name: 'real disk', memory: false, make: realScene },
  { name: 'in-memory POSIX disk', memory: true, make: memScene },
];

/**
 * The test's own hands on the disk the port sees, for the row running now
 * (set before each test by its disk's describe block): to set a scene and
 * to look at it, never through the port under test. Every path is
 * absolute, under `root`.
 */
let disk: SceneDisk;
/** The test's temporary root on `disk`. */
let root: string;

/** The port under test, on the disk the row runs on. */
function makePort(): FsPort {
  return disk.port();
}

const at = (...rel: string[]) => path.join(root, ...rel);
/** The data every scene moves: a folder with a file and a subfolder. */
const DATA = { 'x.txt': 'x data\n', 'sub/y.txt': 'y data, a little longer\n' };
/** Someone else's data that appears at one of relocate's paths. */
const FOREIGN = { 'mine.txt': "not relocate's\n" };

/** A port with some calls replaced (a fault, or a fact the scene cannot make real, such as a mount or a program). */
function withCalls(port: FsPort, calls: Partial<FsPort>): FsPort {
  return new Proxy(port, {
    get(target, key, receiver) {
      if (key in calls) return calls[key as keyof FsPort];
      const v = Reflect.get(target, key, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/**
 * An equal copy (the twin a delete needs), made by a port of its own, which
 * keeps times and modes: the port under test must not hold its listing of
 * `from` (NodeFs keeps one for the verify after a copy), as a later process would not.
 */
async function copyOf(from: string, to: string): Promise<void> {
  disk.dir(path.dirname(to));
  await makePort().copyTree(from, to);
}

// The step operations take a context (the port and the plan's path style) and are typed per step kind; these
// rows hold a step of any kind and a Linux-style plan, so they call them through the old shape.
const cx = (fs: FsPort) => ({ fs, style: styleForOs(hostOs()) });
type Made = (made: StepInfo) => void;
const beginInfo = (fs: FsPort, s: Step): Promise<StepInfo | undefined> => begin.beginInfo(cx(fs), s as never);
const madeInfo = (fs: FsPort, s: Step, info: StepInfo | undefined): Promise<StepInfo | undefined> => begin.madeInfo(cx(fs), s as never, info as never);
const doStep = (fs: FsPort, s: Step, info: StepInfo | undefined, progress?: ProgressFn, onMade?: Made): Promise<void> =>
  doing.doStep(cx(fs), s as never, info as never, progress, onMade as never);
const stepTookEffect = (fs: FsPort, s: Step, info: StepInfo | undefined): Promise<boolean> => resume.stepTookEffect(cx(fs), s as never, info as never);
const clearPartial = (fs: FsPort, s: Step, info?: StepInfo): Promise<void> => resume.clearPartial(cx(fs), s as never, info as never);
const undoStep = (fs: FsPort, s: Step, info: StepInfo | undefined, completed: boolean, force: boolean, onMade?: Made): Promise<string | undefined> =>
  undoing.undoStep(cx(fs), s as never, info as never, completed, force, onMade as never);

/** Runs a step as the executor does (begin info, the step, what it made) and returns its journal info, as undo reads it. */
async function ran(port: FsPort, s: Step): Promise<StepInfo> {
  const info = await beginInfo(port, s);
  const all: Record<string, unknown> = { ...info };
  await doStep(port, s, info, undefined, (made) => Object.assign(all, made));
  return { ...all, ...(await madeInfo(port, s, info)) } as StepInfo;
}

/** Asserts `p` is refused with `code`. */
async function refused(p: Promise<unknown>, code: string): Promise<void> {
  const err = await errorOf(p);
  expect(err.code, err.message).toBe(code);
}

/** Runs `act` and asserts that it changed nothing under the test's root. */
async function keepsAll(act: () => Promise<void>): Promise<void> {
  const before = disk.snap(root);
  await act();
  expect(disk.snap(root)).toEqual(before);
}

/** A journal in memory, for runForward. */
function memStore(lines: JournalLine[] = []): RunStore {
  const store = {
    readJournal: async () => lines.slice(),
    append: (l: JournalLine) => void lines.push(l),
    appendAll: (ls: JournalLine[]) => void lines.push(...ls),
    flush: () => undefined,
  };
  return store as unknown as RunStore;
}

/** A run's record of hand-made steps, all of one entry (the plan itself is not read by runForward and runUndo beyond progress figures). */
function recordOf(steps: Step[]): RunRecord {
  const rs: RunStep[] = steps.map((step, n) => ({ n, entry: 0, step }));
  return { id: 'r', steps: rs, plan: { entries: [] } } as unknown as RunRecord;
}

async function forward(port: FsPort, steps: Step[], onEvent: (e: ExecEvent) => void): Promise<void> {
  await runForward({ fs: port, store: memStore(), record: recordOf(steps), onEvent });
}

/** After step `n` is done (runForward's event), run `act`: what a crash and a resume, or another program, may do between two steps. */
const afterStep = (n: number, act: () => void) => (e: ExecEvent) => {
  if (e.type === 'step' && e.phase === 'done' && e.rs.n === n) act();
};

/**
 * One safety check. Invariant: `id` is stable (the report and the issue
 * name checks by it) and unique; `where` is the file and function the check
 * lives in; `run` builds the scene under the test's root and asserts the
 * refusal and that nothing was lost.
 */
interface Row {
  id: string;
  op: Step['op'] | 'any';
  phase: 'do' | 'resume' | 'undo';
  check: string;
  where: string;
  run: (port: FsPort) => Promise<void>;
}

const A = () => at('a', 'Games');
const B = () => at('b', 'Games');
const S = () => stagingName(B(), 'r-0');

const DO_ROWS: Row[] = [
  {
    id: 'rename.from-exists',
    op: 'rename',
    phase: 'do',
    where: 'src/exec/do-step.ts:doStep',
    check: 'a rename whose source is gone refuses (E_MISSING): the disk changed since the plan',
    run: async (port) => {
      disk.dir(at('b'));
      const s: Step = { op: 'rename', from: A(), to: B(), role: 'move' };
      const info = await beginInfo(port, s);
      await keepsAll(() => refused(doStep(port, s, info), 'E_MISSING'));
    },
  },
  {
    id: 'rename.no-replace',
    op: 'rename',
    phase: 'do',
    where: 'src/exec/fs-port.ts:renameNoReplace (NodeFs: src/platform/fs/rename.ts)',
    check: 'a rename never replaces what is at its destination (E_EXISTS)',
    run: async (port) => {
      const s: Step = { op: 'rename', from: disk.file(at('a', 'f.txt'), 'mine\n'), to: disk.file(at('b', 'f.txt'), 'theirs\n'), role: 'move' };
      const info = await beginInfo(port, s);
      await keepsAll(() => refused(doStep(port, s, info), 'E_EXISTS'));
    },
  },
  {
    id: 'copy.no-replace',
    op: 'copy',
    phase: 'do',
    where: 'src/exec/fs-port.ts:copyTree (NodeFs: src/platform/fs/copy-tree.ts:copyTree)',
    check: 'a copy goes only to a path where nothing is (E_EXISTS)',
    run: async (port) => {
      const s: Step = { op: 'copy', from: disk.file(at('a', 'f.txt'), 'mine\n'), to: disk.file(at('b', 'f.txt'), 'theirs\n') };
      const info = await beginInfo(port, s);
      // As the executor calls it: told of the root the moment it exists.
      await keepsAll(() =>
        refused(
          doStep(port, s, info, undefined, () => undefined),
          'E_EXISTS',
        ),
      );
    },
  },
  {
    id: 'verify.equal',
    op: 'verify',
    phase: 'do',
    where: 'src/exec/do-step.ts:doStep → FsPort.verify',
    check: 'a copy that differs from its original, even by one byte under the same size and time, fails the verify (E_VERIFY)',
    run: async (port) => {
      disk.tree(A(), DATA);
      await copyOf(A(), S());
      disk.damage(path.join(S(), 'sub', 'y.txt'));
      const s: Step = { op: 'verify', original: A(), copy: S(), mode: 'content' };
      await keepsAll(() => refused(doStep(port, s, undefined), 'E_VERIFY'));
    },
  },
  {
    id: 'link.no-replace',
    op: 'link',
    phase: 'do',
    where: 'src/exec/fs-port.ts:createLink (NodeFs: src/platform/fs/links.ts:makeLink)',
    check: 'a link is made only where nothing is (E_EXISTS): the syscall never replaces',
    run: async (port) => {
      disk.tree(A(), FOREIGN);
      disk.tree(B(), DATA);
      const s: Step = { op: 'link', path: A(), target: B(), kind: 'symlink' };
      await keepsAll(() => refused(doStep(port, s, undefined), 'E_EXISTS'));
    },
  },
  {
    id: 'check-link.exists',
    op: 'check-link',
    phase: 'do',
    where: 'src/exec/step-checks.ts:checkLink',
    check: 'a link reported made but absent is refused (E_LINK_UNSUPPORTED)',
    run: async (port) => {
      disk.tree(B(), DATA);
      await keepsAll(() => refused(doStep(port, { op: 'check-link', path: A(), target: B(), kind: 'symlink' }, undefined), 'E_LINK_UNSUPPORTED'));
    },
  },
  {
    id: 'check-link.hardlink-same-file',
    op: 'check-link',
    phase: 'do',
    where: 'src/exec/step-checks.ts:checkLink',
    check: 'a hard link must be the same file (dev and inode) as its target (E_LINK_UNSUPPORTED)',
    run: async (port) => {
      const target = disk.file(at('b', 'f.txt'), 'same\n');
      const p = disk.file(at('a', 'f.txt'), 'same\n');
      await keepsAll(() => refused(doStep(port, { op: 'check-link', path: p, target, kind: 'hardlink' }, undefined), 'E_LINK_UNSUPPORTED'));
    },
  },
  {
    id: 'check-link.is-link',
    op: 'check-link',
    phase: 'do',
    where: 'src/exec/step-checks.ts:checkLink',
    check: 'a folder where a symlink should be is refused (E_LINK_UNSUPPORTED)',
    run: async (port) => {
      disk.tree(B(), DATA);
      disk.tree(A(), FOREIGN);
      await keepsAll(() => refused(doStep(port, { op: 'check-link', path: A(), target: B(), kind: 'symlink' }, undefined), 'E_LINK_UNSUPPORTED'));
    },
  },
  {
    id: 'check-link.points-to-target',
    op: 'check-link',
    phase: 'do',
    where: 'src/exec/step-checks.ts:checkLink',
    check: 'a link that leads elsewhere than the target is refused (E_LINK_UNSUPPORTED)',
    run: async (port) => {
      disk.tree(B(), DATA);
      disk.tree(at('c', 'Other'), FOREIGN);
      disk.symlink(A(), at('c', 'Other'));
      await keepsAll(() => refused(doStep(port, { op: 'check-link', path: A(), target: B(), kind: 'symlink' }, undefined), 'E_LINK_UNSUPPORTED'));
    },
  },
  {
    id: 'check-link.target-exists',
    op: 'check-link',
    phase: 'do',
    where: 'src/exec/step-checks.ts:checkLink',
    check: 'a link to a target that vanished is refused (E_LINK_CHECK)',
    run: async (port) => {
      disk.symlink(A(), B());
      await keepsAll(() => refused(doStep(port, { op: 'check-link', path: A(), target: B(), kind: 'symlink' }, undefined), 'E_LINK_CHECK'));
    },
  },
  {
    id: 'check-in-use.held',
    op: 'check-in-use',
    phase: 'do',
    where: 'src/exec/step-checks.ts:refuseIfInUse',
    check: 'a tree a program still holds at the last look is refused (E_IN_USE)',
    run: async (port) => {
      disk.tree(A(), DATA);
      const held = withCalls(port, { processesUsing: async () => [{ file: path.join(A(), 'x.txt'), process: 'game', pid: 4242 }] });
      await keepsAll(() => refused(doStep(held, { op: 'check-in-use', path: A() }, undefined), 'E_IN_USE'));
    },
  },
  {
    id: 'unlink.gone',
    op: 'unlink',
    phase: 'do',
    where: 'src/exec/do-step.ts:doStep',
    check: 'an unlink of a link that is gone refuses (E_MISSING)',
    run: async (port) => {
      disk.tree(B(), DATA);
      const s: Step = { op: 'unlink', path: A(), target: B() };
      const info = await beginInfo(port, s);
      await keepsAll(() => refused(doStep(port, s, info), 'E_MISSING'));
    },
  },
  {
    id: 'unlink.hardlink-same-file',
    op: 'unlink',
    phase: 'do',
    where: 'src/exec/do-step.ts:doStep (beginInfo records sameFile)',
    check: "a file removed as a hard link must share its target's inode: a file of its own is the only copy (E_NOT_A_LINK)",
    run: async (port) => {
      const target = disk.file(at('b', 'f.txt'), 'same\n');
      const s: Step = { op: 'unlink', path: disk.file(at('a', 'f.txt'), 'now a file of its own\n'), target };
      const info = await beginInfo(port, s);
      await keepsAll(() => refused(doStep(port, s, info), 'E_NOT_A_LINK'));
    },
  },
  {
    id: 'unlink.is-link',
    op: 'unlink',
    phase: 'do',
    where: 'src/exec/do-step.ts:doStep',
    check: 'a folder where the link to remove was is refused (E_NOT_A_LINK)',
    run: async (port) => {
      disk.tree(B(), DATA);
      disk.tree(A(), FOREIGN);
      const s: Step = { op: 'unlink', path: A(), target: B() };
      const info = await beginInfo(port, s);
      await keepsAll(() => refused(doStep(port, s, info), 'E_NOT_A_LINK'));
    },
  },
  {
    id: 'unlink.points-to-target',
    op: 'unlink',
    phase: 'do',
    where: 'src/exec/do-step.ts:doStep',
    check: "a link that now leads elsewhere than the plan's old target is kept (E_NOT_A_LINK)",
    run: async (port) => {
      disk.tree(B(), DATA);
      disk.tree(at('c', 'Other'), FOREIGN);
      disk.symlink(A(), at('c', 'Other'));
      const s: Step = { op: 'unlink', path: A(), target: B() };
      const info = await beginInfo(port, s);
      await keepsAll(() => refused(doStep(port, s, info), 'E_NOT_A_LINK'));
    },
  },
  {
    id: 'delete.one-device',
    op: 'delete',
    phase: 'do',
    where: 'src/exec/begin-info.ts:beginInfo → FsPort.assertOneDevice',
    check: 'a delete of a tree with a volume mounted inside is refused before it is journaled as begun (E_MOUNT_INSIDE)',
    run: async (port) => {
      disk.tree(A(), DATA);
      await copyOf(A(), B());
      const mounted = withCalls(port, {
        assertOneDevice: async (p: string) => {
          throw new RelocateError('E_MOUNT_INSIDE', `a volume is mounted inside ${p}`, { path: p, hint: 'unmount it' });
        },
        deleteTree: async () => undefined, // a scene: the port's own mount check in deleteTree is not the one tested here
      });
      const s: Step = { op: 'delete', path: A(), twin: B() };
      // As the executor does: the begin info first; the step runs only once it is journaled.
      await keepsAll(() =>
        refused(
          beginInfo(mounted, s).then((info) => doStep(mounted, s, info)),
          'E_MOUNT_INSIDE',
        ),
      );
    },
  },
  {
    id: 'delete.twin-exists',
    op: 'delete',
    phase: 'do',
    where: 'src/exec/do-step.ts:doStep',
    check: 'a delete whose twin (the verified copy that allows it) is gone keeps the only copy (E_MISSING)',
    run: async (port) => {
      disk.tree(A(), DATA);
      await copyOf(A(), B());
      const s: Step = { op: 'delete', path: A(), twin: B() };
      const info = await beginInfo(port, s);
      disk.takeAway(B()); // the target drive unplugged, or the copy deleted, between the verify and the delete
      await keepsAll(() => refused(doStep(port, s, info), 'E_MISSING'));
    },
  },
  {
    id: 'forward.left-by-run.rename',
    op: 'rename',
    phase: 'do',
    where: 'src/exec/executor.ts:checkLeftByRun',
    check: 'the staging copy renamed into place must be the one this run made (madeId), or E_DRIFT',
    run: async (port) => {
      disk.tree(A(), DATA);
      disk.dir(at('b'));
      let before: Record<string, string> = {};
      const swap = () => {
        disk.replace(S(), (p) => disk.tree(p, FOREIGN));
        before = disk.snap(root);
      };
      await refused(
        forward(
          port,
          [
            { op: 'copy', from: A(), to: S() },
            { op: 'rename', from: S(), to: B(), role: 'stage' },
          ],
          afterStep(0, swap),
        ),
        'E_DRIFT',
      );
      expect(disk.snap(root)).toEqual(before);
    },
  },
  {
    id: 'forward.left-by-run.delete',
    op: 'delete',
    phase: 'do',
    where: 'src/exec/executor.ts:checkLeftByRun',
    check: 'the set-aside original deleted must be what this run set aside (movedId), or E_DRIFT',
    run: async (port) => {
      disk.tree(A(), DATA);
      await copyOf(A(), B());
      const aside = at('a', 'Games.aside');
      let before: Record<string, string> = {};
      const swap = () => {
        disk.replace(aside, (p) => disk.tree(p, FOREIGN));
        before = disk.snap(root);
      };
      await refused(
        forward(
          port,
          [
            { op: 'rename', from: A(), to: aside, role: 'aside' },
            { op: 'delete', path: aside, twin: B() },
          ],
          afterStep(0, swap),
        ),
        'E_DRIFT',
      );
      expect(disk.snap(root)).toEqual(before);
    },
  },
  {
    id: 'guard.scope',
    op: 'any',
    phase: 'do',
    where: 'src/exec/guard.ts:GuardedFs.check',
    check: "a call that removes or writes at a path the run's plan does not name is refused before it reaches the disk (E_GUARD)",
    run: async (port) => {
      disk.tree(A(), DATA);
      await copyOf(A(), B());
      const precious = disk.tree(at('home', 'Precious'), FOREIGN);
      const guarded = new GuardedFs(port, { runId: 'r', stamp: 's', style: cx(port).style, paths: [A(), B()] });
      const s: Step = { op: 'delete', path: precious, twin: B() };
      await keepsAll(() => refused(doStep(guarded, s, undefined), 'E_GUARD'));
    },
  },
  {
    id: 'guard.through-link',
    op: 'any',
    phase: 'do',
    where: 'src/exec/guard.ts:GuardedFs.check',
    check: 'a path inside a scoped folder reached through a link (which leads elsewhere) is refused (E_GUARD)',
    run: async (port) => {
      disk.tree(A(), DATA);
      await copyOf(A(), B());
      disk.tree(at('home', 'Precious'), FOREIGN);
      disk.symlink(path.join(A(), 'via'), at('home'));
      const guarded = new GuardedFs(port, { runId: 'r', stamp: 's', style: cx(port).style, paths: [A(), B()] });
      const s: Step = { op: 'delete', path: path.join(A(), 'via', 'Precious'), twin: B() };
      await keepsAll(() => refused(doStep(guarded, s, undefined), 'E_GUARD'));
    },
  },
];

const RESUME_ROWS: Row[] = [
  {
    id: 'resume.rename.moved-identity',
    op: 'rename',
    phase: 'resume',
    where: 'src/exec/resume-step.ts:stepTookEffect',
    check: 'an interrupted rename counts as done only when what is at `to` is what was at `from` (movedId), or E_DRIFT',
    run: async (port) => {
      disk.tree(A(), DATA);
      disk.dir(at('b'));
      const s: Step = { op: 'rename', from: A(), to: B(), role: 'move' };
      const info = await beginInfo(port, s);
      disk.takeAway(A());
      disk.tree(B(), FOREIGN);
      await keepsAll(() => refused(stepTookEffect(port, s, info), 'E_DRIFT'));
    },
  },
  {
    id: 'resume.rename.ambiguous',
    op: 'rename',
    phase: 'resume',
    where: 'src/exec/resume-step.ts:stepTookEffect',
    check: 'an interrupted rename with something at both ends is neither redone nor taken as done (E_INCONSISTENT)',
    run: async (port) => {
      disk.tree(A(), DATA);
      const s: Step = { op: 'rename', from: A(), to: B(), role: 'move' };
      const info = await beginInfo(port, s);
      disk.tree(B(), FOREIGN);
      await keepsAll(() => refused(stepTookEffect(port, s, info), 'E_INCONSISTENT'));
    },
  },
  {
    id: 'resume.link.not-ours',
    op: 'link',
    phase: 'resume',
    where: 'src/exec/resume-step.ts:stepTookEffect',
    check: 'an interrupted link whose path holds something else than the link is refused (E_INCONSISTENT)',
    run: async (port) => {
      disk.tree(B(), DATA);
      disk.tree(A(), FOREIGN);
      await keepsAll(() => refused(stepTookEffect(port, { op: 'link', path: A(), target: B(), kind: 'symlink' }, undefined), 'E_INCONSISTENT'));
    },
  },
  {
    id: 'resume.rename.from-identity',
    op: 'rename',
    phase: 'resume',
    where: 'src/exec/resume-step.ts:clearPartial',
    check: 'an interrupted rename is redone only on the thing it began on (movedId at `from`), or E_DRIFT',
    run: async (port) => {
      disk.tree(A(), DATA);
      disk.dir(at('b'));
      const s: Step = { op: 'rename', from: A(), to: B(), role: 'aside' };
      const info = await beginInfo(port, s);
      disk.replace(A(), (p) => disk.tree(p, FOREIGN));
      await keepsAll(async () => {
        expect(await stepTookEffect(port, s, info)).toBe(false);
        await refused(clearPartial(port, s, info), 'E_DRIFT');
      });
    },
  },
  {
    id: 'resume.copy.made-identity',
    op: 'copy',
    phase: 'resume',
    where: 'src/exec/identity.ts:undoIdentity (copy) via resumeIdentity',
    check: 'a partial copy is discarded only if it is the root relocate made (madeId), or E_DRIFT',
    run: async (port) => {
      disk.tree(A(), DATA);
      disk.dir(at('b'));
      const s: Step = { op: 'copy', from: A(), to: S() };
      const info = await ran(port, s);
      disk.replace(S(), (p) => disk.tree(p, FOREIGN));
      await keepsAll(() => refused(clearPartial(port, s, info), 'E_DRIFT'));
    },
  },
  {
    id: 'resume.copy.unrecorded-root',
    op: 'copy',
    phase: 'resume',
    where: 'src/exec/identity.ts:undoIdentity (copy) → holdsOnlyCopiesOf',
    check: 'a partial copy whose root the journal never recorded is discarded only if empty or holding only copies of the original, or E_DRIFT',
    run: async (port) => {
      disk.tree(A(), DATA);
      disk.dir(at('b'));
      const s: Step = { op: 'copy', from: A(), to: S() };
      const info = await beginInfo(port, s);
      disk.tree(S(), FOREIGN);
      await keepsAll(() => refused(clearPartial(port, s, info), 'E_DRIFT'));
    },
  },
  {
    id: 'resume.copy.original-exists',
    op: 'copy',
    phase: 'resume',
    where: 'src/exec/resume-step.ts:clearPartial',
    check: 'a partial copy whose original is gone is kept: it may be all that is left (E_INCONSISTENT)',
    run: async (port) => {
      disk.tree(A(), DATA);
      disk.dir(at('b'));
      const s: Step = { op: 'copy', from: A(), to: S() };
      const info = await ran(port, s);
      disk.takeAway(A());
      await keepsAll(() => refused(clearPartial(port, s, info), 'E_INCONSISTENT'));
    },
  },
  {
    id: 'resume.delete.path-identity',
    op: 'delete',
    phase: 'resume',
    where: 'src/exec/identity.ts:undoIdentity (delete) via resumeIdentity',
    check: 'an interrupted delete goes on only on the thing it began on (pathId), or E_DRIFT',
    run: async (port) => {
      disk.tree(A(), DATA);
      await copyOf(A(), B());
      const s: Step = { op: 'delete', path: A(), twin: B() };
      const info = await beginInfo(port, s);
      // Someone else's folder, holding one file equal to the twin's: a subset of the twin, so only identity tells.
      disk.replace(A(), (p) => disk.tree(p, { 'x.txt': DATA['x.txt'] }));
      await keepsAll(() => refused(clearPartial(port, s, info), 'E_DRIFT'));
    },
  },
  {
    id: 'resume.delete.remainder-verified',
    op: 'delete',
    phase: 'resume',
    where: 'src/exec/twin-check.ts:verifyRemainder via clearPartial',
    check: 'an interrupted delete goes on only while what is left equals its twin by content (E_VERIFY)',
    run: async (port) => {
      disk.tree(A(), DATA);
      await copyOf(A(), B());
      const s: Step = { op: 'delete', path: A(), twin: B() };
      const info = await beginInfo(port, s);
      disk.remove(path.join(A(), 'x.txt')); // the delete had gone this far
      disk.damage(path.join(B(), 'sub', 'y.txt')); // and a power cut damaged the twin
      await keepsAll(() => refused(clearPartial(port, s, info), 'E_VERIFY'));
    },
  },
];

const UNDO_ROWS: Row[] = [
  {
    id: 'undo.rename.identity',
    op: 'rename',
    phase: 'undo',
    where: 'src/exec/identity.ts:undoIdentity (rename)',
    check: 'a rename is moved back only if what is at `to` is what it moved (movedId), or E_DRIFT',
    run: async (port) => {
      disk.tree(A(), DATA);
      disk.dir(at('b'));
      const s: Step = { op: 'rename', from: A(), to: B(), role: 'move' };
      const info = await ran(port, s);
      disk.replace(B(), (p) => disk.tree(p, FOREIGN));
      await keepsAll(() => refused(undoStep(port, s, info, true, false), 'E_DRIFT'));
    },
  },
  {
    id: 'undo.rename.to-gone',
    op: 'rename',
    phase: 'undo',
    where: 'src/exec/undo-step.ts:undoStep (rename)',
    check: 'a rename whose destination is gone cannot be moved back (E_DRIFT)',
    run: async (port) => {
      disk.tree(A(), DATA);
      disk.dir(at('b'));
      const s: Step = { op: 'rename', from: A(), to: B(), role: 'move' };
      const info = await ran(port, s);
      disk.takeAway(B());
      await keepsAll(() => refused(undoStep(port, s, info, true, false), 'E_DRIFT'));
    },
  },
  {
    id: 'undo.rename.from-taken',
    op: 'rename',
    phase: 'undo',
    where: 'src/exec/undo-step.ts:undoStep (rename)',
    check: 'a rename is not moved back onto something made at its source since (E_DRIFT)',
    run: async (port) => {
      disk.tree(A(), DATA);
      disk.dir(at('b'));
      const s: Step = { op: 'rename', from: A(), to: B(), role: 'move' };
      const info = await ran(port, s);
      disk.tree(A(), FOREIGN);
      await keepsAll(() => refused(undoStep(port, s, info, true, false), 'E_DRIFT'));
    },
  },
  {
    id: 'undo.copy.made-identity',
    op: 'copy',
    phase: 'undo',
    where: 'src/exec/identity.ts:undoIdentity (copy)',
    check: 'a copy is deleted only if it is the root relocate made (madeId), or E_DRIFT',
    run: async (port) => {
      disk.tree(A(), DATA);
      disk.dir(at('b'));
      const s: Step = { op: 'copy', from: A(), to: S() };
      const info = await ran(port, s);
      disk.replace(S(), (p) => disk.tree(p, FOREIGN));
      await keepsAll(() => refused(undoStep(port, s, info, true, false), 'E_DRIFT'));
    },
  },
  {
    id: 'undo.force-skips-drift',
    op: 'any',
    phase: 'undo',
    where: 'src/exec/undo-step.ts:undoStep (skip, identity verdict)',
    check: 'with --force a step whose paths drifted is skipped with a reason; it never deletes or renames the thing that differs',
    run: async (port) => {
      disk.tree(A(), DATA);
      disk.dir(at('b'));
      const s: Step = { op: 'copy', from: A(), to: S() };
      const info = await ran(port, s);
      disk.replace(S(), (p) => disk.tree(p, FOREIGN));
      await keepsAll(async () => {
        expect(await undoStep(port, s, info, true, true)).toMatch(/not the copy relocate made/);
      });
    },
  },
  {
    id: 'undo.copy.unrecorded-root',
    op: 'copy',
    phase: 'undo',
    where: 'src/exec/identity.ts:undoIdentity (copy) → holdsOnlyCopiesOf',
    check: 'a copy whose root the journal never recorded is deleted only if empty or holding only copies of the original, or E_DRIFT',
    run: async (port) => {
      disk.tree(A(), DATA);
      disk.dir(at('b'));
      const s: Step = { op: 'copy', from: A(), to: S() };
      const info = await beginInfo(port, s);
      disk.tree(S(), FOREIGN);
      await keepsAll(() => refused(undoStep(port, s, info, false, false), 'E_DRIFT'));
    },
  },
  {
    id: 'undo.copy.original-exists',
    op: 'copy',
    phase: 'undo',
    where: 'src/exec/undo-step.ts:undoStep (copy)',
    check: 'a copy is deleted only while its original is still there (E_DRIFT)',
    run: async (port) => {
      disk.tree(A(), DATA);
      disk.dir(at('b'));
      const s: Step = { op: 'copy', from: A(), to: S() };
      const info = await ran(port, s);
      disk.takeAway(A());
      await keepsAll(() => refused(undoStep(port, s, info, true, false), 'E_DRIFT'));
    },
  },
  {
    id: 'undo.mkdirs.made-identity',
    op: 'mkdirs',
    phase: 'undo',
    where: 'src/exec/undo-step.ts:undoStep (mkdirs)',
    check: 'a folder is removed only if it is the one the step made (madeIds), even when empty',
    run: async (port) => {
      const s: Step = { op: 'mkdirs', path: at('n1', 'n2') };
      const info = await ran(port, s);
      disk.dir(at('keep'));
      disk.dir(at('n1', 'new'));
      disk.rename(at('n1', 'n2'), at('keep', 'n2'));
      disk.rename(at('n1', 'new'), at('n1', 'n2'));
      await keepsAll(async () => {
        expect(await undoStep(port, s, info, true, false)).toBeUndefined();
      });
    },
  },
  {
    id: 'undo.mkdirs.only-empty',
    op: 'mkdirs',
    phase: 'undo',
    where: 'src/exec/fs-port.ts:rmdirIfEmpty (NodeFs.rmdirIfEmpty)',
    check: 'a folder the step made is removed only while empty',
    run: async (port) => {
      const s: Step = { op: 'mkdirs', path: at('n1', 'n2') };
      const info = await ran(port, s);
      disk.file(at('n1', 'n2', 'saved.txt'), 'written there since\n');
      await keepsAll(async () => {
        expect(await undoStep(port, s, info, true, false)).toBeUndefined();
      });
    },
  },
  {
    id: 'undo.link.hardlink-same-file',
    op: 'link',
    phase: 'undo',
    where: 'src/exec/undo-step.ts:undoStep (link)',
    check: "a hard link is removed only while it is still the target's file (dev and inode), or E_DRIFT",
    run: async (port) => {
      const target = disk.file(at('b', 'f.txt'), 'data\n');
      const s: Step = { op: 'link', path: at('a', 'f.txt'), target, kind: 'hardlink' };
      disk.dir(at('a'));
      const info = await ran(port, s);
      disk.replace(at('a', 'f.txt'), (p) => disk.file(p, 'a file of its own now\n'));
      await keepsAll(() => refused(undoStep(port, s, info, true, false), 'E_DRIFT'));
    },
  },
  {
    id: 'undo.link.points-to-target',
    op: 'link',
    phase: 'undo',
    where: 'src/exec/undo-step.ts:undoStep (link)',
    check: 'a symlink is removed only while it leads to the target relocate linked, or E_DRIFT',
    run: async (port) => {
      disk.tree(B(), DATA);
      disk.tree(at('c', 'Other'), FOREIGN);
      disk.dir(at('a'));
      const s: Step = { op: 'link', path: A(), target: B(), kind: 'symlink' };
      const info = await ran(port, s);
      disk.replace(A(), (p) => disk.symlink(p, at('c', 'Other')));
      await keepsAll(() => refused(undoStep(port, s, info, true, false), 'E_DRIFT'));
    },
  },
  {
    id: 'undo.unlink.occupied',
    op: 'unlink',
    phase: 'undo',
    where: 'src/exec/undo-step.ts:undoStep (unlink)',
    check: 'a removed link is put back only where nothing else is (E_DRIFT)',
    run: async (port) => {
      disk.tree(B(), DATA);
      disk.symlink(A(), B());
      const s: Step = { op: 'unlink', path: A(), target: B() };
      const info = await ran(port, s);
      disk.tree(A(), FOREIGN);
      await keepsAll(() => refused(undoStep(port, s, info, true, false), 'E_DRIFT'));
    },
  },
  {
    id: 'undo.delete.twin-exists',
    op: 'delete',
    phase: 'undo',
    where: 'src/exec/undo-delete.ts:undoDelete',
    check: 'a delete is undone only from its twin; with the twin gone it refuses (E_DRIFT)',
    run: async (port) => {
      disk.tree(A(), DATA);
      await copyOf(A(), B());
      const s: Step = { op: 'delete', path: A(), twin: B() };
      const info = await beginInfo(port, s);
      disk.remove(path.join(A(), 'x.txt')); // stopped partway
      disk.takeAway(B());
      await keepsAll(() => refused(undoStep(port, s, info, false, false), 'E_DRIFT'));
    },
  },
  {
    id: 'undo.delete.path-identity',
    op: 'delete',
    phase: 'undo',
    where: 'src/exec/identity.ts:undoIdentity (delete)',
    check: 'the undo of a delete touches `path` only if it is what the delete began on (pathId) or its own restored copy (restoredId), or E_DRIFT',
    run: async (port) => {
      disk.tree(A(), DATA);
      await copyOf(A(), B());
      const s: Step = { op: 'delete', path: A(), twin: B() };
      const info = await beginInfo(port, s);
      disk.replace(A(), (p) => disk.tree(p, { 'x.txt': DATA['x.txt'] }));
      await keepsAll(() => refused(undoStep(port, s, info, false, false), 'E_DRIFT'));
    },
  },
  {
    id: 'undo.delete.remainder-differs',
    op: 'delete',
    phase: 'undo',
    where: 'src/exec/undo-delete.ts:undoDelete → twin-check.ts:remainderVerdict',
    check: 'a delete that stopped partway, whose remainder differs from its twin, keeps both as they are (E_DRIFT)',
    run: async (port) => {
      disk.tree(A(), DATA);
      await copyOf(A(), B());
      const s: Step = { op: 'delete', path: A(), twin: B() };
      const info = await beginInfo(port, s);
      disk.remove(path.join(A(), 'x.txt'));
      disk.damage(path.join(B(), 'sub', 'y.txt'));
      await keepsAll(() => refused(undoStep(port, s, info, false, false), 'E_DRIFT'));
    },
  },
  {
    id: 'undo.delete.remainder-differs.legacy',
    op: 'delete',
    phase: 'undo',
    where: "src/exec/twin-check.ts:remainderVerdict (by the twin's names)",
    check: 'for a journal without namesHash (recorded before it), a name of the twin missing from what is left means part was deleted: both are kept (E_DRIFT)',
    run: async (port) => {
      disk.tree(A(), DATA);
      await copyOf(A(), B());
      const s: Step = { op: 'delete', path: A(), twin: B() };
      // A journal from before namesHash: the same info without it.
      const { namesHash: _recent, ...info } = ((await beginInfo(port, s)) ?? {}) as { namesHash?: string };
      disk.remove(path.join(A(), 'x.txt'));
      disk.damage(path.join(B(), 'sub', 'y.txt'));
      await keepsAll(() => refused(undoStep(port, s, info, false, false), 'E_DRIFT'));
    },
  },
  {
    id: 'undo.delete.whole-kept',
    op: 'delete',
    phase: 'undo',
    where: 'src/exec/undo-delete.ts:undoDelete → twin-check.ts:remainderVerdict',
    check: 'a delete that deleted nothing yet (every name there, by namesHash) keeps the original as it is, even when the twin changed since',
    run: async (port) => {
      disk.tree(A(), DATA);
      await copyOf(A(), B());
      const s: Step = { op: 'delete', path: A(), twin: B() };
      const info = await beginInfo(port, s);
      // The twin changed since the verify (by content and time): the original is no longer a copy of it, and stays whole.
      disk.damage(path.join(B(), 'x.txt'));
      disk.setTime(path.join(B(), 'x.txt'), MTIME + 60);
      await keepsAll(async () => {
        expect(await undoStep(port, s, info, false, false)).toBeUndefined();
      });
    },
  },
  {
    id: 'undo.delete.restore-verified',
    op: 'delete',
    phase: 'undo',
    where: 'src/exec/undo-step.ts:undoStep (delete, partly done)',
    check: 'what restoreMissing puts back is verified against the twin by content before the undo counts as done (E_VERIFY)',
    run: async (port) => {
      disk.tree(A(), DATA);
      await copyOf(A(), B());
      const s: Step = { op: 'delete', path: A(), twin: B() };
      const info = await beginInfo(port, s);
      disk.remove(path.join(A(), 'x.txt'));
      const lossy = withCalls(port, { restoreMissing: async () => 0 }); // a port that puts nothing back and says nothing
      await keepsAll(() => refused(undoStep(lossy, s, info, false, false), 'E_VERIFY'));
    },
  },
  {
    id: 'undo.delete.survivors-keep-identity',
    op: 'delete',
    phase: 'undo',
    where: 'src/exec/undo-delete.ts:undoDelete (partly done) → FsPort.restoreMissing',
    check:
      'the undo of a delete cut short puts back only what is missing: a file it never deleted keeps its identity (dev and inode), never replaced by a copy of itself',
    run: async (port) => {
      disk.tree(A(), DATA);
      await copyOf(A(), B());
      const s: Step = { op: 'delete', path: A(), twin: B() };
      const info = await beginInfo(port, s);
      disk.remove(path.join(A(), 'x.txt')); // stopped partway
      const survivor = path.join(A(), 'sub', 'y.txt');
      const id = disk.idOf(survivor);
      const release = disk.pin(survivor);
      try {
        expect(await undoStep(port, s, info, false, false)).toBeUndefined();
        expect(disk.read(path.join(A(), 'x.txt'))).toBe(DATA['x.txt']);
        expect(disk.idOf(survivor), 'the file never deleted is the same file').toBe(id);
      } finally {
        release();
      }
    },
  },
  {
    id: 'undo.delete.copy-verified',
    op: 'delete',
    phase: 'undo',
    where: 'src/exec/undo-step.ts:undoStep (delete, whole)',
    check: 'the copy of the twin is verified before it is renamed into place: a short copy never becomes the original (E_VERIFY)',
    run: async (port) => {
      disk.tree(A(), DATA);
      await copyOf(A(), B());
      const s: Step = { op: 'delete', path: A(), twin: B() };
      const info = await ran(port, s);
      const lossy = withCalls(port, {
        copyTree: async (from: string, to: string) => {
          await port.copyTree(from, to);
          disk.remove(path.join(to, 'x.txt')); // a port that loses a file and says nothing
        },
      });
      const twin = disk.snap(B());
      await refused(undoStep(lossy, s, info, true, false), 'E_VERIFY');
      expect(disk.exists(A()), 'nothing renamed into place').toBe(false);
      expect(disk.snap(B())).toEqual(twin);
    },
  },
  {
    id: 'undo.delete.staging-own',
    op: 'delete',
    phase: 'undo',
    where: 'src/exec/undo-delete.ts:undoDelete',
    check:
      'a leftover at the undo staging name is deleted only when the journal says relocate made it, or it holds only copies of the twin, or is empty (E_DRIFT)',
    run: async (port) => {
      disk.tree(A(), DATA);
      await copyOf(A(), B());
      const s: Step = { op: 'delete', path: A(), twin: B() };
      const info = await ran(port, s);
      disk.tree(stagingName(A(), 'undo'), FOREIGN);
      await keepsAll(() => refused(undoStep(port, s, info, true, false), 'E_DRIFT'));
    },
  },
  {
    id: 'undo.never-begun',
    op: 'any',
    phase: 'undo',
    where: 'src/exec/executor.ts:runUndo',
    check: 'a rollback undoes only steps the journal says began: a copy never begun does not delete what sits at its path',
    run: async (port) => {
      disk.tree(A(), DATA);
      disk.tree(S(), FOREIGN);
      const record = recordOf([{ op: 'copy', from: A(), to: S() }]);
      await keepsAll(async () => {
        expect(await runUndo({ fs: port, store: memStore(), record }, false)).toEqual([]);
      });
    },
  },
];

/** A subset delete's scene: A holds only files equal to some of B's (a merge's leftovers), with its begin info. */
async function subsetScene(port: FsPort): Promise<{ s: Step; info: StepInfo | undefined }> {
  disk.tree(B(), { ...DATA, 'theirs.txt': 'only in the target\n' });
  disk.tree(A(), DATA);
  const s: Step = { op: 'delete', path: A(), twin: B(), subset: true };
  return { s, info: await beginInfo(port, s) };
}

const SUBSET_ROWS: Row[] = [
  {
    id: 'undo.subset.remainder-differs',
    op: 'delete',
    phase: 'undo',
    where: 'src/exec/undo-delete.ts:undoDelete (subset) → twin-check.ts:remainderVerdict',
    check: 'a subset delete that stopped partway, whose remainder differs from its twin, keeps both as they are (E_DRIFT)',
    run: async (port) => {
      const { s, info } = await subsetScene(port);
      disk.remove(path.join(A(), 'x.txt'));
      disk.damage(path.join(B(), 'sub', 'y.txt'));
      await keepsAll(() => refused(undoStep(port, s, info, false, false), 'E_DRIFT'));
    },
  },
  {
    id: 'undo.subset.all-back',
    op: 'delete',
    phase: 'undo',
    where: 'src/exec/subset-restore.ts:restoreSubsetMissing',
    check: 'the restore of a subset delete ends only once every snapshot name is back (E_INCONSISTENT)',
    run: async (port) => {
      const { s, info } = await subsetScene(port);
      disk.remove(path.join(A(), 'x.txt'));
      const lossy = withCalls(port, { renameNoReplace: async () => undefined }); // a port whose rename does nothing and says nothing
      const before = disk.snap(B());
      await refused(undoStep(lossy, s, info, false, false), 'E_INCONSISTENT');
      expect(disk.snap(B())).toEqual(before);
      expect(disk.read(path.join(A(), 'sub', 'y.txt'))).toBe(DATA['sub/y.txt']);
    },
  },
  {
    id: 'undo.subset.restore-verified',
    op: 'delete',
    phase: 'undo',
    where: 'src/exec/undo-step.ts:undoStep (subset delete, partly done)',
    check: 'what a subset restore puts back is verified against the twin by content before the undo counts as done (E_VERIFY)',
    run: async (port) => {
      const { s, info } = await subsetScene(port);
      disk.remove(path.join(A(), 'x.txt'));
      const lossy = withCalls(port, {
        restoreSnapshot: async (fromRoot, toRoot, nodes) => {
          await port.restoreSnapshot(fromRoot, toRoot, nodes);
          if (disk.isFile(toRoot)) disk.damage(toRoot); // a port that garbles a file and says nothing
        },
      });
      const twin = disk.snap(B());
      await refused(undoStep(lossy, s, info, false, false), 'E_VERIFY');
      expect(disk.snap(B())).toEqual(twin);
      expect(disk.read(path.join(A(), 'sub', 'y.txt'))).toBe(DATA['sub/y.txt']);
    },
  },
  {
    id: 'undo.subset.staging-only-while-missing',
    op: 'delete',
    phase: 'undo',
    where: 'src/exec/subset-restore.ts:clearStaging',
    check: 'a torn undo staging is removed only beside a node that is still missing: a file of that name beside one still there is kept',
    run: async (port) => {
      const { s, info } = await subsetScene(port);
      disk.remove(path.join(A(), 'sub', 'y.txt'));
      disk.file(stagingName(path.join(A(), 'x.txt'), 'undo'), 'a file of the user, by that name\n');
      await keepsAll(() => refused(undoStep(port, s, info, false, false), 'E_DRIFT'));
    },
  },
  {
    id: 'undo.subset.staging-kind',
    op: 'delete',
    phase: 'undo',
    where: 'src/exec/subset-restore.ts:clearStaging',
    check: "a torn undo staging is removed only when of the missing node's kind: a folder where a file was staged is kept",
    run: async (port) => {
      const { s, info } = await subsetScene(port);
      disk.remove(path.join(A(), 'sub', 'y.txt'));
      disk.tree(stagingName(path.join(A(), 'sub', 'y.txt'), 'undo'), FOREIGN);
      await keepsAll(() => refused(undoStep(port, s, info, false, false), 'E_DRIFT'));
    },
  },
];

/** Every check, in the order of the mutation table above. */
const ROWS: readonly Row[] = [...DO_ROWS, ...RESUME_ROWS, ...UNDO_ROWS, ...SUBSET_ROWS];

it('every row has a unique id', () => {
  expect(new Set(ROWS.map((r) => r.id)).size).toBe(ROWS.length);
});

describe.each(DISKS)("every step's preconditions and undo (issue 17 §4), on the $name", ({ memory, make }) => {
  beforeEach(() => {
    disk = make();
    root = disk.root;
  });
  afterEach(() => {
    disk.dispose();
  });
  for (const row of ROWS) {
    it(`${row.id}: ${row.check}`, async () => {
      await row.run(makePort());
    });
  }
});
