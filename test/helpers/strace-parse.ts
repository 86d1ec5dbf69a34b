/**
 * Reads the output of `strace -f -y -qq -tt -s N -e trace=…` into whole
 * system calls. With -f, a call one thread makes while another thread's
 * call is printed shows as `name(args <unfinished ...>` and later
 * `<... name resumed>rest) = ret`, both prefixed with the thread's id: the
 * two halves are joined here (node's libuv thread pool does file work on
 * other threads than the main one, which makes koffi calls and sync fs calls).
 */

/**
 * One system call as strace saw it.
 * Invariants: `start <= end`; `start` is the index (0-based, in the whole
 * trace) of the line where the call entered (its `<unfinished ...>` line,
 * or its only line), `end` the line where it returned. A call printed on
 * one line entered and returned with no other traced call in between.
 * `ret` is the raw return text (`0`, `18</p>`, `-1 ENOENT (…)`, `?` when
 * the process died inside the call).
 */
export interface Syscall {
  pid: number;
  name: string;
  args: string[];
  ret: string;
  start: number;
  end: number;
  /** The trace line(s) of this call, as printed (one, or the unfinished and resumed pair). */
  lines: string[];
}

/** What a trace holds: the calls in the order they returned, and the lines that were not calls (signals, exits). */
export interface ParsedTrace {
  calls: Syscall[];
  /** Lines that are neither a call nor strace's own notes (`--- SIG…`, `+++ …`): a parser gap to look at. */
  unparsed: string[];
}

const PREFIX = /^(?:\[pid\s+(\d+)\]\s+|(\d+)\s+)?(?:\d\d:\d\d:\d\d(?:\.\d+)?\s+)?(.*)$/;

/** Parses a whole trace (several traces may be concatenated: line indices run on). */
export function parseStrace(text: string, firstLine = 0): ParsedTrace {
  const calls: Syscall[] = [];
  const unparsed: string[] = [];
  const open = new Map<string, { head: string; start: number; line: string }>();
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const at = firstLine + i;
    if (raw.trim() === '') return;
    const m = PREFIX.exec(raw);
    const pid = Number(m?.[1] ?? m?.[2] ?? 0);
    const rest = m?.[3] ?? raw;
    if (rest.startsWith('---') || rest.startsWith('+++')) return;
    const resumed = /^<\.\.\. (\w+) resumed>(.*)$/.exec(rest);
    if (resumed) {
      const key = `${pid}:${resumed[1]}`;
      const head = open.get(key);
      open.delete(key);
      if (!head) return void unparsed.push(raw);
      const call = parseCall(head.head + resumed[2], pid, head.start, at, [head.line, raw]);
      return void (call ? calls.push(call) : unparsed.push(raw));
    }
    const unfinished = /^(.*?)\s*<unfinished \.\.\.>$/.exec(rest);
    if (unfinished) {
      const name = /^(\w+)\(/.exec(unfinished[1]!)?.[1];
      if (!name) return void unparsed.push(raw);
      open.set(`${pid}:${name}`, { head: unfinished[1]!, start: at, line: raw });
      return;
    }
    const call = parseCall(rest, pid, at, at, [raw]);
    if (call) calls.push(call);
    else unparsed.push(raw);
  });
  // A call that never returned (the process was killed inside it): it may have taken effect.
  for (const [key, head] of open) {
    const call = parseCall(`${head.head}) = ?`, Number(key.split(':')[0]), head.start, firstLine + lines.length, [head.line]);
    if (call) calls.push(call);
  }
  calls.sort((a, b) => a.end - b.end || a.start - b.start);
  return { calls, unparsed };
}

/**
 * Parses several traces that follow one another (an apply, then the resume
 * after its crash): one history, line indices running on, and a call a
 * killed process never returned from ends with its own trace.
 */
export function parseHistory(traces: readonly string[]): ParsedTrace {
  const out: ParsedTrace = { calls: [], unparsed: [] };
  let first = 0;
  for (const t of traces) {
    const p = parseStrace(t, first);
    out.calls.push(...p.calls);
    out.unparsed.push(...p.unparsed);
    first += t.split('\n').length + 1;
  }
  return out;
}

