/**
 * This machine's network devices for the model kernel, as sysfs (/sys/class/net) and
 * getifaddrs() (node's os.networkInterfaces()) report them: the same devices the real
 * kernel's SIOCGIF* answers come from, read another way.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import type { NetDevice } from '../../src/kernel/index.js';

const NET = '/sys/class/net';

/** A sysfs attribute, or null where the kernel refuses to read it (carrier of a device that is down). */
function attr(dev: string, name: string): string | null {
  try {
    return readFileSync(`${NET}/${dev}/${name}`, 'utf8').trim();
  } catch {
    return null;
  }
}

const octets = (dotted: string) => Uint8Array.from(dotted.split('.').map(Number));

/** Every device, in ifindex order (for_each_netdev's order), with its IPv4 addresses. */
export function hostNetDevices(): NetDevice[] {
  const IFF_UP = 1; // dev->flags & IFF_UP is netif_running() (dev_open sets both)
  const byLabel = networkInterfaces();
  const devices = readdirSync(NET).map((name): NetDevice => {
    const num = (a: string) => {
      const v = attr(name, a);
      if (v === null) throw new Error(`${NET}/${name}/${a} cannot be read`);
      return Number(v);
    };
    const flags = num('flags');
    const operstate = attr(name, 'operstate');
    const addrLen = num('addr_len');
    const hw = (attr(name, 'address') ?? '')
      .split(':')
      .filter(Boolean)
      .map((x) => parseInt(x, 16));
    return {
      name,
      ifindex: num('ifindex'),
      flags,
      running: (flags & IFF_UP) !== 0,
      // netif_oper_up(): IF_OPER_UP or IF_OPER_UNKNOWN
      operUp: operstate === 'up' || operstate === 'unknown',
      carrier: attr(name, 'carrier') === '1',
      dormant: attr(name, 'dormant') === '1',
      mtu: num('mtu'),
      type: num('type'),
      hwaddr: Uint8Array.from(hw.slice(0, addrLen)),
      txQueueLen: num('tx_queue_len'),
      // getifaddrs() names an IPv4 address by its label (eth0:1 for an alias)
      inet: Object.entries(byLabel)
        .filter(([label]) => label.split(':')[0] === name)
        .flatMap(([label, addrs]) =>
          (addrs ?? [])
            .filter((a) => a.family === 'IPv4')
            .map((a) => ({ label, local: octets(a.address), mask: octets(a.netmask) })),
        ),
    };
  });
  return devices.sort((a, b) => a.ifindex - b.ifindex);
}
