import { anyObject, bool, count, dict, type Decoder, list, num, obj, oneOf, opt, str, DecodeError } from '../core/decode.js';
import type { NodeMeta, OutsideName } from '../exec/fs-port.js';
import type { Identity } from '../exec/identity.js';
import type {
  CopyInfo,
  DeleteInfo,
  MkdirsInfo,
  RenameInfo,
  StepInfoFor,
  SubsetDeleteInfo,
  UnlinkFound,
  UnlinkGone,
  UnlinkInfo,
  WholeDeleteInfo,
} from '../exec/step-info.js';
import type { StepFor, StepOfKind, StepOp } from '../exec/steps.js';

/**
 * The decoder of a step's journal info (src/exec/step-info.ts), by the
 * kind of the step it belongs to: a journal line does not say its step's
 * kind, the run's record does. Run format 1 (RUN_FORMAT_VERSION): fields
 * added since a run format was first written are optional, so every
 * journal this format has written decodes; a field of the wrong type is a
 * DecodeError (the run is refused with E_RUN_FORMAT, as for a damaged line:
 * resume and rollback act on what the info says, never on a guess).
 * Fields a kind does not know are kept unchecked, as on every journal line.
 */

const identity: Decoder<Identity> = str;
const identityOrNone: Decoder<Identity | null> = (v, at) => (v === null ? null : identity(v, at));
const stringOrNone: Decoder<string | null> = (v, at) => (v === null ? null : str(v, at));

const nodeMeta = obj<NodeMeta>({
  rel: str,
  kind: oneOf('dir', 'file', 'symlink'),
  mode: num,
  mtimeMs: num,
  atimeMs: num,
  uid: opt(num),
  gid: opt(num),
  mtimeNs: opt(str),
  atimeNs: opt(str),
  xattrs: opt(list(obj<{ name: string; value: string }>({ name: str, value: str }))),
  flags: opt(num),
  birthtimeNs: opt(str),
});

const outsideName = obj<OutsideName>({ rel: str, path: str, dev: str, ino: str });

/** A field a variant must not carry (the other kind of delete's). */
const absent: Decoder<never> = (v, at) => {
  throw new DecodeError(at, `nothing here, found ${JSON.stringify(v)}`);
};

const mkdirsInfo = obj<MkdirsInfo>({ created: opt(list(str)), madeIds: opt(dict(identity)) });
const renameInfo = obj<RenameInfo>({ movedId: opt(identityOrNone), restoredAt: opt(identity) });
const copyInfo = obj<CopyInfo>({ fromId: opt(identityOrNone), madeId: opt(identity) });

const unlinkGone = obj<UnlinkGone>({ gone: oneOf(true) });
const unlinkFound = obj<UnlinkFound>({
  kind: oneOf('hardlink', 'symlink', 'junction', 'dir', 'other'),
  linkText: stringOrNone,
  dest: stringOrNone,
  isDir: bool,
  sameFile: bool,
});
const unlinkInfo: Decoder<UnlinkInfo> = (v, at) => (anyObject(v, at).gone !== undefined ? unlinkGone(v, at) : unlinkFound(v, at));

const wholeDeleteInfo = obj<WholeDeleteInfo>({
  pathId: opt(identityOrNone),
  namesHash: opt(str),
  outside: opt(list(outsideName)),
  outsideMissing: opt(count),
  restoredId: opt(identity),
  nodes: opt(absent),
  linkOfTwin: opt(absent),
});
const subsetDeleteInfo = obj<SubsetDeleteInfo>({
  pathId: opt(identityOrNone),
  nodes: opt(list(nodeMeta)),
  linkOfTwin: opt(oneOf(true)),
  restoredId: opt(identity),
  namesHash: opt(absent),
  outside: opt(absent),
  outsideMissing: opt(absent),
});

/** The kinds that journal no info: whatever a line carries for them is not read. */
const none = (): undefined => undefined;

/** Each kind's decoder, given its step (a delete's `subset` says which info it journals). */
const DECODERS: { [K in StepOp]: (s: StepFor[K], v: unknown, at: string) => StepInfoFor[K] | undefined } = {
  mkdirs: (_s, v, at) => mkdirsInfo(v, at),
  rename: (_s, v, at) => renameInfo(v, at),
  copy: (_s, v, at) => copyInfo(v, at),
  unlink: (_s, v, at) => unlinkInfo(v, at),
  delete: (s, v, at): DeleteInfo => (s.subset === true ? subsetDeleteInfo(v, at) : wholeDeleteInfo(v, at)),
  verify: none,
  link: none,
  'check-link': none,
  'check-in-use': none,
};

/**
 * The info journaled for step `s` (its begin line's joined with its `made`
 * and `done` lines'), checked against what a step of that kind journals.
 * Undefined when there is none, or when the kind journals none. Throws
 * DecodeError, naming `at`, for an info a step of that kind never writes.
 */
export function decodeStepInfo<K extends StepOp>(s: StepOfKind<K>, v: unknown, at: string): StepInfoFor[K] | undefined {
  if (v === undefined) return undefined;
  const decode: (typeof DECODERS)[K] = DECODERS[s.op];
  return decode(s, v, at);
}
