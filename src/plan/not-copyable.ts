import type { NotCopyableReason, TreeMeasure } from '../state/types.js';
import type { Decision } from './decide.js';
import type { Finding } from './types.js';
import { moveOf } from './actions.js';

/**
 * What a copy to another volume must not do on Windows, and what it keeps
 * of permissions there. Pure: the reader measured the tree
 * (TreeMeasure.notCopyable, .permissionsCopy); this decides what they
 * mean for one entry. Only a move across volumes copies: a rename on one
 * volume moves placeholders and encrypted files as they are.
 */

const WHAT: Record<NotCopyableReason, string> = {
  'cloud-placeholder': 'cloud placeholder(s) (OneDrive or another cloud-files provider keeps their data online)',
  encrypted: 'EFS-encrypted file(s)',
};

/**
 * E_CLOUD_PLACEHOLDER: copying a placeholder reads it, which makes the
 * provider download it, so moving a synced folder would download all of it
 * (and the copy would no longer be a placeholder). E_ENCRYPTED: a plain read
 * of an EFS file gives its clear text, so the copy would be decrypted.
 * One finding per reason, naming the first files.
 */
export function notCopyableFindings(d: Decision, tree: TreeMeasure | undefined): Finding[] {
  const n = tree?.notCopyable;
  const move = moveOf(d);
  if (!n || !move?.crossVolume) return [];
  const out: Finding[] = [];
  for (const why of ['cloud-placeholder', 'encrypted'] as const) {
    const listed = n.first.filter((f) => f.why === why);
    const first = listed[0];
    if (!first) continue;
    const unlisted = n.count - n.first.length;
    const more = unlisted > 0 ? ` (and ${unlisted} more not listed)` : '';
    const named = listed.map((f) => f.path).join(', ');
    out.push(
      why === 'cloud-placeholder'
        ? {
            severity: 'error',
            code: 'E_CLOUD_PLACEHOLDER',
            path: first.path,
            message: `${move.from} holds ${WHAT[why]}: ${named}${more}. Copying them to another drive would download them all`,
            hint: "in OneDrive, right-click the folder and choose 'Always keep on this device' (wait until it is downloaded), or leave the folder out of the manifest",
          }
        : {
            severity: 'error',
            code: 'E_ENCRYPTED',
            path: first.path,
            message: `${move.from} holds ${WHAT[why]}: ${named}${more}. relocate cannot copy them to another drive encrypted, and will not leave decrypted copies`,
            hint: 'decrypt them first (file Properties > Advanced, or `cipher /d`), or choose a target on the same drive',
          },
    );
  }
  return out;
}

/**
 * W_PERMISSIONS_COPIED / W_PERMISSIONS_NOT_COPIED: what a copy across
 * volumes keeps of owners and permissions on Windows, robocopy's way: with
 * SeBackupPrivilege and SeRestorePrivilege (an elevated administrator) the
 * owner and DACL, without them data, attributes and times only (/COPY:DAT).
 */
export function permissionsFindings(d: Decision, tree: TreeMeasure | undefined): Finding[] {
  const kept = tree?.permissionsCopy;
  const move = moveOf(d);
  if (!kept || !move?.crossVolume) return [];
  if (kept === 'owner-dacl') {
    return [
      {
        severity: 'warning',
        code: 'W_PERMISSIONS_COPIED',
        path: move.from,
        message: `the copy of ${move.from} keeps its owners and permissions (this process holds SeBackupPrivilege and SeRestorePrivilege)`,
      },
    ];
  }
  return [
    {
      severity: 'warning',
      code: 'W_PERMISSIONS_NOT_COPIED',
      path: move.from,
      message: `owners and permissions of ${move.from} are not copied (robocopy /COPY:DAT): the copy gets the permissions of ${move.to}'s folder`,
      hint: 'run relocate from an elevated (administrator) prompt to keep them',
    },
  ];
}
