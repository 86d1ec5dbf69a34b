import { lengthIn, nameLimitsOf, oneNameUnder, windowsNameProblem, type Length, type NameRules } from '../core/name-rules.js';
import type { OsName, PathStyle } from '../core/paths.js';
import { pathApi } from '../core/paths.js';
import type { TreeMeasure, VolumeInfo } from '../state/types.js';
import type { Finding, MoveSpec } from './types.js';

/** How many names a finding lists (the count says the rest). */
const LISTED = 5;

/**
 * What the copy's staging name (`<to>.relocate-partial-<run>-<order>`,
 * src/core/own-names.ts) adds to the destination path, at most: every copied
 * path is this much longer while the copy runs.
 */
const STAGING_EXTRA = '.relocate-partial-20261122T023148Z-1a2b-99999'.length;

function lengthText(l: Length): string {
  return `${l.n} ${l.unit === 'bytes' ? 'bytes (UTF-8)' : 'characters (UTF-16 units)'}`;
}

/**
 * Names the destination of a copy to another volume cannot hold (issue 15,
 * DESIGN.md "names the target cannot hold … are refused at plan time"),
 * found before anything is copied rather than as an error hours into it.
 * Pure: the reader listed what the moving tree's names are like
 * (TreeNames) and asked the destination how it tells names apart
 * (`rules`); the destination's file system and OS give its limits
 * (nameLimitsOf). A same-volume move is a rename and keeps every name.
 *
 * - E_CASE_COLLISION: two names of one folder that the destination takes
 *   for one (it ignores case, or Unicode normalisation), as the volume
 *   itself answered a probe. Not knowing (no probe possible) refuses
 *   nothing; the copy's own check still names the pair.
 * - E_NAME_UNFIT: a name Windows cannot hold, going to a Windows host or
 *   a FAT/exFAT volume (whose drivers reject or strip such names);
 *   W_WINDOWS_NAME where an NTFS volume mounted here stores it but Windows
 *   could not open it.
 * - E_NAME_TOO_LONG / E_PATH_TOO_LONG: a name longer than the destination
 *   file system holds, or a path (with the copy's staging name, which is
 *   longer while the copy runs) longer than the OS takes.
 */
export function nameFindings(
  move: MoveSpec | undefined,
  tree: TreeMeasure | undefined,
  dest: VolumeInfo | undefined,
  rules: NameRules | undefined,
  os: OsName,
  style: PathStyle,
): Finding[] {
  const names = tree?.names;
  if (!move?.crossVolume || !names) return [];
  const api = pathApi(style);
  const moved = (p: string) => api.join(move.to, api.relative(move.from, p));
  const out: Finding[] = [];
  const twins = names.twins;
  if (twins && rules) {
    const one = twins.first.filter((t) => oneNameUnder(rules, t.a, t.b));
    if (one.length > 0) {
      const why = rules.ignoresCase
        ? rules.ignoresNormalisation
          ? "ignores case and accents' spelling"
          : 'ignores case'
        : 'does not tell apart two Unicode spellings of one name (composed and decomposed accents)';
      const pairs = one
        .slice(0, LISTED)
        .map((t) => `${api.join(t.dir, t.a)} and ${t.b}`)
        .join('; ');
      const unlisted = twins.count - twins.first.length;
      const more = one.length > LISTED ? `; and ${one.length - LISTED} more pair(s)` : '';
      const maybe = unlisted > 0 ? ` (${unlisted} more pair(s) were not looked at)` : '';
      const first = one[0];
      out.push({
        severity: 'error',
        code: 'E_CASE_COLLISION',
        path: api.join(first.dir, first.b),
        message: `${one.length} pair(s) of names in ${move.from} would be one name at ${move.to}, whose volume ${why}: ${pairs}${more}${maybe}`,
        hint: `rename one of each pair (e.g. in ${first.dir}), or choose a target on a volume that tells them apart`,
      });
    }
  }
  const limits = nameLimitsOf(dest?.fsType, os);
  const unfit = names.windowsUnfit;
  if (unfit && limits.windowsNames) {
    const listed = unfit.first
      .slice(0, LISTED)
      .map((p) => `${p} (${windowsNameProblem(api.basename(p)) ?? 'not allowed on Windows'})`)
      .join('; ');
    const more = unfit.count > LISTED ? `; and ${unfit.count - LISTED} more` : '';
    const where = dest?.fsType ? `${dest.fsType} volume` : 'volume';
    out.push(
      limits.windowsNames === 'refuse'
        ? {
            severity: 'error',
            code: 'E_NAME_UNFIT',
            path: unfit.first[0],
            message: `${unfit.count} name(s) in ${move.from} cannot be stored at ${move.to} (${os === 'win32' ? 'Windows' : `a ${where}`} takes Windows' rules for names): ${listed}${more}`,
            hint: 'rename them, or choose a target on a volume that holds such names',
          }
        : {
            severity: 'warning',
            code: 'W_WINDOWS_NAME',
            path: unfit.first[0],
            message: `${unfit.count} name(s) in ${move.from} can be stored on the ${where} of ${move.to} but not opened from Windows: ${listed}${more}`,
            hint: 'rename them if Windows will use this volume',
          },
    );
  }
  const longest = names.longest;
  if (longest && limits.name) {
    const l = limits.name.unit === 'bytes' ? longest.nameBytes : longest.nameUnits;
    if (l.n > limits.name.n) {
      out.push({
        severity: 'error',
        code: 'E_NAME_TOO_LONG',
        path: l.path,
        message: `the name of ${l.path} is ${l.n} ${limits.name.unit === 'bytes' ? 'bytes' : 'characters'} long, and the ${dest?.fsType ?? ''} volume of ${move.to} holds names of at most ${lengthText(limits.name)}`,
        hint: 'shorten the name, or choose a target on a volume that holds it',
      });
    }
  }
  if (longest && limits.path) {
    const l = limits.path.unit === 'bytes' ? longest.relBytes : longest.relUnits;
    const final = lengthIn(move.to, limits.path.unit) + 1 + l.n;
    if (final + STAGING_EXTRA > limits.path.n) {
      out.push({
        severity: 'error',
        code: 'E_PATH_TOO_LONG',
        path: l.path,
        message: `${moved(l.path)} would be ${final} ${limits.path.unit === 'bytes' ? 'bytes' : 'characters'} long (${final + STAGING_EXTRA} while the copy runs, under its staging name), and ${os === 'win32' ? 'Windows' : os === 'darwin' ? 'macOS' : 'Linux'} takes paths of at most ${lengthText(limits.path)}`,
        hint: "choose a target with a shorter path, or shorten the deepest folders' names",
      });
    }
  }
  return out;
}
