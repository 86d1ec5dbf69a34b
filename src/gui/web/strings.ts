// Every English word the page shows, in one place, ready for translation:
// plain strings for labels, functions for the sentences that hold numbers or
// names (a translation may reorder them). No other file of the page holds
// user-visible English. Sentences that come from the engine (the move
// sentence, plan lines, reasons, errors) are shown as the engine wrote them.
import { formatBytes, formatDuration, formatRate } from './format.js';

export const S = {
  appTitle: 'relocate',
  appTagline: 'Move folders to another disk and leave a link behind.',
  nav: 'Screens',
  skipToMain: 'Skip to the screen',
  loading: 'Loading…',
  working: 'Working…',
  refresh: 'Refresh',
  close: 'Close',
  cancel: 'Cancel',

  screens: {
    drives: 'Drives',
    scan: 'Find big folders',
    entries: 'Moved folders',
    plan: 'Plan and apply',
    history: 'History',
    links: 'Existing links',
    doctor: 'Checkup',
  },

  // Errors, as the engine reports them.
  errorTitle: 'That did not work',
  errorCode: 'Code',
  errorPath: 'Path',
  errorHint: 'What to do',
  networkError: (detail: string) => `relocate could not be reached: ${detail}. Is the relocate window still open?`,
  badAnswer: (status: number) => `relocate answered with an unexpected reply (HTTP ${status}).`,
  badAnswerHint: 'Reload the page; if it keeps happening, start relocate gui again.',

  disconnected: 'relocate is not answering.',
  disconnectedHint: 'If you closed relocate gui, start it again; this page keeps trying and carries on when it answers.',

  // Header / overview.
  manifestLabel: 'Manifest',
  manifestMissing: '(created on the first move)',
  unfinishedRun: (run: string) => `A run did not finish (${run}). Undo it before anything else.`,
  unfinishedRunButton: 'Undo the unfinished run',

  // Drives.
  drivesIntro: 'How full each drive is now, and after the planned moves once you have made a plan.',
  noDrives: 'No drives found.',
  driveNow: 'Now',
  driveAfter: 'After the plan',
  driveFree: (free: number, total: number) => `${formatBytes(Math.max(0, free))} free of ${formatBytes(total)}`,
  driveAfterFree: (free: number) => (free < 0 ? `would not fit: ${formatBytes(-free)} missing` : `${formatBytes(free)} free after the plan`),
  driveChange: (delta: number) => (delta === 0 ? 'no change' : delta > 0 ? `${formatBytes(delta)} more free` : `${formatBytes(-delta)} less free`),
  driveBarLabel: (label: string, usedPct: number) => `${label}: ${usedPct}% used`,
  legendUsed: 'used',
  legendFree: 'free',
  legendMoved: 'moving here',
  legendFreed: 'freed',

  // Scan.
  scanIntro: 'Find what takes the space. Leave the box empty to look at the usual big folders, or name a folder to look inside it.',
  scanPathLabel: 'Folder to look in (optional)',
  scanPathHelp: 'For example C:\\Users\\you or /home/you. Empty: the known big folders (games, caches, user folders).',
  scanButton: 'Scan',
  scanning: 'Scanning… large folders can take a while.',
  scanNothing: 'No folders found there.',
  scanSummary: (count: number, bytes: number) => `${count} folder${count === 1 ? '' : 's'}, ${formatBytes(bytes)} in all. Bars are drawn to scale.`,
  scanFiles: (files: number) => `${files.toLocaleString()} file${files === 1 ? '' : 's'}`,
  scanProblems: 'Folders that could not be read',
  scanLinksFound: (n: number) => `${n} link${n === 1 ? '' : 's'} already here. See Existing links to adopt them.`,
  scanAlreadyLink: (target: string) => `Already a link to ${target}`,
  moveButton: 'Move…',
  moveButtonLabel: (title: string) => `Move ${title}…`,
  verdicts: {
    safe: 'Safe to move',
    caution: 'Move with care',
    'owner-mover': 'Use its own mover',
    never: 'Do not move',
  } as Record<string, string>,
  moverText: (mover: string) => `Use instead: ${mover}`,
  legendTitle: 'Colours',

  // Move dialog.
  moveTitle: (title: string) => `Move ${title}`,
  moveFrom: 'Folder to move',
  moveDriveLabel: 'Destination drive',
  moveDriveOption: (label: string, free: number) => `${label} (${formatBytes(free)} free)`,
  moveFolderLabel: 'Put it in this folder',
  moveFolderHelp: 'The folder keeps its name inside this one. You may type another folder on that drive.',
  moveChecking: 'Checking what would happen…',
  moveWhatHappens: 'What will happen',
  moveNotPossible: 'This move cannot be made:',
  moveWarnings: 'Please note:',
  moveNothingYet: 'Nothing is moved yet: the move is added to the plan, and you apply the plan after checking it.',
  moveAdd: 'Add to the plan',
  moveCheckAgain: 'Check again',
  moveAdded: (link: string) => `Added: ${link}. Check the plan, then apply it.`,
  goToPlan: 'Go to the plan',

  // Entries.
  entriesIntro: 'Folders in the manifest: where each lives and whether the disk matches.',
  entriesNone: 'Nothing moved yet. Find a big folder and choose Move….',
  colFolder: 'Folder',
  entryTarget: 'data at',
  colState: 'Wanted',
  colStatus: 'Now',
  colSize: 'Size',
  colActions: 'Actions',
  statePresent: 'moved (a link)',
  stateAbsent: 'moved back',
  inSync: 'in place',
  pending: (action: string) => `to do: ${action}`,
  moveBack: 'Move back',
  moveBackLabel: (link: string) => `Move ${link} back`,
  movedBackQueued: (link: string) => `${link} will move back when you apply the plan.`,

  // Plan and apply.
  planIntro: 'Everything the manifest asks for, compared with the disk. Nothing changes until you apply.',
  planButton: 'Make the plan',
  planAgain: 'Plan again',
  planning: 'Planning…',
  planNothing: 'Nothing to do: the disk already matches.',
  planNoManifest: 'Nothing to plan yet: find a big folder and choose Move… first.',
  planChanges: (n: number) => `${n} change${n === 1 ? '' : 's'}:`,
  planBlocked: 'The plan is blocked: fix what it says first, then plan again.',
  planDrives: 'Free space after the plan',
  applyButton: 'Apply',

  // Job progress.
  jobTitle: { apply: 'Applying the plan', rollback: 'Moving back' } as Record<string, string>,
  jobStarting: 'Starting…',
  jobEntry: (index: number, of: number, title: string) => `Folder ${index} of ${of}: ${title}`,
  jobBytes: (done: number, total: number) => `${formatBytes(done)} of ${formatBytes(total)}`,
  jobRate: (rate: number) => formatRate(rate),
  jobLeft: (seconds: number) => `about ${formatDuration(seconds)} left`,
  jobProgressLabel: 'Progress',
  jobDone: 'Done.',
  jobFailed: 'It did not finish: see why below.',
  jobRun: (run: string) => `Run ${run}`,
  jobInUse: (path: string) => `A file is in use: ${path}`,
  jobInUsePrograms: (programs: string[]) => (programs.length ? `Close ${programs.join(', ')} and try again.` : 'Close the program that uses it and try again.'),
  jobElevationTitle: 'Administrator rights needed',
  jobElevationHow: 'Windows asks for administrator rights for this step. Close relocate, start it again with “Run as administrator”, and apply the plan again.',
  elevateOffer: 'Only this one step runs as administrator: Windows asks for your permission first. The rest of relocate stays as it is.',
  elevateButton: 'Apply as administrator',
  planNeedsElevation: 'This plan needs administrator rights',
  jobSteps: 'Steps',
  jobDismiss: 'Hide',

  // History.
  historyIntro: 'Every run, newest first. Moving a run back undoes exactly what it did.',
  historyNone: 'No runs yet.',
  colRun: 'Run',
  colStarted: 'Started',
  colWhat: 'What it did',
  colRunStatus: 'Status',
  rollbackLabel: (id: string) => `Move back run ${id}`,
  rollbackConfirm: (id: string) => `Undo run ${id}? Its links are removed and the data moved back.`,

  // Links.
  linksIntro: 'Links already on disk (made by hand or another tool). Adopting writes them into the manifest; nothing is moved.',
  linksDirLabel: 'Folder to look in',
  linksLook: 'Look for links',
  linksNone: 'No links in that folder.',
  colLink: 'Link',
  colPointsTo: 'Points to',
  colType: 'Kind',
  colNote: 'Note',
  adoptButton: 'Adopt these links',
  adopted: 'Adopted: the links are now in the manifest.',

  // Doctor.
  doctorIntro: 'What this machine can do: link kinds, drives, permissions.',
  doctorRun: 'Check again',
  doctorOk: 'No problems found.',
  doctorProblems: (n: number) => `${n} problem${n === 1 ? '' : 's'} found.`,
  checkStatus: { ok: 'OK', fail: 'Problem', warn: 'Note', info: 'Info' } as Record<string, string>,
} as const;
