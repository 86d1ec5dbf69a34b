/** A listed mtime (a double of ms) and a fresh one this close mean "unchanged" (outside names, changes during a move). */
export const MTIME_TOLERANCE_MS = 1;

/** A copy's or a verify's progress is reported at most this often. */
export const PROGRESS_EVERY_MS = 100;
