import { foldKey, mayFold, windowsNameProblem } from '../core/name-rules.js';
import { NAMES_LISTED, type LongestName, type TreeNames } from '../state/types.js';

/**
 * Gathers TreeNames one folder at a time, for a measure walk. Per name: a
 * byte length, two regular-expression tests and two comparisons; a folder
 * is folded (a Map of foldKey) only when one of its names has an upper-case
 * or non-ASCII letter, since all-lower-case ASCII names cannot fold onto
 * each other.
 */
export class TreeNamesCounter {
  private readonly twins: NonNullable<TreeNames['twins']> = { count: 0, first: [] };
  private readonly unfit: NonNullable<TreeNames['windowsUnfit']> = { count: 0, first: [] };
  private longest: NonNullable<TreeNames['longest']> | undefined;
  private readonly rootBytes: number;
  private readonly rootUnits: number;

  constructor(private readonly root: string) {
    this.rootBytes = Buffer.byteLength(root);
    this.rootUnits = root.length;
  }

  /** The names of one folder (`dir` an absolute path under the root, spelt as the walk joins them; `join` makes a child's path). */
  addFolder(dir: string, names: readonly string[], join: (dir: string, name: string) => string): void {
    // The folder's own path below the root, plus the separator.
    const dirBytes = dir === this.root ? 0 : Buffer.byteLength(dir) - this.rootBytes;
    const dirUnits = dir === this.root ? 0 : dir.length - this.rootUnits;
    let folds = false;
    for (const name of names) {
      const units = name.length;
      const bytes = Buffer.byteLength(name);
      const relBytes = dirBytes + bytes;
      const relUnits = dirUnits + units;
      const l = this.longest;
      if (!l || bytes > l.nameBytes.n || units > l.nameUnits.n || relBytes > l.relBytes.n || relUnits > l.relUnits.n) {
        const full = join(dir, name);
        const at = (n: number): LongestName => ({ path: full, n });
        if (!l) this.longest = { nameBytes: at(bytes), nameUnits: at(units), relBytes: at(relBytes), relUnits: at(relUnits) };
        else {
          if (bytes > l.nameBytes.n) l.nameBytes = at(bytes);
          if (units > l.nameUnits.n) l.nameUnits = at(units);
          if (relBytes > l.relBytes.n) l.relBytes = at(relBytes);
          if (relUnits > l.relUnits.n) l.relUnits = at(relUnits);
        }
      }
      if (windowsNameProblem(name) !== undefined) {
        this.unfit.count++;
        if (this.unfit.first.length < NAMES_LISTED) this.unfit.first.push(join(dir, name));
      }
      folds ||= mayFold(name);
    }
    if (!folds || names.length < 2) return;
    const byKey = new Map<string, string>();
    for (const name of names) {
      const key = foldKey(name);
      const a = byKey.get(key);
      if (a === undefined) {
        byKey.set(key, name);
        continue;
      }
      this.twins.count++;
      if (this.twins.first.length < NAMES_LISTED) this.twins.first.push({ dir, a, b: name });
    }
  }

  result(): TreeNames {
    return {
      ...(this.twins.count > 0 ? { twins: this.twins } : {}),
      ...(this.unfit.count > 0 ? { windowsUnfit: this.unfit } : {}),
      ...(this.longest ? { longest: this.longest } : {}),
    };
  }
}
