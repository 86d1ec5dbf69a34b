/**
 * The journal's disk port: every read and write of the state folder (run
 * records, journals, the state lock) and of the machine-wide path-lock
 * registry goes through a JournalDisk, which src/platform implements
 * (platform/journal-fs.ts: nodeJournalDisk) and the CLI passes in. The
 * journal itself imports no platform code, so what it promises about
 * durability is stated here, as each method's contract, and a test can run
 * it on a disk of its own (test/journal/memory-disk.ts).
 *
 * Contracts shared by every method:
 * - an implementation MUST NOT follow a link at the last name of a path it
 *   creates, replaces or removes (a planted link never redirects a journal
 *   line, a record or a lock to another place);
 * - "durable" means on disk across a power cut: the data fsync'd AND the
 *   folder holding each new name fsync'd, before the method returns;
 * - a folder fsync that the file system does not support (EINVAL, ENOTSUP,
 *   …: src/platform/durability.ts) is not a failure; any other error is
 *   thrown, with its errno `code`, for the journal to explain.
 */

/**
 * One journal file, open for appending. Invariant: lines are only ever
 * added at the end; nothing already written is rewritten or truncated.
 */
export interface AppendFile {
  /**
   * Writes `text` and a newline at the end of the file. With `sync` the
   * implementation MUST fsync the file before returning (so the line is on
   * disk before the step it announces begins); without, the text MUST reach
   * the disk with the next synced append, `sync()` or `close()`.
   */
  append(text: string, sync: boolean): void;
  /** Makes every append so far durable: one fsync, and none when nothing is unsynced. */
  sync(): void;
  /** `sync()`, then closes; the file is not used again. */
  close(): void;
}

/** Where the path-lock registry is, and whether relocate makes it a shared (sticky, world-writable) folder. */
export interface LockRegistryPlace {
  dir: string;
  /** True for the machine-wide default: made mode 1777 so every user's runs can write their locks (and only their own). */
  shared: boolean;
}

/** Whether a folder can be read: `missing` is ENOENT or ENOTDIR, `unreadable` any other error. */
export type FolderPresence = 'present' | 'missing' | 'unreadable';

/** This process's user, for a refusal that names who holds a path. `uid` is null where the OS has none (Windows). */
export interface ProcessUser {
  user: string;
  uid: number | null;
}

/** One file of the path-lock registry and its whole text. */
export interface LockFileText {
  name: string;
  text: string;
}

/** Every disk (and process) operation of src/journal. */
export interface JournalDisk {
  // ── The state folder ────────────────────────────────────────────────

  /**
   * Opens `file` for appending, creating it (mode 0600) when missing.
   * MUST make a new file's name durable (fsync of its folder) before
   * returning: a journal line counts only once its file's name is on disk.
   * When the existing file does not end in a newline (a line torn by a
   * full disk or a power cut), MUST write one first, so the next line is
   * never glued to the fragment.
   */
  openAppend(file: string): AppendFile;
  /**
   * Creates a folder and its missing parents (mode 0700). MUST make each
   * new level durable (the level and the folder holding it fsync'd,
   * deepest first) before returning; syncs nothing when it existed.
   */
  ensureDir(dir: string): Promise<void>;
  /**
   * Makes folder `dir` (mode 0700; its parents as ensureDir), its name
   * durable before returning; false when something is at `dir` already,
   * which MUST NOT be taken for a new folder (a second run under an
   * earlier run's name would take that run's journal for its own).
   */
  makeNewDir(dir: string): Promise<boolean>;
  /** Whether anything is at `p`; a link is not followed. Errors other than ENOENT are thrown. */
  pathTaken(p: string): Promise<boolean>;
  /** A file's text (UTF-8), or undefined when there is none (ENOENT); any other error is thrown. Reads only. */
  readText(file: string): Promise<string | undefined>;
  /** The names in a folder (unsorted), or none when it is missing (ENOENT). Reads only. */
  listDir(dir: string): Promise<string[]>;
  /**
   * Replaces `file` by `data` so that a reader and a power cut see the old
   * content or the new, never part: a temporary sibling written and
   * fsync'd, renamed over `file`, then the folder fsync'd. MUST NOT return
   * before the folder fsync.
   */
  writeFileAtomic(file: string, data: string): Promise<void>;
  /**
   * Creates `file` holding `content` (mode 0600) only if no file of that
   * name exists; false then. MUST NEVER replace an existing name. The file
   * SHOULD appear whole (content fsync'd under a temporary name, then hard
   * linked into place) and MUST be durable, content and name, before
   * returning; where hard links are refused it may appear empty for a
   * moment (O_EXCL, then write).
   */
  createExclusive(file: string, content: string): Promise<boolean>;
  /** Removes `file`; gone already is not an error. Not fsync'd (a removed lock that a power cut brings back is a dead holder's). */
  removeFile(file: string): Promise<void>;
  /**
   * Removes `file` only if it still holds exactly `seen`; true when it did
   * (or the file is gone). MUST take the file aside atomically (a rename to
   * a private name) before reading it, so that of two callers that judged
   * the same text only one removes it; a file that is not `seen` MUST be put
   * back without replacing anything (a hard link, never a rename over).
   */
  removeIfStill(file: string, seen: string): Promise<boolean>;
  /**
   * Removes the temporaries createExclusive, removeIfStill and
   * writeLockFile left in `dir` when their process was killed: only those
   * whose process is dead and older than a minute. Best effort: never throws.
   */
  removeDeadTemps(dir: string): Promise<void>;
  /** True when a process of this pid runs on this machine (including as another user). Never changes anything. */
  processAlive(pid: number): boolean;

  // ── The path-lock registry ──────────────────────────────────────────

  /**
   * Makes the registry folder when missing (its name durable) and checks
   * it is a real folder: a link planted at `place.dir` MUST be refused
   * (ENOTDIR), never followed. A shared place is made mode 1777.
   */
  ensureRegistry(place: LockRegistryPlace): Promise<void>;
  /**
   * The spelling two runs agree on for each path, in order: the real path
   * of its deepest existing parent folder, then the remaining names, the
   * last name itself never resolved; `/` separators, NFC, case folded.
   * Reads only.
   */
  canonicalLockPaths(paths: readonly string[]): Promise<string[]>;
  /** A new lock file's name for run `runId`: unique (this pid and random digits), and one readLockFiles lists. */
  newLockFileName(runId: string): string;
  /**
   * Creates lock file `name` in `dir` holding `content`. MUST NEVER replace
   * an existing file (EEXIST is thrown); MUST be durable, content and name,
   * before returning, and SHOULD appear whole (as createExclusive).
   */
  writeLockFile(dir: string, name: string, content: string): Promise<void>;
  /**
   * Every lock file in `dir` (named as newLockFileName names them) with its
   * text, sorted by name; none when `dir` is missing; a file removed while
   * listing is skipped; an empty file is read again once after a moment
   * (one being created where hard links are refused). Reads only.
   */
  readLockFiles(dir: string): Promise<LockFileText[]>;
  /**
   * Removes lock file `name` from `dir`; true when it is gone (gone already
   * counts), false when the OS refused (EACCES, EPERM: another user's file
   * in a sticky folder). Not fsync'd: a lock a power cut brings back is
   * stale or the run's own, never one that lets two runs through.
   */
  removeLockFile(dir: string, name: string): Promise<boolean>;
  /** Whether a holder's state folder can be listed. Reads only. */
  folderPresence(dir: string): Promise<FolderPresence>;
  /** This process's user (the login name, or the environment's where the OS has no entry). */
  currentUser(): ProcessUser;
}
