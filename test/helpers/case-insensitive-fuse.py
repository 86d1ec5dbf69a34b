"""A case-insensitive, case-preserving passthrough file system (FUSE), for tests.

Usage: python3 case-insensitive-fuse.py BACKING MOUNTPOINT (runs in the foreground).

Every name is looked up as the volumes that ignore case do (NTFS, APFS, ext4
casefold): an existing entry whose name equals the asked one without case is
that entry; a new name is stored as given. Creating a name whose twin exists
fails with EEXIST. Inode numbers are the backing ones (use_ino), so a test can
tell which entry a name opens. Used by test/helpers/case-insensitive.ts where
the kernel's ext4 cannot fold case; needs fusepy (Debian: python3-fusepy).
"""
import errno, os, sys
from fusepy import FUSE, FuseOSError, Operations

class CI(Operations):
    def __init__(self, root): self.root = root
    def _find(self, path):
        """The backing path: existing names matched without case; an absent last name as given."""
        parts = [p for p in path.split('/') if p]
        cur = self.root
        for i, p in enumerate(parts):
            try: names = os.listdir(cur)
            except OSError: names = []
            hit = p if p in names else next((n for n in names if n.lower() == p.lower()), None)
            cur = os.path.join(cur, hit if hit is not None else p)
        return cur
    def _absent_or_eexist(self, path):
        # A new name whose twin exists is that twin: EEXIST, as a case-insensitive volume answers.
        if os.path.lexists(self._find(path)): raise FuseOSError(errno.EEXIST)
        return self._find(path)
    def getattr(self, path, fh=None):
        st = os.lstat(self._find(path))
        return {k: getattr(st, k) for k in ('st_mode','st_nlink','st_size','st_uid','st_gid','st_atime','st_mtime','st_ctime','st_ino')} | {'st_atime': st.st_atime_ns/1e9, 'st_mtime': st.st_mtime_ns/1e9, 'st_ctime': st.st_ctime_ns/1e9}
    def readdir(self, path, fh): return ['.', '..'] + os.listdir(self._find(path))
    def readlink(self, path): return os.readlink(self._find(path))
    def mkdir(self, path, mode): os.mkdir(self._absent_or_eexist(path), mode)
    def rmdir(self, path): os.rmdir(self._find(path))
    def unlink(self, path): os.unlink(self._find(path))
    def symlink(self, target, source): os.symlink(source, self._absent_or_eexist(target))
    def link(self, target, source): os.link(self._find(source), self._absent_or_eexist(target))
    def rename(self, old, new):
        n = self._find(new)
        os.rename(self._find(old), n)
    def chmod(self, path, mode): os.chmod(self._find(path), mode)
    def chown(self, path, uid, gid): os.lchown(self._find(path), uid, gid)
    def utimens(self, path, times=None): os.utime(self._find(path), ns=(int(times[0]*1e9), int(times[1]*1e9)) if times else None, follow_symlinks=False)
    def truncate(self, path, length, fh=None):
        with open(self._find(path), 'r+') as f: f.truncate(length)
    def open(self, path, flags): return os.open(self._find(path), flags)
    def create(self, path, mode, fi=None): return os.open(self._absent_or_eexist(path), os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    def read(self, path, size, offset, fh): os.lseek(fh, offset, 0); return os.read(fh, size)
    def write(self, path, data, offset, fh): os.lseek(fh, offset, 0); return os.write(fh, data)
    def release(self, path, fh): return os.close(fh)
    def flush(self, path, fh): return 0
    def fsync(self, path, datasync, fh): os.fsync(fh); return 0
    def fsyncdir(self, path, datasync, fh):
        # FSYNCDIR_ERRNO=EIO (say) makes every folder fsync fail so, as a failing disk's would (test/platform/durability.test.ts).
        name = os.environ.get('FSYNCDIR_ERRNO')
        if name: raise FuseOSError(getattr(errno, name))
        return 0
    def opendir(self, path): return 0
    def releasedir(self, path, fh): return 0
    def statfs(self, path):
        s = os.statvfs(self._find(path))
        return {k: getattr(s, k) for k in ('f_bavail','f_bfree','f_blocks','f_bsize','f_favail','f_ffree','f_files','f_flag','f_frsize','f_namemax')}
    def access(self, path, mode):
        if not os.access(self._find(path), mode): raise FuseOSError(errno.EACCES)

if __name__ == '__main__':
    FUSE(CI(sys.argv[1]), sys.argv[2], foreground=True, use_ino=True, allow_other=True, nothreads=True)
