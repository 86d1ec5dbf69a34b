import { inUseProbe } from './in-use.js';
import { NodeDiskReader } from './node-reader.js';
import { windowsLinkProbe } from './windows/native.js';

/**
 * The DiskReader for this machine: NodeDiskReader everywhere, with the
 * files-in-use check of this OS (Windows: the Restart Manager; Linux:
 * /proc; macOS: libproc or lsof; one look at the processes per reader), and
 * on Windows the native junction probe.
 */
export async function diskReader(): Promise<NodeDiskReader> {
  if (process.platform !== 'win32') return new NodeDiskReader(undefined, await inUseProbe());
  const [linkKind, inUse] = await Promise.all([windowsLinkProbe(), inUseProbe()]);
  return new NodeDiskReader(linkKind, inUse);
}
