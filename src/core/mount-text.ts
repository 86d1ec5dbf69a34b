/**
 * How a mount is named in messages: `ext4 on /dev/loop0`, `tmpfs`, or ''
 * when nothing is known. One place, so the planner's refusals and the
 * executor's agree word for word.
 */
export function describeMount(m: { fsType?: string; source?: string }): string {
  if (!m.fsType) return '';
  return m.source && m.source !== m.fsType && m.source !== 'none' ? `${m.fsType} on ${m.source}` : m.fsType;
}