/** `name(args) = ret` → a Syscall, or undefined when the text is not one. */
function parseCall(text: string, pid: number, start: number, end: number, lines: string[]): Syscall | undefined {
  const m = /^(\w+)\(/.exec(text);
  if (!m) return undefined;
  const split = splitArgs(text, m[0].length);
  if (!split) return undefined;
  const ret = /^\s*=\s*(.*)$/.exec(text.slice(split.close + 1));
  if (!ret) return undefined;
  return { pid, name: m[1]!, args: split.args, ret: ret[1]!.trim(), start, end, lines };
}

/**
 * Splits the arguments at top-level commas, from `from` to the matching `)`.
 * Quoted strings (with escapes), [..], {..}, (..), /* comments *\/ and the
 * -y annotations `3</path>` (paths may hold commas and brackets) are kept whole.
 */
function splitArgs(text: string, from: number): { args: string[]; close: number } | undefined {
  const args: string[] = [];
  let depth = 0;
  let cur = '';
  for (let i = from; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      cur += text.slice(i, j + 1);
      i = j;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const j = text.indexOf('*/', i + 2);
      if (j < 0) return undefined;
      i = j + 1;
      continue;
    }
    if (c === '<' && /(?:\d|AT_FDCWD)$/.test(cur)) {
      // A -y annotation: up to the '>' that ends the argument.
      let j = i + 1;
      while (j < text.length && !(text[j] === '>' && /^(?:,|\)|$|\s)/.test(text.slice(j + 1, j + 2)))) j++;
      cur += text.slice(i, j + 1);
      i = j;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    if (c === ']' || c === '}') depth--;
    if (c === ')') {
      if (depth === 0) {
        if (cur.trim() !== '' || args.length > 0) args.push(cur.trim());
        return { args, close: i };
      }
      depth--;
    }
    if (c === ',' && depth === 0) {
      args.push(cur.trim());
      cur = '';
      continue;
    }
    cur += c;
  }
  return undefined;
}

/** The path of a -y annotated descriptor (`3</a/b>`, `AT_FDCWD</cwd>`), or undefined. */
export function fdPath(arg: string | undefined): string | undefined {
  const m = /^(?:-?\d+|AT_FDCWD)<(.*)>$/.exec(arg ?? '');
  return m ? m[1] : undefined;
}

/** A quoted string argument decoded to bytes, and whether strace cut it (`"…"...`); undefined when not a string. */
export function decodeString(arg: string | undefined): { bytes: Buffer; truncated: boolean } | undefined {
  const m = /^"((?:[^"\\]|\\.)*)"(\.\.\.)?$/s.exec(arg ?? '');
  if (!m) return undefined;
  const s = m[1]!;
  const out: number[] = [];
  const ESC: Record<string, number> = { n: 10, t: 9, r: 13, v: 11, f: 12, '"': 34, '\\': 92, a: 7, b: 8 };
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\') {
      for (const b of Buffer.from(c, 'utf8')) out.push(b);
      continue;
    }
    const n = s[i + 1]!;
    const hex = /^x([0-9a-fA-F]{2})/.exec(s.slice(i + 1));
    const oct = /^[0-7]{1,3}/.exec(s.slice(i + 1));
    if (hex) {
      out.push(parseInt(hex[1]!, 16));
      i += 3;
    } else if (oct) {
      out.push(parseInt(oct[0], 8) & 0xff);
      i += oct[0].length;
    } else {
      out.push(ESC[n] ?? n.charCodeAt(0));
      i += 1;
    }
  }
  return { bytes: Buffer.from(out), truncated: m[2] !== undefined };
}

/** True when the call failed (`-1 EXXX …`); `?` (killed inside the call) is not a failure: it may have taken effect. */
export function failed(c: Syscall): boolean {
  return c.ret.startsWith('-1');
}
