import { UNION_BYTES } from '../catalogue.js';
import { family, type UnionMember } from './table.js';

const UNSERVED = 'unserved: the ifreq is read, then -ENOTTY (dev_ioctl); compat: -ENOTTY, nothing read';
const UNSERVED_COMPAT = 'unserved: the ifreq is read, then -ENOTTY (dev_ioctl), also for a compat task';

const LOCKED = 'net/core/dev_ioctl.c:dev_ifsioc_locked';
const IFSIOC = 'net/core/dev_ioctl.c:dev_ifsioc';
const DEVINET = 'net/ipv4/devinet.c:devinet_ioctl';
const BOND = 'drivers/net/bonding/bond_main.c:bond_do_ioctl';
/** The ifreq's union as the handler uses it: `ifr_ifru` as `member`, which `shows` names by linux/if.h's alias. */
export const ifru = (member: string, source: string, shows: string): { member: UnionMember } => ({
  member: { union: 'ifr_ifru', member, source, shows },
});
/** The ifreq's data pointer, which the compat path itself sets for these commands (compat_sock_ioctl_trans). */
const IFR_DATA = ifru('ifru_data', 'net/socket.c:compat_ifr_data_ioctl', 'ifreq.ifr_data = data;');
/** The bonding master's slave by name. */
const BOND_SLAVE = ifru('ifru_slave', BOND, '__dev_get_by_name(net, ifr->ifr_slave)');
/** The bridge port by index. */
const BRIDGE_PORT = ifru(
  'ifru_ivalue',
  'net/bridge/br_ioctl.c:br_ioctl_stub',
  'add_del_if(netdev_priv(dev), ifr.ifr_ifindex, cmd == SIOCBRADDIF)',
);
/**
 * The union's bytes as the task laid them: for a compat task get_user_ifreq copies struct compat_ifreq into a zeroed
 * struct ifreq (and put_user_ifreq copies that many bytes back), so a handler that reads the union as a type of its
 * own (struct mii_ioctl_data) or as no UAPI member sees the task's bytes unconverted.
 */
const IFR_BYTES = {
  member: {
    union: 'ifr_ifru',
    member: UNION_BYTES,
    source: 'net/socket.c:get_user_ifreq',
    shows: 'copy_from_user(ifr32, arg, sizeof(*ifr32))',
  },
};
/** The four inet addresses: devinet_ioctl reads and writes each through ifr_addr. */
const INET_ADDR = ifru('ifru_addr', DEVINET, '(struct sockaddr_in *)&ifr->ifr_addr');

