import { normaliseOsName, type OsName } from '../core/paths.js';

/** The `when:` filter as written (schema-valid). */
export interface WhenSpec {
  os?: string | string[];
  host?: string | string[];
}

/**
 * Decides whether an entry applies on this machine. Entry keys override the
 * defaults' keys one by one (an entry's `host` keeps the defaults' `os`).
 * Returns the reason when it does not apply, in words for the plan.
 */
export function whenSkipReason(entry: WhenSpec | undefined, defaults: WhenSpec | undefined, os: OsName, hostname: string): string | undefined {
  const osList = list(entry?.os ?? defaults?.os);
  const hostList = list(entry?.host ?? defaults?.host);
  if (osList && !osList.some((o) => normaliseOsName(o) === os)) {
    return `only for ${osList.join(', ')}; this machine is ${os}`;
  }
  if (hostList && !hostList.some((h) => h.toLowerCase() === hostname.toLowerCase())) {
    return `only for host ${hostList.join(', ')}; this machine is ${hostname}`;
  }
  return undefined;
}

function list(v: string | string[] | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v : [v];
}
