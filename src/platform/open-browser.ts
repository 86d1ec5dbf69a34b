import { spawn } from 'node:child_process';

/** The command that opens a URL in the default browser on this OS. */
export function openerCommand(url: string, platform: NodeJS.Platform = process.platform): [string, ...string[]] {
  if (platform === 'win32') return ['cmd.exe', '/d', '/s', '/c', `start "" "${url}"`];
  if (platform === 'darwin') return ['open', url];
  return ['xdg-open', url];
}

/**
 * Opens `url` in the default browser (xdg-open, open, `cmd /c start ""`).
 * Resolves false when the opener cannot start or exits with an error
 * within a few seconds (no desktop, no browser), so the caller can print
 * the URL instead; true otherwise. Never throws.
 */
export function openBrowser(url: string): Promise<boolean> {
  const [program, ...args] = openerCommand(url);
  return new Promise((resolve) => {
    let settled = false;
    const settle = (ok: boolean) => {
      if (!settled) {
        settled = true;
        resolve(ok);
      }
    };
    try {
      const child = spawn(program, args, {
        stdio: 'ignore',
        detached: process.platform !== 'win32',
        windowsHide: true,
        windowsVerbatimArguments: process.platform === 'win32',
      });
      child.on('error', () => settle(false));
      child.on('exit', (code) => settle(code === 0));
      setTimeout(() => {
        child.unref();
        settle(true);
      }, 3000).unref();
    } catch {
      settle(false);
    }
  });
}
