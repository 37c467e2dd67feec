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
import { dumpHeaders } from '../scan/dump.js';
import { ERRNO } from '../thunk/errors.js';
import { byNumber, type IoctlTable } from './dispatch.js';
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
  'SIOCGIFCONF',
  'SIOCGIFNAME',
  'SIOCGIFFLAGS',
  'SIOCGIFMETRIC',
  'SIOCGIFMTU',
  'SIOCGIFINDEX',
  'SIOCGIFTXQLEN',
  'SIOCGIFHWADDR',
  'SIOCGIFADDR',
  'SIOCGIFNETMASK',
  'SIOCGIFBRDADDR',
  'SIOCGIFDSTADDR',
  'SIOCATMARK',
  'SOCK_IOC_TYPE',
  'IFNAMSIZ',
  'IFF_PROMISC',
  'IFF_ALLMULTI',
  'IFF_RUNNING',
  'IFF_LOWER_UP',
  'IFF_DORMANT',
] as const;
const QUEUES = ['SIOCINQ', 'SIOCOUTQ'] as const;
type NetNumber = (typeof NUMBERS)[number] | (typeof QUEUES)[number];

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

/** The records an ABI's socket ioctls copy. */
interface InetLayouts {
  ifreq: RecordView;
  ifconf: RecordView;
  sockaddrIn: RecordView;
}

/** What installInet() read of the headers, and the devices its ioctls read. */
interface Inet {
  devices: NetDevice[];
  n: Record<NetNumber, number>;
  AF_INET: number;
  le: boolean;
  /** The native struct ifreq and struct sockaddr_in: the kernel's copies. */
  ifr: RecordView;
  sin: RecordView;
  /** The records of an ABI, read when a task of it first asks. */
  layout(abi: Abi): InetLayouts;
  inetIoctls: ReadonlyMap<number, IfreqIoctl>;
  udpIoctls: ReadonlyMap<number, SockIoctl>;
  devIoctls: ReadonlyMap<number, IfreqIoctl>;
  sockIoctls: ReadonlyMap<number, SockIoctl>;
  compatIoctls: ReadonlyMap<number, SockCompatIoctl>;
}

/** A command on the kernel's copy of a struct ifreq (get_user_ifreq() before, put_user_ifreq() after a success). */
type IfreqIoctl = (s: Inet, k: Uint8Array, task: Task) => number;
/** A command on the socket's user argument. */
type SockIoctl = (s: Inet, file: KFile, arg: bigint, task: Task) => number;
/** A command of compat_sock_ioctl_trans(): the compat task's raw argument. */
type SockCompatIoctl = (s: Inet, file: KFile, cmd: number, arg: number, task: Task) => number;

/** The offset of a member of struct ifreq's union ifr_ifru. */
function ifruAt(s: Inet, member: string): number {
  return s.ifr.field(`ifr_ifru.${member}`).offset;
}

/** The name in a struct ifreq, up to its NUL. */
function ifrName(s: Inet, b: Uint8Array): string {
  const end = b.indexOf(0);
  return Buffer.from(b.subarray(0, end < 0 || end > s.n.IFNAMSIZ ? s.n.IFNAMSIZ : end)).toString('latin1');
}

/** strcpy() of a device's name: the name and its NUL, the rest as it was (a device's name fits IFNAMSIZ). */
function writeIfrName(s: Inet, b: Uint8Array, name: string): void {
  b.set(Buffer.from(`${name}\0`, 'latin1').subarray(0, s.n.IFNAMSIZ), 0);
}

function putInt(s: Inet, b: Uint8Array, off: number, bytes: 2 | 4, v: number): void {
  const dv = new DataView(b.buffer, b.byteOffset);
  if (bytes === 2) dv.setInt16(off, (v << 16) >> 16, s.le);
  else dv.setInt32(off, v | 0, s.le);
}

/** A sockaddr_in at `off`: AF_INET, port 0, the address, sin_zero cleared (devinet_ioctl, inet_gifconf). */
function putSockaddrIn(s: Inet, b: Uint8Array, off: number, addr: Uint8Array): void {
  b.fill(0, off, off + s.sin.size);
  putInt(s, b, off + s.sin.field('sin_family').offset, 2, s.AF_INET);
  b.set(addr, off + s.sin.field('sin_addr').offset);
}

/** The size of struct ifreq as the task lays it out. */
function ifreqSize(s: Inet, task: Task): number {
  return task.compat ? s.layout(task.abi).ifreq.size : s.ifr.size;
}

