// Reads the names stored in a zip file, from its central directory, without
// unpacking anything: the winget manifest promises `relocate.exe` at the
// archive's root (NestedInstallerFiles), so the release checks the zip holds
// it before publishing a manifest that would install nothing. Plain Node: no
// zip dependency, and no `unzip` on the machine needed.
//
// The format (PKWARE APPNOTE.TXT, sections 4.3.12 to 4.3.16): the file ends
// with an "end of central directory" record (EOCD) followed by a comment of
// up to 65535 bytes; the EOCD gives the central directory's offset, size and
// entry count, or 0xFFFF.../0xFFFFFFFF when a ZIP64 record (found through the
// ZIP64 locator just before the EOCD) holds the real 64-bit values.
import { open } from 'node:fs/promises';
import { ReleaseError } from './errors.mjs';

const EOCD_SIGNATURE = 0x06054b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_LOCATOR_SIZE = 20;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const ZIP64_EOCD_SIZE = 56;
const CENTRAL_HEADER_SIGNATURE = 0x02014b50;
const CENTRAL_HEADER_SIZE = 46;
/** General-purpose flag bit 11: the name is UTF-8 (else IBM code page 437, which equals UTF-8 for ASCII names). */
const FLAG_UTF8 = 1 << 11;

/**
 * The names of the entries in a zip file (folders end with `/`), in the
 * central directory's order. Throws ReleaseError E_NOT_ZIP when the file is
 * not a zip or its directory is damaged.
 * @param {string} file
 * @returns {Promise<string[]>}
 */
export async function zipEntryNames(file) {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    /** @param {number} position @param {number} length */
    const readAt = async (position, length) => {
      if (position < 0 || length < 0 || position + length > size) throw notZip(file, 'a record points outside the file');
      const buf = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buf, 0, length, position);
      if (bytesRead !== length) throw notZip(file, 'the file ended early');
      return buf;
    };

    // The EOCD is the last record: search backwards through the largest tail
    // it and its comment can fill, and accept a signature only where the
    // comment length it declares reaches exactly the end of the file (a
    // signature's bytes can also occur inside compressed data).
    const tailLength = Math.min(size, EOCD_SIZE + MAX_COMMENT);
    const tailStart = size - tailLength;
    const tail = await readAt(tailStart, tailLength);
    let eocd = -1;
    for (let i = tailLength - EOCD_SIZE; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD_SIGNATURE && i + EOCD_SIZE + tail.readUInt16LE(i + 20) === tailLength) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw notZip(file, 'no end-of-central-directory record');

    let count = tail.readUInt16LE(eocd + 10);
    let directorySize = tail.readUInt32LE(eocd + 12);
    let directoryOffset = tail.readUInt32LE(eocd + 16);
    if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
      const locator = await readAt(tailStart + eocd - ZIP64_LOCATOR_SIZE, ZIP64_LOCATOR_SIZE);
      if (locator.readUInt32LE(0) !== ZIP64_LOCATOR_SIGNATURE) throw notZip(file, 'a ZIP64 archive without its ZIP64 locator');
      const zip64 = await readAt(toSafeNumber(file, locator.readBigUInt64LE(8)), ZIP64_EOCD_SIZE);
      if (zip64.readUInt32LE(0) !== ZIP64_EOCD_SIGNATURE) throw notZip(file, 'the ZIP64 end-of-central-directory record is missing');
      count = toSafeNumber(file, zip64.readBigUInt64LE(32));
      directorySize = toSafeNumber(file, zip64.readBigUInt64LE(40));
      directoryOffset = toSafeNumber(file, zip64.readBigUInt64LE(48));
    }

    const directory = await readAt(directoryOffset, directorySize);
    /** @type {string[]} */
    const names = [];
    let at = 0;
    for (let n = 0; n < count; n++) {
      if (at + CENTRAL_HEADER_SIZE > directory.length || directory.readUInt32LE(at) !== CENTRAL_HEADER_SIGNATURE) {
        throw notZip(file, `central directory entry ${n + 1} of ${count} is damaged`);
      }
      const flags = directory.readUInt16LE(at + 8);
      const nameLength = directory.readUInt16LE(at + 28);
      const extraLength = directory.readUInt16LE(at + 30);
      const commentLength = directory.readUInt16LE(at + 32);
      const nameEnd = at + CENTRAL_HEADER_SIZE + nameLength;
      if (nameEnd > directory.length) throw notZip(file, `central directory entry ${n + 1} of ${count} is damaged`);
      names.push(directory.toString(flags & FLAG_UTF8 ? 'utf8' : 'latin1', at + CENTRAL_HEADER_SIZE, nameEnd));
      at = nameEnd + extraLength + commentLength;
    }
    return names;
  } finally {
    await handle.close();
  }
}

/** @param {string} file @param {string} why */
function notZip(file, why) {
  return new ReleaseError('E_NOT_ZIP', `not a readable zip file: ${why}`, {
    path: file,
    hint: 'give the zip `npm run build:exe` wrote to dist/exe/ (build it again if it was cut short)',
  });
}

/** @param {string} file @param {bigint} value */
function toSafeNumber(file, value) {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw notZip(file, 'a ZIP64 size beyond what this reader handles');
  return Number(value);
}
