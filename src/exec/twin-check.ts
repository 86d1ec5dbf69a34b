import { createHash } from 'node:crypto';
import { RelocateError } from '../core/errors.js';
import type { FsPort } from './fs-port.js';
import type { DeleteInfo } from './step-info.js';
import type { StepFor } from './steps.js';

type DeleteStep = StepFor['delete'];

/**
 * Before an interrupted delete goes on (resume), what is left of the
 * original must still be a subset of its twin, file by file, by content:
 * a crash can take unsynced data of the twin with it (a power cut), and the
 * twin is what makes the delete allowed. Content, not metadata: damage a
 * power cut leaves keeps sizes and times. Throws E_VERIFY, deleting nothing.
 */
export async function verifyRemainder(fs: FsPort, s: DeleteStep): Promise<void> {
  try {
    await fs.verify(s.path, s.twin, 'content', true);
  } catch (err) {
    if (!(err instanceof RelocateError) || err.code !== 'E_VERIFY') throw err;
    throw new RelocateError(
      'E_VERIFY',
      `relocate was deleting ${s.path} when it stopped, and what is left of it no longer matches its copy ${s.twin} (${err.message}), so nothing more of it is deleted`,
      {
        path: s.path,
        hint: `${s.path} is kept as it is. The copy at ${s.twin} may have been damaged (a power cut loses data not yet written); check that disk, then run \`relocate rollback\` to put the original back`,
      },
    );
  }
}

/**
 * A hash of a tree's relative names, journaled when a delete begins
 * (`namesHash`): "every name is still there" is then "nothing was deleted
 * yet", without storing the listing of a big tree in the journal.
 */
export function namesHash(rels: Iterable<string>): string {
  const h = createHash('sha256');
  // Hashed as they come, sorted (FsPort.snapshotNames): one out of order would make equal trees differ.
  let prev: string | undefined;
  for (const rel of rels) {
    if (prev !== undefined && rel <= prev) throw new Error(`names out of order for the names hash: ${JSON.stringify(rel)} after ${JSON.stringify(prev)}`);
    h.update(rel).update('\0');
    prev = rel;
  }
  return h.digest('hex');
}

/**
 * For the undo of an interrupted delete: `matches` when what is left of the
 * original verifies equal (by content) to part of the twin, so it may be
 * replaced by a copy of the twin; otherwise `whole` when every name the
 * original had is still there (nothing was deleted yet: the original is
 * kept as it is; by `namesHash` where the journal has it, else by the
 * twin's names) and `differs` when part is gone and the rest differs
 * (both are kept; nothing is deleted or renamed).
 */
export async function remainderVerdict(fs: FsPort, s: DeleteStep, info: DeleteInfo | undefined): Promise<'matches' | 'whole' | 'differs'> {
  const matches = await fs.verify(s.path, s.twin, 'content', true).then(
    () => true,
    (err: unknown) => {
      if (err instanceof RelocateError && err.code === 'E_VERIFY') return false;
      throw err;
    },
  );
  if (matches) return 'matches';
  const recorded = info?.namesHash;
  if (recorded !== undefined) return namesHash(await fs.snapshotNames(s.path)) === recorded ? 'whole' : 'differs';
  // Names only: the twin's are taken one at a time, never as a million records (FsPort.snapshotNames).
  const had = s.subset ? (info?.nodes ?? []).map((n) => n.rel) : await fs.snapshotNames(s.twin);
  const left = new Set(await fs.snapshotNames(s.path));
  let any = false;
  for (const rel of had) {
    if (!left.has(rel)) return 'differs';
    any = true;
  }
  return any ? 'whole' : 'differs';
}
