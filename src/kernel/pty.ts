/**
 * Unix98 pseudo-terminals in the model: /dev/ptmx hands out a master, whose slave is
 * /dev/pts/N (drivers/tty/pty.c), both on the tty layer (drivers/tty/tty_io.c tty_ioctl, then
 * the driver's ioctl, then the line discipline, n_tty, and drivers/tty/tty_ioctl.c's
 * tty_mode_ioctl). The window size and the termios are the slave's, whichever end asks
 * (tty_pair_get_tty). tty_compat_ioctl passes the commands whose argument is the same for a
 * compat task to tty_ioctl, with compat_ptr() or with the raw argument; the master's
 * pty_unix98_compat_ioctl passes its own on with compat_ptr(); n_tty has no compat_ioctl, and
 * its ioctl knows none of the rest: -ENOIOCTLCMD, so -ENOTTY.
 *
 * Modelled: the window size (shared by the pair, set on either side), TIOCGEXCL/TIOCEXCL/
 * TIOCNXCL, TIOCGETD (always N_TTY), TIOCMGET (ptys have no modem lines: -ENOTTY), the
 * master's TIOCGPTN, TIOCGPTLCK/TIOCSPTLCK and TIOCGPKT/TIOCPKT, n_tty's TIOCOUTQ and
 * TIOCINQ (no data ever flows in the model: 0), and the getters of tty_mode_ioctl: TCGETS,
 * TCGETS2, TCGETA and TIOCGSOFTCAR, from the slave's initial termios. Not modelled:
 * setting termios, job control, TIOCSTI, break and flush commands (they answer as unknown
 * ones do: -ENOTTY).
 */
import { compatPtr } from '../abi/index.js';
import type { IncludeOptions } from '../cfront/index.js';
import { dumpHeaders } from '../scan/dump.js';
import { ERRNO } from '../thunk/errors.js';
import { byNumber, type IoctlTable } from './dispatch.js';
import type { Device, FileOperations, Kernel, KFile, Task } from './kernel.js';
import { macroNumbers, recordOf, type RecordView } from './numbers.js';

const COMMANDS = [
  'TCGETS',
  'TCGETA',
  'TCGETS2',
  'TIOCGWINSZ',
  'TIOCSWINSZ',
  'TIOCEXCL',
  'TIOCNXCL',
  'TIOCGEXCL',
  'TIOCGETD',
  'TIOCMGET',
  'TIOCGSOFTCAR',
  'TIOCOUTQ',
  'TIOCINQ',
  'TIOCGPTN',
  'TIOCSPTLCK',
  'TIOCGPTLCK',
  'TIOCPKT',
  'TIOCGPKT',
] as const;
const FLAGS = [
  'ICRNL',
  'IXON',
  'OPOST',
  'ONLCR',
  'B38400',
  'CS8',
  'CREAD',
  'CLOCAL',
  'ISIG',
  'ICANON',
  'ECHO',
  'ECHOE',
  'ECHOK',
  'ECHOCTL',
  'ECHOKE',
  'IEXTEN',
  'N_TTY',
  'NCC',
] as const;
type PtyNumber = (typeof COMMANDS)[number] | (typeof FLAGS)[number];

/**
 * INIT_C_CC (include/linux/termios_internal.h): ^C ^\ DEL ^U ^D, VTIME 0, VMIN 1, VSWTC 0,
 * ^Q ^S ^Z, VEOL 0, ^R ^O ^W ^V, VEOL2 0, in the order of asm-generic/termbits.h's c_cc indices.
 */
const INIT_C_CC = [0o3, 0o34, 0o177, 0o25, 0o4, 0, 1, 0, 0o21, 0o23, 0o32, 0, 0o22, 0o17, 0o27, 0o26, 0];

/** A struct ktermios: the flags, the line discipline, the control characters and the speeds. */
interface Termios {
  iflag: number;
  oflag: number;
  cflag: number;
  lflag: number;
  line: number;
  cc: number[];
  ispeed: number;
  ospeed: number;
}

interface Pty {
  index: number;
  /** The slave's window size and termios (what both ends report). */
  winsize: Uint8Array;
  termios: Termios;
  locked: boolean;
  packet: boolean;
  /** TTY_EXCLUSIVE of each end. */
  exclusive: { master: boolean; slave: boolean };
}

interface Side {
  pty: Pty;
  master: boolean;
}

/** What installPty() read of the headers, shared by every pair. */
interface PtyDriver {
  kernel: Kernel;
  n: Record<PtyNumber, number>;
  le: boolean;
  termios: RecordView;
  termios2: RecordView;
  termio: RecordView;
  winsizeSize: number;
  /** The next pair's index. */
  next: number;
  ttyIoctls: ReadonlyMap<number, TtyIoctl>;
  ptyIoctls: ReadonlyMap<number, TtyIoctl>;
  ldiscIoctls: ReadonlyMap<number, TtyIoctl>;
  compatIoctls: ReadonlyMap<number, TtyCompatIoctl>;
}

