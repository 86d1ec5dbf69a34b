// History: every run, newest first, with "Move back" on each run that can be
// rolled back (POST /api/rollback starts `relocate rollback RUN`; the job
// panel shows its progress). Asks once more in place before it starts.
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiError, HistoryAnswer, JobStarted, RunRow } from '../../api-types.js';
import { get, post } from '../api.js';
import { ErrorBox } from '../components.js';
import type { AppContext } from '../context.js';
import { formatTime } from '../format.js';
import { S } from '../strings.js';

export function HistoryScreen({ ctx, active }: { ctx: AppContext; active: boolean }) {
  const [runs, setRuns] = useState<RunRow[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const confirmButton = useRef<HTMLButtonElement>(null);

  // The question takes the focus, so Enter answers it (autofocus works only when a page loads).
  useEffect(() => {
    if (confirming) confirmButton.current?.focus();
  }, [confirming]);

  async function load() {
    const a = await get<HistoryAnswer>('/api/history');
    if (!a.ok) return setError(a.error);
    setError(null);
    setRuns(a.runs);
  }

  useEffect(() => {
    if (active) void load();
  }, [active, ctx.jobsFinished]);

  async function rollback(id: string) {
    setStarting(true);
    setError(null);
    await ctx.whenIdle();
    const a = await post<JobStarted>('/api/rollback', { runId: id });
    setStarting(false);
    setConfirming(null);
    if (!a.ok) return setError(a.error);
    ctx.watchJob(a.jobId, 'rollback');
  }

  return html`<p class="intro">${S.historyIntro}</p>
    <div class="toolbar"><button type="button" class="secondary" onClick=${load}>${S.refresh}</button></div>
    <${ErrorBox} error=${error} />
    ${
      runs === null
        ? error
          ? null
          : html`<p>${S.loading}</p>`
        : runs.length === 0
          ? html`<p>${S.historyNone}</p>`
          : html`
      <div class="table-wrap"><table class="runs">
        <thead><tr><th scope="col">${S.colRun}</th><th scope="col">${S.colStarted}</th><th scope="col">${S.colRunStatus}</th><th scope="col">${S.colWhat}</th><th scope="col">${S.colActions}</th></tr></thead>
        <tbody>${runs.map(
          (r) => html`<tr key=${r.id} data-run=${r.id} data-status=${r.status}>
            <th scope="row"><code>${r.id}</code></th>
            <td><time datetime=${r.startedAt}>${formatTime(r.startedAt)}</time></td>
            <td class="run-status">${r.status}</td>
            <td>${r.summary}</td>
            <td>${
              !r.canRollBack
                ? null
                : confirming === r.id
                  ? html`<div class="confirm" role="group" aria-label=${S.rollbackLabel(r.id)}>
                  <p>${S.rollbackConfirm(r.id)}</p>
                  <button type="button" class="danger" ref=${confirmButton} disabled=${starting || ctx.busy} onClick=${() => rollback(r.id)}>${S.moveBack}</button>
                  <button type="button" class="secondary" onClick=${() => setConfirming(null)}>${S.cancel}</button>
                </div>`
                  : html`<button type="button" aria-label=${S.rollbackLabel(r.id)} disabled=${ctx.busy} onClick=${() => setConfirming(r.id)}>${S.moveBack}</button>`
            }</td>
          </tr>`,
        )}</tbody>
      </table></div>`
    }`;
}
