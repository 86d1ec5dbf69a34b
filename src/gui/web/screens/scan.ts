// Scan: the big folders drawn as bars to scale (people look at sizes rather
// than read them), coloured and labelled by verdict, with the engine's reason;
// "Move…" only where the engine says a move is safe or possible with care.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import type { ApiError } from '../../api-types.js';
import type { ScanFolder, ScanReport } from '../../../render/scan-json.js';
import { get } from '../api.js';
import { Bar, Bytes, ErrorBox } from '../components.js';
import type { AppContext } from '../context.js';
import { formatBytes } from '../format.js';
import { S } from '../strings.js';

const MOVABLE = new Set(['safe', 'caution']);

export function ScanScreen({ ctx }: { ctx: AppContext }) {
  const [path, setPath] = useState('');
  const [report, setReport] = useState<ScanReport | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(false);

  async function scan(e: Event) {
    e.preventDefault();
    setLoading(true);
    setError(null);
    const a = await get<ScanReport>('/api/scan', { path: path.trim() || undefined });
    setLoading(false);
    if (!a.ok) return setError(a.error);
    setReport(a);
  }

  const folders = report ? [...report.folders].sort((a, b) => b.bytes - a.bytes) : [];
  const largest = folders.reduce((m, f) => Math.max(m, f.bytes), 0);
  const total = folders.reduce((s, f) => s + f.bytes, 0);
  return html`<p class="intro">${S.scanIntro}</p>
    <form class="row-form" onSubmit=${scan}>
      <div class="field">
        <label for="scan-path">${S.scanPathLabel}</label>
        <input id="scan-path" name="path" type="text" spellcheck="false" autocomplete="off" value=${path} onInput=${(e: Event) => setPath((e.target as HTMLInputElement).value)} aria-describedby="scan-path-help" />
      </div>
      <button type="submit" disabled=${loading}>${S.scanButton}</button>
      <p id="scan-path-help" class="help row-help">${S.scanPathHelp}</p>
    </form>
    <div aria-live="polite">${loading ? html`<p class="busy">${S.scanning}</p>` : null}</div>
    <${ErrorBox} error=${error} />
    ${
      report && !loading
        ? html`<section aria-label=${S.screens.scan} class="scan-results">
          ${folders.length ? html`<p>${S.scanSummary(folders.length, total)}</p>` : html`<p>${S.scanNothing}</p>`}
          <ol class="folders">${folders.map((f) => html`<${FolderRow} key=${f.path} folder=${f} largest=${largest} ctx=${ctx} />`)}</ol>
          ${report.links.length ? html`<p class="note">${S.scanLinksFound(report.links.length)}</p>` : null}
          ${
            report.problems.length
              ? html`<details class="problems"><summary>${S.scanProblems} (${report.problems.length})</summary>
                <ul>${report.problems.map((p) => html`<li><code>${p.path}</code>: ${p.message}</li>`)}</ul></details>`
              : null
          }
        </section>`
        : null
    }`;
}

function FolderRow({ folder: f, largest, ctx }: { folder: ScanFolder; largest: number; ctx: AppContext }) {
  const id = `folder-${hashId(f.path)}`;
  return html`<li class=${`folder verdict-${f.verdict}`} data-path=${f.path} aria-labelledby=${`${id}-title`}>
    <div class="folder-head">
      <h3 id=${`${id}-title`} class="folder-title">${f.title}</h3>
      <span class=${`badge verdict-${f.verdict}`}>${S.verdicts[f.verdict] ?? f.verdict}</span>
      ${
        MOVABLE.has(f.verdict) && !f.linkTarget
          ? html`<button type="button" class="move-button" aria-label=${S.moveButtonLabel(f.title)} disabled=${ctx.busy} onClick=${() => ctx.openMove(f)}>${S.moveButton}</button>`
          : null
      }
    </div>
    <p class="folder-path"><code>${f.path}</code></p>
    <div class="folder-size">
      <${Bar} segments=${[{ value: f.bytes, cls: `fill-${f.verdict}` }]} whole=${largest} label=${`${f.title}: ${formatBytes(f.bytes)}`} cls="folder-bar" />
      <span class="size"><${Bytes} n=${f.bytes} /> · ${S.scanFiles(f.files)}</span>
    </div>
    <p class="reason">${f.reason}</p>
    ${f.verdict === 'owner-mover' && f.mover ? html`<p class="mover"><strong>${S.moverText(f.mover)}</strong></p>` : null}
    ${f.linkTarget ? html`<p class="note">${S.scanAlreadyLink(f.linkTarget)}</p>` : null}
  </li>`;
}

/** A short stable id for a path (element ids may not hold every character a path can). */
export function hashId(s: string): string {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return (h >>> 0).toString(36);
}
