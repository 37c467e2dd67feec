/**
 * decode and explain read only the units the header index names (src/scan/ioctl-index.ts): their
 * answers must be the whole catalogue's. For three ABIs: every ioctl and unevaluated macro of the
 * whole UAPI set is first found in a unit the index names for its number, its name and its
 * argument record; and for a sample of numbers (ioctls, macros without a value, numbers of no
 * ioctl) the names, the unevaluated macros and the units to judge them by are the same.
 */
import { describe, expect, test } from 'vitest';
import { getAbi } from '../src/abi/index.js';
import { includeConfigFor } from '../src/cfront/index.js';
import { FileCache } from '../src/cfront/preprocess.js';
import { decodeIoc } from '../src/ioctl/ioc.js';
import { dumpHeaders } from '../src/scan/dump.js';
import { headerIndex } from '../src/scan/ioctl-index.js';
import { cmdOf, indexHeaderTrees, ioctlNamesFor, namesFromDump } from '../src/scan/names.js';
import { uapiHeaders } from '../src/scan/scan.js';
import * as convertModule from '../src/thunk/convert.js';
import { emptyAnnotations } from '../src/compat/annotations.js';

const ABIS = ['x86_64', 'arm', 'mips64'].map(getAbi);

/** A deterministic sample (a linear congruential generator: the same numbers on every run). */
function sample<T>(items: readonly T[], n: number, seed: number): T[] {
  const out: T[] = [];
  let x = seed;
  const pool = [...items];
  while (out.length < n && pool.length) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    out.push(pool.splice(x % pool.length, 1)[0]!);
  }
  return out;
}

indexHeaderTrees(ABIS, () => ({}));

describe.each(ABIS)('the header index on $name', (abi) => {
  const dirs = includeConfigFor(abi).includeDirs;
  const ix = headerIndex(dirs, uapiHeaders(dirs));
  const whole = dumpHeaders({ abi });
  const names = namesFromDump(whole);

  test('every ioctl is first found in a unit the index names for its number, name and argument', () => {
    const missed: string[] = [];
    for (const e of whole.ioctls.values()) {
      const unit = whole.foundIn.get(e.name)!;
      const d = decodeIoc(abi, e.cmd);
      if (!ix.unitsForNumber(d.type, d.nr).includes(unit)) missed.push(`${e.name}: ${unit} (number)`);
      if (!ix.unitsForMacro(e.name).includes(unit)) missed.push(`${e.name}: ${unit} (name)`);
      const argUnit = e.arg !== undefined ? whole.foundIn.get(e.arg) : undefined;
      if (argUnit !== undefined && !ix.unitsForRecord(e.arg!).includes(argUnit))
        missed.push(`${e.name}: ${e.arg} in ${argUnit}`);
    }
    for (const u of whole.unresolved.values()) {
      const unit = whole.foundIn.get(u.name)!;
      if (u.type === undefined || u.nr === undefined || u.type > 0xff || u.nr > 0xff) continue;
      if (!ix.unitsForNumber(u.type, u.nr).includes(unit)) missed.push(`${u.name}: ${unit} (unevaluated)`);
    }
    expect(whole.ioctls.size).toBeGreaterThan(1000);
    expect(missed).toEqual([]);
  });

  test('decode answers the same from the units the index names', () => {
    const ioctlCmds = [...new Set([...whole.ioctls.values()].map((e) => e.cmd))];
    const unevaluated = [...whole.unresolved.values()]
      .filter((u) => u.type !== undefined && u.nr !== undefined && u.type <= 0xff && u.nr <= 0xff)
      .map((u) => ((u.dirBits ?? 0) << 30) | (u.type! << 8) | u.nr!)
      .map((c) => c >>> 0);
    // numbers of no ioctl: made up, and checked to be none
    const none = sample(
      Array.from({ length: 4000 }, (_, i) => (i * 2654435761) >>> 0),
      40,
      7,
    ).filter((c) => !names.get(c));
    const cmds = [...sample(ioctlCmds, 60, 1), ...sample(unevaluated, 12, 2), ...none.slice(0, 12)];
    const files = new FileCache();
    const differ: string[] = [];
    for (let i = 0; i < cmds.length; i += 6) {
      const batch = cmds.slice(i, i + 6);
      const got = ioctlNamesFor(abi, {}, { cmds: batch }, { files });
      for (const c of batch) {
        const want = names.get(c) ?? [];
        const have = got.get(c) ?? [];
        if (JSON.stringify(have) !== JSON.stringify(want)) differ.push(`${c.toString(16)}: ${have} != ${want}`);
        const wu = JSON.stringify(names.unevaluated(c));
        const hu = JSON.stringify(got.unevaluated(c));
        if (wu !== hu) differ.push(`${c.toString(16)} unevaluated: ${hu} != ${wu}`);
        for (const n of want) {
          if (JSON.stringify(got.unitsOf(n)) !== JSON.stringify(names.unitsOf(n)))
            differ.push(`${n} units: ${got.unitsOf(n)} != ${names.unitsOf(n)}`);
        }
      }
    }
    // a macro by name (explain's native number of a compat name)
    for (const name of sample([...whole.ioctls.keys()], 8, 3)) {
      const got = ioctlNamesFor(abi, {}, { macros: [name] }, { files });
      if (cmdOf(got, name) !== cmdOf(names, name)) differ.push(`${name}: ${cmdOf(got, name)} != ${cmdOf(names, name)}`);
    }
    expect(cmds.length).toBeGreaterThan(70);
    expect(differ).toEqual([]);
  });
});

describe('convert reads only what it needs', () => {
  const from = getAbi('i386');
  const to = getAbi('x86_64');
  const TYPES: Array<[string, Record<string, string>?, string[]?]> = [
    ['struct kvm_dirty_log', undefined, ['dirty_bitmap']],
    ['struct termios'],
    ['drm_sis_mem_t'],
    ['struct v4l2_format', { fmt: 'pix' }],
    ['unsigned long'],
  ];
  test.each(TYPES)('%s: the same bytes as through the whole UAPI set', (type, members, choose) => {
    const { convertArgument } = convertModule;
    const req = { from, to, type, scan: {}, ...(members ? { members } : {}), ...(choose ? { choose } : {}) };
    // annotations (even none) make convert read the whole set: the reference
    const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) & 0xff);
    // the type's size from the answer to a wrong one, then the argument of that size
    const run = (r: typeof req & { annotations?: ReturnType<typeof emptyAnnotations> }, size = 3): string => {
      try {
        return Buffer.from(convertArgument(r, bytes(size))).toString('hex');
      } catch (e) {
        const m = / is (\d+) bytes on /.exec((e as Error).message);
        if (m && Number(m[1]) !== size) return run(r, Number(m[1]));
        return (e as Error).message;
      }
    };
    const indexed = run(req);
    expect(indexed).toMatch(/^[0-9a-f]{8,}$/);
    expect(indexed).toBe(run({ ...req, annotations: emptyAnnotations() }));
  });
});
