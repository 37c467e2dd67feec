import { family } from './table.js';

export const FS = family('fs', { header: 'linux/fs.h' }, [
  ['FIBMAP', 'rw', 'int', 'fs/ioctl.c:ioctl_fibmap', { note: 'logical block in, physical block out' }],
  ['FIGETBSZ', 'r', 'int', 'fs/ioctl.c:do_vfs_ioctl'],
  [
    'FIFREEZE',
    'none',
    null,
    'fs/ioctl.c:ioctl_fsfreeze',
    { misdeclared: true, note: '_IOWR(int) but the argument is never used' },
  ],
  [
    'FITHAW',
    'none',
    null,
    'fs/ioctl.c:ioctl_fsthaw',
    { misdeclared: true, note: '_IOWR(int) but the argument is never used' },
  ],
  [
    'FICLONE',
    'value',
    'int',
    'fs/ioctl.c:ioctl_file_clone',
    {
      misdeclared: true,
      note: '_IOW(int) but the source fd is the argument itself; compat_sys_ioctl skips compat_ptr for it',
    },
  ],
  [
    'FS_IOC_GETFLAGS',
    'r',
    'unsigned int',
    'fs/ioctl.c:do_vfs_ioctl',
    {
      misdeclared: true,
      note: 'the macro names long but the kernel writes an unsigned int; FS_IOC32_GETFLAGS is the 32-bit number',
    },
  ],
  [
    'FS_IOC_SETFLAGS',
    'w',
    'unsigned int',
    'fs/ioctl.c:do_vfs_ioctl',
    {
      misdeclared: true,
      note: 'the macro names long but the kernel reads an unsigned int; FS_IOC32_SETFLAGS is the 32-bit number',
    },
  ],
  [
    'FS_IOC_GETVERSION',
    'r',
    'int',
    'fs/ext4/ioctl.c:__ext4_ioctl',
    {
      misdeclared: true,
      note: 'the macro names long but filesystems write an int; FS_IOC32_GETVERSION is the 32-bit number',
    },
  ],
  [
    'FS_IOC_SETVERSION',
    'w',
    'int',
    'fs/ext4/ioctl.c:__ext4_ioctl',
    {
      misdeclared: true,
      note: 'the macro names long but filesystems read an int; FS_IOC32_SETVERSION is the 32-bit number',
    },
  ],
  ['FS_IOC32_GETFLAGS', 'r', 'int', 'fs/ioctl.c:compat_sys_ioctl', { note: 'mapped to FS_IOC_GETFLAGS' }],
  ['FS_IOC32_SETFLAGS', 'w', 'int', 'fs/ioctl.c:compat_sys_ioctl', { note: 'mapped to FS_IOC_SETFLAGS' }],
  ['FS_IOC32_GETVERSION', 'r', 'int', 'fs/ext4/ioctl.c:ext4_compat_ioctl', { note: 'mapped to FS_IOC_GETVERSION' }],
  ['FS_IOC32_SETVERSION', 'w', 'int', 'fs/ext4/ioctl.c:ext4_compat_ioctl', { note: 'mapped to FS_IOC_SETVERSION' }],
]);
