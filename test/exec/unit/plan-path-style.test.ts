/**
 * Issue 17 §4: the executor takes its path style from the plan, not from
 * the host. Windows steps run here, on whatever host runs the tests,
 * against a fake disk that keeps paths exactly as given: the paths the
 * code joins and compares must be spelled and compared the Windows way.
 */
import { describe, expect, it } from 'vitest';
import { nodeJournalDisk } from '../../../src/platform/journal-fs.js';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { styleForOs } from '../../../src/core/paths.js';
import { doStep } from '../../../src/exec/do-step.js';
import { runUndo } from '../../../src/exec/executor.js';
import type { NodeMeta } from '../../../src/exec/fs-port.js';
import type { StepFor } from '../../../src/exec/steps.js';
import { undoStep } from '../../../src/exec/undo-step.js';
import { RunStore } from '../../../src/journal/runs.js';
import type { RunRecord } from '../../../src/journal/types.js';
import { RecordingPort } from './recording-port.js';

const WIN = styleForOs('win32');
const POSIX = styleForOs('linux');

const meta = (rel: string, kind: NodeMeta['kind']): NodeMeta => ({ rel, kind, mode: 0o755, mtimeMs: 1, atimeMs: 1 });

describe('undo of a subset delete with Windows paths', () => {
  const s: StepFor['delete'] = { op: 'delete', path: 'C:\\Users\\me\\Games.relocate-old-x-0', twin: 'D:\\Games', subset: true };
  const nodes = [meta('', 'dir'), meta('sub', 'dir'), meta('sub/a.txt', 'file')];
  const disk = () => {
    const fs = new RecordingPort();
    fs.put(s.path, 'dir');
    fs.put(s.twin, 'dir');
    fs.put('C:\\Users\\me\\Games.relocate-old-x-0\\sub', 'dir');
    fs.put('D:\\Games\\sub', 'dir');
    fs.put('D:\\Games\\sub\\a.txt', 'file');
    return fs;
  };

  it("puts the missing file back at its Windows path, from the twin's, through a staging name beside it", async () => {
    const fs = disk();
    expect(await undoStep({ fs, style: WIN }, s, { nodes }, false, false)).toBeUndefined();
    expect(fs.calls).toContain('restoreSnapshot(D:\\Games\\sub\\a.txt, C:\\Users\\me\\Games.relocate-old-x-0\\sub\\a.txt.relocate-partial-undo)');
    expect(fs.calls).toContain(
      'renameNoReplace(C:\\Users\\me\\Games.relocate-old-x-0\\sub\\a.txt.relocate-partial-undo, C:\\Users\\me\\Games.relocate-old-x-0\\sub\\a.txt)',
    );
    expect(fs.nodes.has('C:\\Users\\me\\Games.relocate-old-x-0\\sub\\a.txt')).toBe(true);
    // No path spelled the host's way.
    expect(fs.calls.join('\n')).not.toMatch(/\//);
  });

  it('the same undo with a POSIX style joins with / (what a host style would have done to a Windows plan)', async () => {
    const fs = disk();
    expect(await undoStep({ fs, style: POSIX }, s, { nodes }, false, false)).toBeUndefined();
    expect(fs.calls).toContain('restoreSnapshot(D:\\Games/sub/a.txt, C:\\Users\\me\\Games.relocate-old-x-0/sub/a.txt.relocate-partial-undo)');
  });
});

describe("link paths compared the plan's way", () => {
  it('unlink removes a junction whose destination differs from the target only in case (Windows compares names without case)', async () => {
    const s: StepFor['unlink'] = { op: 'unlink', path: 'C:\\Users\\me\\Games', target: 'D:\\Data\\Games' };
    const info = { kind: 'junction' as const, linkText: 'd:\\data\\games', dest: 'd:\\data\\games', isDir: true, sameFile: false };
    const fs = new RecordingPort();
    fs.put(s.path, 'junction', undefined, info.dest);
    await doStep({ fs, style: WIN }, s, info);
    expect(fs.calls).toEqual(['removeLink(C:\\Users\\me\\Games)']);
    // Compared the POSIX way the two differ, and the link is kept.
    await expect(doStep({ fs: new RecordingPort(), style: POSIX }, s, info)).rejects.toMatchObject({ code: 'E_NOT_A_LINK' });
  });

  it("a rollback of a Windows run takes the style from the run's plan: its junction, read back in another case, is removed", async () => {
    const stateDir = mkdtempSync(path.join(os.tmpdir(), 'relocate-style-'));
    try {
      const step: StepFor['link'] = { op: 'link', path: 'C:\\Users\\me\\Games', target: 'D:\\Data\\Games', kind: 'junction' };
      const record = { id: 'r1', plan: { os: 'win32', entries: [] }, steps: [{ n: 0, entry: 0, step }] } as unknown as RunRecord;
      const store = new RunStore(nodeJournalDisk, stateDir, record.id);
      mkdirSync(store.dir, { recursive: true });
      store.append({ t: 'begin', n: 0, at: 'x' });
      store.append({ t: 'done', n: 0, at: 'x' });
      const fs = new RecordingPort();
      fs.put(step.path, 'junction', undefined, 'd:\\data\\GAMES');
      expect(await runUndo({ fs, store, record }, false)).toEqual([]);
      store.close();
      expect(fs.calls).toEqual(['removeLink(C:\\Users\\me\\Games)']);
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
