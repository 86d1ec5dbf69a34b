// Checkup: `relocate doctor`'s checklist (GET /api/doctor), each check with
// its status in words and a mark (never colour alone) and its hint.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import type { ApiError, DoctorAnswer } from '../../api-types.js';
import { get } from '../api.js';
import { ErrorBox } from '../components.js';
import { S } from '../strings.js';

interface Check {
  id: string;
  status: 'ok' | 'fail' | 'warn' | 'info';
  title: string;
  hint?: string;
}

const MARK: Record<string, string> = { ok: '✓', fail: '✗', warn: '!', info: '–' };

export function DoctorScreen({ active }: { active: boolean }) {
  const [checks, setChecks] = useState<Check[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(false);

  async function load() {
    setLoading(true);
    // The answer holds `relocate doctor --json` as it is, under `doctor` (DoctorAnswer): its checks are read as the CLI prints them.
    const a = await get<DoctorAnswer>('/api/doctor');
    setLoading(false);
    if (!a.ok) return setError(a.error);
    setError(null);
    const list = (a.doctor as { checks?: Check[] } | null)?.checks;
    setChecks(Array.isArray(list) ? list : []);
  }

  useEffect(() => {
    if (active && checks === null) void load();
  }, [active]);

  const problems = checks ? checks.filter((c) => c.status === 'fail').length : 0;
  return html`<p class="intro">${S.doctorIntro}</p>
    <div class="toolbar"><button type="button" class="secondary" disabled=${loading} onClick=${load}>${S.doctorRun}</button></div>
    <${ErrorBox} error=${error} />
    <div aria-live="polite">${loading ? html`<p class="busy">${S.working}</p>` : checks ? html`<p class=${problems ? 'danger' : 'success'}><strong>${problems ? S.doctorProblems(problems) : S.doctorOk}</strong></p>` : null}</div>
    ${
      checks
        ? html`<ul class="checks">${checks.map(
            (c) => html`<li key=${c.id} class=${`check check-${c.status}`}>
            <span class="check-mark" aria-hidden="true">${MARK[c.status] ?? '?'}</span>
            <span class="check-status">${S.checkStatus[c.status] ?? c.status}</span>
            <span class="check-title">${c.title}</span>
            ${c.hint && c.status !== 'ok' ? html`<span class="check-hint">${c.hint}</span>` : null}
          </li>`,
          )}</ul>`
        : null
    }`;
}