/** get_user_ifreq(): the whole struct (a compat task's shorter one, into a cleared native one). */
function getUserIfreq(s: Inet, task: Task, arg: bigint): Uint8Array | null {
  const b = task.memory.read(arg, ifreqSize(s, task));
  if (!b) return null;
  const k = new Uint8Array(s.ifr.size);
  k.set(b);
  return k;
}

/** put_user_ifreq(): the whole struct back (the compat task's size of it). */
function putUserIfreq(s: Inet, task: Task, arg: bigint, k: Uint8Array): number {
  return task.copyToUser(arg, k.subarray(0, ifreqSize(s, task)));
}

/** A command on a struct ifreq: copied in, `ioctl`, copied out when it succeeded. */
function ifreqIoctl(s: Inet, task: Task, arg: bigint, ioctl: IfreqIoctl): number {
  const k = getUserIfreq(s, task, arg);
  if (!k) return -task.errno.EFAULT;
  const r = ioctl(s, k, task);
  return r === 0 && putUserIfreq(s, task, arg, k) < 0 ? -task.errno.EFAULT : r;
}

/** dev_get_flags(): the device's flags with the link's state. */
function devGetFlags({ n }: Inet, d: NetDevice): number {
  let f = d.flags & ~(n.IFF_PROMISC | n.IFF_ALLMULTI | n.IFF_RUNNING | n.IFF_LOWER_UP | n.IFF_DORMANT);
  f |= d.flags & (n.IFF_PROMISC | n.IFF_ALLMULTI);
  if (d.running) {
    if (d.operUp) f |= n.IFF_RUNNING;
    if (d.carrier) f |= n.IFF_LOWER_UP;
    if (d.dormant) f |= n.IFF_DORMANT;
  }
  return f;
}

/** The device a struct ifreq names; an alias (eth0:1) names its device. */
function devOfIfreq(s: Inet, k: Uint8Array): NetDevice | undefined {
  const name = ifrName(s, k).split(':')[0]!;
  return s.devices.find((d) => d.name === name);
}

/** dev_ifsioc_locked()'s getters: one member of ifr_ifru from the device; -ENODEV when there is none. */
function ifsiocGet(s: Inet, k: Uint8Array, task: Task, member: string, bytes: 2 | 4, value: (d: NetDevice) => number) {
  const d = devOfIfreq(s, k);
  if (!d) return -task.errno.ENODEV;
  putInt(s, k, ifruAt(s, member), bytes, value(d));
  return 0;
}

/** dev_ifname(): the device by ifr_ifindex. */
const devIfname: IfreqIoctl = (s, k, task) => {
  const index = new DataView(k.buffer).getInt32(ifruAt(s, 'ifru_ivalue'), s.le);
  const d = s.devices.find((x) => x.ifindex === index);
  if (!d) return -task.errno.ENODEV;
  writeIfrName(s, k, d.name);
  return 0;
};

/** dev_ifsioc_locked() SIOCGIFFLAGS: ifr_flags = (short) dev_get_flags(dev). */
const ifsiocGetFlags: IfreqIoctl = (s, k, task) => ifsiocGet(s, k, task, 'ifru_flags', 2, (d) => devGetFlags(s, d));

/** dev_ifsioc_locked() SIOCGIFMETRIC: ifr_metric = 0. */
const ifsiocGetMetric: IfreqIoctl = (s, k, task) => ifsiocGet(s, k, task, 'ifru_ivalue', 4, () => 0);

/** dev_ifsioc_locked() SIOCGIFMTU: ifr_mtu = dev->mtu. */
const ifsiocGetMtu: IfreqIoctl = (s, k, task) => ifsiocGet(s, k, task, 'ifru_mtu', 4, (d) => d.mtu);

/** dev_ifsioc_locked() SIOCGIFINDEX: ifr_ifindex = dev->ifindex. */
const ifsiocGetIndex: IfreqIoctl = (s, k, task) => ifsiocGet(s, k, task, 'ifru_ivalue', 4, (d) => d.ifindex);

/** dev_ifsioc_locked() SIOCGIFTXQLEN: ifr_qlen = dev->tx_queue_len. */
const ifsiocGetTxQueueLen: IfreqIoctl = (s, k, task) => ifsiocGet(s, k, task, 'ifru_ivalue', 4, (d) => d.txQueueLen);

