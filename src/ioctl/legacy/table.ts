/**
 * The shape of the legacy ioctl table (src/ioctl/legacy/*.ts, one file per family, one row per ioctl): a row gives
 * the macro, what the kernel does with the argument, the argument's type and the kernel function that shows it.
 */

/** The families the table is grouped by (one file each). */
export type LegacyFamily =
  | 'tty'
  | 'serial'
  | 'socket'
  | 'wireless'
  | 'loop'
  | 'block'
  | 'cdrom'
  | 'fs'
  | 'hdreg'
  | 'fb'
  | 'kd'
  | 'vt'
  | 'mtio'
  | 'scsi'
  | 'floppy'
  | 'i2c'
  | 'usb'
  | 'tun'
  | 'other';

/** Ioctls whose argument type is not (correctly) in their number: the kernel source says what it is. */
export interface LegacyIoctl {
  /** The macro name in the UAPI headers. */
  name: string;
  /**
   * The argument as C names it with UAPI types ('struct termios', 'int', 'unsigned long', 'struct serial_struct',
   * 'char [16]'), or null when no argument is used.
   */
  arg: string | null;
  /**
   * true when the argument is passed by value in the ioctl's third parameter (LOOP_SET_FD's fd, TCSBRK's int) instead
   * of as a pointer to it; `dir` is then 'none' (no memory is copied).
   */
  byValue?: boolean;
  /**
   * What the kernel does with the argument, from user space's view: 'r' = the kernel writes the argument, 'w' = it
   * reads it, 'rw' both, 'none'.
   */
  dir: 'none' | 'r' | 'w' | 'rw';
  /** The UAPI header (include name) that defines the macro on x86_64, e.g. 'asm-generic/ioctls.h', 'linux/fs.h'. */
  header: string;
  /**
   * Headers to include, in order, before `header` where it does not stand alone: the argument's type lives elsewhere
   * (struct ifreq for linux/sockios.h) or the header uses _IOR/size_t without including them.
   */
  needs?: readonly string[];
  /**
   * Kernel source that handles it, 'path:function' as in the upstream tree, e.g. 'drivers/tty/tty_io.c:tty_ioctl',
   * 'drivers/block/loop.c:lo_ioctl'.
   */
  source: string;
  family: LegacyFamily;
  /**
   * true when the header's `_IOR/_IOW/_IOWR` macro names another type, size or direction than the kernel uses (`note`
   * says what).
   */
  misdeclared?: boolean;
  /** Why the header's own number does not tell the type, when it is an _IOC macro that names another. */
  note?: string;
  /**
   * true for a number the UAPI still defines that no kernel code handles: it reaches `source`'s default case and the
   * caller gets ENOTTY; no argument is read (`arg` null, `dir` 'none').
   */
  unhandled?: boolean;
  /**
   * The member of a union in the argument the handler uses (SIOCGIFFLAGS: `ifr_ifru` as `ifru_flags`): a converter
   * needs it named, as the kernel's handler picks it by the command. Cited by `source` and `shows`.
   */
  member?: UnionMember;
}

/**
 * A union member an ioctl's handler uses: `union` (its path in the argument) is read or written as `member`, as the
 * text `shows` (UAPI spelling: `ifr->ifr_flags`, linux/if.h's alias of `ifr_ifru.ifru_flags`) in the kernel
 * function `source` ('path:function') has it. `member` UNION_BYTES (src/ioctl/catalogue.ts): the compat path copies
 * the task's record whole, as `shows` (a copy_from_user) has it, and the handler reads the union's bytes as they are.
 */
export interface UnionMember {
  union: string;
  member: string;
  source: string;
  shows: string;
}

/** What the kernel does with the argument: `LegacyIoctl.dir`, or 'value' for an argument passed by value. */
export type LegacyAccess = LegacyIoctl['dir'] | 'value';

/** What a row says beyond its family's defaults. */
export interface LegacyRowExtra {
  header?: string;
  needs?: readonly string[];
  misdeclared?: true;
  note?: string;
  unhandled?: true;
  member?: UnionMember;
}

/** One ioctl: macro, access, argument type (null: none), kernel source 'path:function', and what else it needs. */
export type LegacyRow = readonly [
  name: string,
  access: LegacyAccess,
  arg: string | null,
  source: string,
  extra?: LegacyRowExtra,
];

/** A family's rows as table entries, each with the family's header and `needs` unless the row names its own. */
export function family(
  name: LegacyFamily,
  defaults: { header: string; needs?: readonly string[] },
  rows: readonly LegacyRow[],
): LegacyIoctl[] {
  return rows.map(([macro, access, arg, source, extra = {}]) => {
    const needs = extra.needs ?? defaults.needs;
    return {
      name: macro,
      arg,
      ...(access === 'value' ? { byValue: true } : {}),
      dir: access === 'value' ? 'none' : access,
      header: extra.header ?? defaults.header,
      ...(needs?.length ? { needs } : {}),
      source,
      family: name,
      ...(extra.misdeclared ? { misdeclared: true } : {}),
      ...(extra.note !== undefined ? { note: extra.note } : {}),
      ...(extra.unhandled ? { unhandled: true } : {}),
      ...(extra.member ? { member: extra.member } : {}),
    };
  });
}
