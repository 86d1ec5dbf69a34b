import { KNOWN_FOLDERS, knownFolderName, WINDOWS_ONLY } from '../core/known-folders.js';
import type { LoadContext } from './types.js';

/** One reason a string could not be expanded. */
export interface ExpandProblem {
  code: 'E_UNKNOWN_VAR' | 'E_VAR_CYCLE' | 'E_NAME_WITHOUT_GLOB';
  message: string;
  hint: string;
}

export type ExpandResult = { ok: true; value: string } | { ok: false; problems: ExpandProblem[] };

/**
 * Expands `~`, `${env:NAME}`, `%NAME%` (only when evaluating for Windows,
 * where it is the native spelling), `${known:Name}` (a known folder, from
 * `ctx.knownFolders`), `${var}` from `vars` (which may nest),
 * and `{name}` (only for a glob match). An unknown or empty variable is a
 * problem naming it, never an empty string. Pure: everything comes from
 * `ctx`, `vars` and `name`.
 */
export class Expander {
  private readonly resolved = new Map<string, ExpandResult>();

  constructor(
    private readonly ctx: LoadContext,
    private readonly vars: Record<string, string>,
  ) {}

  expand(raw: string, name?: string): ExpandResult {
    return this.expandWith(raw, name, []);
  }

  private expandWith(raw: string, name: string | undefined, stack: string[]): ExpandResult {
    const problems: ExpandProblem[] = [];
    const win = this.ctx.os === 'win32';
    const pattern = win ? /\$\{([^}]*)\}|%([A-Za-z_][A-Za-z0-9_()]*)%|\{name\}/g : /\$\{([^}]*)\}|\{name\}/g;
    let value = raw.replace(pattern, (whole: string, braced: unknown, maybePercent: unknown) => {
      // Without the %NAME% group the third argument is the match offset, not a capture.
      const percent = win && typeof maybePercent === 'string' ? maybePercent : undefined;
      if (whole === '{name}') {
        if (name !== undefined) return name;
        problems.push({
          code: 'E_NAME_WITHOUT_GLOB',
          message: '{name} is only defined for a glob link (like ~/Games/*)',
          hint: 'write the name out, or make the link a glob pattern',
        });
        return whole;
      }
      if (percent !== undefined) return this.env(percent, `%${percent}%`, problems) ?? whole;
      const ref = String(braced ?? '').trim();
      if (ref === '' || ref === 'env:' || ref === 'known:') {
        problems.push({
          code: 'E_UNKNOWN_VAR',
          message: `${whole} names no variable`,
          hint: ref === 'known:' ? `known folders: ${KNOWN_FOLDERS.join(', ')}` : 'write ${env:NAME} for an environment variable or ${name} for one of `vars`',
        });
        return whole;
      }
      if (ref.startsWith('env:')) return this.env(ref.slice(4).trim(), whole, problems) ?? whole;
      if (ref.startsWith('known:')) return this.known(ref.slice(6).trim(), whole, problems) ?? whole;
      if (ref.includes(':')) {
        problems.push({
          code: 'E_UNKNOWN_VAR',
          message: `unknown variable ${whole}: the namespace '${ref.slice(0, ref.indexOf(':'))}' is not supported`,
          hint: 'use ${env:NAME} for environment variables, ${known:Name} for known folders (like ${known:Documents}) or ${name} for vars',
        });
        return whole;
      }
      const v = this.variable(ref, whole, stack);
      if (!v.ok) {
        problems.push(...v.problems);
        return whole;
      }
      return v.value;
    });
    if (value === '~' || value.startsWith('~/') || (win && value.startsWith('~\\'))) value = this.ctx.home + value.slice(1);
    return problems.length > 0 ? { ok: false, problems } : { ok: true, value };
  }

  private env(nameRaw: string, spelled: string, problems: ExpandProblem[]): string | undefined {
    const value = lookupEnv(this.ctx, nameRaw);
    if (value === undefined || value === '') {
      problems.push({
        code: 'E_UNKNOWN_VAR',
        message: `unknown variable ${spelled}: the environment variable ${nameRaw} is ${value === '' ? 'empty' : 'not set'}`,
        hint: `set ${nameRaw}, or add a \`when:\` so the entry applies only where it exists`,
      });
      return undefined;
    }
    return value;
  }

  /** A known folder: the name must be one of KNOWN_FOLDERS (any case, or an alias) and resolved for this machine. */
  private known(nameRaw: string, spelled: string, problems: ExpandProblem[]): string | undefined {
    const name = knownFolderName(nameRaw);
    if (!name) {
      problems.push({
        code: 'E_UNKNOWN_VAR',
        message: `unknown variable ${spelled}: '${nameRaw}' is not a known folder`,
        hint: `known folders: ${KNOWN_FOLDERS.join(', ')}`,
      });
      return undefined;
    }
    const value = this.ctx.knownFolders?.[name];
    if (value) return value;
    const windowsOnly = WINDOWS_ONLY.has(name) && this.ctx.os !== 'win32';
    const why = this.ctx.knownFolderNotes?.[name];
    problems.push({
      code: 'E_UNKNOWN_VAR',
      message: windowsOnly
        ? `unknown variable ${spelled}: ${name} exists only on Windows, not on ${this.ctx.os}`
        : `unknown variable ${spelled}: the known folder ${name} is not available on this ${this.ctx.os} machine${why ? ` (${why})` : ''}`,
      hint: windowsOnly
        ? 'add `when: { os: windows }` so the entry applies only on Windows, or write the path out'
        : 'write the path out, or add a `when:` so the entry applies only where the folder exists',
    });
    return undefined;
  }

  private variable(name: string, spelled: string, stack: string[]): ExpandResult {
    if (stack.includes(name)) {
      return {
        ok: false,
        problems: [
          {
            code: 'E_VAR_CYCLE',
            message: `variable cycle: ${[...stack, name].join(' -> ')}`,
            hint: 'a variable cannot refer to itself, directly or through others',
          },
        ],
      };
    }
    const cached = this.resolved.get(name);
    if (cached) return cached;
    if (!Object.prototype.hasOwnProperty.call(this.vars, name)) {
      const known = Object.keys(this.vars);
      return {
        ok: false,
        problems: [
          {
            code: 'E_UNKNOWN_VAR',
            message: `unknown variable ${spelled}: '${name}' is not defined in vars`,
            hint: known.length > 0 ? `defined vars: ${known.join(', ')}` : 'define it under `vars:` at the top of the manifest',
          },
        ],
      };
    }
    const result = this.expandWith(this.vars[name], undefined, [...stack, name]);
    this.resolved.set(name, result);
    return result;
  }
}

/** Windows environment names are case-insensitive; elsewhere they are exact. */
function lookupEnv(ctx: LoadContext, name: string): string | undefined {
  if (ctx.os !== 'win32') return ctx.env[name];
  if (ctx.env[name] !== undefined) return ctx.env[name];
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(ctx.env)) if (k.toLowerCase() === lower) return v;
  return undefined;
}
