import path from 'node:path';
import { DecodeError, obj, parseJson } from '../core/decode.js';
import { RelocateError } from '../core/errors.js';
import type { DesiredEntry } from '../manifest/types.js';
import { fingerprint } from '../plan/fingerprint.js';
import { decodePlan } from '../plan/plan-decode.js';
import { spaceFindings } from '../plan/preflight.js';
import type { Plan } from '../plan/types.js';
import { observeEntries, type ObserveOptions } from '../state/observe.js';
import type { DiskReader } from '../state/reader.js';

/** Reads a file's whole text (UTF-8); throws when it cannot. The CLI passes the platform's reader. */
export type ReadText = (file: string) => Promise<string>;

/**
 * What reading a saved plan needs from outside this room. Invariant:
 * `toolVersion` is the version of the relocate that is running (never the
 * one a plan names), so a plan from another version is refused.
 */
export interface SavedPlanPorts {
  readText: ReadText;
  toolVersion: string;
}

/** True when the file looks like a plan saved by `relocate plan --out` rather than a manifest: a `.json` name, else a JSON head naming `formatVersion`; an unreadable file is no plan. */
export async function isSavedPlan(file: string, readText: ReadText): Promise<boolean> {
  if (file.toLowerCase().endsWith('.json')) return true;
  try {
    const head = (await readText(file)).slice(0, 200).trimStart();
    return head.startsWith('{') && head.includes('"formatVersion"');
  } catch {
    return false;
  }
}

/**
 * Reads a saved plan (the `plan` member of `plan --out`'s JSON), checked
 * field by field (plan-decode.ts). A plan is applied only by the relocate
 * version that made it, as Terraform does with its plan files: another
 * version may plan the same disk differently (new checks, new steps), and
 * the saved plan is a promise of exactly what apply does. Throws
 * E_BAD_PLAN for a file that is not such a plan or was saved by another
 * version.
 */
export async function readSavedPlan(file: string, ports: SavedPlanPorts): Promise<Plan> {
  const notAPlan = (why: string) =>
    new RelocateError('E_BAD_PLAN', `${file} is not a plan saved by \`relocate plan --out\` (${why}); nothing was changed`, {
      path: file,
      hint: 'save one with `relocate plan MANIFEST --out plan.json`',
    });
  let text: string;
  try {
    text = await ports.readText(file);
  } catch (err) {
    // Not "not a plan": nothing could be read, which is what the user must be told (as for a manifest).
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new RelocateError(
      missing ? 'E_NOT_FOUND' : 'E_READ',
      missing ? `no saved plan at ${file}; nothing was changed` : `cannot read ${file}: ${(err as Error).message}; nothing was changed`,
      {
        path: file,
        cause: err,
        hint: missing ? 'give the path `relocate plan MANIFEST --out FILE` wrote' : 'check the file permissions',
      },
    );
  }
  let doc: unknown;
  try {
    doc = parseJson(text);
  } catch (err) {
    throw notAPlan((err as Error).message);
  }
  const made = typeof doc === 'object' && doc !== null ? (doc as { plan?: { toolVersion?: unknown } }).plan?.toolVersion : undefined;
  if (typeof made === 'string' && made !== ports.toolVersion) {
    throw new RelocateError(
      'E_BAD_PLAN',
      `${file} was saved by relocate ${made}, and this is relocate ${ports.toolVersion}: a saved plan is applied only by the version that made it; nothing was changed`,
      {
        path: file,
        hint: `make the plan again with this version (\`relocate plan MANIFEST --out ${path.basename(file)}\`), or apply it with relocate ${made}`,
      },
    );
  }
  try {
    return savedPlan(doc, '').plan;
  } catch (err) {
    if (err instanceof DecodeError) throw notAPlan(err.message);
    throw err;
  }
}

/** `plan --out`'s document: the plan under `plan` (the rest is the `--json` view, not read back). */
const savedPlan = obj<{ plan: Plan }>({ plan: decodePlan });

/** The desired entries a plan was made from, rebuilt from the plan itself (to observe the disk again); skipped entries are left out. */
export function entriesOf(plan: Plan): DesiredEntry[] {
  return plan.entries
    .filter((p) => p.action !== 'skip')
    .map((p) => ({
      index: p.index,
      link: p.link,
      target: p.target,
      type: p.declaredType,
      conflict: p.conflictStrategy,
      retarget: p.retargetMode,
      state: p.state,
      force: false,
      style: p.style,
      source: p.source,
      applies: true,
    }));
}

/**
 * Observes the disk again for a plan, through `reader`, and refuses it
 * (E_STALE_PLAN) when anything it was made from changed: a path created,
 * removed, replaced by a link, a file modified; then refuses it
 * (E_NO_SPACE, E_NO_INODES) when what it moves no longer fits. Run under
 * the lock, right before executing.
 */
export async function assertFresh(plan: Plan, what: string, reader: DiskReader, observe: ObserveOptions = {}): Promise<void> {
  const observations = await observeEntries(entriesOf(plan), reader, observe);
  if (fingerprint(observations) !== plan.fingerprint) {
    throw new RelocateError('E_STALE_PLAN', `the disk changed since ${what} was made; nothing was changed`, {
      path: plan.manifest.path,
      hint: 'run `relocate plan` again to see the current state, then apply',
    });
  }
  // Free space is left out of the fingerprint (it moves all the time), so it is checked again now.
  // observations[i] is entriesOf(plan)[i]'s: the same entries, skipped ones left out of both.
  const moving = plan.entries.filter((p) => p.action !== 'skip');
  const observed = moving.flatMap((planned, i) => {
    const obs = observations[i];
    return obs ? [{ planned, obs }] : [];
  });
  const [short] = spaceFindings(observed);
  if (short) {
    throw new RelocateError(short.code === 'E_NO_INODES' ? 'E_NO_INODES' : 'E_NO_SPACE', `${short.message}; nothing was changed`, {
      path: short.path ?? plan.manifest.path,
      hint: short.hint ?? 'free space on the destination drive',
    });
  }
}
