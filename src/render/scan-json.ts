/**
 * The document `relocate scan --json` prints, which the GUI's GET /api/scan
 * passes through unchanged. Its shape lives here, beside the plan's JSON
 * (plan-json.ts), and not in src/gui/api-types.ts: the CLI's text rendering
 * (scan-text.ts) draws it too, and render must not depend on the GUI.
 * Types only.
 */

/** One mounted volume / drive the user can move to or from. */
export interface DriveInfo {
  /** `C:\` on Windows; the mount point elsewhere. */
  root: string;
  /** What people call it: `C:`, or the mount point. */
  label: string;
  totalBytes: number;
  freeBytes: number;
  /** Free space once every change of the current plan has run, when a plan was made (negative: it would not fit). */
  freeAfterPlan?: number;
}

export type Verdict = 'safe' | 'owner-mover' | 'caution' | 'never';

/** One folder `relocate scan --json` reports. */
export interface ScanFolder {
  path: string;
  /** Why it is listed: 'steam', 'epic', 'gog', 'cache', 'user-folder', 'wsl', 'docker', 'walk', … */
  kind: string;
  /** A short name for people: "Steam library", "npm cache", "Videos". */
  title: string;
  bytes: number;
  files: number;
  verdict: Verdict;
  /** The engine's words for the verdict. */
  reason: string;
  /** For 'owner-mover': what to use instead ("Steam > Settings > Storage"). */
  mover?: string;
  /** Set when the folder already is a link: where it points. */
  linkTarget?: string;
  /** The drive it is on (DriveInfo.root). */
  drive: string;
}

/** GET /api/scan?path=P&path=Q&top=N (no path: the known large folders). The output of `relocate scan --json`. */
export interface ScanReport {
  folders: ScanFolder[];
  drives: DriveInfo[];
  /** Links already on disk in the scanned places (what `import` would adopt). */
  links: { link: string; target: string; type: string }[];
  /** Folders that could not be read, with why. */
  problems: { path: string; message: string }[];
}
