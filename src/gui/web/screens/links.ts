// Existing links: the links already in a folder (GET /api/links?dir=, which
// is `relocate import DIR`), and "Adopt" (POST /api/adopt: `import --write`
// into the manifest; nothing moves).
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import type { AdoptAnswer, ApiError, FoundLinkRow, LinksAnswer } from '../../api-types.js';
import { get, post } from '../api.js';
import { ErrorBox } from '../components.js';
import type { AppContext } from '../context.js';
import { S } from '../strings.js';

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
    const a = await get<LinksAnswer>('/api/links', { dir: d });
    setWorking(false);
    if (!a.ok) return setError(a.error);
    setLooked({ dir: d, rows: a.links });
  }

  async function adopt() {
    if (!looked) return;
    setWorking(true);
    setError(null);
    const a = await post<AdoptAnswer>('/api/adopt', { dir: looked.dir });
    setWorking(false);
    if (!a.ok) return setError(a.error);
    ctx.setOverview(a.overview);
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
    ${
      looked
        ? looked.rows.length === 0
          ? html`<p>${S.linksNone}</p>`
          : html`<div class="table-wrap"><table class="links">
            <thead><tr><th scope="col">${S.colLink}</th><th scope="col">${S.colPointsTo}</th><th scope="col">${S.colType}</th><th scope="col">${S.colNote}</th></tr></thead>
            <tbody>${looked.rows.map(
              (r) =>
                html`<tr key=${r.link}><th scope="row"><code>${r.link}</code></th><td><code>${r.target}</code></td><td>${r.type}</td><td>${r.skipped ?? ''}</td></tr>`,
            )}</tbody>
          </table></div>
          ${adoptable > 0 && !adopted ? html`<div class="buttons"><button type="button" disabled=${working || ctx.busy} onClick=${adopt}>${S.adoptButton}</button></div>` : null}`
        : null
    }`;
}