/**
 * dev_get_mac_address(): sa_data takes addr_len bytes (all 14 cleared when there are none),
 * sa_family the device type.
 */
const devGetMacAddress: IfreqIoctl = (s, k, task) => {
  const d = devOfIfreq(s, k);
  if (!d) return -task.errno.ENODEV;
  const data = s.ifr.field('ifr_ifru.ifru_hwaddr.sa_data');
  if (d.hwaddr.length === 0) k.fill(0, data.offset, data.offset + data.size);
  else k.set(d.hwaddr.subarray(0, data.size), data.offset);
  putInt(s, k, s.ifr.field('ifr_ifru.ifru_hwaddr.sa_family').offset, 2, d.type);
  return 0;
};

/** dev_ioctl()'s getters; the rest is -ENOTTY. */
const DEV_IOCTLS: IoctlTable<NetNumber, IfreqIoctl> = {
  SIOCGIFNAME: devIfname,
  SIOCGIFFLAGS: ifsiocGetFlags,
  SIOCGIFMETRIC: ifsiocGetMetric,
  SIOCGIFMTU: ifsiocGetMtu,
  SIOCGIFINDEX: ifsiocGetIndex,
  SIOCGIFTXQLEN: ifsiocGetTxQueueLen,
  SIOCGIFHWADDR: devGetMacAddress,
};

/** dev_ioctl(): ifr_name ends at IFNAMSIZ, then the device's own getters, on the kernel's copy of the struct ifreq. */
function devIoctl(s: Inet, cmd: number, k: Uint8Array, task: Task): number {
  k[s.n.IFNAMSIZ - 1] = 0;
  return s.devIoctls.get(cmd)?.(s, k, task) ?? -task.errno.ENOTTY;
}

/**
 * devinet_ioctl()'s getters: the address whose label is the name asked for, and whose local
 * address is the one passed in when the caller's ifr_addr is AF_INET (4.4BSD style).
 */
function devinetGet(s: Inet, k: Uint8Array, task: Task, pick: (a: InetAddress) => Uint8Array): number {
  k[s.n.IFNAMSIZ - 1] = 0;
  const label = ifrName(s, k);
  const off = ifruAt(s, 'ifru_addr');
  const addrAt = off + s.sin.field('sin_addr').offset;
  const inet = new DataView(k.buffer).getUint16(off + s.sin.field('sin_family').offset, s.le) === s.AF_INET;
  const asked = inet ? k.slice(addrAt, addrAt + 4) : null;
  const d = s.devices.find((x) => x.name === label.split(':')[0]!);
  if (!d) return -task.errno.ENODEV;
  const exact = asked && d.inet.find((x) => x.label === label && x.local.every((b, i) => b === asked[i]));
  const a = exact || d.inet.find((x) => x.label === label);
  if (!a) return -task.errno.EADDRNOTAVAIL;
  putSockaddrIn(s, k, off, pick(a));
  return 0;
}

/** devinet_ioctl() SIOCGIFADDR: ifa_local. */
const devinetGetAddr: IfreqIoctl = (s, k, task) => devinetGet(s, k, task, (a) => a.local);

/** devinet_ioctl() SIOCGIFNETMASK: ifa_mask. */
const devinetGetNetmask: IfreqIoctl = (s, k, task) => devinetGet(s, k, task, (a) => a.mask);

/** devinet_ioctl() SIOCGIFBRDADDR: ifa_broadcast. */
const devinetGetBrdaddr: IfreqIoctl = (s, k, task) => devinetGet(s, k, task, (a) => a.broadcast ?? new Uint8Array(4));

/** devinet_ioctl() SIOCGIFDSTADDR: ifa_address. */
const devinetGetDstaddr: IfreqIoctl = (s, k, task) => devinetGet(s, k, task, (a) => a.address ?? a.local);

/** inet_ioctl()'s cases that copy a struct ifreq for devinet_ioctl(). */
const INET_IOCTLS: IoctlTable<NetNumber, IfreqIoctl> = {
  SIOCGIFADDR: devinetGetAddr,
  SIOCGIFNETMASK: devinetGetNetmask,
  SIOCGIFBRDADDR: devinetGetBrdaddr,
  SIOCGIFDSTADDR: devinetGetDstaddr,
};

/** udp_ioctl() SIOCINQ: the receive queue's first datagram. */
const udpInq: SockIoctl = (_s, file, arg, task) => task.putUser(arg, 4, (file.privateData as UdpSocket).queue[0] ?? 0);

