import { describe, expect, it } from 'vitest';
import { deleteClearingReadOnly } from '../../src/platform/windows/read-only.js';

/** A fake entry: deleting it fails while it is read-only, as _wrmdir does on Windows. */
function entry(readOnly: boolean, failWith = 'EPERM') {
  const e = { readOnly, deleted: false, cleared: 0, attempts: 0 };
  const del = () => {
    e.attempts++;
    if (e.readOnly) throw Object.assign(new Error(`${failWith}: operation not permitted`), { code: failWith });
    e.deleted = true;
  };
  const clear = () => {
    e.cleared++;
    e.readOnly = false;
  };
  return { e, del, clear };
}

describe('Windows read-only attribute: cleared, then deleted (not a refusal)', () => {
  it('deletes a read-only entry on Windows by clearing the attribute and retrying once', () => {
    for (const code of ['EPERM', 'EACCES']) {
      const { e, del, clear } = entry(true, code);
      deleteClearingReadOnly(del, clear, 'win32');
      expect(e).toMatchObject({ deleted: true, cleared: 1, attempts: 2 });
    }
  });

  it('touches nothing when the delete works at once', () => {
    const { e, del, clear } = entry(false);
    deleteClearingReadOnly(del, clear, 'win32');
    expect(e).toMatchObject({ deleted: true, cleared: 0, attempts: 1 });
  });

  it('elsewhere, EPERM (an immutable file) is reported as it is, nothing cleared', () => {
    const { e, del, clear } = entry(true);
    expect(() => deleteClearingReadOnly(del, clear, 'linux')).toThrow(/EPERM/);
    expect(e).toMatchObject({ deleted: false, cleared: 0, attempts: 1 });
  });

  it('other errors (a folder not empty, a file in use) are not retried; a failed clear reports the delete error', () => {
    const busy = entry(true, 'EBUSY');
    expect(() => deleteClearingReadOnly(busy.del, busy.clear, 'win32')).toThrow(/EBUSY/);
    expect(busy.e.cleared).toBe(0);
    const denied = entry(true);
    expect(() =>
      deleteClearingReadOnly(
        denied.del,
        () => {
          throw Object.assign(new Error('EACCES: chmod'), { code: 'EACCES' });
        },
        'win32',
      ),
    ).toThrow(/EPERM: operation not permitted/);
    expect(denied.e.attempts).toBe(1);
  });
});
