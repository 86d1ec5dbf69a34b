import path from 'node:path';
import { effectsOf, type Effect } from './durability-effects.js';
import { isJournal, JournalLines, type JournalMark } from './journal-lines.js';
import type { MountMap } from './mount-map.js';
import { parseStrace, type ParsedTrace, type Syscall } from './strace-parse.js';

/**
 * The fsync-order audit (issue 16): checks an strace of relocate against
 * the strict POSIX durability model, which is what a power cut leaves.
 *
 * The model. A change is durable once one of these has returned after the
 * change returned (a sync that overlaps the change in time does not count):
 * - file data and inode metadata (write, pwrite, copy_file_range, ftruncate,
 *   fallocate, chmod, chown, utimensat, xattrs, inode flags) of node N:
 *   fsync/fdatasync of N;
 * - a name change (create, mkdir, symlink, link, unlink, rmdir, each side of
 *   a rename): fsync of the folder holding the name (a rename changes two
 *   folders and needs both);
 * - any change: syncfs of its volume, or sync(), but only on file systems
 *   that honour them (ext4, xfs, btrfs, f2fs, tmpfs; by type, from the
 *   mount table); on FUSE and the rest they count for nothing.
 * A symlink's own metadata (times, owner, attributes) is reached by no
 * fsync at all (a symlink cannot be opened for one): only a syncfs the
 * volume honours. Where relocate has none to call (the portable path, a
 * FUSE volume), such a change is reported as a note, not a violation:
 * printed, never silently dropped, and confined to symlink metadata (the
 * link's text is part of its name, which its folder's fsync makes durable).
 * A change becomes moot (never needed again) when what it changed is
 * removed: a file's data when the file's name is unlinked, the names in a
 * folder when the folder is removed, a new name when it is removed or
 * renamed away (the rename's own new name then stands for it). Nothing
 * else is ever excused. A call strace saw killed mid-way (`= ?`) counts as
 * a change that may have happened and as a sync that did not. An open with
 * O_CREAT is a new name unless this history made that name and kept it
 * (without O_EXCL it may have found the file there: counted as new, the
 * strict reading).
 *
 * What it cannot see: file work sent through io_uring (refused, see
 * durability-effects.ts), paths reached through a symlinked folder (the
 * audit compares paths as written; relocate works on canonical paths). A
 * sync that failed counts for nothing, so a step that goes on after an
 * fsync error it swallowed breaks the rules like one that never synced.
 *
 * Paths under `stateRoots` (relocate's state folder, the path-lock
 * registry) are relocate's own state; every other path changed is the
 * user's data (relocate's staging, set-aside and backup copies included:
 * they hold the user's bytes). Kernel pseudo file systems and non-paths
 * (pipes, sockets) are ignored, and so are relocate's probe files
 * (`.relocate-probe-*`: an empty file made and removed at once to learn
 * what a volume keeps; it never holds data, and one left by a power cut is
 * harmless). The journal is
 * `<state>/runs/<id>/journal.jsonl`; its lines are read from the writes
 * (see JournalLines). A step is open from the write of its `begin` (or
 * `undo-begin`) line to the write of its `done` (`undo-done`); every user
 * change belongs to every step open when it starts.
 *
 * The rules (each violation names the offending call and the related ones):
 * 1. `destroy-before-durable`: when a user name is removed (unlink, rmdir)
 *    or renamed away (the source of a rename), every earlier change — data,
 *    metadata or new name, the user's or relocate's state (the journal
 *    included) — is durable, except those the removal itself makes moot
 *    (what is at or under the removed name, and the creation — mkdir or
 *    open, not rename — of a folder above it; for a rename, the creation of
 *    its source name). Earlier removals are not dependencies: losing one
 *    brings a name back, never loses data.
 * 2. `done-before-durable`: when a `done`/`undo-done` line is written,
 *    every change of its step is already durable. Stricter than "by the
 *    next journal fsync", on purpose: a written line may reach the disk at
 *    any moment (write-back, another program's sync, the file system's
 *    periodic commit), so a `done` written before its changes are durable
 *    can be on disk while they are not.
 * 3. `change-before-begin-durable`: every user change starts after the
 *    `begin` line of each open step is durable: the write itself, and every
 *    new name on the journal's path (journal.jsonl, runs/<id>, runs, the
 *    state folder). A user change while no step is open breaks it too: the
 *    journal would not say where the data is.
 * 4. `state-name-not-durable`: every new name under the state roots (the
 *    state folder, runs, runs/<id>, journal.jsonl, the new names of the
 *    run.json and status.json renames, lock files) is durable before the
 *    next user change starts. Removals of state names are not required:
 *    relocate removes only lock files and temporary files there, and one
 *    a power cut brings back is a stale lock (taken over, see
 *    src/journal/lock.ts and src/platform/path-locks.ts) or litter.
 *    (The rename's new name needs the same folder fsync as its old one.)
 * Each non-durable change is reported once per rule (at the first call it
 * endangers), each open step's begin once.
 */
