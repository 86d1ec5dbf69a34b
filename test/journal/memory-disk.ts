import path from 'node:path';
import type { AppendFile, FolderPresence, JournalDisk, LockFileText, LockRegistryPlace, ProcessUser } from '../../src/journal/disk-port.js';

/**
 * A JournalDisk held in memory (restic's mem backend, chezmoi's test FS):
 * the journal run against it touches no real file, so a test can prove the
 * port is the only way src/journal reaches the disk, and can cut the power.
 *
 * Invariants: every name's parent folder exists (a write under a missing
 * folder fails with ENOENT, as on a disk); what the port promises durable
 * on return is durable here at once; an append file's text beyond its last
 * sync is lost by `powerCut()`. `calls` records every call, in order.
 */
export class MemoryJournalDisk implements JournalDisk {
  readonly files = new Map<string, string>();
  readonly dirs = new Set<string>();
  /** The part of each append file that is on "disk": its length at the last sync. */
  private readonly synced = new Map<string, number>();
  readonly calls: string[] = [];
  /** Pids that count as running; every other pid is dead. */
  readonly alive = new Set<number>([process.pid]);
  private names = 0;

  constructor(readonly user: ProcessUser = { user: 'tester', uid: 1000 }) {}

  /** Drops every appended text that was never synced, as a power cut would. */
  powerCut(): void {
    for (const [file, length] of this.synced) this.files.set(file, (this.files.get(file) ?? '').slice(0, length));
  }

  private log(call: string): void {
    this.calls.push(call);
  }

  private needParent(p: string): void {
    const parent = path.dirname(p);
    if (!this.dirs.has(parent)) throw Object.assign(new Error(`ENOENT: no such folder ${parent}`), { code: 'ENOENT' });
  }

  private taken(p: string): boolean {
    return this.files.has(p) || this.dirs.has(p);
  }

  openAppend(file: string): AppendFile {
    this.log(`openAppend ${file}`);
    this.needParent(file);
    if (!this.files.has(file)) {
      this.files.set(file, '');
      this.synced.set(file, 0);
    }
    const text = this.files.get(file) ?? '';
    if (text !== '' && !text.endsWith('\n')) this.files.set(file, text + '\n');
    if (!this.synced.has(file)) this.synced.set(file, (this.files.get(file) ?? '').length);
    const sync = () => {
      this.log(`sync ${file}`);
      this.synced.set(file, (this.files.get(file) ?? '').length);
    };
    let open = true;
    return {
      append: (text: string, withSync: boolean) => {
        if (!open) throw new Error(`${file} is closed`);
        this.log(`append ${file} sync=${withSync}`);
        this.files.set(file, (this.files.get(file) ?? '') + text + '\n');
        if (withSync) sync();
      },
      sync,
      close: () => {
        sync();
        open = false;
      },
    };
  }

  async ensureDir(dir: string): Promise<void> {
    this.log(`ensureDir ${dir}`);
    for (let d = dir; !this.dirs.has(d); d = path.dirname(d)) {
      this.dirs.add(d);
      if (path.dirname(d) === d) break;
    }
  }

  async makeNewDir(dir: string): Promise<boolean> {
    this.log(`makeNewDir ${dir}`);
    await this.ensureDir(path.dirname(dir));
    if (this.taken(dir)) return false;
    this.dirs.add(dir);
    return true;
  }

  async pathTaken(p: string): Promise<boolean> {
    this.log(`pathTaken ${p}`);
    return this.taken(p);
  }

  async readText(file: string): Promise<string | undefined> {
    this.log(`readText ${file}`);
    return this.files.get(file);
  }

  async listDir(dir: string): Promise<string[]> {
    this.log(`listDir ${dir}`);
    return [...this.files.keys(), ...this.dirs].filter((p) => p !== dir && path.dirname(p) === dir).map((p) => path.basename(p));
  }

  async writeFileAtomic(file: string, data: string): Promise<void> {
    this.log(`writeFileAtomic ${file}`);
    this.needParent(file);
    this.files.set(file, data);
  }

  async createExclusive(file: string, content: string): Promise<boolean> {
    this.log(`createExclusive ${file}`);
    this.needParent(file);
    if (this.taken(file)) return false;
    this.files.set(file, content);
    return true;
  }

  async removeFile(file: string): Promise<void> {
    this.log(`removeFile ${file}`);
    this.files.delete(file);
  }

  async removeIfStill(file: string, seen: string): Promise<boolean> {
    this.log(`removeIfStill ${file}`);
    const now = this.files.get(file);
    if (now === undefined) return true;
    if (now !== seen) return false;
    this.files.delete(file);
    return true;
  }

  async removeDeadTemps(dir: string): Promise<void> {
    this.log(`removeDeadTemps ${dir}`);
  }

  processAlive(pid: number): boolean {
    this.log(`processAlive ${pid}`);
    return this.alive.has(pid);
  }

  async ensureRegistry(place: LockRegistryPlace): Promise<void> {
    this.log(`ensureRegistry ${place.dir}`);
    if (this.files.has(place.dir)) throw Object.assign(new Error(`${place.dir} is not a folder`), { code: 'ENOTDIR' });
    await this.ensureDir(place.dir);
  }

  async canonicalLockPaths(paths: readonly string[]): Promise<string[]> {
    this.log(`canonicalLockPaths ${paths.length}`);
    return paths.map((p) => path.resolve(p).replace(/\\/g, '/').toLowerCase());
  }

  newLockFileName(runId: string): string {
    return `${runId}-${process.pid}-${++this.names}.lock.json`;
  }

  async writeLockFile(dir: string, name: string, content: string): Promise<void> {
    this.log(`writeLockFile ${name}`);
    const file = path.join(dir, name);
    this.needParent(file);
    if (this.taken(file)) throw Object.assign(new Error(`lock file ${name} exists already`), { code: 'EEXIST' });
    this.files.set(file, content);
  }

  async readLockFiles(dir: string): Promise<LockFileText[]> {
    this.log(`readLockFiles ${dir}`);
    return [...this.files]
      .filter(([p]) => path.dirname(p) === dir && p.endsWith('.lock.json'))
      .map(([p, text]) => ({ name: path.basename(p), text }))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  async removeLockFile(dir: string, name: string): Promise<boolean> {
    this.log(`removeLockFile ${name}`);
    this.files.delete(path.join(dir, name));
    return true;
  }

  async folderPresence(dir: string): Promise<FolderPresence> {
    this.log(`folderPresence ${dir}`);
    return this.dirs.has(dir) ? 'present' : 'missing';
  }

  currentUser(): ProcessUser {
    return this.user;
  }
}
