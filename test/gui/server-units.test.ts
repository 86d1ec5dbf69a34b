import { describe, expect, it } from 'vitest';
import { elevationReason, jobEventOf } from '../../src/gui/server/jobs.js';
import { apiErrorOf, engineAnswer, engineArgs } from '../../src/gui/server/engine.js';
import { drivesAfterPlan, moveSentence, runRows } from '../../src/gui/server/views.js';
import { openerCommand } from '../../src/platform/open-browser.js';
import { elevatedCommandLine } from '../../src/platform/self-command.js';
import type { PlanEntryJson, PlanJson } from '../../src/render/plan-json.js';

/** The server's pure parts: progress lines to events, the engine's answers, the words, the command lines it builds. */

const GiB = 1024 ** 3;
const TiB = 1024 ** 4;

function entry(over: Partial<PlanEntryJson>): PlanEntryJson {
  return {
    link: 'C:\\Games',
    target: 'D:\\Games',
    type: 'junction',
    action: 'move',
    reason: 'C:\\Games is a folder: its data moves to D:\\Games',
    from: 'C:\\Games',
    to: 'D:\\Games',
    crossVolume: true,
    bytes: 212 * GiB,
    files: 1000,
    declaredType: 'auto',
    state: 'present',
    conflict: 'fail',
    retarget: 'move',
    order: 0,
    index: 0,
    findings: [],
    source: { line: 3, col: 5 },
    observed: null,
    linkVolume: { id: 'C:\\', root: 'C:\\', freeBytes: 10 * GiB, totalBytes: 500 * GiB },
    targetVolume: { id: 'D:\\', root: 'D:\\', freeBytes: 1.1 * TiB + 212 * GiB, totalBytes: 4 * TiB },
    ...over,
  };
}

describe('the move sentence', () => {
  it('says what becomes a link, how much moves where, and what the target drive keeps free, from the plan’s numbers', () => {
    expect(moveSentence(entry({}))).toBe('C:\\Games becomes a link; its 212 GiB move to D:\\Games; D: keeps 1.1 TiB free');
  });

  it('counts what the data takes on the target (onTarget) when the engine says so; nothing within one volume', () => {
    expect(moveSentence(entry({ onTarget: 213 * GiB }))).toBe('C:\\Games becomes a link; its 212 GiB move to D:\\Games; D: keeps 1.1 TiB free');
    expect(moveSentence(entry({ crossVolume: false, targetVolume: { id: '1', root: '/', freeBytes: 5 * GiB } }))).toBe(
      'C:\\Games becomes a link; its 212 GiB move to D:\\Games; / keeps 5.0 GiB free',
    );
  });

  it('words the other actions', () => {
    expect(moveSentence(entry({ action: 'link' }))).toMatch(/^C:\\Games becomes a link to D:\\Games, which already holds the data; nothing moves/);
    expect(moveSentence(entry({ action: 'conflict', reason: 'both hold data' }))).toBe('C:\\Games: both hold data');
    expect(moveSentence(entry({ targetVolume: undefined }))).toMatch(/free space on D:\\Games unknown$/);
  });
});

describe('drives after a plan', () => {
  it('takes what a cross-volume move takes from the target drive and gives it to the source drive', () => {
    const doc = { entries: [entry({})] } as unknown as PlanJson;
    const drives = drivesAfterPlan(
      [
        { root: 'C:\\', label: 'C:', totalBytes: 500 * GiB, freeBytes: 10 * GiB },
        { root: 'D:\\', label: 'D:', totalBytes: 4 * TiB, freeBytes: 2 * TiB },
      ],
      doc,
    );
    expect(drives[0]!.freeAfterPlan).toBe(222 * GiB);
    expect(drives[1]!.freeAfterPlan).toBe(2 * TiB - 212 * GiB);
    expect(drivesAfterPlan([{ root: 'C:\\', label: 'C:', totalBytes: 1, freeBytes: 1 }], undefined)[0]!.freeAfterPlan).toBeUndefined();
  });
});

