// The page: a header, a list of screens (buttons, reachable with Tab), the
// screen itself, the progress of a running apply or rollback above it, and
// the Move dialog. Screens stay mounted while hidden, so a scan or a plan is
// still there after a look at another screen. The screen is in the address
// (#/scan), so Back and a reload keep it.
import { html } from 'htm/preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ApiError, JobEvent, JobStarted, Overview } from '../api-types.js';
import type { DriveInfo, ScanFolder } from '../../render/scan-json.js';
import { get, post } from './api.js';
import { ErrorBox, JobPanel } from './components.js';
import { SCREENS, type AppContext, type Screen } from './context.js';
import { listenToJobs } from './events.js';
import { jobStep, newJob, type JobState } from './jobs.js';
import { DoctorScreen } from './screens/doctor.js';
import { DrivesScreen } from './screens/drives.js';
import { EntriesScreen } from './screens/entries.js';
import { HistoryScreen } from './screens/history.js';
import { LinksScreen } from './screens/links.js';
import { MoveDialog } from './screens/move-dialog.js';
import { PlanScreen } from './screens/plan.js';
import { ScanScreen } from './screens/scan.js';
import { S } from './strings.js';

/** How long after the event stream is back a running job must show a sign of life before the page says its end was missed. */
const RECONNECT_GRACE_MS = 3_000;