export interface AuditOptions {
  mounts: MountMap;
  /** Relocate's own folders (the state folder, the path-lock registry), absolute. */
  stateRoots: string[];
  /** The folder of calls with relative paths and no dirfd (the CLI's cwd). */
  cwd?: string;
  /** The final text of each journal, by path: lines are read by offset (strace's -s may cut long writes). */
  journals?: Readonly<Record<string, string>>;
  /** Whether the traced relocate could call syncfs (its default path; not with RELOCATE_NATIVE=0): see `notes`. */
  syncfs: boolean;
}

export type Rule = 'destroy-before-durable' | 'done-before-durable' | 'change-before-begin-durable' | 'state-name-not-durable';

/** One broken rule. Invariant: `offending` holds the trace lines of the call that broke it, `related` those of the changes or lines it depends on. */
export interface Violation {
  rule: Rule;
  message: string;
  offending: string[];
  related: string[];
}

/** What the audit found, and how much it looked at (a trace with no syncs or no steps is a setup error, not a pass). */
export interface AuditResult {
  violations: Violation[];
  /**
   * What would be a violation but for a change no call can make durable:
   * the own metadata (times, owner, attributes) of a symlink, which no
   * fsync reaches (a symlink cannot be opened for one), on a volume where
   * no honoured syncfs is available (FUSE, or `syncfs: false`). Shown, never
   * hidden; not counted as violations.
   */
  notes: Violation[];
  stats: { calls: number; userChanges: number; stateChanges: number; syncs: number; syncfsIgnored: number; begins: number; dones: number };
  /** Lines that did not parse as calls: a parser gap when a traced call's name appears among them. */
  unparsed: string[];
}

interface Change {
  call: Syscall;
  kind: 'data' | 'create' | 'remove';
  /** The node changed (data) or the name created/removed; renames move it. */
  path: string;
  state: boolean;
  volume: string | undefined;
  /** Times, owner or attributes of a symlink (only syncfs makes them durable). */
  symlinkMeta: boolean;
  /** Line where the sync that made it durable returned. */
  durableAt?: number;
  /** Line where the removal that made it moot returned. */
  mootAt?: number;
  reported: Set<Rule>;
}

interface OpenStep {
  label: string;
  journal: string;
  begin: Change;
  changes: Change[];
  beginReported: boolean;
}

/** relocate's probe files (src/platform/mode-keeping.ts, name-probe.ts): made empty and removed by the same call. */
const PROBE = /\/\.relocate-probe-[^/]*(\/|$)/;
const under = (p: string, root: string) => p.startsWith(root + '/');
const atOrUnder = (p: string, root: string) => p === root || under(p, root);
const settledBefore = (c: Change, t: number) => (c.durableAt !== undefined && c.durableAt < t) || (c.mootAt !== undefined && c.mootAt < t);
const isPending = (c: Change) => c.durableAt === undefined && c.mootAt === undefined;

/** Audits one history: a trace, or several parsed with parseHistory (an apply, then the resume after its crash). */
export function auditTrace(trace: string | ParsedTrace, opts: AuditOptions): AuditResult {
  return new Audit(opts).run(typeof trace === 'string' ? parseStrace(trace) : trace);
}

class Audit {
  private readonly all: Change[] = [];
  private readonly stateNames: Change[] = [];
  /** What this history made and did not remove (symlinks apart: only syncfs reaches their metadata), and what it removed. */
  private readonly known = new Map<string, 'made' | 'symlink' | 'gone'>();
  private readonly open = new Map<string, OpenStep>();
  private readonly lines: JournalLines;
  private readonly violations: Violation[] = [];
  private readonly notes: Violation[] = [];
  private readonly stats: AuditResult['stats'] = { calls: 0, userChanges: 0, stateChanges: 0, syncs: 0, syncfsIgnored: 0, begins: 0, dones: 0 };
  private readonly outsideReported = new Set<Syscall>();

  constructor(private readonly o: AuditOptions) {
    this.lines = new JournalLines(o.journals);
  }

  run(t: ParsedTrace): AuditResult {
    for (const c of t.calls) {
      this.stats.calls++;
      for (const e of effectsOf(c, this.o.cwd)) this.apply(e, c);
    }
    return { violations: this.violations, notes: this.notes, stats: this.stats, unparsed: t.unparsed };
  }

  /** Paths the audit does not follow: pseudo file systems, pipes and sockets, and relocate's empty probe files. */
  private ignored(p: string): boolean {
    return this.o.mounts.pseudo(p) || PROBE.test(p);
  }

