import { commandOptionLines, globalOptionLines } from './option-help.js';

/**
 * Help texts, one per command. Each shows an example, because people copy
 * examples. The `Options:` lines are made from the command table
 * (command-spec.ts), so the help names exactly the options the parser takes.
 */
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
  import PATH...        write manifest entries for links already on disk (--write merges)
  scan [PATH...]        what is big, and what is safe to move (changes nothing)
  doctor [MANIFEST]     check what this machine can do: link kinds, state folder, volumes
  completion SHELL      print a completion script for bash, zsh, fish or powershell
  demo                  a guided tour in a throwaway sandbox (touches nothing else)
  dsc link OPERATION    the Microsoft DSC v3 resource Relocate/Link: get, test, set, export (JSON on stdin)
  gui [MANIFEST]        a local web UI (127.0.0.1) over the same commands: drives, moves, plan, apply, history

Options for every command:
${globalOptionLines()}

relocate --version (or -V) prints the version.
The manifest defaults to ./relocate.yaml, then ./links.yaml.
Exit codes: 0 ok, 1 error, 2 changes pending / drift (plan, status);
130/143/129 when apply, resume or rollback was stopped by SIGINT/SIGTERM/SIGHUP.

Examples:
  relocate demo
  relocate validate links.example.yaml
  relocate plan && relocate apply
  relocate import ~ ~/.config --write relocate.yaml
  relocate scan --to D:\\
  source <(relocate completion bash)
`;

export const COMMAND_HELP: Record<string, string> = {
  gui: `Usage: relocate gui [MANIFEST] [--port N] [--no-open] [--state-dir DIR]

A local web UI: drives and free space, scan results, "Move…" (the exact
sentence of what will happen, before anything happens), the manifest's
entries, the plan, apply with live progress, history with Move back
(rollback), existing links to adopt (import), and doctor's checklist.
It is served by this process on 127.0.0.1 only (a free port unless
--port), opened in the default browser, and runs until Ctrl-C.