function screenFromHash(): Screen {
  const name = location.hash.replace(/^#\/?/, '');
  return (SCREENS as readonly string[]).includes(name) ? (name as Screen) : 'drives';
}

export function App() {
  const [screen, setScreen] = useState<Screen>(screenFromHash);
  const [overview, setOverview] = useState<Overview | null>(null);
  const [overviewError, setOverviewError] = useState<ApiError | null>(null);
  const [planDrives, setPlanDrives] = useState<DriveInfo[] | null>(null);
  const [jobs, setJobs] = useState<Record<string, JobState>>({});
  const [currentJob, setCurrentJob] = useState<string | null>(null);
  const [jobsFinished, setJobsFinished] = useState(0);
  const [moving, setMoving] = useState<ScanFolder | null>(null);
  const [actionError, setActionError] = useState<ApiError | null>(null);
  /** False while the event stream is down (relocate gui stopped, or the machine slept); the browser keeps trying. */
  const [connected, setConnected] = useState(true);
  const heading = useRef<HTMLHeadingElement>(null);
  const navigated = useRef(false);
  const jobsSeen = useRef(jobs);
  jobsSeen.current = jobs;
  const currentSeen = useRef(currentJob);
  currentSeen.current = currentJob;
  /** When the last event arrived (ms), and whether the stream was down since the page opened it. */
  const lastEventAt = useRef(0);
  const wasDown = useRef(false);

  /** The overview request in flight, if any (see whenIdle). */
  const reading = useRef<Promise<void> | null>(null);
  const refreshOverview = useCallback(() => {
    const p = (async () => {
      const a = await get<Overview>('/api/overview');
      if (!a.ok) return setOverviewError(a.error);
      setOverviewError(null);
      setOverview(a);
    })();
    const mine = p.finally(() => {
      if (reading.current === mine) reading.current = null;
    });
    reading.current = mine;
    return mine;
  }, []);

  useEffect(() => {
    void refreshOverview();
    const onHash = () => setScreen(screenFromHash());
    addEventListener('hashchange', onHash);
    const stream = listenToJobs(
      (e: JobEvent) => {
        lastEventAt.current = Date.now();
        setJobs((all) => {
          const job = all[e.jobId] ?? newJob(e.jobId, e.type === 'start' ? e.command : 'apply');
          return { ...all, [e.jobId]: jobStep(job, e) };
        });
        // A job started elsewhere (another tab) is shown unless one of this page's is still running.
        if (e.type === 'start') setCurrentJob((cur) => (cur && !jobsSeen.current[cur]?.done ? cur : e.jobId));
        if (e.type === 'done') {
          setJobsFinished((n) => n + 1);
          setPlanDrives(null);
          void refreshOverview();
        }
      },
      (up) => {
        setConnected(up);
        if (!up) {
          wasDown.current = true;
          return;
        }
        void refreshOverview();
        if (!wasDown.current) return;
        // Back after a break: a job still running is replayed from its start at once; one that
        // ended meanwhile is not (the server keeps no finished job), so say its end was missed.
        const back = Date.now();
        setTimeout(() => {
          const id = currentSeen.current;
          if (!id || jobsSeen.current[id]?.done || lastEventAt.current >= back) return;
          setJobs((all) =>
            all[id] && !all[id].done
              ? {
                  ...all,
                  [id]: { ...all[id], done: { ok: false, error: { code: 'E_JOB_END_MISSED', message: S.jobEndMissed, path: null, hint: S.jobEndMissedHint } } },
                }
              : all,
          );
          setJobsFinished((n) => n + 1);
        }, RECONNECT_GRACE_MS);
      },
    );
    return () => {
      removeEventListener('hashchange', onHash);
      stream.close();
    };
  }, []);

  // Move focus to the new screen's heading when the user changes screen (not on the first load),
  // and put away the panel of a job that has finished: its outcome is on the screens now.
  useEffect(() => {
    if (navigated.current) heading.current?.focus();
    navigated.current = true;
    setCurrentJob((cur) => (cur && jobsSeen.current[cur]?.done ? null : cur));
  }, [screen]);

  const drives = useMemo(() => {
    const base = overview?.drives ?? [];
    if (!planDrives) return base;
    return base.map((d) => ({ ...d, ...(planDrives.find((p) => p.root === d.root) ?? {}) }));
  }, [overview, planDrives]);

  /** A manifest the engine cannot read: the server says why beside the drives and history (not yet in api-types.ts). */
  const manifestError = overview?.manifestError;
  const job = currentJob ? jobs[currentJob] : undefined;
  const busy = !!job && !job.done;

  const ctx: AppContext = {
    overview,
    drives,
    go: (s) => {
      location.hash = `#/${s}`;
      setScreen(s);
    },
    setOverview,
    refreshOverview,
    whenIdle: async () => {
      while (reading.current) await reading.current;
    },
    setPlanDrives,
    watchJob: (jobId, command, planId) => {
      setJobs((all) => ({ ...all, [jobId]: all[jobId] ? { ...all[jobId], planId } : newJob(jobId, command, planId) }));
      setCurrentJob(jobId);
    },
    applyElevated: async (planId) => {
      await ctx.whenIdle();
      const a = await post<JobStarted>('/api/apply-elevated', { planId });
      if (!a.ok) return a.error;
      ctx.watchJob(a.jobId, 'apply', planId);
      return null;
    },
    busy,
    jobsFinished,
    openMove: setMoving,
  };

  async function rollbackUnfinished(runId: string) {
    setActionError(null);
    await ctx.whenIdle();
    const a = await post<JobStarted>('/api/rollback', { runId });
    if (!a.ok) return setActionError(a.error);
    ctx.watchJob(a.jobId, 'rollback');
  }

  const screens: Record<Screen, unknown> = {
    drives: html`<${DrivesScreen} ctx=${ctx} />`,
    scan: html`<${ScanScreen} ctx=${ctx} />`,
    entries: html`<${EntriesScreen} ctx=${ctx} />`,
    plan: html`<${PlanScreen} ctx=${ctx} active=${screen === 'plan'} />`,
    history: html`<${HistoryScreen} ctx=${ctx} active=${screen === 'history'} />`,
    links: html`<${LinksScreen} ctx=${ctx} />`,
    doctor: html`<${DoctorScreen} active=${screen === 'doctor'} />`,
  };

  return html`
    <button type="button" class="skip" onClick=${() => heading.current?.focus()}>${S.skipToMain}</button>
    <header class="top">
      <div class="brand"><span class="logo" aria-hidden="true">⇄</span> <strong>${S.appTitle}</strong> <span class="tagline">${S.appTagline}</span></div>
      ${
        overview
          ? html`<p class="manifest"><span class="muted">${S.manifestLabel}:</span> <code>${overview.manifest.path}</code>${overview.manifest.exists ? null : html` <span class="muted">${S.manifestMissing}</span>`}</p>`
          : null
      }
    </header>
    <div class="layout">
      <nav class="side" aria-label=${S.nav}>
        <ul>${SCREENS.map(
          (s) =>
            html`<li><button type="button" class="nav-button" data-screen=${s} aria-current=${screen === s ? 'page' : undefined} onClick=${() => ctx.go(s)}>${S.screens[s]}</button></li>`,
        )}</ul>
      </nav>
      <main id="main">
        ${connected ? null : html`<div class="warning" role="alert"><p><strong>${S.disconnected}</strong></p><p>${S.disconnectedHint}</p></div>`}
        <${ErrorBox} error=${overviewError} />
        ${manifestError ? html`<div class="manifest-error"><p><strong>${S.manifestProblem}</strong></p><${ErrorBox} error=${manifestError} /></div>` : null}
        ${
          overview?.unfinishedRun
            ? html`<div class="warning" role="alert"><p>${S.unfinishedRun(overview.unfinishedRun)}</p>
              <button type="button" disabled=${busy} onClick=${() => rollbackUnfinished(overview.unfinishedRun as string)}>${S.unfinishedRunButton}</button>
              <${ErrorBox} error=${actionError} /></div>`
            : null
        }
        ${job ? html`<${JobPanel} job=${job} onDismiss=${() => setCurrentJob(null)} onElevate=${overview?.os === 'win32' ? ctx.applyElevated : undefined} />` : null}
        <h1 id="screen-title" tabindex="-1" ref=${heading}>${S.screens[screen]}</h1>
        ${SCREENS.map((s) => html`<section class="screen" data-screen=${s} hidden=${screen !== s} aria-labelledby=${screen === s ? 'screen-title' : undefined}>${screens[s]}</section>`)}
      </main>
    </div>
    ${moving ? html`<${MoveDialog} key=${moving.path} folder=${moving} ctx=${ctx} onClose=${() => setMoving(null)} />` : null}`;
}
