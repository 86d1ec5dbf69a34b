import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { formatBytes } from '../../src/core/units.js';
import { loopReason, mountLoopExt4 } from '../helpers/loop-volume.js';
import {
  EVIL_HOST,
  browserMissing,
  collectPageErrors,
  launchBrowser,
  makeSandbox,
  rawRequest,
  screenshot,
  startGui,
  startOtherSite,
  tabTo,
  type Browser,
  type Gui,
  type Page,
  type Sandbox,
} from '../helpers/browser.js';

/**
 * `relocate gui` in a real browser (Debian's Chromium through
 * playwright-core): the page and the server together, on a sandbox that
 * stands for C:\Games and D:, with the disk checked after every step. Also
 * the server's defences as a browser meets them: another site's requests
 * (CSRF), another host name (DNS rebinding), the one-time token. Each
 * screen is saved as a screenshot in test-artifacts/gui/ (the README's come
 * from there: scripts/gui-screenshots.mjs).
 */

const missing = browserMissing();
if (missing) console.warn(`test/gui/browser.test.ts skipped: ${missing}`);
/** The main flow moves Games to another volume (a loop-mounted ext4: copy, verify, delete) where one can be mounted, else to a folder on the same volume (a rename). */
const noLoop = loopReason();
if (!missing && noLoop) console.warn(`test/gui/browser.test.ts: D is a folder on C's volume, not a volume of its own (${noLoop})`);

/** The files of a tree, relative path → contents (links not followed). */
function treeOf(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(d, e.name), r);
      else out[r] = readFileSync(path.join(d, e.name), 'utf8');
    }
  };
  walk(dir, '');
  return out;
}

/** Games is where it started: a real folder with every file, nothing at D. */
function expectAtHome(sb: Sandbox): void {
  expect(lstatSync(sb.games).isDirectory()).toBe(true);
  expect(lstatSync(sb.games).isSymbolicLink()).toBe(false);
  expect(treeOf(sb.games)).toEqual(sb.files);
  expect(existsSync(path.join(sb.d, 'Games'))).toBe(false);
}

/** Games moved: a link at C pointing to D\Games, which holds every file. */
function expectMoved(sb: Sandbox): void {
  const target = path.join(sb.d, 'Games');
  expect(lstatSync(sb.games).isSymbolicLink()).toBe(true);
  expect(path.resolve(path.dirname(sb.games), readlinkSync(sb.games))).toBe(target);
  expect(lstatSync(target).isDirectory()).toBe(true);
  expect(treeOf(target)).toEqual(sb.files);
}

