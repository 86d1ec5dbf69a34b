import { describe, expect, it } from 'vitest';
import { doubleClickManifest, opensWindow } from '../../src/platform/double-click.js';

describe('relocate.exe started from Explorer', () => {
  it('opens the window only on Windows, with no arguments, on a console of its own', () => {
    expect(opensWindow('win32', [], 1)).toBe(true);
    // A command prompt shares its console: the usage, as asked.
    expect(opensWindow('win32', [], 2)).toBe(false);
    // No console at all (a service, a pipe from another program): never a window.
    expect(opensWindow('win32', [], undefined)).toBe(false);
    expect(opensWindow('win32', ['--help'], 1)).toBe(false);
    expect(opensWindow('win32', ['plan'], 1)).toBe(false);
    expect(opensWindow('linux', [], 1)).toBe(false);
    expect(opensWindow('darwin', [], 1)).toBe(false);
  });

  it('keeps its manifest in the roaming profile, whatever folder the executable is in', () => {
    expect(doubleClickManifest({ APPDATA: 'C:\\Users\\ana\\AppData\\Roaming' }, 'C:\\Users\\ana')).toBe(
      'C:\\Users\\ana\\AppData\\Roaming\\relocate\\relocate.yaml',
    );
    // APPDATA missing or not absolute: the profile's usual place.
    expect(doubleClickManifest({}, 'C:\\Users\\ana')).toBe('C:\\Users\\ana\\AppData\\Roaming\\relocate\\relocate.yaml');
    expect(doubleClickManifest({ APPDATA: 'relative' }, 'C:\\Users\\ana')).toBe('C:\\Users\\ana\\AppData\\Roaming\\relocate\\relocate.yaml');
  });
});