/** udp_ioctl() SIOCOUTQ: sk_wmem_alloc_get(), nothing waits to be sent over loopback. */
const udpOutq: SockIoctl = (_s, _file, arg, task) => task.putUser(arg, 4, 0);

/** udp_ioctl(), inet_ioctl()'s default; the rest is -ENOIOCTLCMD. */
const UDP_IOCTLS: IoctlTable<NetNumber, SockIoctl> = {
  SIOCINQ: udpInq,
  SIOCOUTQ: udpOutq,
};

/** dev_ifconf() with inet_gifconf(): one struct ifreq per IPv4 address, in slots of the task's size. */
const devIfconf: SockIoctl = (s, _file, arg, task) => {
  const c = s.layout(task.abi);
  const raw = task.memory.read(arg, c.ifconf.size);
  if (!raw) return -task.errno.EFAULT;
  const dv = new DataView(raw.buffer);
  let len = dv.getInt32(c.ifconf.field('ifc_len').offset, s.le);
  const buf = c.ifconf.field('ifc_ifcu.ifcu_buf').offset;
  const pos = task.compat ? BigInt(compatPtr(task.abi, dv.getUint32(buf, s.le))) : dv.getBigUint64(buf, s.le);
  const size = c.ifreq.size;
  let total = 0;
  for (const d of s.devices) {
    for (const a of d.inet) {
      if (pos === 0n) {
        total += size;
        continue;
      }
      if (len < size) break;
      const k = new Uint8Array(s.ifr.size);
      writeIfrName(s, k, a.label);
      putSockaddrIn(s, k, ifruAt(s, 'ifru_addr'), a.local);
      if (task.copyToUser(pos + BigInt(total), k.subarray(0, size)) < 0) return -task.errno.EFAULT;
      len -= size;
      total += size;
    }
  }
  return task.putUser(arg + BigInt(c.ifconf.field('ifc_len').offset), 4, total);
};

/** sock_ioctl()'s own case; the rest goes to sock_do_ioctl(). */
const SOCK_IOCTLS: IoctlTable<NetNumber, SockIoctl> = {
  SIOCGIFCONF: devIfconf,
};

/** sock_do_ioctl(): the protocol (inet_ioctl, then udp_ioctl), then dev_ioctl() for the socket ioctl type. */
function sockDoIoctl(s: Inet, file: KFile, cmd: number, arg: bigint, task: Task): number {
  const inet = s.inetIoctls.get(cmd);
  if (inet) return ifreqIoctl(s, task, arg, inet);
  const udp = s.udpIoctls.get(cmd);
  if (udp) return udp(s, file, arg, task);
  // is_socket_ioctl_cmd()
  if (((cmd >>> 8) & 0xff) !== s.n.SOCK_IOC_TYPE) return -task.errno.ENOTTY;
  return ifreqIoctl(s, task, arg, (s, k, task) => devIoctl(s, cmd, k, task));
}

/** sock_ioctl(). */
function sockIoctl(s: Inet, file: KFile, cmd: number, arg: bigint, task: Task): number {
  return s.sockIoctls.get(cmd)?.(s, file, arg, task) ?? sockDoIoctl(s, file, cmd, arg, task);
}

/** compat_sock_ioctl_trans(): `return sock_ioctl(file, cmd, arg)`; dev_ifconf() uses the compat task's layouts. */
const compatSockIoctl: SockCompatIoctl = (s, file, cmd, arg, task) => sockIoctl(s, file, cmd, BigInt(arg), task);

/**
 * compat_sock_ioctl_trans(): `return sock_do_ioctl(net, sock, cmd, arg)`, the raw argument;
 * get_user_ifreq() and put_user_ifreq() use the compat task's layout.
 */
const compatSockDoIoctl: SockCompatIoctl = (s, file, cmd, arg, task) => sockDoIoctl(s, file, cmd, BigInt(arg), task);

/**
 * compat_sock_ioctl_trans()'s cases of the commands the model knows (inet_compat_ioctl has
 * nothing for them, udp has no compat_ioctl); SIOCINQ is FIONREAD, which do_vfs_ioctl sends to
 * sock_ioctl itself. The rest is -ENOIOCTLCMD.
 */