/** A command of the tty layer, the pty driver or the line discipline, on one end of a pair. */
type TtyIoctl = (t: PtyDriver, side: Side, arg: bigint, task: Task) => number;
/** A command of tty_compat_ioctl(): the compat task's raw argument. */
type TtyCompatIoctl = (t: PtyDriver, file: KFile, cmd: number, arg: number, task: Task) => number;

/** drivers/tty/tty_io.c tty_std_termios, with unix98_pty_init()'s c_cflag for the slave (no HUPCL). */
function slaveTermios({ n }: PtyDriver): Termios {
  return {
    iflag: n.ICRNL | n.IXON,
    oflag: n.OPOST | n.ONLCR,
    cflag: n.B38400 | n.CS8 | n.CREAD,
    lflag: n.ISIG | n.ICANON | n.ECHO | n.ECHOE | n.ECHOK | n.ECHOCTL | n.ECHOKE | n.IEXTEN,
    line: n.N_TTY,
    cc: [...INIT_C_CC],
    ispeed: 38400,
    ospeed: 38400,
  };
}

/** The termios as one of the three user structs lays it out (kernel_termios_to_user_termios and friends). */
function termiosToUser(
  t: PtyDriver,
  k: Termios,
  rec: RecordView,
  flagBytes: 2 | 4,
  ccCount: number,
  speeds: boolean,
): Uint8Array {
  const b = new Uint8Array(rec.size);
  const dv = new DataView(b.buffer);
  const flag = (path: string, v: number) => {
    const at = rec.field(path).offset;
    if (flagBytes === 4) dv.setUint32(at, v, t.le);
    else dv.setUint16(at, v & 0xffff, t.le);
  };
  flag('c_iflag', k.iflag);
  flag('c_oflag', k.oflag);
  flag('c_cflag', k.cflag);
  flag('c_lflag', k.lflag);
  b[rec.field('c_line').offset] = k.line;
  b.set(k.cc.slice(0, ccCount), rec.field('c_cc').offset);
  if (speeds) {
    dv.setUint32(rec.field('c_ispeed').offset, k.ispeed, t.le);
    dv.setUint32(rec.field('c_ospeed').offset, k.ospeed, t.le);
  }
  return b;
}

/** tiocgwinsz(): the pair's window size. */
const tiocgwinsz: TtyIoctl = (_t, { pty }, arg, task) => task.copyToUser(arg, pty.winsize.slice());

/** tiocswinsz(), pty_resize(): one window size for both sides. */
const tiocswinsz: TtyIoctl = (t, { pty }, arg, task) => {
  const b = task.memory.read(arg, t.winsizeSize);
  if (!b) return -task.errno.EFAULT;
  pty.winsize = b;
  return 0;
};

/** tty_ioctl() TIOCEXCL: set_bit(TTY_EXCLUSIVE) on this end. */
const tiocexcl: TtyIoctl = (_t, { pty, master }) => {
  pty.exclusive[master ? 'master' : 'slave'] = true;
  return 0;
};

/** tty_ioctl() TIOCNXCL: clear_bit(TTY_EXCLUSIVE) on this end. */
const tiocnxcl: TtyIoctl = (_t, { pty, master }) => {
  pty.exclusive[master ? 'master' : 'slave'] = false;
  return 0;
};

/** tty_ioctl() TIOCGEXCL: test_bit(TTY_EXCLUSIVE) of this end. */
const tiocgexcl: TtyIoctl = (_t, { pty, master }, arg, task) =>
  task.putUser(arg, 4, pty.exclusive[master ? 'master' : 'slave'] ? 1 : 0);

/** tiocgetd(): the line discipline, always N_TTY. */
const tiocgetd: TtyIoctl = (t, _side, arg, task) => task.putUser(arg, 4, t.n.N_TTY);

/** tty_tiocmget(): no tiocmget in the pty drivers. */
const ttyTiocmget: TtyIoctl = (_t, _side, _arg, task) => -task.errno.ENOTTY;

/** tty_ioctl()'s own switch, before the driver's. */
const TTY_IOCTLS: IoctlTable<PtyNumber, TtyIoctl> = {
  TIOCGWINSZ: tiocgwinsz,
  TIOCSWINSZ: tiocswinsz,
  TIOCEXCL: tiocexcl,
  TIOCNXCL: tiocnxcl,
  TIOCGEXCL: tiocgexcl,
  TIOCGETD: tiocgetd,
  TIOCMGET: ttyTiocmget,
};

