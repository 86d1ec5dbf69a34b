// Moved folders: the manifest's entries with their state on disk, and "Move
// back" on each (POST /api/entries/absent sets `state: absent`; the data
// comes back when the plan is applied).
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import type { ApiError, EntryRow, EntryRequest, Overview } from '../../api-types.js';
import { post } from '../api.js';
import { Bytes, ErrorBox } from '../components.js';
import type { AppContext } from '../context.js';
import { S } from '../strings.js';

export function EntriesScreen({ ctx }: { ctx: AppContext }) {
  const [error, setError] = useState<ApiError | null>(null);
  const [queued, setQueued] = useState<string | null>(null);
  const [working, setWorking] = useState(false);
  const entries = ctx.overview?.entries ?? [];

  async function moveBack(entry: EntryRow) {
    setWorking(true);
    setError(null);
    setQueued(null);
    const a = await post<Overview>('/api/entries/absent', { link: entry.link } satisfies EntryRequest);
    setWorking(false);
    if (!a.ok) return setError(a.error);
    ctx.setOverview(a);
    ctx.setPlanDrives(null);
    setQueued(entry.link);
  }

  return html`<p class="intro">${S.entriesIntro}</p>
    <div class="toolbar"><button type="button" class="secondary" onClick=${() => ctx.refreshOverview()}>${S.refresh}</button></div>
    <${ErrorBox} error=${error} />
    <div aria-live="polite">
      ${
        queued
          ? html`<div class="success"><p>${S.movedBackQueued(queued)}</p><button type="button" onClick=${() => ctx.go('plan')}>${S.goToPlan}</button></div>`
          : null
      }
    </div>
    ${
      !ctx.overview
        ? html`<p>${S.loading}</p>`
        : entries.length === 0
          ? html`<p>${S.entriesNone}</p>`
          : html`
      <div class="table-wrap"><table class="entries">
        <thead><tr><th scope="col">${S.colFolder}</th><th scope="col">${S.colState}</th><th scope="col">${S.colStatus}</th><th scope="col">${S.colSize}</th><th scope="col">${S.colActions}</th></tr></thead>
        <tbody>${entries.map(
          (e) => html`<tr key=${e.link} data-link=${e.link} data-action=${e.action}>
            <th scope="row" class="entry-paths"><code>${e.link}</code><br /><span class="arrow">${S.entryTarget}</span> <code>${e.target}</code></th>
            <td>${e.state === 'absent' ? S.stateAbsent : S.statePresent}</td>
            <td class=${e.action === 'none' ? 'ok' : 'pending'}><strong class="entry-status">${e.action === 'none' ? S.inSync : S.pending(e.action)}</strong><br /><span class="muted">${e.reason}</span></td>
            <td><${Bytes} n=${e.bytes} /></td>
            <td>${
              e.state === 'present'
                ? html`<button type="button" aria-label=${S.moveBackLabel(e.link)} disabled=${working || ctx.busy} onClick=${() => moveBack(e)}>${S.moveBack}</button>`
                : null
            }</td>
          </tr>`,
        )}</tbody>
      </table></div>`
    }`;
}
