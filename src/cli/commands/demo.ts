import { buildDemoSandbox, describePath, removeDemoSandbox } from '../../platform/demo-sandbox.js';
import type { CliIO } from '../io.js';
import { parseCommandArgs } from '../options.js';

/**
 * `relocate demo`: the newcomer's tour. Builds a throwaway sandbox (a fake
 * C: with a Games folder, a fake D:) in the temporary folder and runs plan,
 * apply, status, history and rollback there, explaining each step. It
 * answers its own questions (--yes) because it only touches its sandbox;
 * --keep leaves the sandbox for a look around.
 */
export async function demoCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs('demo', argv, { keep: { type: 'boolean', default: false } });
  // Imported here: main.ts imports this module lazily, and the tour re-enters the CLI.
  const { run } = await import('../main.js');
  const s = await buildDemoSandbox();
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
    io.out(`The manifest ${s.manifest} says: C/Games should live on D/Games, with a link left behind.`);
    io.out(`Right now C/Games is ${await describePath(s.games)}.`);
    await step('what would change? (exit code 2: changes pending)', ['plan', 'relocate.yaml'], [2]);
    await step('do it: move the data, leave links (journaled; undoable)', ['apply', 'relocate.yaml', '--yes'], [0]);
    io.out(`Now C/Games is ${await describePath(s.games)}, and D/Games is ${await describePath(s.target)}.`);
    io.out('Programs still open C/Games/Hades/game.pak: the link sends them to D:.');
    await step('is the disk as the manifest says? (exit code 0: in sync)', ['status', 'relocate.yaml'], [0]);
    await step('what has relocate done?', ['history'], [0]);
    await step('undo the whole run', ['rollback', '--yes'], [0]);
    io.out(`C/Games is ${await describePath(s.games)} again, and D/Games is ${await describePath(s.target)}.`);
    await step('back to the start (exit code 2: the manifest is not applied)', ['status', 'relocate.yaml'], [2]);
    say('That is the whole tool. Next: write your own relocate.yaml (see links.example.yaml), run `relocate plan`, then `relocate apply`.');
    return 0;
  } finally {
    if (values.keep) io.out(`The sandbox stays in ${s.root} (--keep); delete it when done.`);
    else {
      await removeDemoSandbox(s);
      io.out(`The sandbox ${s.root} was removed.`);
    }
  }
}
