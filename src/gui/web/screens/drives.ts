// Drives: a bar per drive, used and free now and after the planned moves.
import { html } from 'htm/preact';
import { DriveCard, DriveLegend } from '../components.js';
import type { AppContext } from '../context.js';
import { S } from '../strings.js';

export function DrivesScreen({ ctx }: { ctx: AppContext }) {
  return html`<p class="intro">${S.drivesIntro}</p>
    <${DriveLegend} />
    ${ctx.drives.length === 0 ? html`<p>${ctx.overview ? S.noDrives : S.loading}</p>` : null}
    <div class="drives">${ctx.drives.map((d) => html`<${DriveCard} key=${d.root} drive=${d} />`)}</div>`;
}
