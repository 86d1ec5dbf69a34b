// The Move dialog: choose a destination drive and folder; the engine plans
// that one move (POST /api/preview-move, nothing written) and the page shows
// its exact sentence ("C:\Games becomes a link; its 212 GB move to D:\Games;
// D: keeps 1.1 TB free") with any problem or warning before anything
// happens. "Add to the plan" writes the entry into the manifest (POST
// /api/moves); the data moves only when the plan is applied.
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiError, MovePreview, MoveRequest, Overview } from '../../api-types.js';
import type { DriveInfo, ScanFolder } from '../../../render/scan-json.js';
import { post } from '../api.js';
import { Bytes, ErrorBox } from '../components.js';
import type { AppContext } from '../context.js';
import { S } from '../strings.js';

/** Wait this long after the last keystroke in the folder box before asking the engine again. */
const PREVIEW_DELAY_MS = 350;

function defaultDrive(folder: ScanFolder, drives: DriveInfo[]): DriveInfo | undefined {
  return drives.find((d) => d.root !== folder.drive) ?? drives[0];
}

/** The drive a typed folder is on, as far as its text tells (the longest drive root it starts with; Windows letters in any case). */
function driveOfFolder(folder: string, drives: DriveInfo[]): DriveInfo | undefined {
  const windows = /^[A-Za-z]:/.test(folder);
  const norm = (s: string) => (windows ? s.toLowerCase().replace(/\//g, '\\') : s);
  const f = norm(folder);
  const inside = (root: string) => {
    const r = norm(root);
    return f === r || f.startsWith(r.endsWith('/') || r.endsWith('\\') ? r : `${r}${windows ? '\\' : '/'}`) || (windows && f === r.replace(/\\$/, ''));
  };
  return drives.filter((d) => inside(d.root)).sort((a, b) => b.root.length - a.root.length)[0];
}

export function MoveDialog({ folder, ctx, onClose }: { folder: ScanFolder; ctx: AppContext; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const first = defaultDrive(folder, ctx.drives);
  const [driveRoot, setDriveRoot] = useState(first?.root ?? '');
  const [parent, setParent] = useState(first?.root ?? '');
  const [preview, setPreview] = useState<{ for: string; answer: MovePreview } | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [checking, setChecking] = useState(false);
  const [adding, setAdding] = useState(false);
  const [added, setAdded] = useState<string | null>(null);
  const asked = useRef(0);
  /** Bumped by "Check again" (after closing a program, say): asks the engine once more for the same destination. */
  const [recheck, setRecheck] = useState(0);
  const goToPlan = useRef<HTMLButtonElement>(null);

  // Once added, the next step takes the focus (autofocus works only when a dialog opens).
  useEffect(() => {
    if (added) goToPlan.current?.focus();
  }, [added]);

  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);

  // Ask the engine what this move would do whenever the destination settles.
  useEffect(() => {
    const dest = parent.trim();
    setPreview(null);
    setError(null);
    setChecking(false);
    if (!dest) return;
    const ticket = ++asked.current;
    const timer = setTimeout(async () => {
      setChecking(true);
      await ctx.whenIdle();
      const a = await post<MovePreview>('/api/preview-move', { source: folder.path, destinationParent: dest } satisfies MoveRequest);
      if (ticket !== asked.current) return;
      setChecking(false);
      if (!a.ok) return setError(a.error);
      setPreview({ for: dest, answer: a });
    }, PREVIEW_DELAY_MS);
    return () => clearTimeout(timer);
  }, [parent, folder.path, recheck]);

  async function add(e: Event) {
    e.preventDefault();
    if (!preview?.answer.possible) return;
    setAdding(true);
    setError(null);
    const a = await post<Overview>('/api/moves', { source: folder.path, destinationParent: preview.for } satisfies MoveRequest);
    setAdding(false);
    if (!a.ok) return setError(a.error);
    ctx.setOverview(a);
    ctx.setPlanDrives(null);
    setAdded(folder.path);
  }

  const current = preview && preview.for === parent.trim() ? preview.answer : null;
  const p = current;
  return html`<dialog ref=${dialog} class="move-dialog" aria-labelledby="move-title" onClose=${onClose}>
    <form method="dialog" class="dialog-body" onSubmit=${add}>
      <h2 id="move-title">${S.moveTitle(folder.title)}</h2>
      <p><span class="muted">${S.moveFrom}:</span> <code class="move-source">${folder.path}</code> (<${Bytes} n=${folder.bytes} />)</p>
      ${
        added
          ? html`<p class="success" role="status">${S.moveAdded(added)}</p>
            <div class="buttons">
              <button type="button" ref=${goToPlan} onClick=${() => {
                dialog.current?.close();
                ctx.go('plan');
              }}>${S.goToPlan}</button>
              <button type="button" class="secondary" onClick=${() => dialog.current?.close()}>${S.close}</button>
            </div>`
          : html`
          <div class="field">
            <label for="move-drive">${S.moveDriveLabel}</label>
            <select id="move-drive" value=${driveOfFolder(parent.trim(), ctx.drives)?.root ?? driveRoot} onChange=${(e: Event) => {
              const root = (e.target as HTMLSelectElement).value;
              setDriveRoot(root);
              setParent(root);
            }}>
              ${ctx.drives.map((d) => html`<option value=${d.root}>${S.moveDriveOption(d.label, d.freeBytes)}</option>`)}
            </select>
          </div>
          <div class="field">
            <label for="move-parent">${S.moveFolderLabel}</label>
            <input id="move-parent" type="text" spellcheck="false" autocomplete="off" value=${parent} aria-describedby="move-parent-help"
              onInput=${(e: Event) => setParent((e.target as HTMLInputElement).value)} />
            <p id="move-parent-help" class="help">${S.moveFolderHelp}</p>
          </div>
          <section class="preview" aria-live="polite" aria-busy=${checking ? 'true' : 'false'}>
            <h3>${S.moveWhatHappens}</h3>
            ${checking || (!p && !error) ? html`<p class="busy">${S.moveChecking}</p>` : null}
            ${
              p && !checking
                ? html`<p class="sentence" data-testid="move-sentence">${p.sentence}</p>
                  ${
                    p.problems.length
                      ? html`<div class="error" role="alert"><p><strong>${S.moveNotPossible}</strong></p><ul>${p.problems.map(
                          (x) => html`<li><code>${x.code}</code> ${x.message}${x.hint ? html` <em>${x.hint}</em>` : null}</li>`,
                        )}</ul></div>`
                      : null
                  }
                  ${
                    p.warnings.length
                      ? html`<div class="warning"><p><strong>${S.moveWarnings}</strong></p><ul>${p.warnings.map((x) => html`<li><code>${x.code}</code> ${x.message}</li>`)}</ul></div>`
                      : null
                  }
                  ${p.possible ? html`<p class="muted">${S.moveNothingYet}</p>` : null}`
                : null
            }
          </section>
          <${ErrorBox} error=${error} />
          <div class="buttons">
            <button type="submit" disabled=${!p?.possible || checking || adding || ctx.busy}>${S.moveAdd}</button>
            ${p && !p.possible ? html`<button type="button" class="secondary" onClick=${() => setRecheck((n) => n + 1)}>${S.moveCheckAgain}</button>` : null}
            <button type="button" class="secondary" onClick=${() => dialog.current?.close()}>${S.cancel}</button>
          </div>`
      }
    </form>
  </dialog>`;
}