  private isState(p: string): boolean {
    return this.o.stateRoots.some((r) => atOrUnder(p, r));
  }

  private apply(e: Effect, c: Syscall): void {
    switch (e.t) {
      case 'fsync':
        return this.sync(c, (x) => (x.kind === 'data' ? x.path === e.path : path.posix.dirname(x.path) === e.path));
      case 'syncfs': {
        if (!this.o.mounts.syncfsHonoured(e.path)) return void this.stats.syncfsIgnored++;
        const vol = this.o.mounts.of(e.path)?.volume;
        return this.sync(c, (x) => x.volume === vol);
      }
      case 'sync':
        return this.sync(c, (x) => this.o.mounts.syncfsHonoured(x.path));
      case 'data': {
        if (this.ignored(e.path)) return;
        const ch = this.add(c, 'data', e.path);
        if (e.written && isJournal(e.path, this.o.stateRoots)) {
          for (const m of this.lines.written(e.path, e.written, e.written.count)) this.mark(m, e.path, ch);
        }
        return this.touched(ch);
      }
      case 'create': {
        if (this.ignored(e.path)) return;
        // An open with O_CREAT of a name this history made and kept creates nothing.
        if (!e.excl && this.known.get(e.path) === 'made') return;
        this.known.set(e.path, e.symlink ? 'symlink' : 'made');
        return this.touched(this.add(c, 'create', e.path));
      }
      case 'remove': {
        if (this.ignored(e.path)) return;
        // Moot by this removal: what is at or under the name; and a folder made new (not renamed in) above it, whose
        // loss would take the name along anyway (a partial copy being cleared). A folder renamed in is no such excuse:
        // losing that rename brings the folder back elsewhere, emptied.
        if (!this.isState(e.path))
          this.destroying(c, e.path, (x) => atOrUnder(x.path, e.path) || (x.kind === 'create' && !x.call.name.startsWith('rename') && under(e.path, x.path)));
        this.moot(c, (x) => (x.kind === 'create' ? atOrUnder(x.path, e.path) : x.kind === 'data' ? atOrUnder(x.path, e.path) : under(x.path, e.path)));
        this.forget(e.path);
        this.known.set(e.path, 'gone');
        return this.touched(this.add(c, 'remove', e.path));
      }
      case 'rename': {
        if (this.ignored(e.from)) return;
        if (!this.isState(e.from)) this.destroying(c, e.from, (x) => x.kind === 'create' && x.path === e.from);
        this.moot(c, (x) => x.kind === 'create' && x.path === e.from);
        // What was under the old name is under the new one now: later syncs name it so.
        for (const x of this.all) {
          if (x.kind === 'data' ? atOrUnder(x.path, e.from) : under(x.path, e.from)) x.path = e.to + x.path.slice(e.from.length);
        }
        for (const [p, v] of [...this.known]) {
          if (atOrUnder(p, e.from)) {
            this.known.delete(p);
            this.known.set(e.to + p.slice(e.from.length), v);
          }
        }
        this.known.set(e.from, 'gone');
        const removed = this.add(c, 'remove', e.from);
        const created = this.add(c, 'create', e.to);
        this.touched(removed);
        return this.touched(created);
      }
    }
  }

  private add(call: Syscall, kind: Change['kind'], p: string): Change {
    const symlinkMeta = kind === 'data' && this.known.get(p) === 'symlink';
    const ch: Change = { call, kind, path: p, state: this.isState(p), volume: this.o.mounts.of(p)?.volume, symlinkMeta, reported: new Set() };
    this.all.push(ch);
    if (ch.state) {
      this.stats.stateChanges++;
      if (kind !== 'data') this.stateNames.push(ch);
    } else this.stats.userChanges++;
    return ch;
  }

  private forget(p: string): void {
    for (const k of [...this.known.keys()]) if (under(k, p)) this.known.delete(k);
  }

  /** A sync that returned: every pending change it covers that had returned before the sync began is durable. */
  private sync(c: Syscall, covers: (x: Change) => boolean): void {
    if (c.ret === '?') return;
    this.stats.syncs++;
    for (const x of this.all) if (isPending(x) && x.call.end < c.start && covers(x)) x.durableAt = c.end;
  }

  private moot(c: Syscall, gone: (x: Change) => boolean): void {
    for (const x of this.all) if (isPending(x) && gone(x)) x.mootAt = c.end;
  }

  /** A broken rule; a note instead when what is not durable is a symlink's metadata that no available call can sync. */
  private report(rule: Rule, message: string, offending: Syscall, related: string[], x?: Change): void {
    const unreachable = x?.symlinkMeta === true && !(this.o.syncfs && this.o.mounts.syncfsHonoured(x.path));
    (unreachable ? this.notes : this.violations).push({ rule, message, offending: offending.lines, related });
  }

