import { NodeDiskReader } from './node-reader.js';
import { windowsInUseProbe, windowsLinkProbe } from './windows/native.js';

/**
 * The DiskReader for this machine: NodeDiskReader everywhere, with the
 * Windows hooks (junction vs symlink from the reparse tag, files in use from
 * the Restart Manager) when running on Windows with the native layer.
 */
export async function diskReader(): Promise<NodeDiskReader> {
  if (process.platform !== 'win32') return new NodeDiskReader();
  const [linkKind, inUse] = await Promise.all([windowsLinkProbe(), windowsInUseProbe()]);
  return new NodeDiskReader(linkKind, inUse);
}
