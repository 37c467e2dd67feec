/**
 * AF_INET datagram sockets in the model, and the network devices their ioctls read.
 * Native: net/socket.c sock_ioctl (SIOCGIFCONF to dev_ifconf, the rest to sock_do_ioctl),
 * sock_do_ioctl (the protocol's ioctl first: net/ipv4/af_inet.c inet_ioctl, whose address
 * getters are net/ipv4/devinet.c devinet_ioctl and whose default is net/ipv4/udp.c udp_ioctl;
 * then, for a number of type SOCK_IOC_TYPE, net/core/dev_ioctl.c dev_ioctl on a struct ifreq
 * copied in and out whole). Compat: compat_sock_ioctl, where get_user_ifreq/put_user_ifreq copy
 * the compat task's shorter struct ifreq (the 32-bit ABI's) and dev_ifconf walks the compat
 * task's array in slots of that size.
 *
 * Modelled: SIOCGIFCONF; SIOCGIFNAME; SIOCGIFFLAGS (dev_get_flags, cut to ifr_flags),
 * SIOCGIFMETRIC, SIOCGIFMTU, SIOCGIFINDEX, SIOCGIFTXQLEN and SIOCGIFHWADDR; SIOCGIFADDR,
 * SIOCGIFNETMASK, SIOCGIFBRDADDR and SIOCGIFDSTADDR; udp_ioctl's SIOCINQ (the first queued
 * datagram's length) and SIOCOUTQ (nothing waits to be sent over loopback: 0); any other
 * number of the socket type reaches dev_ioctl, which knows none (-ENOTTY), others -ENOTTY at
 * once. Not modelled: SIOCGIFMAP and the setters (SIOCSIF*, which need CAP_NET_ADMIN and change
 * the device), routing, ARP, bridge and VLAN commands, SIOCGSTAMP, FIOSETOWN/FIOGETOWN,
 * wireless extensions, SIOCDEVPRIVATE and stream sockets: they answer -ENOTTY as unknown
 * commands do. Facts from net/socket.c, net/core/dev_ioctl.c, net/ipv4/{af_inet,devinet,udp}.c
 * of 6.2 to 6.8 trees.
 */
import type { Abi } from '../abi/types.js';
import { compatPtr } from '../abi/index.js';
import type { IncludeOptions } from '../cfront/index.js';
import { dumpHeaders } from '../report/dump.js';
import { ERRNO } from '../thunk/errors.js';
import type { Device, FileOperations, Kernel, KFile, Task } from './kernel.js';
import { macroNumbers, recordOf, type RecordView } from './numbers.js';

/** An IPv4 address of a device (struct in_ifaddr): 4 bytes each, in network order. */
export interface InetAddress {
  /** ifa_label: the device's name, or an alias such as eth0:1. */
  label: string;
  local: Uint8Array;
  mask: Uint8Array;
  /** ifa_broadcast (0.0.0.0 when absent). */
  broadcast?: Uint8Array;
  /** ifa_address: the peer of a point-to-point link, else the local address. */
  address?: Uint8Array;
}

/** A network device (struct net_device) as the model's ioctls see it. */
export interface NetDevice {
  name: string;
  ifindex: number;
  /** dev->flags (IFF_UP, IFF_LOOPBACK ... as set on the device; sysfs `flags`). */
  flags: number;
  /** The link's state, which dev_get_flags() adds as IFF_RUNNING, IFF_LOWER_UP and IFF_DORMANT. */
  running: boolean;
  operUp: boolean;
  carrier: boolean;
  dormant: boolean;
  mtu: number;
  /** dev->type: an ARPHRD_* number. */
  type: number;
  /** dev->dev_addr, addr_len bytes. */
  hwaddr: Uint8Array;
  txQueueLen: number;
  /** The IPv4 addresses, primary first (in_dev->ifa_list). */
  inet: InetAddress[];
}

const NUMBERS = [
  'SIOCGIFCONF', 'SIOCGIFNAME', 'SIOCGIFFLAGS', 'SIOCGIFMETRIC', 'SIOCGIFMTU', 'SIOCGIFINDEX', 'SIOCGIFTXQLEN', 'SIOCGIFHWADDR',
  'SIOCGIFADDR', 'SIOCGIFNETMASK', 'SIOCGIFBRDADDR', 'SIOCGIFDSTADDR', 'SIOCATMARK', 'SOCK_IOC_TYPE', 'IFNAMSIZ',
  'IFF_PROMISC', 'IFF_ALLMULTI', 'IFF_RUNNING', 'IFF_LOWER_UP', 'IFF_DORMANT',
] as const;
const QUEUES = ['SIOCINQ', 'SIOCOUTQ'] as const;

/** A UDP socket's receive queue: the lengths of the datagrams waiting. */
interface UdpSocket {
  queue: number[];
}

