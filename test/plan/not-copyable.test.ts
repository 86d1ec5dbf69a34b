/**
 * Issue 15, Windows, in the pure planner: cloud placeholders and EFS files
 * refused before a copy to another drive (naming them and what to do), and
 * the plan's note on whether owners and permissions are copied.
 */
import { describe, expect, it } from 'vitest';
import type { EntryObservation, TreeMeasure } from '../../src/state/types.js';
import { WIN_STYLE, codes, context, entry, obs, pair, planOne, tree, vol } from '../helpers/plan-fixtures.js';
import { makePlan } from '../../src/plan/planner.js';
import { moveOf } from '../../src/plan/actions.js';

const LINK = 'C:\\Users\\u\\OneDrive\\Photos';
const FAR = 'E:\\Photos';
const NEAR = 'C:\\Store\\Photos';

function move(cross: boolean, t: TreeMeasure): EntryObservation {
  return pair(WIN_STYLE, obs.dir(LINK, vol('C')), obs.absent(cross ? FAR : NEAR, vol(cross ? 'E' : 'C')), { linkTree: t });
}

const placeholders = (count = 1): Partial<TreeMeasure> => ({
  notCopyable: { count, first: [{ path: `${LINK}\\2019\\beach.jpg`, why: 'cloud-placeholder' }] },
});

describe('E_CLOUD_PLACEHOLDER / E_ENCRYPTED: files a copy must not read are refused at plan time', () => {
  it('refuses a move to another drive of a folder holding a cloud placeholder, naming it and the OneDrive way out', () => {
    const p = planOne(entry(WIN_STYLE, LINK, FAR), move(true, tree(10, 2, placeholders())), context('win32'));
    expect(p.action).toBe('move');
    expect(codes(p)).toContain('E_CLOUD_PLACEHOLDER');
    const f = p.findings.find((x) => x.code === 'E_CLOUD_PLACEHOLDER')!;
    expect(f.severity).toBe('error');
    expect(f.path).toBe(`${LINK}\\2019\\beach.jpg`);
    expect(f.message).toContain(`${LINK}\\2019\\beach.jpg`);
    expect(f.message).toContain('download');
    expect(f.hint).toContain('Always keep on this device');
    expect(makePlan([entry(WIN_STYLE, LINK, FAR)], [move(true, tree(10, 2, placeholders()))], context('win32')).blocked).toBe(true);
  });

  it('counts the placeholders beyond those named', () => {
    const p = planOne(entry(WIN_STYLE, LINK, FAR), move(true, tree(10, 2, placeholders(40))), context('win32'));
    expect(p.findings.find((x) => x.code === 'E_CLOUD_PLACEHOLDER')!.message).toContain('and 39 more not listed');
  });

  it('lets a same-drive move rename a folder of placeholders (nothing is read)', () => {
    const p = planOne(entry(WIN_STYLE, LINK, NEAR), move(false, tree(10, 2, placeholders())), context('win32'));
    expect(moveOf(p)?.crossVolume).toBe(false);
    expect(codes(p)).not.toContain('E_CLOUD_PLACEHOLDER');
  });

  it('refuses EFS-encrypted files with their own code and hint, alongside placeholders', () => {
    const t = tree(10, 2, {
      notCopyable: {
        count: 2,
        first: [
          { path: `${LINK}\\a.jpg`, why: 'cloud-placeholder' },
          { path: `${LINK}\\secret.txt`, why: 'encrypted' },
        ],
      },
    });
    const p = planOne(entry(WIN_STYLE, LINK, FAR), move(true, t), context('win32'));
    expect(codes(p)).toEqual(expect.arrayContaining(['E_CLOUD_PLACEHOLDER', 'E_ENCRYPTED']));
    const e = p.findings.find((x) => x.code === 'E_ENCRYPTED')!;
    expect(e.path).toBe(`${LINK}\\secret.txt`);
    expect(e.message).not.toContain('a.jpg');
    expect(e.hint).toContain('cipher /d');
  });
});

describe('the plan says whether a copy keeps owners and permissions (robocopy semantics)', () => {
  it('without the backup and restore privileges: W_PERMISSIONS_NOT_COPIED with the way to keep them', () => {
    const p = planOne(entry(WIN_STYLE, LINK, FAR), move(true, tree(10, 2, { permissionsCopy: 'none' })), context('win32'));
    const f = p.findings.find((x) => x.code === 'W_PERMISSIONS_NOT_COPIED')!;
    expect(f.severity).toBe('warning');
    expect(f.message).toContain('/COPY:DAT');
    expect(f.hint).toContain('administrator');
    expect(codes(p)).not.toContain('W_PERMISSIONS_COPIED');
  });

  it('with them: W_PERMISSIONS_COPIED; a same-drive rename says nothing (it keeps everything)', () => {
    const p = planOne(entry(WIN_STYLE, LINK, FAR), move(true, tree(10, 2, { permissionsCopy: 'owner-dacl' })), context('win32'));
    expect(codes(p)).toContain('W_PERMISSIONS_COPIED');
    const same = planOne(entry(WIN_STYLE, LINK, NEAR), move(false, tree(10, 2, { permissionsCopy: 'none' })), context('win32'));
    expect(codes(same).filter((c) => c.startsWith('W_PERMISSIONS'))).toEqual([]);
  });
});
