/** How many spaces and tabs open `line`: a YAML line's indent (0 when none). */
export function leadingBlanks(line: string): number {
  let n = 0;
  while (n < line.length && (line[n] === ' ' || line[n] === '\t')) n++;
  return n;
}
