// Small pieces the screens share: the error box, proportional bars (SVG with
// width attributes: the page's CSP allows no inline style), a drive's bars
// now and after the plan, the live progress of a job.
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiError, StopRequest } from '../api-types.js';
import type { DriveInfo } from '../../render/scan-json.js';
import { post } from './api.js';
import { formatBytes, percent } from './format.js';
import type { JobState } from './jobs.js';
import { S } from './strings.js';

/** An engine or server refusal: code, message, path and hint, word for word. */
export function ErrorBox({ error }: { error: ApiError | null | undefined }) {
  if (!error) return null;
  return html`<div class="error" role="alert">
    <p class="error-title"><strong>${S.errorTitle}</strong></p>
    <p class="error-message">${error.message}</p>
    <dl class="error-details">
      <dt>${S.errorCode}</dt><dd><code class="error-code">${error.code}</code></dd>
      ${error.path ? html`<dt>${S.errorPath}</dt><dd><code>${error.path}</code></dd>` : null}
      ${error.hint ? html`<dt>${S.errorHint}</dt><dd class="error-hint">${error.hint}</dd>` : null}
    </dl>
  </div>`;
}

export interface Segment {
  value: number;
  /** A class of app.css giving the colour (bar-used, bar-free, verdict-safe, …). */
  cls: string;
}

/**
 * A horizontal bar of segments, drawn to scale against `whole`: an SVG whose
 * rectangles get their widths as attributes. `label` is what a screen reader
 * says instead (the numbers are always written beside the bar too).
 */
export function Bar({ segments, whole, label, cls = '' }: { segments: Segment[]; whole: number; label: string; cls?: string }) {
  const scale = whole > 0 ? 1000 / whole : 0;
  let x = 0;
  const rects = segments.map((s) => {
    const w = Math.max(0, Math.min(1000 - x, s.value * scale));
    const r = html`<rect class=${s.cls} x=${x.toFixed(2)} y="0" width=${w.toFixed(2)} height="10" />`;
    x += w;
    return r;
  });
  return html`<svg class=${`bar ${cls}`} viewBox="0 0 1000 10" preserveAspectRatio="none" role="img" aria-label=${label} focusable="false">
    <rect class="bar-track" x="0" y="0" width="1000" height="10" />${rects}
  </svg>`;
}

/** One drive: a bar of used and free space now and, when a plan was made, after it. */
export function DriveCard({ drive }: { drive: DriveInfo }) {
  const used = drive.totalBytes - drive.freeBytes;
  const after = drive.freeAfterPlan;
  let afterBar = null;
  if (after !== undefined) {
    const usedAfter = drive.totalBytes - after;
    const segments: Segment[] =
      usedAfter >= used
        ? [
            { value: used, cls: 'bar-used' },
            { value: usedAfter - used, cls: 'bar-incoming' },
          ]
        : [
            { value: usedAfter, cls: 'bar-used' },
            { value: used - usedAfter, cls: 'bar-freed' },
          ];
    afterBar = html`<div class="drive-row">
      <span class="drive-when">${S.driveAfter}</span>
      <${Bar} segments=${segments} whole=${drive.totalBytes} label=${S.driveBarLabel(`${drive.label} ${S.driveAfter}`, percent(usedAfter, drive.totalBytes))} />
      <span class=${after < 0 ? 'drive-text danger' : 'drive-text'}>${S.driveAfterFree(after)} (${S.driveChange(after - drive.freeBytes)})</span>
    </div>`;
  }
  return html`<article class="drive" aria-label=${drive.label}>
    <h3 class="drive-label">${drive.label} ${drive.label !== drive.root ? html`<span class="muted">${drive.root}</span>` : null}</h3>
    <div class="drive-row">
      <span class="drive-when">${S.driveNow}</span>
      <${Bar} segments=${[{ value: used, cls: 'bar-used' }]} whole=${drive.totalBytes} label=${S.driveBarLabel(drive.label, percent(used, drive.totalBytes))} />
      <span class="drive-text">${S.driveFree(drive.freeBytes, drive.totalBytes)}</span>
    </div>
    ${afterBar}
  </article>`;
}

export function DriveLegend() {
  return html`<ul class="legend" aria-label=${S.legendTitle}>
    <li><span class="swatch bar-used" aria-hidden="true"></span>${S.legendUsed}</li>
    <li><span class="swatch bar-track" aria-hidden="true"></span>${S.legendFree}</li>
    <li><span class="swatch bar-incoming" aria-hidden="true"></span>${S.legendMoved}</li>
    <li><span class="swatch bar-freed" aria-hidden="true"></span>${S.legendFreed}</li>
  </ul>`;
}

