/**
 * The names relocate itself leaves beside a link or target while it works
 * (`<name>.relocate-partial-…`, `.relocate-old-…`, `.relocate-backup-…`):
 * its own, never the user's, so nothing that lists a folder for the user
 * (import's link search, glob expansion, scan's walk) reports them.
 */
export const OWN_ARTIFACT = /\.relocate-(partial|old|backup)-/;
