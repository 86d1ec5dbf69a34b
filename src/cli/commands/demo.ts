import { STOP_SIGNALS } from '../interrupts.js';
import {
  buildDemoSandbox,
  describePath,
  describeSeen,
  releaseDemoVolume,
  removeDemoSandbox,
  retargetDemoManifest,
  type DemoSandbox,
} from '../../platform/demo-sandbox.js';
import type { CliIO } from '../io.js';
import { parseCommandArgs } from '../options.js';

/**
 * Keeps the demo's volume from outliving the process: an exit handler
 * unmounts it (process.exit, a second Ctrl-C during apply), and a stop
 * signal that arrives while no run handles it (between two steps) exits
 * through that handler instead of killing the process with the volume
 * still mounted. While a run handles the signal (withStopSignals), the run
 * stops at its safe point and the tour ends through its own `finally`.
 * Returns the function that takes the handlers away.
 */
function guardVolume(s: DemoSandbox): () => void {
  const onExit = () => releaseDemoVolume(s);
  process.on('exit', onExit);
  const handlers = (Object.keys(STOP_SIGNALS) as (keyof typeof STOP_SIGNALS)[]).map((sig) => {
    const h = () => {
      if (process.listenerCount(sig) === 1) process.exit(STOP_SIGNALS[sig]);
    };
    process.on(sig, h);
    return [sig, h] as const;
  });
  return () => {
    process.removeListener('exit', onExit);
    for (const [sig, h] of handlers) process.removeListener(sig, h);
  };
}

/**
 * `relocate demo`: the newcomer's tour. Builds a throwaway sandbox (a fake
 * C: with a Games folder, a fake D:, a volume of its own where relocate may
 * mount one) in the temporary folder and runs plan, apply, status, a change
 * of target, history and rollback there, explaining each step. It answers
 * its own questions (--yes) because it only touches its sandbox; --keep
 * leaves the sandbox for a look around (the volume is unmounted whatever
 * happens).
 *
 * The change of target is narrated without naming the plan's action: the
 * plan itself says what becomes of the data at the old target.
 */
export async function demoCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs('demo', argv);
  // Imported here: main.ts imports this module lazily, and the tour re-enters the CLI.
  const { run } = await import('../main.js');
  const s = await buildDemoSandbox();
  const unguard = guardVolume(s);
  const sub = { ...io, cwd: s.root, json: false };
  const common = ['--state-dir', s.stateDir, ...(io.color.enabled ? [] : ['--no-color'])];
  const say = (t: string) => io.out(`\n${io.color.bold(t)}`);
  const step = async (title: string, args: string[], expect: number[]) => {
    say(`$ relocate ${args.join(' ')}    # ${title}`);
    const code = await run([...args, ...common], sub);
    if (!expect.includes(code)) throw new Error(`demo step \`relocate ${args.join(' ')}\` ended with exit code ${code}`);
    return code;
  };
  try {
    io.out(`relocate demo — a sandbox in ${s.root}`);
    io.out('It has a fake C: drive with a Games folder (3 games, about 800 KiB) and an empty fake D: drive.');
    io.out(
      s.volume.mounted
        ? 'The fake D: is a volume of its own (a small tmpfs), like a second drive: moving to it copies the data, verifies the copy, and only then deletes the original.'
        : `The fake D: is a folder on the same disk as C: (${s.volume.why}), so moving to it is one rename; to another drive relocate copies, verifies, and only then deletes the original.`,
    );
    io.out(`The manifest ${s.manifest} says: C/Games should live on D/Games, with a link left behind.`);
    io.out(`Right now C/Games is ${await describePath(s.games)}.`);
    await step('what would change? (exit code 2: changes pending)', ['plan', 'relocate.yaml'], [2]);
    await step('do it: move the data, leave links (journaled; undoable)', ['apply', 'relocate.yaml', '--yes'], [0]);
    io.out(`Now C/Games is ${await describePath(s.games)}, and D/Games is ${await describePath(s.target)}.`);
    io.out('Programs still open C/Games/Hades/game.pak: the link sends them to D:.');
    await step('is the disk as the manifest says? (exit code 0: in sync)', ['status', 'relocate.yaml'], [0]);

    say('Later you want the games in D/Archive/Games instead: edit the manifest and give the Games entry that new target.');
    await retargetDemoManifest(s);
    io.out('The link C/Games still points to D/Games, which holds the data.');
    await step('what would change? the plan says what happens to the data at the old target, D/Games', ['plan', 'relocate.yaml'], [2]);
    await step('point the entry at its new target', ['apply', 'relocate.yaml', '--yes'], [0]);
    io.out(
      `Now C/Games is ${await describePath(s.games)}; D/Archive/Games is ${await describePath(s.retarget)}, and D/Games is ${await describePath(s.target)}.`,
    );
    io.out(`Programs opening C/Games find ${await describeSeen(s.games)}.`);
    await step('in sync with the edited manifest? (exit code 0)', ['status', 'relocate.yaml'], [0]);

    await step('what has relocate done? (two runs)', ['history'], [0]);
    await step('undo the newest run: the change of target', ['rollback', '--yes'], [0]);
    io.out(`C/Games is ${await describePath(s.games)} again.`);
    await step('undo the first run: the data comes back to C', ['rollback', '--yes'], [0]);
    io.out(`C/Games is ${await describePath(s.games)} again, and D/Games is ${await describePath(s.target)}.`);
    await step('back to the start (exit code 2: the manifest is not applied)', ['status', 'relocate.yaml'], [2]);
    say('That is the whole tool. Next: write your own relocate.yaml (see links.example.yaml), run `relocate plan`, then `relocate apply`.');
    return 0;
  } finally {
    unguard();
    if (values.keep) {
      const left = releaseDemoVolume(s);
      io.out(
        `The sandbox stays in ${s.root} (--keep); delete it when done.${s.volume.mounted ? (left ? ` Its fake D: could not be unmounted: ${left}.` : ' Its fake D: volume was unmounted, so D is empty there.') : ''}`,
      );
    } else {
      await removeDemoSandbox(s);
      io.out(`The sandbox ${s.root} was removed.`);
    }
  }
}
