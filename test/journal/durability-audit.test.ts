import { describe, expect, it } from 'vitest';
import { auditTrace, type AuditOptions, type Rule } from '../helpers/durability-audit.js';
import { MountMap } from '../helpers/mount-map.js';
import { parseStrace } from '../helpers/strace-parse.js';

/**
 * The fsync-order audit's checker (test/helpers/durability-audit.ts) on
 * small synthetic traces: each rule fires on a trace that breaks it and
 * stays silent on the same trace made right. /a and /b are ext4 volumes,
 * /f a FUSE one; the state folder is /a/state, its run R's journal existed
 * (durably) before the trace began unless a test makes it.
 */

const MOUNTINFO = [
  '20 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw',
  '30 20 7:0 / /a rw,relatime - ext4 /dev/loop0 rw',
  '31 20 7:1 / /b rw,relatime - ext4 /dev/loop1 rw',
  '32 20 0:55 / /f rw,relatime - fuse.sshfs me@host: rw',
  '33 20 0:5 / /proc rw - proc proc rw',
].join('\n');

const J = '/a/state/runs/R/journal.jsonl';
const OPTS: AuditOptions = { mounts: new MountMap(MOUNTINFO), stateRoots: ['/a/state'], syncfs: true };

/** A C string as strace prints it. */
function quoted(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** The write of journal lines (main thread, pid 1). */
function jw(...lines: object[]): string {
  const s = lines.map((l) => JSON.stringify(l) + '\n').join('');
  return `1 01:00:00.000001 write(3<${J}>, ${quoted(s)}, ${Buffer.byteLength(s)}) = ${Buffer.byteLength(s)}`;
}
const begin = (n: number) => jw({ t: 'begin', n, at: 'x' });
const done = (n: number) => jw({ t: 'done', n, at: 'x' });
const fsyncJournal = `1 fsync(3<${J}>) = 0`;
const fsync = (p: string, pid = 1) => `${pid} fsync(7<${p}>) = 0`;

function rules(...lines: string[]): Rule[] {
  return auditTrace(lines.join('\n'), OPTS).violations.map((v) => v.rule);
}

/** A cross-volume copy of /a/src/f to /b/t/f, made durable except for what `skip` names. */
function copy(skip: { folder?: boolean; file?: boolean } = {}): string[] {
  return [
    '2 openat(AT_FDCWD</w>, "/b/t/f", O_WRONLY|O_CREAT|O_EXCL, 0644) = 9</b/t/f>',
    '2 copy_file_range(8</a/src/f>, NULL, 9</b/t/f>, NULL, 4096, 0) = 4096',
    ...(skip.file ? [] : [fsync('/b/t/f', 2)]),
    ...(skip.folder ? [] : [fsync('/b/t', 2)]),
  ];
}

describe('strace parsing', () => {
  it('joins unfinished and resumed halves across threads and keeps when each entered and returned', () => {
    const t = parseStrace(
      ['5 01:00:00.1 fsync(7</b/t> <unfinished ...>', '1 01:00:00.2 write(3</x>, "a", 1) = 1', '5 01:00:00.3 <... fsync resumed>) = 0'].join('\n'),
    );
    const f = t.calls.find((c) => c.name === 'fsync')!;
    expect([f.start, f.end, f.args, f.ret]).toEqual([0, 2, ['7</b/t>'], '0']);
    expect(t.unparsed).toEqual([]);
  });

  it('reads -y paths holding commas and brackets, and comments between arguments', () => {
    const t = parseStrace('1 utimensat(AT_FDCWD</w, x>, "/a/b[1],c", [{tv_sec=1, tv_nsec=0} /* 1970 */, UTIME_OMIT], AT_SYMLINK_NOFOLLOW) = 0');
    expect(t.calls[0]!.args).toEqual(['AT_FDCWD</w, x>', '"/a/b[1],c"', '[{tv_sec=1, tv_nsec=0} , UTIME_OMIT]', 'AT_SYMLINK_NOFOLLOW']);
  });

  it('refuses a trace of a process that set up io_uring (its file work would be invisible)', () => {
    expect(() => auditTrace('1 io_uring_setup(256, {flags=0}) = 5<anon_inode:[io_uring]>', OPTS)).toThrow(/io_uring/);
  });

  it('counts a call the process died in (`= ?`) as a change that may have happened and never as a sync', () => {
    expect(rules(begin(0), fsyncJournal, '1 mkdir("/a/n", 0755 <unfinished ...>')).toEqual([]);
    const t = parseStrace('1 mkdir("/a/n", 0755 <unfinished ...>');
    expect(t.calls[0]!.ret).toBe('?');
  });
});

describe('rule 1: nothing of the user is removed or renamed away while a change it depends on is not durable', () => {
  const tail = [done(0), begin(1), fsyncJournal, '1 unlink("/a/src/f") = 0', fsync('/a/src')];

  it("fires when the copy's new name is not durable (its folder never fsync'd)", () => {
    expect(rules(begin(0), fsyncJournal, ...copy({ folder: true }), ...tail)).toContain('destroy-before-durable');
  });

  it("fires when the copy's data is not durable", () => {
    expect(rules(begin(0), fsyncJournal, ...copy({ file: true }), ...tail)).toContain('destroy-before-durable');
  });

  it("is silent when the file and its folder are fsync'd before", () => {
    expect(rules(begin(0), fsyncJournal, ...copy(), ...tail)).toEqual([]);
  });

  it('does not count a folder fsync that failed (an EIO swallowed)', () => {
    const failed = copy({ folder: true }).concat('2 fsync(7</b/t>) = -1 EIO (Input/output error)');
    expect(rules(begin(0), fsyncJournal, ...failed, ...tail)).toContain('destroy-before-durable');
  });

  it('counts one syncfs of an ext4 volume for everything on it, and none on FUSE', () => {
    const made = (v: string) => [
      `2 mkdir("/${v}/t", 0700) = 0`,
      `2 openat(AT_FDCWD</w>, "/${v}/t/f", O_WRONLY|O_CREAT|O_EXCL, 0644) = 9</${v}/t/f>`,
      `2 write(9</${v}/t/f>, "data", 4) = 4`,
      `1 syncfs(10</${v}>) = 0`,
    ];
    expect(rules(begin(0), fsyncJournal, ...made('b'), ...tail)).toEqual([]);
    expect(rules(begin(0), fsyncJournal, ...made('f'), ...tail)).toContain('destroy-before-durable');
  });

  it('does not count a sync that began before the change returned (two threads)', () => {
    const racing = [
      '2 openat(AT_FDCWD</w>, "/b/t/f", O_WRONLY|O_CREAT|O_EXCL, 0644) = 9</b/t/f>',
      fsync('/b/t', 2),
      '2 write(9</b/t/f>, "data", 4 <unfinished ...>',
      '3 fsync(9</b/t/f> <unfinished ...>',
      '2 <... write resumed>) = 4',
      '3 <... fsync resumed>) = 0',
    ];
    expect(rules(begin(0), fsyncJournal, ...racing, ...tail)).toContain('destroy-before-durable');
  });

  it("fires when the journal line announcing the removal is not fsync'd (a state change it depends on)", () => {
    expect(rules(begin(0), fsyncJournal, ...copy(), done(0), begin(1), '1 unlink("/a/src/f") = 0')).toContain('destroy-before-durable');
  });

  it('is silent when what is not durable is inside what is removed (clearing a partial copy)', () => {
    const partial = [
      '2 mkdir("/b/p", 0700) = 0',
      '2 openat(AT_FDCWD</w>, "/b/p/f", O_WRONLY|O_CREAT|O_EXCL, 0644) = 9</b/p/f>',
      '2 write(9</b/p/f>, "da", 2) = 2',
    ];
    expect(rules(begin(0), fsyncJournal, ...partial, '1 unlink("/b/p/f") = 0', '1 rmdir("/b/p") = 0', fsync('/b'), done(0))).toEqual([]);
  });

  it('fires when a folder renamed in above the removed name is not durable (the set-aside original)', () => {
    const trace = [begin(0), fsyncJournal, '1 rename("/a/h/G", "/a/h/G.old") = 0', done(0), begin(1), fsyncJournal, '1 unlink("/a/h/G.old/f") = 0'];
    expect(rules(...trace)).toContain('destroy-before-durable');
    expect(rules(...trace.slice(0, 3), fsync('/a/h'), ...trace.slice(3))).toEqual([]);
  });

  it('fires when a folder is renamed away before what was made inside it is durable, and follows the rename', () => {
    // The rename itself breaks rule 1 (its content's new name is not durable); the fsync through the new path then makes
    // that name durable before the done line, so rule 2 stays silent only if the audit follows the rename.
    const trace = [
      begin(0),
      fsyncJournal,
      '2 mkdir("/b/s", 0700) = 0',
      '2 mkdir("/b/s/d", 0700) = 0',
      fsync('/b'),
      '1 rename("/b/s", "/b/t") = 0',
      fsync('/b/t'),
      fsync('/b'),
      done(0),
      fsyncJournal,
    ];
    expect(rules(...trace)).toEqual(['destroy-before-durable']);
    expect(rules(...trace.filter((l) => l !== fsync('/b/t')))).toEqual(['destroy-before-durable', 'done-before-durable']);
  });
});

describe("a symlink's own metadata, which no fsync reaches", () => {
  const link = (v: string) => [
    begin(0),
    fsyncJournal,
    `1 symlink("t", "/${v}/l") = 0`,
    `1 utimensat(AT_FDCWD</w>, "/${v}/l", [{tv_sec=1, tv_nsec=0}, {tv_sec=1, tv_nsec=0}], AT_SYMLINK_NOFOLLOW) = 0`,
    fsync(`/${v}`),
  ];
  const audit = (lines: string[], syncfs: boolean) => {
    const r = auditTrace(lines.join('\n'), { ...OPTS, syncfs });
    return { violations: r.violations.map((v) => v.rule), notes: r.notes.map((v) => v.rule) };
  };

  it('is a violation where an honoured syncfs could have been called, and silent once it is', () => {
    expect(audit([...link('b'), done(0)], true)).toEqual({ violations: ['done-before-durable'], notes: [] });
    expect(audit([...link('b'), '1 syncfs(9</b>) = 0', done(0)], true)).toEqual({ violations: [], notes: [] });
  });

  it('is a note, shown but not counted, without syncfs (the portable path) or on FUSE', () => {
    expect(audit([...link('b'), done(0)], false)).toEqual({ violations: [], notes: ['done-before-durable'] });
    expect(audit([...link('f'), '1 syncfs(9</f>) = 0', done(0)], true)).toEqual({ violations: [], notes: ['done-before-durable'] });
  });

  it("never excuses the symlink's name itself", () => {
    expect(audit(link('f').slice(0, -1).concat(done(0)), false).violations).toEqual(['done-before-durable']);
  });
});

describe("rule 2: the journal never says done before the step's changes are durable", () => {
  const move = ['1 renameat2(AT_FDCWD</w>, "/a/x/d", AT_FDCWD</w>, "/a/y/d", RENAME_NOREPLACE) = 0'];

  it("fires when a rename's source folder is not fsync'd", () => {
    expect(rules(begin(0), fsyncJournal, ...move, fsync('/a/y'), done(0), fsyncJournal)).toEqual(['done-before-durable']);
  });

  it("is silent when both folders of the rename are fsync'd before the done line", () => {
    expect(rules(begin(0), fsyncJournal, ...move, fsync('/a/y'), fsync('/a/x'), done(0), fsyncJournal)).toEqual([]);
  });

  it('fires when the changes become durable only after the done line is written, even before the journal fsync', () => {
    expect(rules(begin(0), fsyncJournal, ...move, done(0), fsync('/a/y'), fsync('/a/x'), fsyncJournal)).toEqual(['done-before-durable', 'done-before-durable']);
  });

  it('applies to undo-done as to done, and to each level mkdir creates', () => {
    const undo = [
      jw({ t: 'undo-begin', n: 0 }),
      fsyncJournal,
      '1 mkdir("/a/s", 0777) = 0',
      '1 mkdir("/a/s/d", 0777) = 0',
      fsync('/a'),
      jw({ t: 'undo-done', n: 0 }),
    ];
    expect(rules(...undo)).toEqual(['done-before-durable']);
    expect(rules(...undo.slice(0, 5), fsync('/a/s'), ...undo.slice(5))).toEqual([]);
  });
});

describe("rule 3: every step's changes come after its begin is durable", () => {
  it("fires when the begin line is not fsync'd before the step acts", () => {
    expect(rules(begin(0), '1 mkdir("/a/n", 0755) = 0', fsync('/a'), fsyncJournal, done(0))).toEqual(['change-before-begin-durable']);
  });

  it("fires when the journal's own name is not durable, and is silent once its folder is fsync'd", () => {
    const made = [`1 openat(AT_FDCWD</w>, "${J}", O_RDWR|O_CREAT|O_APPEND, 0600) = 3<${J}>`, begin(0), fsyncJournal];
    const step = ['1 mkdir("/a/n", 0755) = 0', fsync('/a'), done(0)];
    expect(rules(...made, ...step).sort()).toEqual(['change-before-begin-durable', 'state-name-not-durable']);
    expect(rules(...made, fsync('/a/state/runs/R'), ...step)).toEqual([]);
  });

  it('fires on a user change while no step is open', () => {
    expect(rules(begin(0), fsyncJournal, done(0), '1 mkdir("/a/n", 0755) = 0', fsync('/a'))).toEqual(['change-before-begin-durable']);
  });

  it("reads the journal's lines from its text when strace cut the write", () => {
    const line = JSON.stringify({ t: 'begin', n: 0, at: 'x', info: { long: 'y'.repeat(300) } }) + '\n';
    const cut = `1 write(3<${J}>, ${quoted(line.slice(0, 200))}..., ${line.length}) = ${line.length}`;
    const trace = [cut, fsyncJournal, '1 mkdir("/a/n", 0755) = 0', fsync('/a'), done(0)].join('\n');
    const text = line + JSON.stringify({ t: 'done', n: 0, at: 'x' }) + '\n';
    expect(auditTrace(trace, { ...OPTS, journals: { [J]: text } }).violations).toEqual([]);
    expect(() => auditTrace(trace, OPTS)).toThrow(/cut by strace/);
  });
});

describe('rule 4: state names are durable before user data is touched', () => {
  const run = ['1 mkdir("/a/state/runs/R2", 0700) = 0', '1 openat(AT_FDCWD</w>, "/a/state/lock", O_WRONLY|O_CREAT|O_EXCL, 0600) = 4</a/state/lock>'];
  const user = [begin(0), fsyncJournal, '1 mkdir("/a/n", 0755) = 0', fsync('/a'), done(0)];

  it("fires for each new state name not durable when the user's data is first touched", () => {
    expect(rules(...run, ...user)).toEqual(['state-name-not-durable', 'state-name-not-durable']);
  });

  it("is silent when the state folders are fsync'd; a removed lock need not be", () => {
    expect(rules(...run, fsync('/a/state/runs'), fsync('/a/state'), '1 unlink("/a/state/lock2") = 0', ...user)).toEqual([]);
  });

  it("ignores pseudo file systems and relocate's empty probe files", () => {
    expect(
      rules(
        ...user.slice(0, 2),
        '1 openat(AT_FDCWD</w>, "/proc/self/x", O_WRONLY|O_CREAT, 0600) = 5</proc/self/x>',
        '1 openat(AT_FDCWD</w>, "/b/.relocate-probe-1-abc", O_WRONLY|O_CREAT|O_EXCL, 0600) = 5</b/.relocate-probe-1-abc>',
        '1 unlink("/b/.relocate-probe-1-abc") = 0',
        done(0),
      ),
    ).toEqual([]);
  });
});
