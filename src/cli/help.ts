/** Help texts, one per command. Each shows an example, because people copy examples. */
export const GLOBAL_HELP = `relocate — move folders to another disk and leave a link behind, safely.

Usage: relocate <command> [options]

Commands:
  validate [MANIFEST]   check a manifest (syntax, schema, variables, paths) without touching the disk
  plan [MANIFEST]       show what apply would change (moves, links, conflicts, preflight checks)
  status [MANIFEST]     drift check for scripts: 0 in sync, 2 drift, 1 error
  apply [MANIFEST|PLAN] move the data and create the links (asks first; --yes)
  rollback [RUN]        undo a run (default: the unfinished one, else the newest)
  resume                finish a run that a crash or --no-rollback left unfinished
  history               list the runs
  demo                  a guided tour in a throwaway sandbox (touches nothing else)

Options for every command:
  --json                machine output on stdout (one JSON document)
  --state-dir DIR       where runs and the journal are kept
  -v, --verbose         more detail; stack traces for internal errors
  --no-color            no colours (NO_COLOR is honoured too)
  -h, --help            help for a command
  --version             print the version

The manifest defaults to ./relocate.yaml, then ./links.yaml.
Exit codes: 0 ok, 1 error, 2 changes pending / drift (plan, status).

Examples:
  relocate demo
  relocate validate links.example.yaml
  relocate plan && relocate apply
`;

export const COMMAND_HELP: Record<string, string> = {
  apply: `Usage: relocate apply [MANIFEST | PLAN.json] [--yes] [--verify meta|content] [--no-rollback] [--json]

Makes the disk match the manifest: moves the data ("move then link"),
creates the links, and records every step in a journal first, so a crash
can be resumed or rolled back. Shows the plan and asks before changing
anything; with no terminal it refuses unless --yes is given.

A saved plan (from \`relocate plan --out\`) is carried out exactly, and
refused with E_STALE_PLAN if the disk changed since it was made.

Moves within one volume are one rename that never overwrites. Moves across
volumes copy into <target>.relocate-partial-<run>, verify, rename into
place, set the original aside, create the link, check it, and only then
delete the original.

Options:
  -y, --yes           do not ask (needed without a terminal)
  --verify MODE       meta (default): names, sizes, times, modes, link texts;
                      content: also a SHA-256 of every file on both sides
  --no-rollback       on failure, keep the finished steps (resume later)
                      instead of undoing them

Exit codes: 0 done (or nothing to do), 1 error (rolled back: nothing lost).

Example:
  relocate apply --yes
  relocate plan --out plan.json && relocate apply plan.json
`,
  rollback: `Usage: relocate rollback [RUN] [--yes] [--force] [--json]

Undoes a run: links it made are removed, moves reversed by the same safe
protocol, removed links put back. Without RUN: the unfinished run if there
is one, else the newest finished run. A finished run whose results changed
on disk since (drift) is refused unless --force, which skips the drifted
steps and never deletes the only copy of anything.

Exit codes: 0 rolled back, 1 error.

Example:
  relocate history
  relocate rollback 20261122T023148Z-1a2b --yes
`,
  resume: `Usage: relocate resume [--yes] [--no-rollback] [--json]

Finishes the run a crash, a kill or --no-rollback left unfinished, in the
direction it was going (an interrupted rollback is finished as a rollback).
While a run is unfinished, apply and rollback of other runs refuse.

Exit codes: 0 finished (or nothing to resume), 1 error.

Example:
  relocate resume --yes
`,
  history: `Usage: relocate history [--json]

Lists the runs recorded in the state folder, newest first: id, status
(done, rolled-back, or unfinished: running, failed, rolling-back), changes.

Example:
  relocate history --json
`,
  demo: `Usage: relocate demo [--keep]

Builds a throwaway sandbox in the temporary folder (a fake C: with a Games
folder, a fake D:) and runs plan, apply, status and rollback there,
explaining each step. It touches nothing outside the sandbox, which is
removed at the end unless --keep.

Example:
  npx relocate demo
`,
  plan: `Usage: relocate plan [MANIFEST] [--json] [--out PLAN.json] [--verbose]

Compares the manifest with the disk and shows, for every entry, what apply
would do: + link, > move (with size, file count, "across volumes"), ~ relink,
- remove, ! conflict (a restore shows as > too); = in sync only with --verbose. Preflight
checks (free space, hard link and junction rules, protected folders,
read-only volumes) are part of the plan. Plan never changes the disk.

Options:
  --out FILE   save the plan as JSON; \`relocate apply FILE\` later carries out
               exactly that plan and refuses it if the disk changed since
  --json       print the plan as JSON (formatVersion 1)

Exit codes: 0 nothing to do, 2 changes pending, 1 error or blocking conflict.

Example:
  relocate plan links.yaml --out plan.json
`,
  status: `Usage: relocate status [MANIFEST] [--json]

Checks whether the disk matches the manifest, for scripts and CI. Prints
"In sync" or each entry that drifted (a conflict counts as drift).

Exit codes: 0 in sync, 2 drift, 1 error (bad manifest, unreadable disk).

Example:
  relocate status || echo "links need attention"
`,
  validate: `Usage: relocate validate [MANIFEST] [--os OS] [--json]

Checks a manifest without reading the disk beyond expanding globs: YAML
syntax, the schema, unknown keys, unknown variables, duplicate links, a link
equal to its target, a target inside its own link (or the reverse), two
entries fighting over one path, hard links to folders. Every problem is
reported at once as file:line:col CODE message.

Options:
  --os OS     evaluate as on another OS: win32 (windows), linux, darwin (macos).
              Checks a Windows manifest on Linux (paths, \`when:\`); environment
              variables still come from this machine.

Exit codes: 0 valid, 1 invalid.

Example:
  relocate validate links.example.yaml
  relocate validate examples/windows-games.yaml --os windows
`,
};