/** pty_unix98_ioctl() TIOCGPTN: put_user(tty->index). */
const ptyGetIndex: TtyIoctl = (_t, { pty }, arg, task) => task.putUser(arg, 4, pty.index);

/** pty_set_lock(): TTY_PTY_LOCK from an int. */
const ptySetLock: TtyIoctl = (_t, { pty }, arg, task) => {
  const v = task.getUserInt(arg);
  if (v === null) return -task.errno.EFAULT;
  pty.locked = v !== 0;
  return 0;
};

/** pty_set_pktmode(): packet mode from an int. */
const ptySetPktmode: TtyIoctl = (_t, { pty }, arg, task) => {
  const v = task.getUserInt(arg);
  if (v === null) return -task.errno.EFAULT;
  pty.packet = v !== 0;
  return 0;
};

/** pty_get_lock(). */
const ptyGetLock: TtyIoctl = (_t, { pty }, arg, task) => task.putUser(arg, 4, pty.locked ? 1 : 0);

/** pty_get_pktmode(). */
const ptyGetPktmode: TtyIoctl = (_t, { pty }, arg, task) => task.putUser(arg, 4, pty.packet ? 1 : 0);

/** pty_unix98_ioctl(): the master's own commands; the rest is -ENOIOCTLCMD. */
const PTY_UNIX98_IOCTLS: IoctlTable<PtyNumber, TtyIoctl> = {
  TIOCGPTN: ptyGetIndex,
  TIOCSPTLCK: ptySetLock,
  TIOCPKT: ptySetPktmode,
  TIOCGPTLCK: ptyGetLock,
  TIOCGPKT: ptyGetPktmode,
};

/** n_tty_ioctl() TIOCOUTQ, TIOCINQ: no data ever flows in the model. */
const nTtyQueued: TtyIoctl = (_t, _side, arg, task) => task.putUser(arg, 4, 0);

/** tty_mode_ioctl() TCGETS: kernel_termios_to_user_termios_1(), no speeds. */
const ttyTcgets: TtyIoctl = (t, { pty }, arg, task) =>
  task.copyToUser(arg, termiosToUser(t, pty.termios, t.termios, 4, t.termios.field('c_cc').size, false));

/** tty_mode_ioctl() TCGETS2: kernel_termios_to_user_termios(), with the speeds. */
const ttyTcgets2: TtyIoctl = (t, { pty }, arg, task) =>
  task.copyToUser(arg, termiosToUser(t, pty.termios, t.termios2, 4, t.termios2.field('c_cc').size, true));

/** get_termio(): kernel_termios_to_user_termio(), short flags and NCC characters. */
const getTermio: TtyIoctl = (t, { pty }, arg, task) =>
  task.copyToUser(arg, termiosToUser(t, pty.termios, t.termio, 2, t.n.NCC, false));

/** tty_mode_ioctl() TIOCGSOFTCAR: CLOCAL as an int. */
const ttyGetSoftcar: TtyIoctl = (t, { pty }, arg, task) => task.putUser(arg, 4, pty.termios.cflag & t.n.CLOCAL ? 1 : 0);

/** n_tty_ioctl(), then n_tty_ioctl_helper()'s tty_mode_ioctl(); the rest is -ENOIOCTLCMD, so -ENOTTY. */
const N_TTY_IOCTLS: IoctlTable<PtyNumber, TtyIoctl> = {
  TIOCOUTQ: nTtyQueued,
  TIOCINQ: nTtyQueued,
  TCGETS: ttyTcgets,
  TCGETS2: ttyTcgets2,
  TCGETA: getTermio,
  TIOCGSOFTCAR: ttyGetSoftcar,
};

/** tty_ioctl(): the tty layer, then the pty driver (the master's commands), then n_tty. */
function ttyIoctl(t: PtyDriver, file: KFile, cmd: number, arg: bigint, task: Task): number {
  const side = file.privateData as Side;
  const h = t.ttyIoctls.get(cmd) ?? (side.master ? t.ptyIoctls.get(cmd) : undefined) ?? t.ldiscIoctls.get(cmd);
  return h ? h(t, side, arg, task) : -task.errno.ENOTTY;
}

/** tty_compat_ioctl(): `return tty_ioctl(file, cmd, (unsigned long)compat_ptr(arg))`. */
const ttyIoctlCompatPtr: TtyCompatIoctl = (t, file, cmd, arg, task) =>
  ttyIoctl(t, file, cmd, BigInt(compatPtr(task.abi, arg)), task);

/** tty_compat_ioctl(): `return tty_ioctl(file, cmd, arg)`, the argument as it is. */
const ttyIoctlRaw: TtyCompatIoctl = (t, file, cmd, arg, task) => ttyIoctl(t, file, cmd, BigInt(arg), task);

