/**
 * A plain kernel source tree read as `make headers_install` installs it (src/cfront/headers-install.ts).
 * Truth: for every ABI, `dump` with the kernel tree = Debian's linux-source tarball (only what
 * headers_install needs, extracted) equals `dump` over that tree's own
 * `make ARCH=<arch> O=<tmp> INSTALL_HDR_PATH=<tmp> headers_install` output given as -I: the same headers and
 * failed headers, records with sizes, alignments and member offsets, ioctls with their numbers. The libc is
 * the ABI's own tree on both sides, as without the option.
 */
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { ABIS } from '../src/abi/index.js';
import { FileCache } from '../src/cfront/preprocess.js';
import { dumpHeaders, type DumpResult } from '../src/scan/dump.js';
import { headersInstall, linuxSourceTarball, linuxSourceUapiTree } from './harness/linux-source.js';

/** The plain ABIs: a time64 flavour reads the same files as its base (its -D flags are libc's). */
const PLAIN = ABIS.filter((a) => a.flavourOf === undefined);
const ARCHES = [...new Set(PLAIN.map((a) => a.kernelArch))];
/** make runs at once (the CI machines have two cores; the dumps run beside them). */
const MAKE_LANES = 2;

/**
 * Messages without their line and column numbers: unifdef deletes the installed headers' `__KERNEL__`
 * blocks, so their lines move.
 */
function unlocated(message: string): string {
  return message.replace(/(\.h):\d+(?::\d+)?/g, '$1');
}

/**
 * The dump with headers and messages as the tree side spells them: a file of `include` (the installed
 * side's -I, whose files are named as found) by its include name, messages without line numbers.
 */
function comparable(d: DumpResult, include?: string): DumpResult {
  const under = include === undefined ? [] : [`${include}/`, `${relative(process.cwd(), include)}/`];
  const message = (m: string) => unlocated(under.reduce((t, s) => t.split(s).join(''), m));
  const header = (h: string) =>
    include !== undefined && resolve(h).startsWith(`${include}/`) ? relative(include, resolve(h)) : h;
  const map = <T>(o: Record<string, T>, f: (v: T) => T) =>
    Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));
  return {
    ...d,
    failed: map(d.failed, message),
    records: map(d.records, (r) => ({ ...r, header: header(r.header) })),
    ioctls: map(d.ioctls, (i) => ({ ...i, header: header(i.header) })),
    unresolved: map(d.unresolved, message),
  };
}

/** What differs, one line per entry, named: `record struct x: size 24 ≠ 28`. */
function differences(tree: DumpResult, installed: DumpResult): string[] {
  const out: string[] = [];
  if (tree.headers !== installed.headers) out.push(`headers: ${tree.headers} ≠ ${installed.headers}`);
  const kinds = ['failed', 'records', 'ioctls', 'unresolved'] as const;
  for (const kind of kinds) {
    const a = tree[kind] as Record<string, unknown>;
    const b = installed[kind] as Record<string, unknown>;
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      const [x, y] = [a[key], b[key]];
      if (JSON.stringify(x) === JSON.stringify(y)) continue;
      if (x === undefined || y === undefined) {
        out.push(`${kind} ${key}: only ${x === undefined ? 'installed' : 'from the tree'}`);
      } else if (typeof x === 'object' && typeof y === 'object' && x && y) {
        const xs = x as Record<string, unknown>;
        const ys = y as Record<string, unknown>;
        const keys = [...new Set([...Object.keys(xs), ...Object.keys(ys)])];
        const parts = keys
          .filter((k) => JSON.stringify(xs[k]) !== JSON.stringify(ys[k]))
          .map((k) => `${k} ${JSON.stringify(xs[k])} ≠ ${JSON.stringify(ys[k])}`);
        out.push(`${kind} ${key}: ${parts.join('; ')}`.slice(0, 600));
      } else out.push(`${kind} ${key}: ${JSON.stringify(x)} ≠ ${JSON.stringify(y)}`);
    }
  }
  return out;
}

describe('a kernel source tree equals its own headers_install', () => {
  let tree: string;
  const installs = new Map<string, Promise<string>>();

  beforeAll(() => {
    const tarball = linuxSourceTarball();
    if (!tarball) {
      throw new Error('no /usr/src/linux-source-*.tar.xz: install linux-source-6.1 (scripts/install-toolchains.sh)');
    }
    tree = linuxSourceUapiTree(tarball, ARCHES);
    // every arch's make starts now, in the tests' order, MAKE_LANES at a time; each test waits for its own
    const lanes: Array<Promise<unknown>> = Array.from({ length: MAKE_LANES }, () => Promise.resolve());
    ARCHES.forEach((karch, i) => {
      const lane = i % MAKE_LANES;
      const install = lanes[lane]!.then(() => headersInstall(tree, karch));
      // a test not run (vitest -t) leaves its rejection unawaited
      install.catch(() => undefined);
      lanes[lane] = install.catch(() => undefined);
      installs.set(karch, install);
    });
  }, 120_000);

  /** Per side, one FileCache for the ABIs of the arch under test (ABIS lists an arch's ABIs together). */
  let caches: { karch: string; tree: FileCache; installed: FileCache } | undefined;
  const cachesFor = (karch: string) => {
    if (caches?.karch !== karch) caches = { karch, tree: new FileCache(), installed: new FileCache() };
    return caches;
  };

  for (const abi of PLAIN) {
    test(`${abi.name}: dump --kernel-tree = dump -I <its headers_install>`, async () => {
      const include = await installs.get(abi.kernelArch)!;
      const files = cachesFor(abi.kernelArch);
      const fromTree = dumpHeaders({ abi, kernelTree: tree, files: files.tree }).result;
      const installed = dumpHeaders({ abi, includeDirs: [include], files: files.installed }).result;
      const diffs = differences(comparable(fromTree), comparable(installed, include));
      const count = (o: object) => Object.keys(o).length;
      console.log(
        `${abi.name} (arch/${abi.kernelArch}): ${fromTree.headers} headers (${count(fromTree.failed)} failed), ` +
          `${count(fromTree.records)} records, ${count(fromTree.ioctls)} ioctls, ` +
          `${count(fromTree.unresolved)} unresolved compared: ${diffs.length} differences`,
      );
      expect(diffs.slice(0, 12)).toEqual([]);
      expect(count(fromTree.records)).toBeGreaterThan(3000);
      expect(count(fromTree.ioctls)).toBeGreaterThan(2000);
      // headers_install wrote into its own O= directory, ioctl32 into its cache: the tree is as extracted
      expect(existsSync(join(tree, 'arch', abi.kernelArch, 'include', 'generated'))).toBe(false);
      expect(existsSync(join(tree, 'include', 'generated'))).toBe(false);
    }, 300_000);
  }
});