describe.skipIf(missing !== null)('relocate gui in Chromium', () => {
  let browser: Browser;
  let closeBrowser: (() => Promise<void>) | undefined;
  const cleanups: (() => Promise<void> | void)[] = [];

  beforeAll(async () => {
    ({ browser, close: closeBrowser } = await launchBrowser());
  }, 90_000);
  afterAll(async () => {
    await closeBrowser?.();
  });
  // Each test's servers, pages and sandboxes go, also when it failed.
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function setUp(opts: { crossVolume?: boolean; zoom?: number } = {}): Promise<{ sb: Sandbox; gui: Gui; page: Page; errors: string[] }> {
    let d: string | undefined;
    if (opts.crossVolume && !noLoop) {
      const vol = mountLoopExt4(32, 'gui-d');
      cleanups.push(() => vol.unmount());
      d = vol.dir;
    }
    const sb = makeSandbox(d);
    cleanups.push(() => sb.remove());
    const gui = await startGui(sb);
    cleanups.push(() => gui.stop());
    // A zoom of Z: the window's CSS pixels divided by Z, each drawn Z times as dense (what the browser's zoom does).
    const zoom = opts.zoom ?? 1;
    const context = await browser.newContext({ viewport: { width: Math.round(1280 / zoom), height: Math.round(820 / zoom) }, deviceScaleFactor: zoom });
    cleanups.push(() => context.close());
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    const errors = collectPageErrors(page);
    await page.goto(gui.url);
    await page.waitForSelector('nav.side button[data-screen="drives"]');
    return { sb, gui, page, errors };
  }

  async function go(page: Page, screen: string): Promise<void> {
    await page.click(`nav.side button[data-screen="${screen}"]`);
    await page.waitForSelector(`section.screen[data-screen="${screen}"]:not([hidden])`);
  }

  /** Starts a job with `start` and waits until the job panel shows that job (not an earlier one) finished well. */
  async function runJob(page: Page, start: () => Promise<void>): Promise<void> {
    const before = await page.evaluate(() => document.querySelector('section.job')?.getAttribute('data-job') ?? null);
    await start();
    const handle = await page.waitForFunction(
      (prev) => {
        const job = document.querySelector('section.job');
        const id = job?.getAttribute('data-job');
        if (!job || !id || id === prev) return null;
        if (job.classList.contains('job-failed')) return `failed: ${job.textContent}`;
        return job.classList.contains('job-ok') ? 'ok' : null;
      },
      before,
      { timeout: 60_000 },
    );
    expect(await handle.jsonValue()).toBe('ok');
  }

  /** Plans, applies, and waits for the job panel to say done. */
  async function planAndApply(page: Page, name?: string): Promise<void> {
    await go(page, 'plan');
    const apply = page.locator('section.screen[data-screen="plan"] .apply-button');
    await waitOrExplain(page, 'section.screen[data-screen="plan"] .apply-button', 'the plan offers Apply', 45_000);
    if (name) await screenshot(page, name);
    await runJob(page, () => apply.click());
  }

  it('moves Games to D and back with the GUI alone, checking the disk after every step', async () => {
    const { sb, gui, page, errors } = await setUp({ crossVolume: true });

    // The token left the address bar after the first visit.
    expect(page.url()).not.toContain('token=');
    await page.locator('.drive').first().waitFor();
    expectAtHome(sb);

    // Scan the sandbox's C: Games is there, drawn to scale, with Move….
    await go(page, 'scan');
    await page.fill('#scan-path', sb.c);
    await page.click('section.screen[data-screen="scan"] form button[type="submit"]');
    const row = page.locator(`li.folder[data-path="${sb.games}"]`);
    await row.waitFor();
    await expect(row.locator('data').getAttribute('value')).resolves.toBe(String(sb.bytes));
    await screenshot(page, 'scan');
    expectAtHome(sb);

    // Move…: the destination is D; the exact sentence comes before anything happens.
    await row.locator('.move-button').click();
    const dialog = page.locator('dialog.move-dialog[open]');
    await dialog.waitFor();
    await page.fill('#move-parent', sb.d);
    const sentence = dialog.locator('[data-testid="move-sentence"]');
    await sentence.waitFor();
    const target = path.join(sb.d, 'Games');
    const shown = (await sentence.textContent()) ?? '';
    expect(shown).toMatch(new RegExp(`^${escape(sb.games)} becomes a link; its ${escape(formatBytes(sb.bytes))} move to ${escape(target)}; .+ keeps .+ free$`));
    // Word for word what the engine answers (asked from the page, as the page asks).
    const preview = await page.evaluate(
      async (body) => {
        const r = await fetch('/api/preview-move', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-Relocate': '1' },
          body: JSON.stringify(body),
        });
        return (await r.json()) as { sentence: string };
      },
      { source: sb.games, destinationParent: sb.d },
    );
    expect(shown).toBe(preview.sentence);
    await screenshot(page, 'move');
    expectAtHome(sb);

    // Add to the plan: the manifest gets the entry, the disk nothing.
    await dialog.locator('button[type="submit"]').click();
    await dialog.locator('.success').waitFor();
    expect(readFileSync(sb.manifest, 'utf8')).toContain(sb.games);
    expectAtHome(sb);

    // Plan: one change, in the engine's words; still nothing moved.
    await dialog.getByRole('button', { name: 'Go to the plan' }).click();
    await expect(page.locator('dialog.move-dialog[open]').count()).resolves.toBe(0);
    const plan = page.locator('section.screen[data-screen="plan"] section.plan');
    await plan.waitFor();
    await expect(plan.locator('.plan-lines li').count()).resolves.toBe(1);
    await expect(plan.locator('.plan-lines li').first().textContent()).resolves.toContain(sb.games);
    expectAtHome(sb);

    // The drives screen now shows the space after the plan too.
    await go(page, 'drives');
    await page.locator('.drive').first().waitFor();
    await screenshot(page, 'drives');

    // Apply: the job panel follows it to the end; Games is a link, the data on D.
    await planAndApply(page, 'plan');
    const job = page.locator('section.job');
    await expect(job.locator('progress').evaluate((p: HTMLProgressElement) => p.value === p.max)).resolves.toBe(true);
    await expect(job.locator('.job-numbers').textContent()).resolves.toContain(formatBytes(sb.bytes));
    // The events of the run reached the page: the folder it was at, and its steps.
    await expect(job.locator('.job-entry').textContent()).resolves.toContain(`Folder 1 of 1: move ${sb.games}`);
    await expect(job.locator('.job-steps summary').textContent()).resolves.toMatch(/\((?:[1-9]\d*)\)$/);
    await waitOrExplain(page, 'section.plan p.success', 'the plan made after the apply says there is nothing left to do', 45_000);
    await screenshot(page, 'apply');
    expectMoved(sb);

    // Moved folders: the entry is in place.
    await go(page, 'entries');
    await page.locator(`tr[data-link="${sb.games}"][data-action="none"]`).waitFor();
    await screenshot(page, 'entries');

    // History: the run, and Move back on it (a rollback), asked once more first.
    await go(page, 'history');
    const run = page.locator('table.runs tbody tr').first();
    await run.waitFor();
    await screenshot(page, 'history');
    await run.getByRole('button', { name: /^Move back/ }).click();
    await runJob(page, () => run.locator('.confirm button.danger').click());
    await expect(page.locator('section.job h2').textContent()).resolves.toBe('Moving back');
    expectAtHome(sb);

    // The manifest still asks for the move: apply again, then Move back on the entry (state: absent) and apply.
    await planAndApply(page);
    expectMoved(sb);
    await go(page, 'entries');
    await page
      .locator(`tr[data-link="${sb.games}"][data-action="none"]`)
      .getByRole('button', { name: /Move .* back/ })
      .click();
    await page.locator('section.screen[data-screen="entries"] .success').waitFor();
    expect(readFileSync(sb.manifest, 'utf8')).toMatch(/state:\s*absent/);
    expectMoved(sb); // nothing moves before the plan is applied
    await planAndApply(page);
    expectAtHome(sb);
    await go(page, 'entries');
    await page.locator(`tr[data-link="${sb.games}"][data-action="none"]`).waitFor();

    expect(errors).toEqual([]);
    expect(gui.child.exitCode).toBe(null);
  }, 240_000);

  it('finds links made by hand and adopts them; shows the checkup', async () => {
    const { sb, page, errors } = await setUp();
    mkdirSync(path.join(sb.d, 'Music'));
    symlinkSync(path.join(sb.d, 'Music'), path.join(sb.c, 'Music'));

    await go(page, 'links');
    await page.fill('#links-dir', sb.c);
    await page.click('section.screen[data-screen="links"] form button[type="submit"]');
    const table = page.locator('table.links');
    await table.waitFor();
    await expect(table.locator('tbody tr').count()).resolves.toBe(1);
    await expect(table.locator('tbody tr th').textContent()).resolves.toBe(path.join(sb.c, 'Music'));
    await screenshot(page, 'links');
    await page.getByRole('button', { name: 'Adopt these links' }).click();
    await page.locator('section.screen[data-screen="links"] .success').waitFor();
    expect(readFileSync(sb.manifest, 'utf8')).toContain(path.join(sb.c, 'Music'));
    // Adopting moves nothing: the link is as it was, and the entry is in place.
    expect(readlinkSync(path.join(sb.c, 'Music'))).toBe(path.join(sb.d, 'Music'));
    await go(page, 'entries');
    await page.locator(`tr[data-link="${path.join(sb.c, 'Music')}"][data-action="none"]`).waitFor();

    await go(page, 'doctor');
    await page.locator('ul.checks li').first().waitFor();
    expect(await page.locator('ul.checks li').count()).toBeGreaterThan(2);
    await screenshot(page, 'doctor');
    expect(errors).toEqual([]);
  }, 120_000);

  it('names the program that holds a file in the folder, and moves once it is closed', async () => {
    const { sb, page, errors } = await setUp();
    // A program with a file of Games open: the plan must name it and wait.
    const holder = spawn('tail', ['-f', path.join(sb.games, 'readme.txt')], { stdio: 'ignore' });
    const holderGone = new Promise<void>((resolve) => holder.once('exit', () => resolve()));
    cleanups.push(async () => {
      if (holder.exitCode === null && holder.signalCode === null) holder.kill('SIGKILL');
      await holderGone;
    });
    await waitForHolder(holder.pid!, path.join(sb.games, 'readme.txt'));
    await go(page, 'scan');
    await page.fill('#scan-path', sb.c);
    await page.click('section.screen[data-screen="scan"] form button[type="submit"]');
    await page.locator(`li.folder[data-path="${sb.games}"] .move-button`).click();
    await page.fill('#move-parent', sb.d);
    const dialog = page.locator('dialog.move-dialog[open]');
    await dialog.locator('[data-testid="move-sentence"]').waitFor();
    // The Move dialog says, before anything happens, which program holds what; Add stays off.
    await expect(dialog.locator('.error').textContent()).resolves.toContain(`tail (pid ${holder.pid})`);
    await expect(dialog.locator('button[type="submit"]').isDisabled()).resolves.toBe(true);
    await screenshot(page, 'in-use');
    expectAtHome(sb);

    // Closed: check again, add, plan, apply.
    holder.kill('SIGTERM');
    await holderGone;
    await dialog.getByRole('button', { name: 'Check again' }).click();
    await dialog.locator('button[type="submit"]:not([disabled])').click();
    await dialog.getByRole('button', { name: 'Go to the plan' }).click();
    const plan = page.locator('section.screen[data-screen="plan"] section.plan');
    await plan.locator('.apply-button').waitFor();
    await runJob(page, () => plan.locator('.apply-button').click());
    expectMoved(sb);
    expect(errors).toEqual([]);
  }, 120_000);

  it('names the program when a file gets used between the plan and the apply, and the apply changes nothing', async () => {
    const { sb, page } = await setUp();
    await go(page, 'scan');
    await page.fill('#scan-path', sb.c);
    await page.keyboard.press('Enter');
    await page.locator(`li.folder[data-path="${sb.games}"] .move-button`).click();
    await page.fill('#move-parent', sb.d);
    await page.locator('dialog.move-dialog button[type="submit"]:not([disabled])').click();
    await page.getByRole('button', { name: 'Go to the plan' }).click();
    const apply = page.locator('section.plan .apply-button');
    await apply.waitFor();

    // The plan was clean; now a program opens a file of Games, and Apply is pressed.
    const holder = spawn('tail', ['-f', path.join(sb.games, 'Racer', 'saves', 'slot1.sav')], { stdio: 'ignore' });
    const holderGone = new Promise<void>((resolve) => holder.once('exit', () => resolve()));
    cleanups.push(async () => {
      if (holder.exitCode === null && holder.signalCode === null) holder.kill('SIGKILL');
      await holderGone;
    });
    await waitForHolder(holder.pid!, path.join(sb.games, 'Racer', 'saves', 'slot1.sav'));
    await apply.click();
    const failed = page.locator('section.job.job-failed');
    await failed.waitFor({ timeout: 60_000 });
    await expect(failed.locator('.in-use-programs').first().textContent()).resolves.toContain('tail');
    await expect(failed.locator('.error-code').textContent()).resolves.toBe('E_IN_USE');
    await screenshot(page, 'apply-in-use');
    expectAtHome(sb);
  }, 120_000);

  it('does the whole move with the keyboard alone (Tab, typing, Enter)', async () => {
    const { sb, page, errors } = await setUp();
    await tabTo(page, 'nav.side button[data-screen="scan"]');
    await page.keyboard.press('Enter');
    await tabTo(page, '#scan-path');
    await page.keyboard.type(sb.c);
    await page.keyboard.press('Enter'); // submits the scan form
    await page.locator(`li.folder[data-path="${sb.games}"]`).waitFor();
    await tabTo(page, `li.folder[data-path="${sb.games}"] .move-button`);
    // Escape closes the dialog and gives the focus back to Move…; Enter opens it again.
    await page.keyboard.press('Enter');
    await page.locator('dialog.move-dialog[open]').waitFor();
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !document.querySelector('dialog.move-dialog'));
    await page.waitForFunction((games) => document.activeElement?.matches(`li.folder[data-path="${games}"] .move-button`) ?? false, sb.games);
    await page.keyboard.press('Enter');
    await page.locator('dialog.move-dialog[open]').waitFor();
    await tabTo(page, '#move-parent', 5);
    await page.keyboard.press('Control+A');
    await page.keyboard.type(sb.d);
    await page.locator('[data-testid="move-sentence"]').waitFor();
    await tabTo(page, 'dialog button[type="submit"]:not([disabled])', 5);
    await page.keyboard.press('Enter');
    // "Go to the plan" takes the focus once the move is added.
    await page.waitForFunction(() => document.activeElement?.textContent === 'Go to the plan');
    await page.keyboard.press('Enter');
    await page.locator('section.plan .apply-button').waitFor();
    await tabTo(page, 'section.plan .apply-button');
    await runJob(page, () => page.keyboard.press('Enter'));
    expectMoved(sb);
    expect(errors).toEqual([]);
  }, 180_000);

  it('reflows at 200% zoom: no sideways scrolling, every screen and the Move dialog readable', async () => {
    // 200% zoom of a 1280-pixel window: 640 CSS pixels, drawn at twice the density.
    const { sb, page, errors } = await setUp({ zoom: 2 });
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    for (const screen of ['drives', 'scan', 'entries', 'plan', 'history', 'links', 'doctor']) {
      await go(page, screen);
      expect(await overflow(), `${screen} scrolls sideways at 200% zoom`).toBeLessThanOrEqual(0);
    }
    await go(page, 'scan');
    await page.fill('#scan-path', sb.c);
    await page.keyboard.press('Enter');
    await page.locator(`li.folder[data-path="${sb.games}"]`).waitFor();
    expect(await overflow(), 'scan results scroll sideways at 200% zoom').toBeLessThanOrEqual(0);
    await screenshot(page, 'zoom-200');
    await page.locator(`li.folder[data-path="${sb.games}"] .move-button`).click();
    await page.fill('#move-parent', sb.d);
    await page.locator('[data-testid="move-sentence"]').waitFor();
    const dialogFits = await page
      .locator('dialog.move-dialog')
      .evaluate((d) => d.scrollWidth <= d.clientWidth && d.getBoundingClientRect().right <= window.innerWidth);
    expect(dialogFits, 'the Move dialog fits at 200% zoom').toBe(true);
    expect(errors).toEqual([]);
  }, 120_000);

  it('another site cannot change anything, even with the session cookie in the browser', async () => {
    const { sb, gui, page } = await setUp();
    const other = await startOtherSite();
    cleanups.push(() => other.close());
    const before = existsSync(sb.manifest) ? readFileSync(sb.manifest, 'utf8') : null;
    const body = JSON.stringify({ source: sb.games, destinationParent: sb.d });

    // Same browser context: it holds the GUI's session cookie, and 127.0.0.1 on another port is the same site.
    const evil = await page.context().newPage();
    await evil.goto(other.origin);
    const outcomes = await evil.evaluate(
      async ({ gui, body }) => {
        const tries: [string, RequestInit][] = [
          [
            'json with the header (needs a preflight)',
            { method: 'POST', credentials: 'include', headers: { 'Content-Type': 'application/json', 'X-Relocate': '1' }, body },
          ],
          ['simple text/plain (no preflight)', { method: 'POST', credentials: 'include', mode: 'no-cors', headers: { 'Content-Type': 'text/plain' }, body }],
          ['form-encoded (no preflight)', { method: 'POST', credentials: 'include', mode: 'no-cors', body: new URLSearchParams({ source: 'x' }) }],
        ];
        const out: string[] = [];
        for (const [name, init] of tries) {
          for (const route of ['/api/moves', '/api/plan']) {
            try {
              const r = await fetch(gui + route, init);
              out.push(`${name} ${route}: ${r.type} ${r.status}`);
            } catch (e) {
              out.push(`${name} ${route}: blocked (${(e as Error).message})`);
            }
          }
        }
        return out;
      },
      { gui: gui.origin, body },
    );
    // The preflighted ones never reach the server; the simple ones are opaque (the page learns nothing).
    for (const o of outcomes) expect(o).toMatch(/blocked|opaque 0/);
    // And nothing changed: no manifest entry, the disk as it was.
    expect(existsSync(sb.manifest) ? readFileSync(sb.manifest, 'utf8') : null).toBe(before);
    expectAtHome(sb);

    // The same requests with the cookie but another Origin, from node: the server itself refuses them.
    const cookie = (await page.context().cookies(gui.origin)).map((c) => `${c.name}=${c.value}`).join('; ');
    expect(cookie).not.toBe('');
    const forged = await rawRequest(gui.port, {
      method: 'POST',
      path: '/api/moves',
      headers: { Host: `127.0.0.1:${gui.port}`, Cookie: cookie, Origin: other.origin, 'X-Relocate': '1', 'Content-Type': 'application/json' },
      body,
    });
    expect(forged.status).toBe(403);
    const noHeader = await rawRequest(gui.port, {
      method: 'POST',
      path: '/api/moves',
      headers: { Host: `127.0.0.1:${gui.port}`, Cookie: cookie, Origin: gui.origin, 'Content-Type': 'application/json' },
      body,
    });
    expect(noHeader.status).toBe(403);
    expect(existsSync(sb.manifest) ? readFileSync(sb.manifest, 'utf8') : null).toBe(before);
    expectAtHome(sb);
  }, 120_000);

  it('refuses another host name (DNS rebinding), in the browser and from node', async () => {
    const { gui, page } = await setUp();
    const rebound = await page.context().newPage();
    const res = await rebound.goto(`http://${EVIL_HOST}:${gui.port}/`);
    expect([403, 421]).toContain(res?.status());
    const api = await rebound.goto(`http://${EVIL_HOST}:${gui.port}/api/overview`);
    expect([403, 421]).toContain(api?.status());
    const raw = await rawRequest(gui.port, { path: `/?token=${gui.token}`, headers: { Host: `${EVIL_HOST}:${gui.port}` } });
    expect([403, 421]).toContain(raw.status);
    // Its own name still works.
    const ok = await rawRequest(gui.port, { path: `/?token=${gui.token}`, headers: { Host: `127.0.0.1:${gui.port}` } });
    expect(ok.status).toBeLessThan(400);
  }, 60_000);

  it('shows a refusal as relocate words it: code, message, path and hint', async () => {
    const { sb, page } = await setUp();
    const missingFolder = path.join(sb.root, 'no-such-folder');
    await go(page, 'scan');
    await page.fill('#scan-path', missingFolder);
    await page.keyboard.press('Enter');
    const box = page.locator('section.screen[data-screen="scan"] .error[role="alert"]');
    await box.waitFor();
    const answer = await page.evaluate(
      async (p) =>
        (await (await fetch(`/api/scan?path=${encodeURIComponent(p)}`)).json()) as {
          ok: boolean;
          error?: { code: string; message: string; hint: string | null };
        },
      missingFolder,
    );
    expect(answer.ok).toBe(false);
    await expect(box.locator('.error-code').textContent()).resolves.toBe(answer.error!.code);
    await expect(box.locator('.error-message').textContent()).resolves.toBe(answer.error!.message);
    if (answer.error!.hint) await expect(box.locator('.error-hint').textContent()).resolves.toBe(answer.error!.hint);
    await screenshot(page, 'error');
    expectAtHome(sb);
  }, 60_000);

  it('says what is wrong with a manifest it cannot read', async () => {
    const sb = makeSandbox();
    cleanups.push(() => sb.remove());
    writeFileSync(sb.manifest, 'version: 1\nlinks:\n  - link: 42\n');
    const gui = await startGui(sb);
    cleanups.push(() => gui.stop());
    const context = await browser.newContext();
    cleanups.push(() => context.close());
    const page = await context.newPage();
    await page.goto(gui.url);
    const box = page.locator('.manifest-error .error');
    await box.waitFor();
    await expect(box.locator('.error-code').textContent()).resolves.toBe('E_INVALID_MANIFEST');
    // The drives still show, and nothing was written.
    await page.locator('.drive').first().waitFor();
    expect(readFileSync(sb.manifest, 'utf8')).toBe('version: 1\nlinks:\n  - link: 42\n');
  }, 60_000);

  it('says so when relocate gui has stopped', async () => {
    const { gui, page } = await setUp();
    await page.locator('.drive').first().waitFor();
    await expect(page.getByText('relocate is not answering.').count()).resolves.toBe(0);
    await gui.stop();
    await page.getByText('relocate is not answering.').waitFor();
  }, 60_000);

  it('lets in only the browser that came with the token', async () => {
    const { gui, page } = await setUp();
    expect(page.url()).not.toContain('token=');
    await expect(page.evaluate(async () => (await fetch('/api/overview')).status)).resolves.toBe(200);

    // A fresh browser profile has no cookie: the page and the API are closed to it.
    const stranger = await browser.newContext();
    cleanups.push(() => stranger.close());
    const p = await stranger.newPage();
    expect([401, 403]).toContain((await p.goto(`${gui.origin}/`))?.status());
    expect([401, 403]).toContain((await p.goto(`${gui.origin}/api/overview`))?.status());
    expect([401, 403]).toContain((await p.goto(`${gui.origin}/?token=${'0'.repeat(gui.token.length)}`))?.status());
    // The right token lets it in and leaves the address bar.
    await p.goto(gui.url);
    await p.waitForSelector('nav.side');
    expect(p.url()).not.toContain('token=');
  }, 60_000);
});

/** Waits until process `pid` has `file` open (tail opens it a moment after it starts). */
async function waitForHolder(pid: number, file: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) if (readlinkSync(`/proc/${pid}/fd/${fd}`) === file) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`process ${pid} never opened ${file}`);
}

/** Waits for `selector`; on a timeout fails with what the screen showed instead. */
async function waitOrExplain(page: Page, selector: string, what: string, timeout = 20_000): Promise<void> {
  try {
    await page.locator(selector).first().waitFor({ timeout });
  } catch (err) {
    const shown = await page.evaluate(() => document.querySelector('main')?.textContent ?? '(no main)');
    throw new Error(`${what}: ${selector} did not appear within ${timeout} ms; the page showed: ${shown}`, { cause: err });
  }
}

/** A string as a regular expression that matches it literally. */
function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
