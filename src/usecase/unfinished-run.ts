import { RelocateError } from '../core/errors.js';
import type { RunRecord } from '../journal/types.js';

/** Why a changing command refuses while a run is unfinished (DESIGN.md: resume or rollback first): E_INTERRUPTED_RUN at the run's manifest. */
export function unfinishedRunError(run: Pick<RunRecord, 'id' | 'startedAt' | 'status' | 'manifest'>): RelocateError {
  return new RelocateError(
    'E_INTERRUPTED_RUN',
    `run ${run.id} (started ${run.startedAt}, ${run.status}) did not finish; nothing new is started until it is dealt with`,
    {
      path: run.manifest.path,
      hint: '`relocate resume` finishes it; `relocate rollback` undoes it',
    },
  );
}
