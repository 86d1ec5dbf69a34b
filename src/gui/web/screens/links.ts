// Existing links: the links already in a folder (GET /api/links?dir=, which
// is `relocate import DIR`), and "Adopt" (POST /api/adopt: `import --write`
// into the manifest; nothing moves).
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import type { ApiError, FoundLinkRow, Overview } from '../../api-types.js';
import { get, post } from '../api.js';
import { ErrorBox } from '../components.js';
import type { AppContext } from '../context.js';
import { S } from '../strings.js';

/** The rows of a /api/links answer (the contract names the row type, not the field: `links` is read, `found` and `entries` as fallbacks). */
function rowsOf(answer: Record<string, unknown>): FoundLinkRow[] {
  for (const key of ['links', 'found', 'entries']) if (Array.isArray(answer[key])) return answer[key] as FoundLinkRow[];
  return [];
}

export function LinksScreen({ ctx }: { ctx: AppContext }) {
  const [dir, setDir] = useState('');
  const [looked, setLooked] = useState<{ dir: string; rows: FoundLinkRow[] } | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [working, setWorking] = useState(false);
  const [adopted, setAdopted] = useState(false);

  async function look(e: Event) {
    e.preventDefault();
    const d = dir.trim();
    if (!d) return;
    setWorking(true);
    setError(null);
    setAdopted(false);
    const a = await get<Record<string, unknown>>('/api/links', { dir: d });
    setWorking(false);
    if (!a.ok) return setError(a.error);
    setLooked({ dir: d, rows: rowsOf(a) });
  }

  async function adopt() {
    if (!looked) return;
    setWorking(true);
    setError(null);
    // The answer: { added, skipped, overview } (the contract leaves it open; an Overview itself is taken too).
    const a = await post<{ overview?: Overview } & Partial<Overview>>('/api/adopt', { dir: looked.dir });
    setWorking(false);
    if (!a.ok) return setError(a.error);
    if (a.overview && Array.isArray(a.overview.entries)) ctx.setOverview(a.overview);
    else if (Array.isArray(a.entries)) ctx.setOverview(a as Overview);
    else await ctx.refreshOverview();
    setAdopted(true);
  }

  const adoptable = looked ? looked.rows.filter((r) => !r.skipped).length : 0;
  return html`<p class="intro">${S.linksIntro}</p>
    <form class="row-form" onSubmit=${look}>
      <div class="field">
        <label for="links-dir">${S.linksDirLabel}</label>
        <input id="links-dir" type="text" spellcheck="false" autocomplete="off" required value=${dir} onInput=${(e: Event) => setDir((e.target as HTMLInputElement).value)} />
      </div>
      <button type="submit" disabled=${working}>${S.linksLook}</button>
    </form>
    <${ErrorBox} error=${error} />
    <div aria-live="polite">${adopted ? html`<p class="success">${S.adopted}</p>` : null}</div>
    ${looked
      ? looked.rows.length === 0
        ? html`<p>${S.linksNone}</p>`
        : html`<div class="table-wrap"><table class="links">
            <thead><tr><th scope="col">${S.colLink}</th><th scope="col">${S.colPointsTo}</th><th scope="col">${S.colType}</th><th scope="col">${S.colNote}</th></tr></thead>
            <tbody>${looked.rows.map(
              (r) => html`<tr key=${r.link}><th scope="row"><code>${r.link}</code></th><td><code>${r.target}</code></td><td>${r.type}</td><td>${r.skipped ?? ''}</td></tr>`,
            )}</tbody>
          </table></div>
          ${adoptable > 0 && !adopted ? html`<div class="buttons"><button type="button" disabled=${working || ctx.busy} onClick=${adopt}>${S.adoptButton}</button></div>` : null}`
      : null}`;
}
