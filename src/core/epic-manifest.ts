/**
 * One Epic Games Launcher manifest (`%ProgramData%\Epic\EpicGamesLauncher\
 * Data\Manifests\*.item`, JSON): where a game is installed and its name.
 * Pure. Invariant of a success: `installLocation` is a non-empty string as
 * the file spells it (the caller checks it is absolute and exists).
 */
export type EpicManifest = { ok: true; installLocation: string; displayName?: string; incomplete?: true } | { ok: false; message: string };

export function parseEpicManifest(text: string): EpicManifest {
  let doc: unknown;
  try {
    doc = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    return { ok: false, message: `not JSON: ${(err as Error).message}` };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { ok: false, message: 'not a JSON object' };
  const rec = doc as Record<string, unknown>;
  const where = rec.InstallLocation;
  if (typeof where !== 'string' || where === '') return { ok: false, message: 'it has no InstallLocation' };
  const name = typeof rec.DisplayName === 'string' && rec.DisplayName !== '' ? rec.DisplayName : undefined;
  // An install the launcher has not finished is not a game to move yet: the caller leaves it out.
  return {
    ok: true,
    installLocation: where,
    ...(name ? { displayName: name } : {}),
    ...(rec.bIsIncompleteInstall === true ? { incomplete: true as const } : {}),
  };
}
