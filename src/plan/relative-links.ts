import { isInside, pathApi, samePath, type PathStyle } from '../core/paths.js';
import type { TreeMeasure } from '../state/types.js';
import type { Finding, MoveSpec } from './types.js';

/**
 * W_RELATIVE_LINK_OUT (issue 14): a relative symbolic link inside data that
 * moves, whose text leads out of the data (`lib -> ../shared`), resolves
 * against its new folder after the move, so it points somewhere else — or
 * nowhere. Pure: the reader listed such links (TreeMeasure.linksOut); this
 * decides, for the move the plan makes, which of them really change.
 *
 * A link is fine when, after the move, it reaches what it reaches now: the
 * same outside path, or for a path inside the moving data, its moved place.
 * That is why every kind of move is checked the same way — move, merge,
 * restore, and backup too: a backup renames the data to a sibling, so
 * `../shared` still reaches the same folder and is not reported, while
 * `../Games/x` (out through the data's own name and back in) is, since
 * that name is the link to the target afterwards.
 */
export function relativeLinkFindings(move: MoveSpec | undefined, tree: TreeMeasure | undefined, style: PathStyle): Finding[] {
  const out = tree?.linksOut;
  if (!move || !out) return [];
  const api = pathApi(style);
  const moved = (p: string) => api.join(move.to, api.relative(move.from, p));
  const changed: { path: string; text: string; now: string; after: string }[] = [];
  for (const l of out.first) {
    const now = api.resolve(api.dirname(l.path), l.text);
    const after = api.resolve(api.dirname(moved(l.path)), l.text);
    const wanted = samePath(now, move.from, style) || isInside(now, move.from, style) ? moved(now) : now;
    if (!samePath(after, wanted, style)) changed.push({ path: l.path, text: l.text, now, after });
  }
  // Links past the listed ones were not resolved here; each leads out of the data as these do, so each is counted.
  const unlisted = out.count - out.first.length;
  const first = changed[0];
  if (!first && unlisted === 0) return [];
  const named = changed.map((c) => `${c.path} → ${c.text} (now ${c.now}, after the move ${c.after})`).join(', ');
  const more = unlisted > 0 ? `${named ? ', and ' : ''}${unlisted} more that lead out of it` : '';
  const example = first
    ? style.flavour === 'win32'
      ? ` (e.g. make ${first.path} a link to ${first.now})`
      : ` (e.g. \`ln -sfn ${JSON.stringify(first.now)} ${JSON.stringify(first.path)}\`)`
    : '';
  return [
    {
      severity: 'warning',
      code: 'W_RELATIVE_LINK_OUT',
      path: first?.path ?? move.from,
      message: `${changed.length + unlisted} relative symbolic link(s) in ${move.from} lead out of it, so after the move they point somewhere else: ${named}${more}`,
      hint: `make them absolute${example}, or move what they point to along with the folder`,
    },
  ];
}