Every answer comes from relocate's own commands (plan, apply, rollback,
history, import, doctor, status, validate, scan), run with --json as
child processes; edits go to MANIFEST (comments kept, as \`import --write\`
does; ./relocate.yaml, else ./links.yaml, else a new ./relocate.yaml), so
the CLI and the GUI share one truth. The server never runs elevated; on
Windows an apply that needs administrator rights is offered as one
elevated step (a UAC prompt for \`relocate apply PLAN.json\`).

Security: the address carries a random 256-bit token, exchanged on the
first visit for an HttpOnly, SameSite=Strict cookie; requests without it
get 401, with another Host 421; every change is a POST with this server's
Origin and the header X-Relocate: 1 (403 otherwise); a strict
Content-Security-Policy; no CORS; no external assets (works offline).

Options:
${commandOptionLines('gui')}

Exit codes: 0 stopped by Ctrl-C (or SIGTERM/SIGHUP), 1 error (the port is
in use, a bad option).

Example:
  relocate gui
  relocate gui ~/dotfiles/relocate.yaml --no-open --port 8765
`,
  dsc: `Usage: relocate dsc link get|test|set|export [--state-dir DIR]

The Microsoft DSC v3 resource Relocate/Link, for DSC, WinGet configuration
files, Intune and ansible.windows.dsc3 (manifest:
integrations/dsc/relocate.dsc.resource.json, put beside relocate on PATH).
Reads one instance as JSON on stdin: link, target, type
(auto|symlink|junction|hardlink), conflict (fail|backup|merge), _exist
(false undoes the link: state absent), stateDir (the state folder; set a
machine-wide one, e.g. C:\\ProgramData\\relocate, when running as SYSTEM).
Prints compact JSON on stdout and messages as JSON lines on stderr.

  get     the state now (_exist: the link is in place as wanted)
  test    the state with _inDesiredState, then the differing properties
  set     relocate apply of that one entry (refuses conflicts); the new state
  export  every link of this state folder's finished runs, one per line

Exit codes: 0 worked (drift included), 1 error, 2 invalid input,
3 refused (conflict, failed check), 4 failed and rolled back,
5 unfinished run (resume or rollback).

Example:
  echo '{"link":"C:\\\\Games","target":"D:\\\\Games"}' | relocate dsc link test
`,
  import: `Usage: relocate import PATH... [--recursive] [--write MANIFEST] [--yes] [--json]

Finds the links that already exist at and in each PATH (symlinks, and on
Windows junctions) and turns them into manifest entries (link, target,
type), so a machine with hand-made links can adopt relocate. Links are
never followed: a link to a folder is reported, not entered; --recursive
searches real subfolders too. A PATH that is itself a link is reported.

Without --write the entries are printed as a complete manifest (stdout;
what was found and left out goes to stderr). With --write they are added
at the end of MANIFEST's links, keeping its comments and order (a new file
is created if it does not exist); the change is shown as a diff, asked
for in a terminal (refused without one unless --yes), and written
atomically. Links the manifest already has are skipped (paths compared as
the OS does). Paths in your home folder are written with ~, targets in the
manifest's folder as ./relative paths.

Broken links (target missing) are imported with a warning and a comment.
Left out, each with the reason: a link whose target is another link (a
chain: import the link that reaches the data), a link into its own folder,
a link where the manifest keeps data, and paths the manifest would read as
a glob or a variable.

Options:
${commandOptionLines('import')}

Exit codes: 0 done (or nothing to add), 1 error or declined.

Example:
  relocate import ~ ~/.config                      # print the entries
  relocate import /mnt/games --recursive --write relocate.yaml
  relocate status relocate.yaml                    # In sync: nothing moved
`,
  scan: `Usage: relocate scan [PATH...] [--top N] [--to DIR] [--json]

What is big, and what is safe to move. Without PATH: the known large
folders — Steam libraries (from Steam's libraryfolders.vdf), Epic games
(the launcher's manifests), GOG games, developer caches (npm, pip, Yarn,
pnpm, Cargo, Gradle, NuGet, Maven), Docker and WSL disk images, Downloads
and Videos. With PATH: every folder and file in each PATH, measured one by
one (progress on stderr, a line a second).

Sizes are counted as the plan counts them: links are not followed,
hard-linked files count once, and no walk crosses into another mounted
volume. Each folder gets relocate's verdict with its reason:
  safe           move it with relocate (caches, games, your own folders)
  owner's mover  its program moves it itself: use that (Steam > Settings >
                 Storage, Settings > Apps > Move, wsl --manage --move)
  caution        one program's data: close that program first
  never          relocate refuses it (E_PROTECTED): Windows, Program Files,
                 ProgramData, Users, WindowsApps, the page file, OneDrive,
                 relocate's own state folder, a drive's root, your home
Links already there are listed with where they point (\`relocate import\`
adopts them), and each drive with its free space. Scan changes nothing.

Options:
${commandOptionLines('scan')}

Exit codes: 0 done, 1 error (a PATH that does not exist, a bad option).

Example:
  relocate scan
  relocate scan ~ --top 10
  relocate scan C:\\Users\\me\\AppData\\Local --to D:\\ --json
`,
  doctor: `Usage: relocate doctor [MANIFEST] [--json]

A checklist of what this machine can do, each line ✓ (fine), ! (works,
with a note), - (not on this OS) or ✗ (a problem, with a hint):
the OS and versions; which links this account may create (symlinks,
junctions, hard links); whether the native layer (koffi) is loaded or the
portable fallback is in use; the state folder (writable? a missing one is
reported as "will be created", not created); an unfinished run; and, with
a manifest (the one named, else ./relocate.yaml or ./links.yaml), each
volume its paths are on: file system, free space, read-only, and which
links it can hold — tested by making a symlink and a hard link (and a
junction on Windows) in a probe folder there, removed at once.

Exit codes: 0 no problem found, 1 a problem found (each ✗ says what to do).

Example:
  relocate doctor
  relocate doctor examples/windows-games.yaml --json
`,
  completion: `Usage: relocate completion SHELL

Prints a completion script for bash, zsh, fish or powershell (pwsh):
commands, their options and option values, manifests for MANIFEST
arguments, folders for import, run ids for rollback.

Example:
  source <(relocate completion bash)                  # bash, now
  relocate completion bash > ~/.local/share/bash-completion/completions/relocate
  relocate completion zsh > "\${fpath[1]}/_relocate"   # zsh
  relocate completion fish > ~/.config/fish/completions/relocate.fish
  relocate completion powershell | Out-String | Invoke-Expression
`,
  apply: `Usage: relocate apply [MANIFEST | PLAN.json] [--yes] [--verify meta|content] [--no-rollback] [--progress json] [--json]

Makes the disk match the manifest: moves the data ("move then link"),
creates the links, and records every step in a journal first, so a crash
can be resumed or rolled back. Shows the plan and asks before changing
anything; with no terminal it refuses unless --yes is given.

A saved plan (from \`relocate plan --out\`) is carried out exactly, and
refused with E_STALE_PLAN if the disk changed since it was made.

Moves within one volume are one rename that never overwrites. Moves across
volumes copy into <target>.relocate-partial-<run>-<n> (n: the entry),
verify, rename into place, set the original aside, create the link, check
it, and only then delete the original.

Options:
${commandOptionLines('apply')}

Exit codes: 0 done (or nothing to do), 1 error (rolled back: nothing lost).
Ctrl-C (or SIGTERM, SIGHUP) stops at the next safe point and rolls back
(--no-rollback: keeps the finished steps for resume); exit 130 (143, 129).
A second Ctrl-C stops at once, leaving a run to resume or roll back.

Example:
  relocate apply --yes
  relocate plan --out plan.json && relocate apply plan.json
`,
  rollback: `Usage: relocate rollback [RUN] [--yes] [--force] [--progress json] [--json]

Undoes a run: links it made are removed, moves reversed by the same safe
protocol, removed links put back. Without RUN: the unfinished run if there
is one, else the newest finished run. A finished run whose results changed
on disk since (drift) is refused unless --force, which skips the drifted
steps and never deletes the only copy of anything.

Options:
${commandOptionLines('rollback')}

Exit codes: 0 rolled back, 1 error; 130/143/129 when a signal stopped it
between two undos (run rollback again to continue).

Example:
  relocate history
  relocate rollback 20261122T023148Z-1a2b --yes
`,
  resume: `Usage: relocate resume [--yes] [--no-rollback] [--progress json] [--json]

Finishes the run a crash, a kill or --no-rollback left unfinished, in the
direction it was going (an interrupted rollback is finished as a rollback).
While a run is unfinished, apply and rollback of other runs refuse.

Options:
${commandOptionLines('resume')}

Exit codes: 0 finished (or nothing to resume), 1 error; 130/143/129 when
stopped by SIGINT/SIGTERM/SIGHUP (rolled back unless --no-rollback).

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
folder, a fake D:) and runs plan, apply and status there, changes the
target of the applied Games entry and plans and applies again, then shows
history and rolls both runs back, explaining each step. As root on Linux
the fake D: is a small tmpfs of its own, so the move crosses volumes
(copy, verify, delete); elsewhere the tour says why it is one rename. It
touches nothing outside the sandbox, which is removed at the end unless
--keep; its volume is always unmounted.

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
${commandOptionLines('plan')}

Exit codes: 0 nothing to do, 2 changes pending, 1 error or blocking conflict.

Example:
  relocate plan links.yaml --out plan.json
`,
  status: `Usage: relocate status [MANIFEST] [--json]

Checks whether the disk matches the manifest, for scripts and CI. Prints
"In sync" or each problem. Drift is any of:
  - an entry not as the manifest says (missing link, a link elsewhere or of
    the wrong kind, data at the link path, a conflict);
  - a link that is right but whose target is missing (a broken link);
  - a link that is right but leads back through links to itself (a loop);
  - a run that a crash, a kill or --no-rollback left unfinished.
With --json, "problems" lists each: kind (differs, target-missing,
link-loop, unfinished-run), link or run, and a message.

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
${commandOptionLines('validate')}

Exit codes: 0 valid, 1 invalid.

Example:
  relocate validate links.example.yaml
  relocate validate examples/windows-games.yaml --os windows
`,
};
