// Windows PE details of the single executable: Node's node.exe is
// Authenticode-signed by the Node.js project, and relocate.exe is not that
// file any more once the application is injected into it. So before the
// injection the signature is stripped (else its certificate-table entry
// would point into whatever follows it, and Windows would report a broken
// signature instead of none), the version resource is set to relocate's
// name and version (Explorer's Properties, Task Manager, winget), and after
// the injection the header's checksum is computed again.
import { NtExecutable, NtExecutableResource, Resource } from 'resedit';

/** Offset of the PE header's CheckSum field in `exe`, from the DOS header's e_lfanew. */
function checksumOffset(exe) {
  const pe = exe.readUInt32LE(0x3c);
  if (exe.readUInt32LE(pe) !== 0x00004550) throw new Error('not a PE file (no "PE\\0\\0" signature)');
  // PE signature (4) + COFF file header (20) + optional header's CheckSum at 64.
  return pe + 4 + 20 + 64;
}

/**
 * The PE checksum of `exe` as Windows' CheckSumMappedFile computes it: the
 * file summed as 16-bit little-endian words with end-around carry, the
 * CheckSum field itself counted as zero, plus the file's length.
 */
export function peChecksum(exe) {
  const at = checksumOffset(exe);
  let sum = 0;
  const words = Math.floor(exe.length / 2);
  for (let i = 0; i < words; i++) {
    const off = i * 2;
    if (off === at || off === at + 2) continue;
    sum += exe.readUInt16LE(off);
    sum = (sum & 0xffff) + (sum >>> 16);
  }
  if (exe.length % 2) {
    sum += exe[exe.length - 1];
    sum = (sum & 0xffff) + (sum >>> 16);
  }
  sum = (sum & 0xffff) + (sum >>> 16);
  return (sum + exe.length) >>> 0;
}

/** The CheckSum the header of `exe` states. */
export function statedChecksum(exe) {
  return exe.readUInt32LE(checksumOffset(exe));
}

/** Writes the correct checksum into the header of `exe` (in place) and returns it. */
export function fixChecksum(exe) {
  const sum = peChecksum(exe);
  exe.writeUInt32LE(sum, checksumOffset(exe));
  return sum;
}

/** Whether the certificate table (data directory 4, the Authenticode signature) of `exe` is present. */
export function hasCertificateTable(exe) {
  const pe = exe.readUInt32LE(0x3c);
  const optional = pe + 24;
  const magic = exe.readUInt16LE(optional);
  // Data directories start at 96 (PE32) or 112 (PE32+) into the optional header; 8 bytes each.
  const dirs = optional + (magic === 0x20b ? 112 : 96);
  return exe.readUInt32LE(dirs + 4 * 8) !== 0 || exe.readUInt32LE(dirs + 4 * 8 + 4) !== 0;
}

/**
 * `node.exe` made into relocate's: signature stripped (resedit generates an
 * unsigned image from a signed one), and every string of the version
 * resource that names Node.js replaced by relocate's.
 */
export function rebrand(nodeExe, { name, version, description, company, copyright }) {
  const exe = NtExecutable.from(nodeExe, { ignoreCert: true });
  const res = NtExecutableResource.from(exe);
  const infos = Resource.VersionInfo.fromEntries(res.entries);
  if (infos.length === 0) throw new Error('node.exe has no version resource');
  const [major, minor, micro] = version.split(/[.+-]/).map((n) => Number.parseInt(n, 10) || 0);
  for (const info of infos) {
    // The numeric versions first: resedit also writes them as four-part strings, which the strings below replace.
    info.setFileVersion(major, minor, micro, 0);
    info.setProductVersion(major, minor, micro, 0);
    for (const lang of info.getAllLanguagesForStringValues()) {
      info.setStringValues(lang, {
        CompanyName: company,
        FileDescription: description,
        FileVersion: version,
        InternalName: name,
        LegalCopyright: copyright,
        OriginalFilename: `${name}.exe`,
        ProductName: name,
        ProductVersion: version,
      });
    }
    info.outputToResourceEntries(res.entries);
  }
  res.outputResource(exe);
  return Buffer.from(exe.generate());
}
