/**
 * Peers' ioctl tables as witnesses of the catalogue's coverage: strace's i386 list and QEMU
 * linux-user's table, vendored as name lists in test/fixtures/peers/ (provenance in each file's
 * header; test/fixtures/peers/extract.sh regenerates them from the Debian source packages).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DIR = fileURLToPath(new URL('../fixtures/peers/', import.meta.url));

export interface PeerEntry {
  name: string;
  /** strace: the header its generator found the name in (a kernel tree's include name). */
  header?: string;
  /** strace: the i386 number it recorded. */
  cmd?: number;
  /** QEMU: IOCTL, IOCTL_SPECIAL or IOCTL_IGNORE. */
  kind?: string;
  /** QEMU: the #if/#ifdef lines the entry sits under, joined by &&. */
  condition?: string;
}

function lines(file: string): string[][] {
  return readFileSync(DIR + file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => l.split(' '));
}

export function straceI386(): PeerEntry[] {
  return lines('strace-6.1-i386.txt').map(([name, header, cmd]) => ({
    name: name!,
    header: header!,
    cmd: Number(cmd),
  }));
}

export function qemuLinuxUser(): PeerEntry[] {
  return lines('qemu-7.2-ioctls.txt').map(([name, kind, ...condition]) =>
    condition.length ? { name: name!, kind: kind!, condition: condition.join(' ') } : { name: name!, kind: kind! },
  );
}
