// Plan and apply: the whole manifest planned against the disk (POST
// /api/plan; nothing written), in the engine's own lines, with what blocks
// it and the free space after it; "Apply" runs that very plan (POST
// /api/apply with its id) and the job panel shows the progress.
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiError, JobStarted, PlanPreview } from '../../api-types.js';
import { post } from '../api.js';
import { DriveCard, DriveLegend, ErrorBox } from '../components.js';
import type { AppContext } from '../context.js';
import { S } from '../strings.js';

interface Finding {
  severity: string;
  code: string;
  message: string;
  hint?: string;
}

/** The findings of `relocate plan --json` (the plan's own and each entry's), read defensively: PlanPreview.plan is passed through untyped. */
export function planFindings(plan: unknown): Finding[] {
  const out: Finding[] = [];
  const take = (list: unknown) => {
    if (!Array.isArray(list)) return;
    for (const f of list)
      if (f && typeof f === 'object' && typeof f.message === 'string')
        out.push({ severity: String(f.severity ?? ''), code: String(f.code ?? ''), message: f.message, hint: typeof f.hint === 'string' ? f.hint : undefined });
  };
  if (plan && typeof plan === 'object') {
    const p = plan as { findings?: unknown; entries?: unknown };
    take(p.findings);
    if (Array.isArray(p.entries)) for (const e of p.entries) take(e?.findings);
  }
  return out;
}

export function PlanScreen({ ctx, active }: { ctx: AppContext; active: boolean }) {
  const [plan, setPlan] = useState<(PlanPreview & { needsElevation?: string }) | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [planning, setPlanning] = useState(false);
  const [starting, setStarting] = useState(false);
  const entriesKey = JSON.stringify(ctx.overview?.entries ?? null);
  const firstRun = useRef(true);

  // A plan is for the disk and manifest it was made from: forget it when either changed.
  useEffect(() => {
    if (firstRun.current) {
      firstRun.current = false;
      return;
    }
    setPlan(null);
  }, [entriesKey, ctx.jobsFinished]);

  const hasManifest = ctx.overview?.manifest.exists === true;
  useEffect(() => {
    if (active && !plan && !planning && !ctx.busy && hasManifest) void makePlan();
  }, [active, plan, ctx.busy, hasManifest]);

  async function makePlan() {
    setPlanning(true);
    setError(null);
    await ctx.whenIdle();
    const a = await post<PlanPreview>('/api/plan', {});
    setPlanning(false);
    if (!a.ok) {
      setPlan(null);
      ctx.setPlanDrives(null);
      return setError(a.error);
    }
    setPlan(a);
    ctx.setPlanDrives(a.drives);
  }

  async function apply() {
    if (!plan) return;
    setStarting(true);
    setError(null);
    await ctx.whenIdle();
    const a = await post<JobStarted>('/api/apply', { planId: plan.planId });
    setStarting(false);
    if (!a.ok) return setError(a.error);
    ctx.watchJob(a.jobId, 'apply', plan.planId);
  }

  async function applyElevated() {
    if (!plan) return;
    setStarting(true);
    setError(await ctx.applyElevated(plan.planId));
    setStarting(false);
  }

  const findings = plan ? planFindings(plan.plan) : [];
  const drivesAfter = plan ? plan.drives.filter((d) => d.freeAfterPlan !== undefined && d.freeAfterPlan !== d.freeBytes) : [];
  return html`<p class="intro">${S.planIntro}</p>
    ${
      ctx.overview && !hasManifest
        ? html`<p class="note">${S.planNoManifest}</p><div class="buttons"><button type="button" onClick=${() => ctx.go('scan')}>${S.screens.scan}</button></div>`
        : html`<div class="toolbar">
          <button type="button" class=${plan ? 'secondary' : ''} disabled=${planning || ctx.busy} onClick=${makePlan}>${plan ? S.planAgain : S.planButton}</button>
        </div>`
    }
    <div aria-live="polite">${planning ? html`<p class="busy">${S.planning}</p>` : null}</div>
    <${ErrorBox} error=${error} />
    ${
      plan && !planning
        ? html`<section class="plan" aria-label=${S.screens.plan} data-plan=${plan.planId}>
          ${plan.changes === 0 && !plan.blocked ? html`<p class="success">${S.planNothing}</p>` : html`<p><strong>${S.planChanges(plan.changes)}</strong></p>`}
          ${plan.lines.length ? html`<ul class="plan-lines">${plan.lines.map((l) => html`<li>${l}</li>`)}</ul>` : null}
          ${plan.blocked ? html`<div class="error" role="alert"><p><strong>${S.planBlocked}</strong></p></div>` : null}
          ${
            findings.length
              ? html`<ul class="findings">${findings.map(
                  (f) =>
                    html`<li class=${f.severity === 'error' ? 'finding-error' : 'finding-warning'}><code>${f.code}</code> ${f.message}${f.hint ? html` <em>${f.hint}</em>` : null}</li>`,
                )}</ul>`
              : null
          }
          ${
            drivesAfter.length
              ? html`<h3>${S.planDrives}</h3><${DriveLegend} /><div class="drives">${drivesAfter.map((d) => html`<${DriveCard} key=${d.root} drive=${d} />`)}</div>`
              : null
          }
          ${
            plan.needsElevation && ctx.overview?.os === 'win32'
              ? html`<div class="warning"><p><strong>${S.planNeedsElevation}</strong>: ${plan.needsElevation}</p><p>${S.elevateOffer}</p>
                <button type="button" class="primary" disabled=${starting || ctx.busy} onClick=${applyElevated}>${S.elevateButton}</button></div>`
              : plan.changes > 0 && !plan.blocked
                ? html`<div class="buttons"><button type="button" class="primary apply-button" disabled=${starting || ctx.busy} onClick=${apply}>${S.applyButton}</button></div>`
                : null
          }
        </section>`
        : null
    }`;
}