const COMPAT_SOCK_IOCTLS: IoctlTable<NetNumber, SockCompatIoctl> = {
  SIOCGIFCONF: compatSockIoctl,
  SIOCGIFNAME: compatSockDoIoctl,
  SIOCGIFFLAGS: compatSockDoIoctl,
  SIOCGIFMETRIC: compatSockDoIoctl,
  SIOCGIFMTU: compatSockDoIoctl,
  SIOCGIFINDEX: compatSockDoIoctl,
  SIOCGIFTXQLEN: compatSockDoIoctl,
  SIOCGIFHWADDR: compatSockDoIoctl,
  SIOCGIFADDR: compatSockDoIoctl,
  SIOCGIFNETMASK: compatSockDoIoctl,
  SIOCGIFBRDADDR: compatSockDoIoctl,
  SIOCGIFDSTADDR: compatSockDoIoctl,
  SIOCATMARK: compatSockDoIoctl,
  SIOCOUTQ: compatSockDoIoctl,
};

/** The records of each ABI, read once; the headers of an ABI come from `includeFor`. */
function inetLayouts(includeFor: IncludeOptions | ((abi: Abi) => IncludeOptions)): (abi: Abi) => InetLayouts {
  const layouts = new Map<string, InetLayouts>();
  return (abi) => {
    let l = layouts.get(abi.name);
    if (!l) {
      const include = typeof includeFor === 'function' ? includeFor(abi) : includeFor;
      const d = dumpHeaders({ abi, headers: ['linux/if.h', 'linux/in.h'], ...include });
      const ifreq = recordOf(d, 'struct ifreq');
      l = { ifreq, ifconf: recordOf(d, 'struct ifconf'), sockaddrIn: recordOf(d, 'struct sockaddr_in') };
      layouts.set(abi.name, l);
    }
    return l;
  };
}

/** The numbers, the native records and the tables of a native ABI. */
function inet(native: Abi, devices: NetDevice[], includeFor: IncludeOptions | ((abi: Abi) => IncludeOptions)): Inet {
  const include = typeof includeFor === 'function' ? includeFor(native) : includeFor;
  const n = {
    ...macroNumbers(native, ['linux/sockios.h', 'linux/if.h'], [...NUMBERS], include),
    ...macroNumbers(native, [['asm/ioctls.h', 'linux/sockios.h']], [...QUEUES], include),
  } as Record<NetNumber, number>;
  // AF_INET is not in the UAPI headers: the C library's copy of the kernel's number
  const { AF_INET } = macroNumbers(native, ['sys/socket.h'], ['AF_INET'], include);
  const layout = inetLayouts(includeFor);
  return {
    devices,
    n,
    AF_INET: AF_INET!,
    le: native.endian === 'little',
    ifr: layout(native).ifreq,
    sin: layout(native).sockaddrIn,
    layout,
    inetIoctls: byNumber(n, INET_IOCTLS),
    udpIoctls: byNumber(n, UDP_IOCTLS),
    devIoctls: byNumber(n, DEV_IOCTLS),
    sockIoctls: byNumber(n, SOCK_IOCTLS),
    compatIoctls: byNumber(n, COMPAT_SOCK_IOCTLS),
  };
}

/**
 * Adds IPv4 datagram sockets, over `devices`, to a model kernel. The headers come from
 * `includeFor`, or for each ABI from `includeFor(abi)` (linux/if.h includes the C library's
 * sys/socket.h: a compat ABI needs its own tree).
 */
export function installInet(
  kernel: Kernel,
  devices: NetDevice[],
  includeFor: IncludeOptions | ((abi: Abi) => IncludeOptions) = {},
): InetSockets {
  const s = inet(kernel.native, devices, includeFor);
  const fops: FileOperations = {
    unlocked_ioctl: (file, cmd, arg, task) => sockIoctl(s, file, cmd, arg, task),
    compat_ioctl: (file, cmd, arg, task) => s.compatIoctls.get(cmd)?.(s, file, cmd, arg, task) ?? -ERRNO.ENOIOCTLCMD,
  };
  const device: Device = { name: 'socket', kind: 'socket', major: 0, minor: 0, fops };
  return {
    device,
    socket: (task) => kernel.openDevice(task, device, { queue: [] } satisfies UdpSocket),
    send(from, fd, to, toFd, length) {
      const a = from.fds.get(fd);
      const b = to.fds.get(toFd);
      if (!a || !b) return -kernel.errno.EBADF;
      if (a.file.device !== device || b.file.device !== device) return -kernel.errno.ENOTSOCK;
      (b.file.privateData as UdpSocket).queue.push(length);
      return length;
    },
  };
}
