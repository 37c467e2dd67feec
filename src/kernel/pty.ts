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
import { dumpHeaders } from '../report/dump.js';
import { ERRNO } from '../thunk/errors.js';
import type { Device, FileOperations, Kernel, KFile, Task } from './kernel.js';
import { macroNumbers, recordOf, type RecordView } from './numbers.js';

const COMMANDS = [
  'TCGETS', 'TCGETA', 'TCGETS2', 'TIOCGWINSZ', 'TIOCSWINSZ', 'TIOCEXCL', 'TIOCNXCL', 'TIOCGEXCL', 'TIOCGETD', 'TIOCMGET',
  'TIOCGSOFTCAR', 'TIOCOUTQ', 'TIOCINQ', 'TIOCGPTN', 'TIOCSPTLCK', 'TIOCGPTLCK', 'TIOCPKT', 'TIOCGPKT',
] as const;
const FLAGS = ['ICRNL', 'IXON', 'OPOST', 'ONLCR', 'B38400', 'CS8', 'CREAD', 'CLOCAL', 'ISIG', 'ICANON', 'ECHO', 'ECHOE', 'ECHOK', 'ECHOCTL', 'ECHOKE', 'IEXTEN', 'N_TTY', 'NCC'] as const;

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

/** Adds /dev/ptmx to a model kernel; each open of it makes a pair and adds its slave as /dev/pts/N. */
export function installPty(kernel: Kernel, include: IncludeOptions = {}): Device {
  const native = kernel.native;
  const n = macroNumbers(native, ['linux/termios.h', 'linux/tty.h'], [...COMMANDS, ...FLAGS], include) as Record<(typeof COMMANDS)[number] | (typeof FLAGS)[number], number>;
  const d = dumpHeaders({ abi: native, headers: ['linux/termios.h'], ...include });
  const termiosRec = recordOf(d, 'struct termios');
  const termios2Rec = recordOf(d, 'struct termios2');
  const termioRec = recordOf(d, 'struct termio');
  const winsizeSize = recordOf(d, 'struct winsize').size;
  const le = native.endian === 'little';

  // drivers/tty/tty_io.c tty_std_termios, with unix98_pty_init()'s c_cflag for the slave (no HUPCL)
  const slaveTermios = (): Termios => ({
    iflag: n.ICRNL | n.IXON,
    oflag: n.OPOST | n.ONLCR,
    cflag: n.B38400 | n.CS8 | n.CREAD,
    lflag: n.ISIG | n.ICANON | n.ECHO | n.ECHOE | n.ECHOK | n.ECHOCTL | n.ECHOKE | n.IEXTEN,
    line: n.N_TTY,
    cc: [...INIT_C_CC],
    ispeed: 38400,
    ospeed: 38400,
  });

  /** The termios as one of the three user structs lays it out (kernel_termios_to_user_termios and friends). */
  const termiosBytes = (t: Termios, rec: RecordView, flagBytes: 2 | 4, ccCount: number, speeds: boolean) => {
    const b = new Uint8Array(rec.size);
    const dv = new DataView(b.buffer);
    const flag = (path: string, v: number) => (flagBytes === 4 ? dv.setUint32(rec.field(path).offset, v, le) : dv.setUint16(rec.field(path).offset, v & 0xffff, le));
    flag('c_iflag', t.iflag);
    flag('c_oflag', t.oflag);
    flag('c_cflag', t.cflag);
    flag('c_lflag', t.lflag);
    b[rec.field('c_line').offset] = t.line;
    b.set(t.cc.slice(0, ccCount), rec.field('c_cc').offset);
    if (speeds) {
      dv.setUint32(rec.field('c_ispeed').offset, t.ispeed, le);
      dv.setUint32(rec.field('c_ospeed').offset, t.ospeed, le);
    }
    return b;
  };
  const ccOf = (rec: RecordView) => rec.field('c_cc').size;

  /** tty_ioctl(): the tty layer, then the pty driver (the master's commands), then n_tty. */
  const ttyIoctl = (file: KFile, cmd: number, arg: bigint, task: Task): number => {
    const { pty, master } = file.privateData as Side;
    const end = master ? 'master' : 'slave';
    switch (cmd) {
      case n.TIOCGWINSZ:
        return task.copyToUser(arg, pty.winsize.slice());
      case n.TIOCSWINSZ: {
        // pty_resize(): one window size for both sides
        const b = task.memory.read(arg, winsizeSize);
        if (!b) return -ERRNO.EFAULT;
        pty.winsize = b;
        return 0;
      }
      case n.TIOCEXCL:
        pty.exclusive[end] = true;
        return 0;
      case n.TIOCNXCL:
        pty.exclusive[end] = false;
        return 0;
      case n.TIOCGEXCL:
        return task.putUser(arg, 4, pty.exclusive[end] ? 1 : 0);
      case n.TIOCGETD:
        return task.putUser(arg, 4, n.N_TTY);
      // tty_tiocmget(): no tiocmget in the pty drivers
      case n.TIOCMGET:
        return -ERRNO.ENOTTY;
    }
    if (master) {
      const r = masterIoctl(pty, cmd, arg, task);
      if (r !== -ERRNO.ENOIOCTLCMD) return r;
    }
    // n_tty_ioctl(), then tty_mode_ioctl()
    switch (cmd) {
      case n.TIOCOUTQ:
      case n.TIOCINQ:
        return task.putUser(arg, 4, 0);
      case n.TCGETS:
        return task.copyToUser(arg, termiosBytes(pty.termios, termiosRec, 4, ccOf(termiosRec), false));
      case n.TCGETS2:
        return task.copyToUser(arg, termiosBytes(pty.termios, termios2Rec, 4, ccOf(termios2Rec), true));
      case n.TCGETA:
        return task.copyToUser(arg, termiosBytes(pty.termios, termioRec, 2, n.NCC, false));
      case n.TIOCGSOFTCAR:
        return task.putUser(arg, 4, pty.termios.cflag & n.CLOCAL ? 1 : 0);
    }
    // the line discipline's -ENOIOCTLCMD becomes -ENOTTY
    return -ERRNO.ENOTTY;
  };

  /** pty_unix98_ioctl(): the master's own commands. */
  const masterIoctl = (pty: Pty, cmd: number, arg: bigint, task: Task): number => {
    switch (cmd) {
      case n.TIOCGPTN:
        return task.putUser(arg, 4, pty.index);
      // pty_set_lock(), pty_set_pktmode()
      case n.TIOCSPTLCK:
      case n.TIOCPKT: {
        const v = task.getUserInt(arg);
        if (v === null) return -ERRNO.EFAULT;
        if (cmd === n.TIOCSPTLCK) pty.locked = v !== 0;
        else pty.packet = v !== 0;
        return 0;
      }
      case n.TIOCGPTLCK:
        return task.putUser(arg, 4, pty.locked ? 1 : 0);
      case n.TIOCGPKT:
        return task.putUser(arg, 4, pty.packet ? 1 : 0);
    }
    return -ERRNO.ENOIOCTLCMD;
  };

  // tty_compat_ioctl(): passed to tty_ioctl with compat_ptr(), or with the raw argument
  const viaCompatPtr = new Set([n.TIOCOUTQ, n.TIOCGWINSZ, n.TIOCSWINSZ, n.TIOCGEXCL, n.TIOCGETD, n.TIOCMGET, n.TCGETS, n.TCGETS2, n.TCGETA, n.TIOCGSOFTCAR]);
  const raw = new Set([n.TIOCEXCL, n.TIOCNXCL]);
  const fops = (): FileOperations => ({
    unlocked_ioctl: ttyIoctl,
    compat_ioctl(file, cmd, arg, task) {
      if (viaCompatPtr.has(cmd)) return ttyIoctl(file, cmd, BigInt(compatPtr(task.abi, arg)), task);
      if (raw.has(cmd)) return ttyIoctl(file, cmd, BigInt(arg), task);
      // pty_unix98_compat_ioctl(), the master's; n_tty has no compat_ioctl and its ioctl knows none of the rest
      const { pty, master } = file.privateData as Side;
      return master ? masterIoctl(pty, cmd, BigInt(compatPtr(task.abi, arg)), task) : -ERRNO.ENOIOCTLCMD;
    },
  });

  let next = 0;
  const ptmx: Device = {
    name: 'ptmx',
    kind: 'chr',
    major: 5,
    minor: 2,
    fops: {
      ...fops(),
      // ptmx_open(): a new pair, locked until TIOCSPTLCK(0); the slave appears as /dev/pts/N
      open(file) {
        const pty: Pty = { index: next++, winsize: new Uint8Array(winsizeSize), termios: slaveTermios(), locked: true, packet: false, exclusive: { master: false, slave: false } };
        file.privateData = { pty, master: true } satisfies Side;
        const slave: Device = {
          name: `pts${pty.index}`,
          kind: 'chr',
          major: 136,
          minor: pty.index,
          fops: {
            ...fops(),
            // pts_unix98_lookup / pty_open: a locked slave cannot be opened
            open(f) {
              if (pty.locked) return -ERRNO.EIO;
              f.privateData = { pty, master: false } satisfies Side;
              return 0;
            },
          },
        };
        kernel.addDevice(`/dev/pts/${pty.index}`, slave);
        return 0;
      },
    },
  };
  kernel.addDevice('/dev/ptmx', ptmx);
  return ptmx;
}