/** The model's IPv4 datagram sockets. */
export interface InetSockets {
  device: Device;
  /** socket(AF_INET, SOCK_DGRAM, 0). */
  socket(task: Task): number;
  /** A datagram of `length` bytes sent from one socket to another over loopback: queued at once at the receiver. */
  send(from: Task, fd: number, to: Task, toFd: number, length: number): number;
}

/**
 * Adds IPv4 datagram sockets, over `devices`, to a model kernel. The headers come from
 * `includeFor`, or for each ABI from `includeFor(abi)` (linux/if.h includes the C library's
 * sys/socket.h: a compat ABI needs its own tree).
 */
export function installInet(kernel: Kernel, devices: NetDevice[], includeFor: IncludeOptions | ((abi: Abi) => IncludeOptions) = {}): InetSockets {
  const native = kernel.native;
  const include = typeof includeFor === 'function' ? includeFor(native) : includeFor;
  const n = macroNumbers(native, ['linux/sockios.h', 'linux/if.h'], [...NUMBERS], include) as Record<(typeof NUMBERS)[number], number>;
  const q = macroNumbers(native, [['asm/ioctls.h', 'linux/sockios.h']], [...QUEUES], include) as Record<(typeof QUEUES)[number], number>;
  // AF_INET is not in the UAPI headers: the C library's copy of the kernel's number
  const { AF_INET } = macroNumbers(native, ['sys/socket.h'], ['AF_INET'], include);
  const le = native.endian === 'little';
  const layouts = new Map<string, { ifreq: RecordView; ifconf: RecordView; sockaddrIn: RecordView }>();
  const layout = (abi: Abi) => {
    let l = layouts.get(abi.name);
    if (!l) {
      const d = dumpHeaders({ abi, headers: ['linux/if.h', 'linux/in.h'], ...(typeof includeFor === 'function' ? includeFor(abi) : includeFor) });
      l = { ifreq: recordOf(d, 'struct ifreq'), ifconf: recordOf(d, 'struct ifconf'), sockaddrIn: recordOf(d, 'struct sockaddr_in') };
      layouts.set(abi.name, l);
    }
    return l;
  };
  const ifr = layout(native).ifreq;
  const sin = layout(native).sockaddrIn;
  const at = (path: string) => ifr.field(`ifr_ifru.${path}`).offset;
  const nameSize = n.IFNAMSIZ;
  const byName = (name: string) => devices.find((d) => d.name === name);

  /** The name in a struct ifreq, up to its NUL. */
  const nameOf = (b: Uint8Array) => {
    const end = b.indexOf(0);
    return Buffer.from(b.subarray(0, end < 0 || end > nameSize ? nameSize : end)).toString('latin1');
  };
  const writeName = (b: Uint8Array, name: string) => {
    // strcpy: the name and its NUL, the rest as it was (a device's name fits IFNAMSIZ)
    b.set(Buffer.from(`${name}\0`, 'latin1').subarray(0, nameSize), 0);
  };
  const putInt = (b: Uint8Array, off: number, bytes: 2 | 4, v: number) => {
    const dv = new DataView(b.buffer, b.byteOffset);
    if (bytes === 2) dv.setInt16(off, v << 16 >> 16, le);
    else dv.setInt32(off, v | 0, le);
  };
  /** A sockaddr_in at `off`: AF_INET, port 0, the address, sin_zero cleared (devinet_ioctl, inet_gifconf). */
  const putSockaddrIn = (b: Uint8Array, off: number, addr: Uint8Array) => {
    b.fill(0, off, off + sin.size);
    putInt(b, off + sin.field('sin_family').offset, 2, AF_INET!);
    b.set(addr, off + sin.field('sin_addr').offset);
  };

  /** get_user_ifreq(): the whole struct (a compat task's shorter one, into a cleared native one). */
  const getUserIfreq = (task: Task, arg: bigint): Uint8Array | null => {
    const size = task.compat ? layout(task.abi).ifreq.size : ifr.size;
    const b = task.memory.read(arg, size);
    if (!b) return null;
    const k = new Uint8Array(ifr.size);
    k.set(b);
    return k;
  };
  /** put_user_ifreq(): the whole struct back (the compat task's size of it). */
  const putUserIfreq = (task: Task, arg: bigint, k: Uint8Array) => task.copyToUser(arg, k.subarray(0, task.compat ? layout(task.abi).ifreq.size : ifr.size));

  /** dev_get_flags(): the device's flags with the link's state. */
  const devFlags = (d: NetDevice) => {
    let f = d.flags & ~(n.IFF_PROMISC | n.IFF_ALLMULTI | n.IFF_RUNNING | n.IFF_LOWER_UP | n.IFF_DORMANT);
    f |= d.flags & (n.IFF_PROMISC | n.IFF_ALLMULTI);
    if (d.running) {
      if (d.operUp) f |= n.IFF_RUNNING;
      if (d.carrier) f |= n.IFF_LOWER_UP;
      if (d.dormant) f |= n.IFF_DORMANT;
    }
    return f;
  };

  /** dev_ioctl(): the device's own getters, on the kernel's copy of the struct ifreq. */
  const devIoctl = (cmd: number, k: Uint8Array): number => {
    if (cmd === n.SIOCGIFNAME) {
      // dev_ifname(): the device by index
      k[nameSize - 1] = 0;
      const index = new DataView(k.buffer).getInt32(at('ifru_ivalue'), le);
      const d = devices.find((x) => x.ifindex === index);
      if (!d) return -ERRNO.ENODEV;
      writeName(k, d.name);
      return 0;
    }
    k[nameSize - 1] = 0;
    // an alias (eth0:1) names its device
    const name = nameOf(k).split(':')[0]!;
    switch (cmd) {
      case n.SIOCGIFFLAGS:
      case n.SIOCGIFMETRIC:
      case n.SIOCGIFMTU:
      case n.SIOCGIFINDEX:
      case n.SIOCGIFTXQLEN: {
        // dev_ifsioc_locked()
        const d = byName(name);
        if (!d) return -ERRNO.ENODEV;
        if (cmd === n.SIOCGIFFLAGS) putInt(k, at('ifru_flags'), 2, devFlags(d));
        else if (cmd === n.SIOCGIFMETRIC) putInt(k, at('ifru_ivalue'), 4, 0);
        else if (cmd === n.SIOCGIFMTU) putInt(k, at('ifru_mtu'), 4, d.mtu);
        else if (cmd === n.SIOCGIFINDEX) putInt(k, at('ifru_ivalue'), 4, d.ifindex);
        else putInt(k, at('ifru_ivalue'), 4, d.txQueueLen);
        return 0;
      }
      case n.SIOCGIFHWADDR: {
        // dev_get_mac_address(): sa_data takes addr_len bytes (all 14 cleared when there are none), sa_family the device type
        const d = byName(name);
        if (!d) return -ERRNO.ENODEV;
        const data = ifr.field('ifr_ifru.ifru_hwaddr.sa_data');
        if (d.hwaddr.length === 0) k.fill(0, data.offset, data.offset + data.size);
        else k.set(d.hwaddr.subarray(0, data.size), data.offset);
        putInt(k, ifr.field('ifr_ifru.ifru_hwaddr.sa_family').offset, 2, d.type);
        return 0;
      }
    }
    return -ERRNO.ENOTTY;
  };

  /**
   * devinet_ioctl()'s getters: the address whose label is the name asked for, and whose local
   * address is the one passed in when the caller's ifr_addr is AF_INET (4.4BSD style).
   */
  const devinetIoctl = (cmd: number, k: Uint8Array): number => {
    k[nameSize - 1] = 0;
    const label = nameOf(k);
    const off = at('ifru_addr');
    const dv = new DataView(k.buffer);
    const asked = dv.getUint16(off + sin.field('sin_family').offset, le) === AF_INET ? k.slice(off + sin.field('sin_addr').offset, off + sin.field('sin_addr').offset + 4) : null;
    const d = byName(label.split(':')[0]!);
    if (!d) return -ERRNO.ENODEV;
    const a = (asked && d.inet.find((x) => x.label === label && x.local.every((b, i) => b === asked[i]))) || d.inet.find((x) => x.label === label);
    if (!a) return -ERRNO.EADDRNOTAVAIL;
    const zero = new Uint8Array(4);
    if (cmd === n.SIOCGIFADDR) putSockaddrIn(k, off, a.local);
    else if (cmd === n.SIOCGIFNETMASK) putSockaddrIn(k, off, a.mask);
    else if (cmd === n.SIOCGIFBRDADDR) putSockaddrIn(k, off, a.broadcast ?? zero);
    else putSockaddrIn(k, off, a.address ?? a.local);
    return 0;
  };

  /** dev_ifconf() with inet_gifconf(): one struct ifreq per IPv4 address, in slots of the task's size. */
  const devIfconf = (task: Task, arg: bigint): number => {
    const c = layout(task.abi);
    const raw = task.memory.read(arg, c.ifconf.size);
    if (!raw) return -ERRNO.EFAULT;
    const dv = new DataView(raw.buffer);
    let len = dv.getInt32(c.ifconf.field('ifc_len').offset, le);
    const bufField = c.ifconf.field('ifc_ifcu.ifcu_buf');
    const pos = task.compat ? BigInt(compatPtr(task.abi, dv.getUint32(bufField.offset, le))) : dv.getBigUint64(bufField.offset, le);
    const size = c.ifreq.size;
    let total = 0;
    for (const d of devices) {
      for (const a of d.inet) {
        if (pos === 0n) {
          total += size;
          continue;
        }
        if (len < size) break;
        const k = new Uint8Array(ifr.size);
        writeName(k, a.label);
        putSockaddrIn(k, at('ifru_addr'), a.local);
        if (task.copyToUser(pos + BigInt(total), k.subarray(0, size)) < 0) return -ERRNO.EFAULT;
        len -= size;
        total += size;
      }
    }
    return task.putUser(arg + BigInt(c.ifconf.field('ifc_len').offset), 4, total);
  };

  /** udp_ioctl(): the receive queue's first datagram, and the send queue (empty over loopback). */
  const udpIoctl = (file: KFile, cmd: number, arg: bigint, task: Task): number => {
    const s = file.privateData as UdpSocket;
    if (cmd === q.SIOCINQ) return task.putUser(arg, 4, s.queue[0] ?? 0);
    if (cmd === q.SIOCOUTQ) return task.putUser(arg, 4, 0);
    return -ERRNO.ENOIOCTLCMD;
  };

  /** sock_do_ioctl(): the protocol (inet_ioctl), then the device layer for the socket ioctl type. */
  const sockDoIoctl = (file: KFile, cmd: number, arg: bigint, task: Task): number => {
    let r: number;
    if (cmd === n.SIOCGIFADDR || cmd === n.SIOCGIFNETMASK || cmd === n.SIOCGIFBRDADDR || cmd === n.SIOCGIFDSTADDR) {
      const k = getUserIfreq(task, arg);
      if (!k) return -ERRNO.EFAULT;
      r = devinetIoctl(cmd, k);
      return r === 0 && putUserIfreq(task, arg, k) < 0 ? -ERRNO.EFAULT : r;
    }
    r = udpIoctl(file, cmd, arg, task);
    if (r !== -ERRNO.ENOIOCTLCMD) return r;
    // is_socket_ioctl_cmd()
    if (((cmd >>> 8) & 0xff) !== n.SOCK_IOC_TYPE) return -ERRNO.ENOTTY;
    const k = getUserIfreq(task, arg);
    if (!k) return -ERRNO.EFAULT;
    r = devIoctl(cmd, k);
    return r === 0 && putUserIfreq(task, arg, k) < 0 ? -ERRNO.EFAULT : r;
  };

  /** sock_ioctl(). */
  const sockIoctl = (file: KFile, cmd: number, arg: bigint, task: Task): number =>
    cmd === n.SIOCGIFCONF ? devIfconf(task, arg) : sockDoIoctl(file, cmd, arg, task);

  const compatDoIoctl = new Set([...COMPAT_DO_IOCTL.map((name) => n[name]), q.SIOCOUTQ]);
  const fops: FileOperations = {
    unlocked_ioctl: sockIoctl,
    compat_ioctl(file, cmd, arg, task) {
      // inet_compat_ioctl has nothing for these (udp has no compat_ioctl); compat_sock_ioctl_trans
      // passes them on with the raw argument, and get_user_ifreq/put_user_ifreq and dev_ifconf
      // use the compat task's layouts
      if (cmd === n.SIOCGIFCONF) return sockIoctl(file, cmd, BigInt(arg), task);
      if (compatDoIoctl.has(cmd)) return sockDoIoctl(file, cmd, BigInt(arg), task);
      return -ERRNO.ENOIOCTLCMD;
    },
  };
  const device: Device = { name: 'socket', kind: 'socket', major: 0, minor: 0, fops };
  return {
    device,
    socket: (task) => kernel.openDevice(task, device, { queue: [] } satisfies UdpSocket),
    send(from, fd, to, toFd, length) {
      const a = from.fds.get(fd);
      const b = to.fds.get(toFd);
      if (!a || !b) return -ERRNO.EBADF;
      if (a.file.device !== device || b.file.device !== device) return -ERRNO.ENOTSOCK;
      (b.file.privateData as UdpSocket).queue.push(length);
      return length;
    },
  };
}

/**
 * The commands compat_sock_ioctl_trans() hands to sock_do_ioctl(), of those the model knows
 * (SIOCOUTQ too; SIOCINQ is FIONREAD, which do_vfs_ioctl sends to sock_ioctl itself).
 */
const COMPAT_DO_IOCTL = ['SIOCGIFNAME', 'SIOCGIFFLAGS', 'SIOCGIFMETRIC', 'SIOCGIFMTU', 'SIOCGIFINDEX', 'SIOCGIFTXQLEN', 'SIOCGIFHWADDR', 'SIOCGIFADDR', 'SIOCGIFNETMASK', 'SIOCGIFBRDADDR', 'SIOCGIFDSTADDR', 'SIOCATMARK'] as const;