describe('progress lines to JobEvents', () => {
  it('turns each --progress json line into its event, and ignores any other line', () => {
    expect(jobEventOf('{"progress":1,"event":"start","command":"apply","entries":2,"bytesTotal":10}', 'job-1')).toEqual({
      type: 'start',
      jobId: 'job-1',
      command: 'apply',
      entries: 2,
      bytesTotal: 10,
    });
    expect(
      jobEventOf(
        '{"progress":1,"event":"progress","op":"copy","bytesDone":5,"bytesTotal":10,"rateBytesPerSecond":5,"secondsLeft":1,"text":"copied 5 B of 10 B"}',
        'j',
      ),
    ).toEqual({ type: 'progress', jobId: 'j', bytesDone: 5, bytesTotal: 10, rateBytesPerSecond: 5, secondsLeft: 1, text: 'copied 5 B of 10 B' });
    expect(jobEventOf('{"progress":1,"event":"in-use","path":"/g/a","programs":["steam (pid 4)"],"message":"…"}', 'j')).toEqual({
      type: 'in-use',
      jobId: 'j',
      path: '/g/a',
      programs: ['steam (pid 4)'],
    });
    expect(jobEventOf('{"progress":1,"event":"entry","index":1,"of":2,"title":"move a → b"}', 'j')).toEqual({
      type: 'entry',
      jobId: 'j',
      index: 1,
      of: 2,
      title: 'move a → b',
    });
    expect(jobEventOf('note: something', 'j')).toBeUndefined();
    expect(jobEventOf('{"event":"start"}', 'j')).toBeUndefined();
    expect(jobEventOf('{broken', 'j')).toBeUndefined();
  });

  it('offers elevation on Windows only, for the engine’s privilege and access refusals', () => {
    const e = (code: string) => ({ code, message: 'm', path: null, hint: null });
    expect(elevationReason(e('E_SYMLINK_PRIVILEGE'), 'win32')).toMatch(/administrator/);
    expect(elevationReason(e('E_ACCESS'), 'win32')).toMatch(/administrator/);
    expect(elevationReason(e('E_CONFLICT'), 'win32')).toBeUndefined();
    expect(elevationReason(e('E_ACCESS'), 'linux')).toBeUndefined();
  });
});

describe('engine answers', () => {
  it('passes the CLI’s error document through word for word', () => {
    const a = engineAnswer({
      code: 1,
      signal: null,
      stdout: JSON.stringify({ error: { code: 'E_NO_SPACE', message: 'D: is full', path: 'D:\\', hint: 'free some space' } }),
      stderr: '',
    });
    expect(a.error).toEqual({ code: 'E_NO_SPACE', message: 'D: is full', path: 'D:\\', hint: 'free some space' });
    expect(apiErrorOf({ code: 'E_X', message: 'm' })).toEqual({ code: 'E_X', message: 'm', path: null, hint: null });
  });

  it('a child that printed no JSON is an internal error naming its exit', () => {
    const a = engineAnswer({ code: 3, signal: null, stdout: '', stderr: 'boom\n' });
    expect(a.error?.code).toBe('E_INTERNAL');
    expect(a.error?.message).toContain('exit 3');
    expect(a.error?.message).toContain('boom');
  });

  it('every command gets --json and the GUI’s state folder', () => {
    expect(engineArgs({ command: ['node', 'bin.js'], stateDir: '/s', env: {}, cwd: '/' }, ['history'])).toEqual([
      'node',
      'bin.js',
      'history',
      '--json',
      '--state-dir',
      '/s',
    ]);
    expect(engineArgs({ command: ['relocate.exe'], env: {}, cwd: '/' }, ['plan', 'm.yaml'])).toEqual(['relocate.exe', 'plan', 'm.yaml', '--json']);
  });

  it('history rows: finished and unfinished runs can be rolled back, rolled-back ones not', () => {
    const rows = runRows({
      runs: [
        { id: 'a', status: 'done', unfinished: false, startedAt: 't', changes: 2, error: null },
        { id: 'b', status: 'rolled-back', unfinished: false, startedAt: 't', changes: 1, error: null },
        { id: 'c', status: 'failed', unfinished: true, startedAt: 't', changes: 1, error: { code: 'E_IO' } },
      ],
    });
    expect(rows.map((r) => [r.id, r.canRollBack, r.summary])).toEqual([
      ['a', true, '2 changes'],
      ['b', false, '1 change'],
      ['c', true, '1 change (E_IO)'],
    ]);
  });
});

