/**
 * Ioctls whose argument type is not (correctly) in their number: plain numbers (`TCGETS
 * 0x5401`), `_IO()` numbers that still take a pointer (`BLKGETSIZE`), and `_IOR/_IOW/_IOWR`
 * macros whose type or direction is not what the kernel does (`TUNSETIFF`). Each entry was read
 * off the kernel source named in `source`; a compat handler that converts the structure is the
 * strongest evidence and is mentioned where there is one. Facts not confirmed in the kernel
 * source are left out rather than guessed. One file per family under ./legacy/, one row per ioctl.
 */
import { BLOCK } from './legacy/block.js';
import { DIRECTIONS } from './legacy/directions.js';
import { CDROM } from './legacy/cdrom.js';
import { FB } from './legacy/fb.js';
import { FLOPPY } from './legacy/floppy.js';
import { FS } from './legacy/fs.js';
import { HDREG } from './legacy/hdreg.js';
import { I2C } from './legacy/i2c.js';
import { KD } from './legacy/kd.js';
import { LOOP } from './legacy/loop.js';
import { MTIO } from './legacy/mtio.js';
import { OTHER } from './legacy/other.js';
import { SCSI } from './legacy/scsi.js';
import { SERIAL } from './legacy/serial.js';
import { SOCKET } from './legacy/socket.js';
import type { LegacyIoctl } from './legacy/table.js';
import { TTY } from './legacy/tty.js';
import { TUN } from './legacy/tun.js';
import { USB } from './legacy/usb.js';
import { VT } from './legacy/vt.js';
import { WIRELESS } from './legacy/wireless.js';

export type { LegacyAccess, LegacyFamily, LegacyIoctl } from './legacy/table.js';

export const LEGACY_IOCTLS: readonly LegacyIoctl[] = [
  ...TTY,
  ...SERIAL,
  ...SOCKET,
  ...WIRELESS,
  ...LOOP,
  ...BLOCK,
  ...CDROM,
  ...FS,
  ...HDREG,
  ...FB,
  ...KD,
  ...VT,
  ...MTIO,
  ...SCSI,
  ...FLOPPY,
  ...TUN,
  ...USB,
  ...DIRECTIONS,
  ...I2C,
  ...OTHER,
];
