/**
 * The words for a program holding something inside a folder about to move,
 * shared by the plan's E_IN_USE findings and the executor's check before it
 * sets an original aside, so both say the same thing.
 */
import { assertNever } from './never.js';

/** The fields of an InUseFile (src/state/types.ts) the words need; core imports nothing above it. */
interface Holder {
  file: string;
  process: string;
  pid: number;
  how?: 'open' | 'map' | 'cwd' | 'root';
}

/** "<file> is used by <process> (pid <n>)", saying how when the platform told. */
export function inUseSentence(u: Holder): string {
  const who = `${u.process} (pid ${u.pid})`;
  switch (u.how) {
    case undefined:
    case 'open':
      return `${u.file} is used by ${who}`;
    case 'map':
      return `${u.file} is used by ${who} through a memory map`;
    case 'cwd':
      return `${u.file} is used by ${who} as its working folder`;
    case 'root':
      return `${u.file} is used by ${who} as its root folder`;
    default:
      return assertNever(u.how, 'way of holding');
  }
}

/** What to do about it. */
export function inUseHint(u: Holder): string {
  return u.how === 'cwd'
    ? `close ${u.process} or make it leave the folder (a shell: \`cd\` elsewhere), then run again`
    : `close ${u.process} (or stop its service), then run again`;
}