export const SOCKET = family('socket', { header: 'linux/sockios.h', needs: ['linux/if.h'] }, [
  ['FIOSETOWN', 'w', 'int', 'net/socket.c:sock_ioctl', { header: 'asm-generic/sockios.h', needs: [] }],
  ['SIOCSPGRP', 'w', 'int', 'net/socket.c:sock_ioctl', { header: 'asm-generic/sockios.h', needs: [] }],
  ['FIOGETOWN', 'r', 'int', 'net/socket.c:sock_ioctl', { header: 'asm-generic/sockios.h', needs: [] }],
  ['SIOCGPGRP', 'r', 'int', 'net/socket.c:sock_ioctl', { header: 'asm-generic/sockios.h', needs: [] }],
  ['SIOCATMARK', 'r', 'int', 'net/ipv4/tcp.c:tcp_ioctl', { header: 'asm-generic/sockios.h', needs: [] }],
  ['SIOCINQ', 'r', 'int', 'net/ipv4/tcp.c:tcp_ioctl', { needs: ['asm/ioctls.h'], note: 'same number as FIONREAD' }],
  ['SIOCOUTQ', 'r', 'int', 'net/ipv4/tcp.c:tcp_ioctl', { needs: ['asm/ioctls.h'], note: 'same number as TIOCOUTQ' }],
  ['SIOCOUTQNSD', 'r', 'int', 'net/ipv4/tcp.c:tcp_ioctl', { needs: [] }],
  [
    'SIOCGSTAMP',
    'r',
    'struct __kernel_old_timeval',
    'net/core/sock.c:sock_gettstamp',
    { needs: ['linux/time_types.h'], note: 'SIOCGSTAMP_OLD on 64-bit; a compat task gets struct old_timeval32' },
  ],
  [
    'SIOCGSTAMPNS',
    'r',
    'struct __kernel_old_timespec',
    'net/core/sock.c:sock_gettstamp',
    { needs: ['linux/time_types.h'], note: 'SIOCGSTAMPNS_OLD on 64-bit; a compat task gets struct old_timespec32' },
  ],
  [
    'SIOCGSTAMP_NEW',
    'r',
    'struct __kernel_sock_timeval',
    'net/core/sock.c:sock_gettstamp',
    {
      needs: ['linux/ioctl.h', 'linux/time_types.h'],
      misdeclared: true,
      note: 'the macro names long long[2]; the same 16 bytes as this struct',
    },
  ],
  [
    'SIOCGSTAMPNS_NEW',
    'r',
    'struct __kernel_timespec',
    'net/core/sock.c:sock_gettstamp',
    {
      needs: ['linux/ioctl.h', 'linux/time_types.h'],
      misdeclared: true,
      note: 'the macro names long long[2]; the same 16 bytes as this struct',
    },
  ],
  [
    'SIOCGSTAMP_OLD',
    'r',
    'struct __kernel_old_timeval',
    'net/core/sock.c:sock_gettstamp',
    {
      header: 'asm-generic/sockios.h',
      needs: ['linux/time_types.h'],
      note: 'SIOCGSTAMP where time_t is long; a compat task gets struct old_timeval32',
    },
  ],
  [
    'SIOCGSTAMPNS_OLD',
    'r',
    'struct __kernel_old_timespec',
    'net/core/sock.c:sock_gettstamp',
    {
      header: 'asm-generic/sockios.h',
      needs: ['linux/time_types.h'],
      note: 'SIOCGSTAMPNS where time_t is long; a compat task gets struct old_timespec32',
    },
  ],
  [
    'SIOCADDRT',
    'w',
    'struct rtentry',
    'net/ipv4/af_inet.c:inet_ioctl',
    { needs: ['linux/route.h'], note: 'inet_compat_routing_ioctl converts struct compat_rtentry' },
  ],
  [
    'SIOCDELRT',
    'w',
    'struct rtentry',
    'net/ipv4/af_inet.c:inet_ioctl',
    { needs: ['linux/route.h'], note: 'inet_compat_routing_ioctl converts struct compat_rtentry' },
  ],
  ['SIOCRTMSG', 'none', null, 'net/ipv4/af_inet.c:inet_ioctl', { note: 'unused: -EINVAL, nothing is read' }],
  [
    'SIOCGIFNAME',
    'rw',
    'struct ifreq',
    'net/core/dev_ioctl.c:dev_ifname',
    {
      note: 'ifr_ifindex in, ifr_name out',
      ...ifru(
        'ifru_ivalue',
        'net/core/dev_ioctl.c:dev_ifname',
        'netdev_get_name(net, ifr->ifr_name, ifr->ifr_ifindex)',
      ),
    },
  ],
  [
    'SIOCGIFCONF',
    'rw',
    'struct ifconf',
    'net/core/dev_ioctl.c:dev_ifconf',
    { note: 'ifc_buf points to an array of struct ifreq the kernel fills; compat_dev_ifconf converts' },
  ],
  [
    'SIOCGIFFLAGS',
    'rw',
    'struct ifreq',
    LOCKED,
    ifru('ifru_flags', LOCKED, 'ifr->ifr_flags = (short) dev_get_flags(dev)'),
  ],
  [
    'SIOCSIFFLAGS',
    'w',
    'struct ifreq',
    IFSIOC,
    ifru('ifru_flags', IFSIOC, 'dev_change_flags(dev, ifr->ifr_flags, NULL)'),
  ],
  ['SIOCGIFADDR', 'rw', 'struct ifreq', 'net/ipv4/af_inet.c:inet_ioctl', INET_ADDR],
  [
    'SIOCSIFADDR',
    'w',
    'struct ifreq',
    'net/ipv4/af_inet.c:inet_ioctl',
    { note: 'on an AF_INET6 socket the argument is struct in6_ifreq (addrconf_add_ifaddr)', ...INET_ADDR },
  ],
  ['SIOCDIFADDR', 'w', 'struct in6_ifreq', 'net/ipv6/addrconf.c:addrconf_del_ifaddr', { needs: ['linux/ipv6.h'] }],
  ['SIOCGIFDSTADDR', 'rw', 'struct ifreq', 'net/ipv4/af_inet.c:inet_ioctl', INET_ADDR],
  ['SIOCSIFDSTADDR', 'w', 'struct ifreq', 'net/ipv4/af_inet.c:inet_ioctl', INET_ADDR],
  ['SIOCGIFBRDADDR', 'rw', 'struct ifreq', 'net/ipv4/af_inet.c:inet_ioctl', INET_ADDR],
  ['SIOCSIFBRDADDR', 'w', 'struct ifreq', 'net/ipv4/af_inet.c:inet_ioctl', INET_ADDR],
  ['SIOCGIFNETMASK', 'rw', 'struct ifreq', 'net/ipv4/af_inet.c:inet_ioctl', INET_ADDR],
  ['SIOCSIFNETMASK', 'w', 'struct ifreq', 'net/ipv4/af_inet.c:inet_ioctl', INET_ADDR],
  ['SIOCGIFPFLAGS', 'rw', 'struct ifreq', 'net/ipv4/af_inet.c:inet_ioctl', IFR_BYTES],
  ['SIOCSIFPFLAGS', 'w', 'struct ifreq', 'net/ipv4/af_inet.c:inet_ioctl', IFR_BYTES],
  ['SIOCGIFMETRIC', 'rw', 'struct ifreq', LOCKED, ifru('ifru_ivalue', LOCKED, 'ifr->ifr_metric = 0')],
  ['SIOCSIFMETRIC', 'w', 'struct ifreq', 'net/core/dev_ioctl.c:dev_ifsioc', IFR_BYTES],
  ['SIOCGIFMTU', 'rw', 'struct ifreq', LOCKED, ifru('ifru_mtu', LOCKED, 'ifr->ifr_mtu = dev->mtu')],
  ['SIOCSIFMTU', 'w', 'struct ifreq', IFSIOC, ifru('ifru_mtu', IFSIOC, 'dev_set_mtu(dev, ifr->ifr_mtu)')],
  [
    'SIOCSIFNAME',
    'rw',
    'struct ifreq',
    'net/core/dev_ioctl.c:dev_ioctl',
    {
      note: 'ifr_newname; the ifreq is copied back',
      ...ifru('ifru_newname', IFSIOC, 'dev_change_name(dev, ifr->ifr_newname)'),
    },
  ],
  [
    'SIOCSIFHWADDR',
    'w',
    'struct ifreq',
    IFSIOC,
    ifru('ifru_hwaddr', IFSIOC, 'dev_set_mac_address_user(dev, &ifr->ifr_hwaddr, NULL)'),
  ],
  [
    'SIOCGIFHWADDR',
    'rw',
    'struct ifreq',
    'net/core/dev_ioctl.c:dev_ioctl',
    ifru('ifru_hwaddr', 'net/core/dev_ioctl.c:dev_ioctl', 'dev_get_mac_address(&ifr->ifr_hwaddr, net, ifr->ifr_name)'),
  ],
  [
    'SIOCSIFHWBROADCAST',
    'w',
    'struct ifreq',
    IFSIOC,
    ifru('ifru_hwaddr', IFSIOC, 'ifr->ifr_hwaddr.sa_family != dev->type'),
  ],
  [
    'SIOCADDMULTI',
    'w',
    'struct ifreq',
    IFSIOC,
    ifru('ifru_hwaddr', IFSIOC, 'dev_mc_add_global(dev, ifr->ifr_hwaddr.sa_data)'),
  ],
  [
    'SIOCDELMULTI',
    'w',
    'struct ifreq',
    IFSIOC,
    ifru('ifru_hwaddr', IFSIOC, 'dev_mc_del_global(dev, ifr->ifr_hwaddr.sa_data)'),
  ],
  ['SIOCGIFINDEX', 'rw', 'struct ifreq', LOCKED, ifru('ifru_ivalue', LOCKED, 'ifr->ifr_ifindex = dev->ifindex')],
  [
    'SIOGIFINDEX',
    'rw',
    'struct ifreq',
    LOCKED,
    { note: 'misprint alias of SIOCGIFINDEX', ...ifru('ifru_ivalue', LOCKED, 'ifr->ifr_ifindex = dev->ifindex') },
  ],
  ['SIOCGIFTXQLEN', 'rw', 'struct ifreq', LOCKED, ifru('ifru_ivalue', LOCKED, 'ifr->ifr_qlen = dev->tx_queue_len')],
  [
    'SIOCSIFTXQLEN',
    'w',
    'struct ifreq',
    IFSIOC,
    ifru('ifru_ivalue', IFSIOC, 'dev_change_tx_queue_len(dev, ifr->ifr_qlen)'),
  ],
  [
    'SIOCGIFMAP',
    'rw',
    'struct ifreq',
    LOCKED,
    {
      note: 'ifr_map has unsigned long fields: compat_sioc_ifmap converts',
      ...ifru('ifru_map', 'net/core/dev_ioctl.c:dev_getifmap', 'struct ifmap *ifmap = &ifr->ifr_map'),
    },
  ],
  [
    'SIOCSIFMAP',
    'w',
    'struct ifreq',
    IFSIOC,
    {
      note: 'ifr_map has unsigned long fields: compat_sioc_ifmap converts',
      ...ifru('ifru_map', 'net/core/dev_ioctl.c:dev_setifmap', 'ndo_set_config(dev, &ifr->ifr_map)'),
    },
  ],
  [
    'SIOCETHTOOL',
    'rw',
    'struct ifreq',
    'net/core/dev_ioctl.c:dev_ioctl',
    { note: 'ifr_data points to an ethtool command (linux/ethtool.h)', ...IFR_DATA },
  ],
  [
    'SIOCGMIIPHY',
    'rw',
    'struct ifreq',
    'net/core/dev_ioctl.c:dev_ifsioc',
    { note: 'ifr_ifru holds a struct mii_ioctl_data (linux/mii.h)', ...IFR_BYTES },
  ],
  [
    'SIOCGMIIREG',
    'rw',
    'struct ifreq',
    'net/core/dev_ioctl.c:dev_ifsioc',
    { note: 'ifr_ifru holds a struct mii_ioctl_data (linux/mii.h)', ...IFR_BYTES },
  ],
  [
    'SIOCSMIIREG',
    'w',
    'struct ifreq',
    'net/core/dev_ioctl.c:dev_ifsioc',
    { note: 'ifr_ifru holds a struct mii_ioctl_data (linux/mii.h)', ...IFR_BYTES },
  ],
  [
    'SIOCWANDEV',
    'rw',
    'struct ifreq',
    'net/core/dev_ioctl.c:dev_ioctl',
    {
      note: 'ifr_settings; compat_siocwandev converts its pointer',
      ...ifru('ifru_settings', IFSIOC, 'dev_siocwandev(dev, &ifr->ifr_settings)'),
    },
  ],
  [
    'SIOCSHWTSTAMP',
    'w',
    'struct ifreq',
    'net/core/dev_ioctl.c:dev_ifsioc',
    {
      note: 'ifr_data points to a struct hwtstamp_config that is read and written back',
      ...ifru(
        'ifru_data',
        'net/core/dev_ioctl.c:net_hwtstamp_validate',
        'copy_from_user(&cfg, ifr->ifr_data, sizeof(cfg))',
      ),
    },
  ],
  [
    'SIOCGHWTSTAMP',
    'rw',
    'struct ifreq',
    'net/core/dev_ioctl.c:dev_ioctl',
    { note: 'ifr_data points to a struct hwtstamp_config the kernel fills', ...IFR_DATA },
  ],
  ['SIOCBONDENSLAVE', 'w', 'struct ifreq', IFSIOC, BOND_SLAVE],
  ['SIOCBONDRELEASE', 'w', 'struct ifreq', IFSIOC, BOND_SLAVE],
  ['SIOCBONDSETHWADDR', 'w', 'struct ifreq', IFSIOC, BOND_SLAVE],
  ['SIOCBONDCHANGEACTIVE', 'w', 'struct ifreq', IFSIOC, BOND_SLAVE],
  [
    'SIOCBONDSLAVEINFOQUERY',
    'w',
    'struct ifreq',
    'net/core/dev_ioctl.c:dev_ifsioc',
    {
      note: 'ifr_data points to a struct ifslave (linux/if_bonding.h) the kernel fills',
      ...ifru('ifru_data', BOND, '(struct ifslave __user *)ifr->ifr_data'),
    },
  ],
  [
    'SIOCBONDINFOQUERY',
    'w',
    'struct ifreq',
    'net/core/dev_ioctl.c:dev_ifsioc',
    {
      note: 'ifr_data points to a struct ifbond (linux/if_bonding.h) the kernel fills',
      ...ifru('ifru_data', BOND, '(struct ifbond __user *)ifr->ifr_data'),
    },
  ],
  ['SIOCBRADDIF', 'w', 'struct ifreq', IFSIOC, { note: 'ifr_ifindex of the port', ...BRIDGE_PORT }],
  ['SIOCBRDELIF', 'w', 'struct ifreq', IFSIOC, { note: 'ifr_ifindex of the port', ...BRIDGE_PORT }],
  [
    'SIOCBRADDBR',
    'w',
    'char [16]',
    'net/bridge/br_ioctl.c:br_ioctl_stub',
    { needs: [], note: 'the bridge name, IFNAMSIZ bytes' },
  ],
  [
    'SIOCBRDELBR',
    'w',
    'char [16]',
    'net/bridge/br_ioctl.c:br_ioctl_stub',
    { needs: [], note: 'the bridge name, IFNAMSIZ bytes' },
  ],
  [
    'SIOCGIFBR',
    'w',
    'unsigned long [3]',
    'net/bridge/br_ioctl.c:old_deviceless',
    {
      needs: [],
      note: 'BRCTL_* command and two arguments, some of them user pointers; compat only answers BRCTL_GET_VERSION',
    },
  ],
  [
    'SIOCSIFBR',
    'w',
    'unsigned long [3]',
    'net/bridge/br_ioctl.c:old_deviceless',
    {
      needs: [],
      note: 'BRCTL_* command and two arguments, some of them user pointers; compat only answers BRCTL_GET_VERSION',
    },
  ],
  [
    'SIOCGIFVLAN',
    'rw',
    'struct vlan_ioctl_args',
    'net/8021q/vlan.c:vlan_ioctl_handler',
    { needs: ['linux/if_vlan.h'] },
  ],
  [
    'SIOCSIFVLAN',
    'rw',
    'struct vlan_ioctl_args',
    'net/8021q/vlan.c:vlan_ioctl_handler',
    { needs: ['linux/if_vlan.h'] },
  ],
  ['SIOCDARP', 'w', 'struct arpreq', 'net/ipv4/arp.c:arp_ioctl', { needs: ['linux/if_arp.h'] }],
  ['SIOCGARP', 'rw', 'struct arpreq', 'net/ipv4/arp.c:arp_ioctl', { needs: ['linux/if_arp.h'] }],
  ['SIOCSARP', 'w', 'struct arpreq', 'net/ipv4/arp.c:arp_ioctl', { needs: ['linux/if_arp.h'] }],
  ['SIOCGSKNS', 'none', null, 'net/socket.c:sock_ioctl', { needs: [], note: 'returns an fd of the network namespace' }],
  [
    'SIOCDEVPRIVATE',
    'rw',
    'struct ifreq',
    'net/socket.c:sock_ioctl',
    {
      note:
        'first of 16 driver numbers (ndo_siocdevprivate): the ifreq is copied in and back on success; ' +
        'ifr_data points to driver data (get_user_ifreq converts struct compat_ifreq)',
      // the driver gets the task's bytes of ifr_ifru, and its data pointer converted beside them
      ...IFR_BYTES,
    },
  ],
  [
    'SIOCPROTOPRIVATE',
    'w',
    'struct ifreq',
    'net/socket.c:sock_do_ioctl',
    {
      note:
        'first of 16 protocol numbers, each protocol decides (rose_ioctl: SIOCRSGCAUSE writes a struct ' +
        'rose_cause_struct); one that declines it (inet) gets the ifreq read, then -ENOTTY (dev_ioctl)',
    },
  ],
  // Numbers no 6.1 handler serves. A native socket still copies the ifreq in (sock_do_ioctl: get_user_ifreq for any
  // 0x89 number the protocol declines) before dev_ioctl refuses; compat_sock_ioctl_trans does not list most of them
  // and answers -ENOTTY without reading.
  ['SIOCSIFLINK', 'w', 'struct ifreq', 'net/core/dev_ioctl.c:dev_ioctl', { note: UNSERVED }],
  ['SIOCGIFMEM', 'w', 'struct ifreq', 'net/core/dev_ioctl.c:dev_ioctl', { note: UNSERVED_COMPAT, ...IFR_BYTES }],
  ['SIOCSIFMEM', 'w', 'struct ifreq', 'net/core/dev_ioctl.c:dev_ioctl', { note: UNSERVED_COMPAT, ...IFR_BYTES }],
  // served by the SLIP, mkiss and 6pack line disciplines on a tty, with an int (slip_ioctl: put_user/get_user of
  // sl->mode), which tty_compat_ioctl passes on unchanged (they have no compat_ioctl)
  [
    'SIOCGIFENCAP',
    'r',
    'int',
    'drivers/net/slip/slip.c:slip_ioctl',
    { needs: [], note: `an int on a SLIP, mkiss or 6pack tty (its encapsulation); on a socket ${UNSERVED}` },
  ],
  [
    'SIOCSIFENCAP',
    'w',
    'int',
    'drivers/net/slip/slip.c:slip_ioctl',
    { needs: [], note: `an int on a SLIP, mkiss or 6pack tty (its encapsulation); on a socket ${UNSERVED}` },
  ],
  [
    'SIOCGIFSLAVE',
    'w',
    'struct ifreq',
    'net/core/dev_ioctl.c:dev_ifsioc_locked',
    { note: 'unserved: -EINVAL (-ENODEV without the device) after the ifreq is read; compat: -ENOTTY, nothing read' },
  ],
  [
    'SIOCSIFSLAVE',
    'w',
    'struct ifreq',
    'net/core/dev_ioctl.c:dev_ifsioc',
    { note: 'unserved: -EINVAL (-ENODEV without the device) after the ifreq is read; compat: -ENOTTY, nothing read' },
  ],
  ['SIOCGIFCOUNT', 'w', 'struct ifreq', 'net/socket.c:sock_do_ioctl', { note: UNSERVED }],
  ['SIOCDRARP', 'w', 'struct ifreq', 'net/socket.c:sock_do_ioctl', { note: `RARP was removed; ${UNSERVED}` }],
  ['SIOCGRARP', 'w', 'struct ifreq', 'net/socket.c:sock_do_ioctl', { note: `RARP was removed; ${UNSERVED}` }],
  ['SIOCSRARP', 'w', 'struct ifreq', 'net/socket.c:sock_do_ioctl', { note: `RARP was removed; ${UNSERVED}` }],
  ['SIOCADDDLCI', 'w', 'struct ifreq', 'net/socket.c:sock_do_ioctl', { note: `the DLCI driver is gone; ${UNSERVED}` }],
  ['SIOCDELDLCI', 'w', 'struct ifreq', 'net/socket.c:sock_do_ioctl', { note: `the DLCI driver is gone; ${UNSERVED}` }],
]);
