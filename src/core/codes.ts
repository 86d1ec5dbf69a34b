/**
 * Every error and warning code a person or a script can see: in a message
 * (`error E_STALE_PLAN: …`), in `--json` output, in a plan's findings, in a
 * journal's failed step, or in an answer of `relocate gui`'s HTTP API. One
 * table, so a code means one thing everywhere and the README's list of codes
 * is made from it (`npm run docs:codes`; test/core/codes.test.ts checks the
 * list and that every code written in src/ is here).
 *
 * Invariants: a code never changes meaning once released (scripts match on
 * it): add codes, never rename or reuse one. `E_` codes are errors (they stop
 * what was asked, or block a plan); `W_` codes are warnings (shown, never
 * blocking). `means` is one sentence for people, true of every place the
 * code is raised.
 */

/** Where a code is raised, for the README's grouping. */
export type CodeArea = 'manifest' | 'usage' | 'plan' | 'run' | 'state' | 'gui';

/** One code's entry. */
export interface CodeInfo {
  readonly area: CodeArea;
  readonly means: string;
}

export const CODES = {
  // The manifest: found by `validate`, and before every other command reads it.
  E_READ: { area: 'manifest', means: 'The manifest, a saved plan, or a folder given on the command line, cannot be read.' },
  E_NOT_FOUND: {
    area: 'manifest',
    means: 'Nothing is at a path given: the manifest, a saved plan, a folder given to `scan` or `import` (or its drive), a page of `relocate gui`.',
  },
  E_EMPTY: { area: 'manifest', means: 'The manifest file is empty.' },
  E_TOO_LARGE: { area: 'manifest', means: 'The manifest is larger than relocate reads (is it the right file?).' },
  E_NOT_TEXT: { area: 'manifest', means: 'The manifest is not UTF-8 text.' },
  E_YAML: { area: 'manifest', means: 'The manifest is not valid YAML; the position is given.' },
  E_YAML_ALIASES: { area: 'manifest', means: 'YAML aliases in the manifest expand too far; write the entries out.' },
  E_DUPLICATE_KEY: { area: 'manifest', means: 'A key appears twice in one mapping of the manifest.' },
  E_SCHEMA: { area: 'manifest', means: 'A value in the manifest has the wrong type or is not one of the allowed values.' },
  E_UNKNOWN_KEY: { area: 'manifest', means: 'The manifest has a key relocate does not know (often a misspelling; the nearest known key is suggested).' },
  E_MISSING_KEY: { area: 'manifest', means: 'A required key (such as `link` or `target`) is missing.' },
  E_UNKNOWN_VAR: { area: 'manifest', means: 'A path uses a variable that is not defined.' },
  E_VAR_CYCLE: { area: 'manifest', means: 'Variables refer to each other in a cycle.' },
  E_NAME_WITHOUT_GLOB: { area: 'manifest', means: '`{name}` is used in an entry whose link is not a glob.' },
  E_PATH_NO_DRIVE: { area: 'manifest', means: 'A Windows path has no drive letter.' },
  E_WINDOWS_PATH: {
    area: 'manifest',
    means: 'A Windows path (drive letter, UNC share, %VAR%) in an entry read on Linux or macOS without a `when:` that skips it.',
  },
  E_DUPLICATE_LINK: { area: 'manifest', means: 'Two entries name the same link.' },
  E_SELF_LINK: { area: 'manifest', means: "An entry's link and target are the same path." },
  E_NESTED_SELF: { area: 'manifest', means: "An entry's target is inside its own link, or its link inside its own target." },
  E_PATH_CLAIMED: { area: 'manifest', means: "One entry's link is another entry's target." },
  E_HARDLINK_DIR: { area: 'manifest', means: 'A hard link is asked for a folder; hard links are for files only.' },
  E_INVALID_MANIFEST: { area: 'manifest', means: 'The manifest has errors; each is listed with its own code and position.' },
  W_GLOB_NO_MATCH: { area: 'manifest', means: 'A glob link matches nothing on this machine.' },
  W_GLOB_NOT_EXPANDED: { area: 'manifest', means: 'A glob link for another OS is not expanded on this machine.' },
  W_FOREIGN_RELATIVE: { area: 'manifest', means: "A relative path in an entry for another OS is shown against a stand-in for the manifest's folder." },

  // Using the command line.
  E_USAGE: { area: 'usage', means: 'The command line is wrong: an unknown command or option, a missing or extra argument.' },
  E_NO_MANIFEST: {
    area: 'usage',
    means: 'No manifest was given and none was found in the current folder (or, for `relocate gui`, the manifest does not exist yet).',
  },
  E_NEEDS_YES: { area: 'usage', means: 'A command that changes the disk has no terminal to ask for confirmation; pass `--yes`.' },
  E_WRITE: { area: 'usage', means: 'A file relocate was asked to write (`--write`, `plan --out`) cannot be written; it is unchanged.' },
  E_OUT_INSIDE_MOVE: { area: 'usage', means: '`plan --out` names a file inside a folder the plan moves.' },
  E_BAD_PLAN: { area: 'usage', means: 'The file given as a saved plan is not one `relocate plan --out` wrote, or was written by another version of relocate.' },
  E_DSC_INPUT: { area: 'usage', means: '`relocate dsc`: the JSON on standard input is not a Relocate/Link instance.' },

  // The plan: checks that block `apply` (errors) or are shown (warnings), before anything changes.
  E_CONFLICT: {
    area: 'plan',
    means:
      "An entry's paths are in a state relocate will not act on (data at both that the entry's `conflict:` does not settle, something it will not replace); the plan says why for each.",
  },
  E_STALE_PLAN: { area: 'plan', means: 'The disk changed since the plan (or saved plan) was made; nothing was changed.' },
  E_NO_SPACE: { area: 'plan', means: 'The destination volume has too little free space for the data to move (or the disk filled up).' },
  E_NO_INODES: { area: 'plan', means: "The destination volume's inode table cannot hold the files and folders the move would create there." },
  E_IN_USE: { area: 'plan', means: 'A program has a file inside the folder open; the message names it.' },
  E_CROSS_VOLUME: { area: 'plan', means: 'A hard link would cross volumes, or a rename met another volume.' },
  E_SYMLINK_PRIVILEGE: { area: 'plan', means: 'Windows: making a symbolic link needs Developer Mode or the "Create symbolic links" privilege.' },
  E_JUNCTION_FILE: { area: 'plan', means: 'Windows: a junction can point only to a folder, and this entry is a file.' },
  E_JUNCTION_FS: { area: 'plan', means: 'Windows: the volume (FAT, exFAT) cannot hold a junction.' },
  E_JUNCTION_REMOTE: { area: 'plan', means: 'Windows: a junction can point only to a local drive, not a network share.' },
  E_LINK_PARENT: { area: 'plan', means: 'The link path is inside a folder that is itself a link: relocate would act through it.' },
  E_SHARED_TARGET: { area: 'plan', means: 'More than one entry would move data into (or out of) one target.' },
  E_PROTECTED: {
    area: 'plan',
    means:
      "The path is a system folder, a drive root, the home folder or relocate's state folder, which relocate never moves (`force: true` lifts it where the README says it may).",
  },
  E_IMMUTABLE: {
    area: 'plan',
    means: 'Data that would be deleted or renamed holds immutable or append-only files or folders (chattr +i/+a, chflags uchg/uappnd).',
  },
  E_MOUNT_INSIDE: {
    area: 'plan',
    means: 'Another volume (or a bind mount) is mounted inside a tree that would move or be deleted; relocate never crosses a device boundary.',
  },
  E_MOUNT_POINT: { area: 'plan', means: 'The link path (or the path data would move out of) is itself a mount point.' },
  E_PSEUDO_FS: { area: 'plan', means: 'The path is on a kernel pseudo file system (proc, sysfs, cgroup, devtmpfs); nothing there is stored on a disk.' },
  E_UNSUPPORTED_NODE: { area: 'plan', means: 'The data holds a device, socket or pipe, which relocate does not copy.' },
  E_CASE_COLLISION: { area: 'plan', means: 'Two names of the data are one name on the destination, which ignores case (README and Readme).' },
  E_NAME_UNFIT: {
    area: 'plan',
    means: "A name of the data cannot be stored on the destination: Windows' reserved names and characters, on Windows or a FAT/exFAT volume.",
  },
  E_NAME_TOO_LONG: { area: 'plan', means: 'A name of the data is longer than the destination file system holds.' },
  E_PATH_TOO_LONG: { area: 'plan', means: 'A path of the copy would be longer than the OS takes.' },
  E_CLOUD_PLACEHOLDER: {
    area: 'plan',
    means: 'Windows: the data holds cloud placeholders (OneDrive and other cloud-files providers); copying them would download them.',
  },
  E_ENCRYPTED: { area: 'plan', means: 'Windows: the data holds EFS-encrypted files; a copy to another volume would be decrypted.' },
  E_PATH_LOCKED: { area: 'plan', means: 'A path of the run is held by a run from another state folder; the message names the holder.' },
  W_TARGET_MISSING: { area: 'plan', means: 'A link points to a target that does not exist (a broken link).' },
  W_LINK_LOOP: { area: 'plan', means: 'A link leads back through links to itself.' },
  W_NETWORK: { area: 'plan', means: 'The target is on a network share: the copy will be slow and depends on the connection.' },
  W_IN_USE_UNKNOWN: { area: 'plan', means: 'Some processes could not be checked for open files (run as root or administrator to check them).' },
  W_OUTSIDE_HARDLINKS: { area: 'plan', means: 'Files of the data are hard links of files outside it: the move frees less space than its size.' },
  W_OWNER_MOVER: { area: 'plan', means: 'The program that owns this folder can move it itself, which is the better way; the warning names how.' },
  W_PATH_LOCKED: {
    area: 'plan',
    means: 'A path of the plan is in use by a run from another state folder; `apply` will refuse until it is finished or undone.',
  },
  W_PERMISSIONS_COPIED: { area: 'plan', means: 'Windows: the copy keeps owners and permissions (this process holds the backup and restore privileges).' },
  W_PERMISSIONS_NOT_COPIED: {
    area: 'plan',
    means: "Windows: the copy gets the destination folder's permissions, not the original's (run elevated to keep them).",
  },
  W_RELATIVE_LINK_OUT: { area: 'plan', means: 'A relative symbolic link inside the data points outside it, and will point somewhere else after the move.' },
  W_WINDOWS_NAME: { area: 'plan', means: 'A name of the data is stored on this NTFS volume but cannot be opened on Windows.' },

  // A run: `apply`, `resume`, `rollback`, and what they meet on the disk.
  E_INTERRUPTED_RUN: { area: 'run', means: 'An earlier run did not finish; `relocate resume` finishes it, `relocate rollback` undoes it.' },
  E_INTERRUPTED: { area: 'run', means: 'The run was stopped (SIGINT, SIGTERM, SIGHUP, or `stop` on standard input) at a safe point between two steps.' },
  E_ACCESS: { area: 'run', means: 'Permission denied.' },
  E_READ_ONLY: { area: 'run', means: 'The volume is read-only.' },
  E_EXISTS: { area: 'run', means: 'Something already is where relocate would create or rename a path; relocate never replaces it.' },
  E_MISSING: { area: 'run', means: 'A path the step needs is gone.' },
  E_IO: { area: 'run', means: "The disk reported an I/O error, or an error relocate has no other code for; the message has the system's words." },
  E_VERIFY: {
    area: 'run',
    means: 'The copy differs from the original, found before the original (or the rest of it) is deleted; the message names the first difference.',
  },
  E_CANNOT_KEEP: {
    area: 'run',
    means: 'The copy cannot keep something of the original (an extended attribute, an ACL, a stream, the owner) that the destination refuses.',
  },
  E_NOT_A_LINK: { area: 'run', means: 'A path relocate would remove as a link is not the link it expects; it is left alone.' },
  E_LINK_UNSUPPORTED: { area: 'run', means: 'The volume or OS reported a link made, but it is not there or not a link.' },
  E_LINK_CHECK: { area: 'run', means: 'A link was made, but its target does not exist (it vanished while relocate worked).' },
  E_INCONSISTENT: { area: 'run', means: 'Resume cannot tell whether an interrupted step happened (both paths exist, or neither); inspect them by hand.' },
  E_DRIFT: { area: 'run', means: 'The disk changed since the run: what rollback would touch is no longer what relocate made or moved.' },
  E_ALREADY_ROLLED_BACK: { area: 'run', means: 'The run was already rolled back.' },
  E_GUARD: { area: 'run', means: "relocate refused to remove, rename or write a path its run's plan does not name (a bug stopped before it acted)." },
  E_INTERNAL: { area: 'run', means: 'An unexpected failure (a bug); `--verbose` shows the stack to report.' },

  // The state folder and its locks.
  E_STATE_WRITE: { area: 'state', means: 'The state folder cannot be written (full, read-only); the run stops before its next step.' },
  E_LOCKED: { area: 'state', means: 'Another relocate is working with the same state folder; the message names its pid.' },
  E_NO_RUN: { area: 'state', means: 'No such run in the state folder (or none to roll back).' },
  E_RUN_FORMAT: {
    area: 'state',
    means: "A run's record or a line of its journal is damaged, or was written by a newer relocate; the message names the place or the version.",
  },
  E_PATH_LOCK_DIR: { area: 'state', means: 'The machine-wide path-lock folder cannot be made or written.' },

  // `relocate gui`: its HTTP API's answers, and the browser page's own.
  E_STARTING: { area: 'gui', means: 'The GUI server is still starting.' },
  E_AUTH: { area: 'gui', means: 'The request lacks the token of the address `relocate gui` printed.' },
  E_HOST: { area: 'gui', means: 'The request named a host other than 127.0.0.1 or localhost.' },
  E_ORIGIN: { area: 'gui', means: 'The request came from another web page.' },
  E_METHOD: { area: 'gui', means: 'The request used the wrong HTTP method (a change takes POST only).' },
  E_BAD_REQUEST: { area: 'gui', means: 'A request is missing a value or has a wrong one.' },
  E_NO_ENTRY: { area: 'gui', means: 'The manifest has no entry with that link.' },
  E_NO_PLAN: { area: 'gui', means: 'No plan with that id: make one first.' },
  E_NO_JOB: { area: 'gui', means: 'That job is not running.' },
  E_JOB_RUNNING: { area: 'gui', means: 'Another job is running; start the next one when it is done.' },
  E_CANNOT_STOP: { area: 'gui', means: 'The job runs elevated in a window of its own: stop it there with Ctrl-C.' },
  E_JOB_END_MISSED: { area: 'gui', means: "The page lost the job's end; see History for how it ended." },
  E_MANIFEST_EDIT: { area: 'gui', means: 'The GUI cannot make that change to the manifest; edit it by hand.' },
  E_ELEVATION_UNAVAILABLE: { area: 'gui', means: 'An elevated apply is offered on Windows only.' },
  E_ELEVATED_FAILED: { area: 'gui', means: 'The elevated apply ended with an error, or its UAC prompt was declined.' },
  E_HTTP: { area: 'gui', means: 'The GUI server gave the page an answer it could not read.' },
  E_NETWORK: { area: 'gui', means: 'The page could not reach the GUI server.' },
} as const satisfies Record<`${'E' | 'W'}_${string}`, CodeInfo>;

/** Every code relocate shows. */
export type Code = keyof typeof CODES;
/** The codes of errors: what was asked is not done (or a plan is blocked). */
export type ErrorCode = Extract<Code, `E_${string}`>;
/** The codes of warnings: shown, never blocking. */
export type WarningCode = Extract<Code, `W_${string}`>;

/** Whether `s` is one of relocate's codes (for text read back from a journal or another program). */
export function isCode(s: string): s is Code {
  return Object.hasOwn(CODES, s);
}