describe('command lines', () => {
  it('elevation: Start-Process -Verb RunAs of relocate apply PLAN, each argument quoted, waiting for its exit code', () => {
    const cmd = elevatedCommandLine([
      'C:\\Program Files\\relocate\\relocate.exe',
      'apply',
      "C:\\Users\\o'neil\\AppData\\Local\\Temp\\relocate-gui-1\\plan-2.json",
      '--yes',
      '--state-dir',
      'C:\\state dir\\',
    ]);
    expect(cmd.slice(0, 4)).toEqual(['powershell.exe', '-NoProfile', '-NonInteractive', '-EncodedCommand']);
    // The script travels as UTF-16LE base64: no quoting of the outer command line can change it.
    const script = Buffer.from(cmd[4]!, 'base64').toString('utf16le');
    expect(script).toBe(
      "$p = Start-Process -FilePath 'C:\\Program Files\\relocate\\relocate.exe' -ArgumentList '\"apply\"','\"C:\\Users\\o''neil\\AppData\\Local\\Temp\\relocate-gui-1\\plan-2.json\"','\"--yes\"','\"--state-dir\"','\"C:\\state dir\\\\\"' -Verb RunAs -Wait -PassThru; exit $p.ExitCode",
    );
    // Only that one apply is elevated, never the server (`relocate gui`).
    expect(script).not.toContain('\'"gui"\'');
  });

  it('opening the browser: xdg-open, open, cmd /c start ""', () => {
    expect(openerCommand('http://127.0.0.1:1/?token=a', 'linux')).toEqual(['xdg-open', 'http://127.0.0.1:1/?token=a']);
    expect(openerCommand('http://127.0.0.1:1/?token=a', 'darwin')).toEqual(['open', 'http://127.0.0.1:1/?token=a']);
    expect(openerCommand('http://127.0.0.1:1/?token=a', 'win32')).toEqual(['cmd.exe', '/d', '/s', '/c', 'start "" "http://127.0.0.1:1/?token=a"']);
  });
});

describe('the event stream', () => {
  /** A ServerResponse stand-in that records what is written. */
  function fakeResponse(): { res: import('node:http').ServerResponse; text: () => string; head: () => Record<string, string> } {
    let text = '';
    let head: Record<string, string> = {};
    const listeners: Record<string, () => void> = {};
    const res = {
      writeHead: (_status: number, h: Record<string, string>) => (head = h),
      write: (t: string) => (text += t),
      end: () => listeners.close?.(),
      on: (ev: string, fn: () => void) => (listeners[ev] = fn),
    } as unknown as import('node:http').ServerResponse;
    return { res, text: () => text, head: () => head };
  }

  it('starts with retry, sends keep-alive comments, replays the running job to a late page, and allows one job at a time', async () => {
    const { Jobs, JobBusy } = await import('../../src/gui/server/jobs.js');
    const jobs = new Jobs('linux', 20);
    let finish!: (r: { code: number; signal: null; stdout: string; stderr: string }) => void;
    let emit!: (line: string) => void;
    const jobId = jobs.start('apply', (onLine) => {
      emit = onLine;
      return { pid: 1, stop: () => undefined, done: new Promise((r) => (finish = r)) };
    });
    emit('{"progress":1,"event":"start","command":"apply","entries":1,"bytesTotal":9}');
    expect(() => jobs.start('rollback', () => ({ pid: 2, stop: () => undefined, done: new Promise(() => undefined) }))).toThrow(JobBusy);
    const late = fakeResponse();
    jobs.listen(late.res);
    expect(late.head()['Content-Type']).toBe('text/event-stream; charset=utf-8');
    expect(late.head()['Content-Security-Policy']).toBeDefined();
    expect(late.text()).toMatch(/^retry: \d+\n\n/);
    expect(late.text()).toContain(`data: {"type":"start","jobId":"${jobId}","command":"apply","entries":1,"bytesTotal":9}\n\n`);
    await new Promise((r) => setTimeout(r, 60));
    expect(late.text()).toContain(': keep-alive\n\n');
    finish({ code: 0, signal: null, stdout: '{"formatVersion":1,"run":"r1","result":"done"}', stderr: '' });
    await new Promise((r) => setTimeout(r, 10));
    expect(late.text()).toContain(
      `data: {"type":"done","jobId":"${jobId}","ok":true,"runId":"r1","result":{"formatVersion":1,"run":"r1","result":"done"}}\n\n`,
    );
    expect(jobs.busy).toBeUndefined();
    await jobs.close();
  });
});

describe('the elevated apply', () => {
  it('runs the saved plan; a plan the engine found blocked (no symlink privilege) is planned again by the elevated apply of the manifest', async () => {
    const { elevatedApplyArgs } = await import('../../src/gui/server/routes.js');
    expect(elevatedApplyArgs({ file: 'C:\\T\\plan-2.json', blocked: false }, 'C:\\m.yaml', 'C:\\state')).toEqual([
      'apply',
      'C:\\T\\plan-2.json',
      '--yes',
      '--state-dir',
      'C:\\state',
    ]);
    expect(elevatedApplyArgs({ file: 'C:\\T\\plan-2.json', blocked: true }, 'C:\\m.yaml', undefined)).toEqual(['apply', 'C:\\m.yaml', '--yes']);
  });
});