/** tty_compat_ioctl()'s switch: the commands whose argument is the same for a compat task. */
const TTY_COMPAT_IOCTLS: IoctlTable<PtyNumber, TtyCompatIoctl> = {
  TIOCOUTQ: ttyIoctlCompatPtr,
  TIOCGWINSZ: ttyIoctlCompatPtr,
  TIOCSWINSZ: ttyIoctlCompatPtr,
  TIOCGEXCL: ttyIoctlCompatPtr,
  TIOCGETD: ttyIoctlCompatPtr,
  TIOCMGET: ttyIoctlCompatPtr,
  TCGETS: ttyIoctlCompatPtr,
  TCGETS2: ttyIoctlCompatPtr,
  TCGETA: ttyIoctlCompatPtr,
  TIOCGSOFTCAR: ttyIoctlCompatPtr,
  TIOCEXCL: ttyIoctlRaw,
  TIOCNXCL: ttyIoctlRaw,
};

/**
 * tty_compat_ioctl(): its own switch, then pty_unix98_compat_ioctl() on the master (its commands
 * with compat_ptr()); n_tty has no compat_ioctl and its ioctl knows none of the rest.
 */
function ttyCompatIoctl(t: PtyDriver, file: KFile, cmd: number, arg: number, task: Task): number {
  const h = t.compatIoctls.get(cmd);
  if (h) return h(t, file, cmd, arg, task);
  const side = file.privateData as Side;
  const pty = side.master ? t.ptyIoctls.get(cmd) : undefined;
  return pty ? pty(t, side, BigInt(compatPtr(task.abi, arg)), task) : -ERRNO.ENOIOCTLCMD;
}

/** tty_fops and ptmx_fops: the tty layer's ioctls. */
function ttyFops(t: PtyDriver): FileOperations {
  return {
    unlocked_ioctl: (file, cmd, arg, task) => ttyIoctl(t, file, cmd, arg, task),
    compat_ioctl: (file, cmd, arg, task) => ttyCompatIoctl(t, file, cmd, arg, task),
  };
}

/** /dev/pts/N: pts_unix98_lookup() / pty_open(), a locked slave cannot be opened. */
function ptsDevice(t: PtyDriver, pty: Pty): Device {
  const open = (f: KFile) => {
    if (pty.locked) return -t.kernel.errno.EIO;
    f.privateData = { pty, master: false } satisfies Side;
    return 0;
  };
  return { name: `pts${pty.index}`, kind: 'chr', major: 136, minor: pty.index, fops: { ...ttyFops(t), open } };
}

/** ptmx_open(): a new pair, locked until TIOCSPTLCK(0); the slave appears as /dev/pts/N. */
function ptmxOpen(t: PtyDriver, file: KFile): number {
  const pty: Pty = {
    index: t.next++,
    winsize: new Uint8Array(t.winsizeSize),
    termios: slaveTermios(t),
    locked: true,
    packet: false,
    exclusive: { master: false, slave: false },
  };
  file.privateData = { pty, master: true } satisfies Side;
  t.kernel.addDevice(`/dev/pts/${pty.index}`, ptsDevice(t, pty));
  return 0;
}

/** Adds /dev/ptmx to a model kernel; each open of it makes a pair and adds its slave as /dev/pts/N. */
export function installPty(kernel: Kernel, include: IncludeOptions = {}): Device {
  const native = kernel.native;
  const headers = ['linux/termios.h', 'linux/tty.h'];
  const n = macroNumbers(native, headers, [...COMMANDS, ...FLAGS], include) as Record<PtyNumber, number>;
  const d = dumpHeaders({ abi: native, headers: ['linux/termios.h'], ...include });
  const t: PtyDriver = {
    kernel,
    n,
    le: native.endian === 'little',
    termios: recordOf(d, 'struct termios'),
    termios2: recordOf(d, 'struct termios2'),
    termio: recordOf(d, 'struct termio'),
    winsizeSize: recordOf(d, 'struct winsize').size,
    next: 0,
    ttyIoctls: byNumber(n, TTY_IOCTLS),
    ptyIoctls: byNumber(n, PTY_UNIX98_IOCTLS),
    ldiscIoctls: byNumber(n, N_TTY_IOCTLS),
    compatIoctls: byNumber(n, TTY_COMPAT_IOCTLS),
  };
  const fops: FileOperations = { ...ttyFops(t), open: (file) => ptmxOpen(t, file) };
  const ptmx: Device = { name: 'ptmx', kind: 'chr', major: 5, minor: 2, fops };
  kernel.addDevice('/dev/ptmx', ptmx);
  return ptmx;
}
