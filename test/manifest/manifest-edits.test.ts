import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { addMoveEntry, GUI_MANIFEST_HEADER, ManifestEditError, setEntryState } from '../../src/manifest/manifest-edits.js';

/** The edits `relocate gui` makes: one change each, every other byte kept. */

const COMMENTED = `# my links
version: 1
vars:
  fast: D:\\Fast   # the fast disk
links:
  # games first
  - link: C:\\Games
    target: D:\\Games # big
    type: junction

  - link: ~/.config/nvim
    target: ./nvim
    state: present
# trailing comment
`;

describe('addMoveEntry', () => {
  it('adds the entry after the last one, keeping comments, order, spacing and the trailing comment', () => {
    const out = addMoveEntry(COMMENTED, { link: '/home/u/Videos', target: '/mnt/big/Videos' });
    expect(out.startsWith(COMMENTED.slice(0, COMMENTED.indexOf('# trailing comment')))).toBe(true);
    expect(out).toContain('# my links');
    expect(out).toContain('# the fast disk');
    expect(out).toContain('# games first');
    expect(out).toContain('# big');
    expect(out).toContain('# trailing comment');
    const links = (parseDocument(out).toJS() as { links: Record<string, string>[] }).links;
    expect(links.map((l) => l.link)).toEqual(['C:\\Games', '~/.config/nvim', '/home/u/Videos']);
    expect(links[2]).toEqual({ link: '/home/u/Videos', target: '/mnt/big/Videos' });
    // Items separated by a blank line get their new neighbour separated the same way.
    expect(out).toContain('    state: present\n\n  - link: /home/u/Videos\n    target: /mnt/big/Videos\n');
  });

  it('makes a new manifest with a header when there is none', () => {
    const out = addMoveEntry(undefined, { link: 'C:\\Games', target: 'D:\\Games' });
    for (const h of GUI_MANIFEST_HEADER) expect(out).toContain(`# ${h}`);
    expect(parseDocument(out).toJS()).toEqual({ version: 1, links: [{ link: 'C:\\Games', target: 'D:\\Games' }] });
  });

  it('quotes what YAML would misread, and keeps CRLF line ends', () => {
    const out = addMoveEntry('version: 1\r\nlinks:\r\n  - link: /a\r\n    target: /b\r\n', { link: '/x: y #z', target: "/it's" });
    expect((parseDocument(out).toJS() as { links: unknown[] }).links[1]).toEqual({ link: '/x: y #z', target: "/it's" });
    expect(out.replace(/\r\n/g, '')).not.toContain('\n');
  });

  it('fills an empty flow list', () => {
    const out = addMoveEntry('version: 1\nlinks: [] # none yet\n', { link: '/a', target: '/b' });
    expect(out).toContain('# none yet');
    expect(parseDocument(out).toJS()).toEqual({ version: 1, links: [{ link: '/a', target: '/b' }] });
  });
});

describe('setEntryState', () => {
  it('adds state: absent under the entry, at its keys’ indentation, keeping the comments', () => {
    const out = setEntryState(COMMENTED, 0, 'absent');
    expect(out).toBe(COMMENTED.replace('    type: junction\n', '    type: junction\n    state: absent\n'));
  });

  it('replaces an existing state in place', () => {
    const out = setEntryState(COMMENTED, 1, 'absent');
    expect(out).toBe(COMMENTED.replace('state: present', 'state: absent'));
  });

  it('handles a flow-style entry through the Document API', () => {
    const out = setEntryState('version: 1\nlinks:\n  - { link: /a, target: /b } # one\n', 0, 'absent');
    expect(parseDocument(out).toJS()).toEqual({ version: 1, links: [{ link: '/a', target: '/b', state: 'absent' }] });
    expect(out).toContain('# one');
  });

  it('refuses an index with no entry', () => {
    expect(() => setEntryState(COMMENTED, 5, 'absent')).toThrow(ManifestEditError);
    expect(() => setEntryState('version: 1\nlinks: []\n', 0, 'absent')).toThrow(/no entry links\[0\]/);
  });
});