  /** Rule 1: a user name removed or renamed away; `excused` are the changes the call itself makes moot. */
  private destroying(c: Syscall, p: string, excused: (x: Change) => boolean): void {
    for (const x of this.all) {
      if (x.kind === 'remove' || x.call.end >= c.start || settledBefore(x, c.start) || excused(x) || x.reported.has('destroy-before-durable')) continue;
      x.reported.add('destroy-before-durable');
      this.report(
        'destroy-before-durable',
        `${p} is ${c.name.startsWith('rename') ? 'renamed away' : 'removed'} while an earlier ${describe(x)} is not durable`,
        c,
        x.call.lines,
        x,
      );
    }
  }

  /** Rules 3 and 4 for a change, and its attribution to the open steps. */
  private touched(ch: Change): void {
    if (ch.state) return;
    const t = ch.call.start;
    for (const x of this.stateNames) {
      if (x.kind !== 'create' || x.call.end >= t || settledBefore(x, t) || x.reported.has('state-name-not-durable')) continue;
      x.reported.add('state-name-not-durable');
      this.report('state-name-not-durable', `user data is touched (${describe(ch)}) while a state ${describe(x)} is not durable`, ch.call, x.call.lines);
    }
    if (this.open.size === 0 && !this.outsideReported.has(ch.call)) {
      this.outsideReported.add(ch.call);
      this.report('change-before-begin-durable', `${describe(ch)} while no journaled step is open`, ch.call, []);
    }
    for (const s of this.open.values()) {
      s.changes.push(ch);
      if (s.beginReported) continue;
      const why = this.notDurableLine(s.begin, s.journal, t);
      if (!why) continue;
      s.beginReported = true;
      this.report('change-before-begin-durable', `${describe(ch)} for ${s.label} before its begin line is durable (${why.text})`, ch.call, why.lines);
    }
  }

  /** Why a journal write is not durable at line t (its data, or a name on the journal's path), or undefined. */
  private notDurableLine(w: Change, journal: string, t: number): { text: string; lines: string[] } | undefined {
    if (!settledBefore(w, t) || w.mootAt !== undefined) return { text: "the journal write is not fsync'd", lines: w.call.lines };
    const name = this.stateNames.find(
      (x) => x.kind === 'create' && atOrUnder(journal, x.path) && x.call.end < t && !(x.durableAt !== undefined && x.durableAt < t),
    );
    if (name) return { text: `the new name ${name.path} is not durable`, lines: [...w.call.lines, ...name.call.lines] };
    return undefined;
  }

  /** A journal line: opens or closes a step (rule 2 on close). */
  private mark(m: JournalMark, journal: string, w: Change): void {
    const key = `${journal}#${m.n}`;
    if (m.t === 'begin' || m.t === 'undo-begin') {
      this.stats.begins++;
      this.open.set(key, { label: `step ${m.n} (${m.t})`, journal, begin: w, changes: [], beginReported: false });
      return;
    }
    if (m.t !== 'done' && m.t !== 'undo-done') return;
    this.stats.dones++;
    const s = this.open.get(key);
    this.open.delete(key);
    if (!s) return;
    for (const x of s.changes) {
      if (settledBefore(x, w.call.start) || x.reported.has('done-before-durable')) continue;
      x.reported.add('done-before-durable');
      this.report('done-before-durable', `the journal says ${m.t} for ${s.label} while its ${describe(x)} is not durable`, w.call, x.call.lines, x);
    }
  }
}

function describe(x: Change): string {
  const what = x.symlinkMeta
    ? 'change to the metadata of the symlink'
    : x.kind === 'data'
      ? 'change to the data or metadata of'
      : x.kind === 'create'
        ? 'new name'
        : 'removal of the name';
  return `${what} ${x.path} (${x.call.name})`;
}

/** The violations as text: each with its rule, message and syscall lines; at most `max` in full, then counts per rule. */
export function formatViolations(vs: readonly Violation[], max = 60, noun = 'violation'): string {
  const out: string[] = [];
  const counts = new Map<Rule, number>();
  for (const v of vs) counts.set(v.rule, (counts.get(v.rule) ?? 0) + 1);
  out.push(`${vs.length} ${noun}(s): ${[...counts].map(([r, n]) => `${r} ${n}`).join(', ')}`);
  for (const v of vs.slice(0, max)) {
    out.push(`[${v.rule}] ${v.message}`, ...v.offending.map((l) => `  > ${l}`), ...v.related.map((l) => `    ${l}`));
  }
  if (vs.length > max) out.push(`… and ${vs.length - max} more`);
  return out.join('\n');
}