/** The live progress of an apply or rollback: bytes, rate, time left, the folder it is at, a file in use, the end. */
export function JobPanel({ job, onDismiss, onElevate }: { job: JobState; onDismiss: () => void; onElevate?: (planId: string) => Promise<ApiError | null> }) {
  const heading = useRef<HTMLHeadingElement>(null);
  const [elevateError, setElevateError] = useState<ApiError | null>(null);
  const [stopError, setStopError] = useState<ApiError | null>(null);
  // Stop: the run stops at the next safe point and an apply rolls back (POST /api/stop); asked again, it stops at once.
  async function stop() {
    const a = await post<{ stopping: true }>('/api/stop', { jobId: job.jobId } satisfies StopRequest);
    setStopError(a.ok ? null : a.error);
  }
  const canElevate = !!(job.elevation && job.planId && onElevate && job.done);
  useEffect(() => heading.current?.focus(), [job.jobId]);
  const running = !job.done;
  const numbers = [
    S.jobBytes(job.bytesDone, job.bytesTotal),
    job.rateBytesPerSecond && running ? S.jobRate(job.rateBytesPerSecond) : null,
    job.secondsLeft !== undefined && running ? S.jobLeft(job.secondsLeft) : null,
  ].filter(Boolean);
  return html`<section class=${`job ${job.done ? (job.done.ok ? 'job-ok' : 'job-failed') : 'job-running'}`} aria-labelledby="job-title" data-job=${job.jobId}>
    <h2 id="job-title" tabindex="-1" ref=${heading}>${S.jobTitle[job.command] ?? job.command}</h2>
    <progress class="job-progress" max=${Math.max(1, job.bytesTotal)} value=${job.done?.ok ? Math.max(1, job.bytesTotal) : job.bytesDone} aria-label=${S.jobProgressLabel}></progress>
    <p class="job-numbers">${numbers.join(' · ')}</p>
    <div aria-live="polite" aria-atomic="true" class="job-live">
      ${job.entry ? html`<p class="job-entry">${S.jobEntry(job.entry.index, job.entry.of, job.entry.title)}</p>` : null}
      ${!job.done && !job.entry && !job.text ? html`<p>${S.jobStarting}</p>` : null}
      ${job.done ? html`<p class="job-end"><strong>${job.done.ok ? S.jobDone : job.done.error?.code === 'E_JOB_END_MISSED' ? S.jobEndUnknown : S.jobFailed}</strong>${job.done.runId ? html` <span class="muted">${S.jobRun(job.done.runId)}</span>` : null}</p>` : null}
    </div>
    ${job.text && !job.done ? html`<p class="job-text muted">${job.text}</p>` : null}
    ${(job.done?.ok ? [] : job.inUse).map(
      (u) =>
        html`<div class="warning" role="alert"><p><strong>${S.jobInUse(u.path)}</strong></p><p class="in-use-programs">${S.jobInUsePrograms(u.programs)}</p></div>`,
    )}
    ${
      job.elevation
        ? html`<div class="warning" role="alert"><p><strong>${S.jobElevationTitle}</strong>: ${job.elevation}</p>
          ${
            canElevate
              ? html`<p>${S.elevateOffer}</p><button type="button" onClick=${async () => setElevateError((await onElevate?.(job.planId as string)) ?? null)}>${S.elevateButton}</button><${ErrorBox} error=${elevateError} />`
              : html`<p>${S.jobElevationHow}</p>`
          }</div>`
        : null
    }
    <${ErrorBox} error=${job.done?.error} />
    ${
      job.steps.length
        ? html`<details class="job-steps"><summary>${S.jobSteps} (${job.steps.length})</summary><ol>${job.steps.slice(-50).map((s) => html`<li>${s}</li>`)}</ol></details>`
        : null
    }
    ${job.stopping && !job.done ? html`<p class="job-stopping" role="status"><strong>${S.jobStopping}</strong></p>` : null}
    <${ErrorBox} error=${stopError} />
    ${!job.done ? html`<button type="button" class="secondary" onClick=${stop}>${job.stopping ? S.jobStopNow : S.jobStop}</button>` : null}
    ${job.done ? html`<button type="button" class="secondary" onClick=${onDismiss}>${S.jobDismiss}</button>` : null}
  </section>`;
}

/** "12.4 GiB" in a <data> element, so tests and tools can read the exact number. */
export function Bytes({ n }: { n: number | undefined }) {
  if (n === undefined) return html`<span class="muted">–</span>`;
  return html`<data value=${String(n)}>${formatBytes(n)}</data>`;
}
