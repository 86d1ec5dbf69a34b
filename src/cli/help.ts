/** Help texts, one per command. Each shows an example, because people copy examples. */
export const GLOBAL_HELP = `relocate — move folders to another disk and leave a link behind, safely.

Usage: relocate <command> [options]

Commands:
  validate [MANIFEST]   check a manifest (syntax, schema, variables, paths) without touching the disk
  plan [MANIFEST]       show what apply would change (moves, links, conflicts, preflight checks)
  status [MANIFEST]     drift check for scripts: 0 in sync, 2 drift, 1 error

Options for every command:
  --json                machine output on stdout (one JSON document)
  --state-dir DIR       where runs and the journal are kept
  -v, --verbose         more detail; stack traces for internal errors
  --no-color            no colours (NO_COLOR is honoured too)
  -h, --help            help for a command
  --version             print the version

The manifest defaults to ./relocate.yaml, then ./links.yaml.
Exit codes: 0 ok, 1 error, 2 changes pending / drift (plan, status).

Example:
  relocate validate links.example.yaml
`;

export const COMMAND_HELP: Record<string, string> = {
  plan: `Usage: relocate plan [MANIFEST] [--json] [--out PLAN.json] [--verbose]

Compares the manifest with the disk and shows, for every entry, what apply
would do: + link, > move (with size, file count, "across volumes"), ~ relink,
- remove, < restore, ! conflict; = in sync only with --verbose. Preflight
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
