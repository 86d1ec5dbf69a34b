import { TraceError } from './durability-effects.js';

/** One journal line as the audit needs it: its kind and step. Invariant: `t` is one of the journal's line kinds, `n` >= 0. */
export interface JournalMark {
  t: 'begin' | 'done' | 'made' | 'undo-begin' | 'undo-done';
  n: number;
}

const KINDS = new Set(['begin', 'done', 'made', 'undo-begin', 'undo-done']);

/** `<root>/runs/<id>/journal.jsonl` under one of the state folders. */
export function isJournal(p: string, stateRoots: readonly string[]): boolean {
  return stateRoots.some((r) => p.startsWith(r + '/runs/') && /^[^/]+\/journal\.jsonl$/.test(p.slice(r.length + 6)));
}

/**
 * Which journal lines each write to a journal completed. A write can carry
 * several lines (a batch of begins) or end mid-line; lines are cut at '\n'
 * across writes. The bytes come from the file's final text when given (by
 * offset: the journal is append-only and the traced history must start
 * with it empty), else from the trace's own string (which strace may have
 * cut; then this throws rather than guess).
 */
export class JournalLines {
  private readonly offset = new Map<string, number>();
  private readonly partial = new Map<string, Buffer>();

  constructor(private readonly texts: Readonly<Record<string, string>> = {}) {}

  /** The lines a write of `count` bytes (visible prefix `shown`) to `file` completed. */
  written(file: string, shown: { bytes: Buffer; truncated: boolean } | undefined, count: number): JournalMark[] {
    if (!Number.isInteger(count) || count <= 0) return [];
    const off = this.offset.get(file) ?? 0;
    this.offset.set(file, off + count);
    let chunk: Buffer;
    const text = this.texts[file];
    if (text !== undefined) {
      chunk = Buffer.from(text, 'utf8').subarray(off, off + count);
      const seen = shown?.bytes.subarray(0, Math.min(shown.bytes.length, count));
      if (chunk.length !== count || (seen && !chunk.subarray(0, seen.length).equals(seen))) {
        throw new TraceError(`the journal ${file} does not hold at offset ${off} what the trace wrote there: the trace must start with the journal empty`);
      }
    } else {
      if (!shown || shown.truncated || shown.bytes.length < count)
        throw new TraceError(`a write to the journal ${file} was cut by strace: pass the journal's text or raise -s`);
      chunk = shown.bytes.subarray(0, count);
    }
    const all = Buffer.concat([this.partial.get(file) ?? Buffer.alloc(0), chunk]);
    const parts = all.toString('utf8').split('\n');
    this.partial.set(file, Buffer.from(parts.pop()!, 'utf8'));
    const out: JournalMark[] = [];
    for (const line of parts) {
      if (line.trim() === '') continue;
      let j: { t?: unknown; n?: unknown };
      try {
        j = JSON.parse(line) as { t?: unknown; n?: unknown };
      } catch {
        throw new TraceError(`a journal line that is not JSON in ${file}: ${line.slice(0, 120)}`);
      }
      if (typeof j.t === 'string' && KINDS.has(j.t) && typeof j.n === 'number') out.push({ t: j.t as JournalMark['t'], n: j.n });
    }
    return out;
  }
}
