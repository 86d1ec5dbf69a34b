// What every screen gets from the app: the overview (manifest, drives,
// entries), ways to change screen, to start watching a job, to open the
// move dialog and to refresh what the server knows.
import type { ApiError, Overview } from '../api-types.js';
import type { DriveInfo, ScanFolder } from '../../render/scan-json.js';

export const SCREENS = ['drives', 'scan', 'entries', 'plan', 'history', 'links', 'doctor'] as const;
export type Screen = (typeof SCREENS)[number];

export interface AppContext {
  overview: Overview | null;
  /** The drives with, once a plan was made, the free space after it. */
  drives: DriveInfo[];
  go(screen: Screen): void;
  setOverview(o: Overview): void;
  refreshOverview(): Promise<void>;
  /**
   * Resolves once no overview request of this page is in flight. The page
   * waits for it before a plan, a preview or an apply: the overview runs
   * `relocate status`, which walks the folders it measures, and the
   * files-in-use check of a plan or apply running at that moment would see
   * that walk as a program using the folder (E_IN_USE naming node).
   */
  whenIdle(): Promise<void>;
  /** The free space after the last plan, per drive (PlanPreview.drives); null to forget it. */
  setPlanDrives(drives: DriveInfo[] | null): void;
  /** Show the progress of this job (the answer of /api/apply or /api/rollback). */
  watchJob(jobId: string, command: 'apply' | 'rollback', planId?: string): void;
  /** Runs the saved plan `planId` elevated (POST /api/apply-elevated; Windows asks for consent) and shows its job. */
  applyElevated(planId: string): Promise<ApiError | null>;
  /** A job is running: buttons that would start another are disabled. */
  busy: boolean;
  /** Counts finished jobs, so screens reload what a job changed. */
  jobsFinished: number;
  openMove(folder: ScanFolder): void;
}
