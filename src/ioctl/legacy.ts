/**
 * Ioctls whose argument type is not (correctly) in their number: plain numbers (`TCGETS
 * 0x5401`), `_IO()` numbers that still take a pointer (`BLKGETSIZE`), and `_IOR/_IOW/_IOWR`
 * macros whose type or direction is not what the kernel does (`TUNSETIFF`). Each entry was read
 * off the kernel source named in `source`; a compat handler that converts the structure is the
 * strongest evidence and is mentioned where there is one. Facts not confirmed in the kernel
 * source are left out rather than guessed. One file per family under ./legacy/, one row per ioctl.
 */
import { BLOCK } from './legacy/block.js';
import { FB } from './legacy/fb.js';
import { FLOPPY } from './legacy/floppy.js';
import { FS } from './legacy/fs.js';
import { HDREG } from './legacy/hdreg.js';
import { LOOP } from './legacy/loop.js';
import { MTIO } from './legacy/mtio.js';
import { OTHER } from './legacy/other.js';
import { SERIAL } from './legacy/serial.js';
import { SOCKET } from './legacy/socket.js';
import type { LegacyIoctl } from './legacy/table.js';
import { TTY } from './legacy/tty.js';
import { TUN } from './legacy/tun.js';

export type { LegacyAccess, LegacyFamily, LegacyIoctl } from './legacy/table.js';

export const LEGACY_IOCTLS: readonly LegacyIoctl[] = [
  ...TTY,
  ...SERIAL,
  ...SOCKET,
  ...LOOP,
  ...BLOCK,
  ...FS,
  ...HDREG,
  ...FB,
  ...MTIO,
  ...FLOPPY,
  ...TUN,
  ...OTHER,
];
