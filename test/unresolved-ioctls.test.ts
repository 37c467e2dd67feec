/**
 * Ioctl macros whose number has no value in their header's own unit. With what a program
 * includes first (src/ioctl/prerequisites.ts, the legacy table's `needs`), the catalogue gives
 * BLKGETSIZE64, BLKBSZGET, BLKBSZSET, BLKTRACESETUP, SIOCINQ, SIOCOUTQ and FS_IOC_FIEMAP the
 * numbers the reference compiler computes with those headers included (and which it refuses
 * without them), and check judges them; a macro that still has no value is named with its
 * reason by dump, check (verdict unknown, rule 'unresolved') and decode, never dropped.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { getAbi } from '../src/abi/index.js';
import type { Abi } from '../src/abi/types.js';
import { FileCache, Parser, Preprocessor, includeDirsFor } from '../src/cfront/index.js';
import { Layouter } from '../src/layout/layout.js';
import { check } from '../src/compat/check.js';
import { encodeIoc } from '../src/ioctl/ioc.js';
import { PREREQUISITES } from '../src/ioctl/prerequisites.js';
import { decodeCommands, formatDecode } from '../src/report/decode.js';
import { dumpHeaders } from '../src/scan/dump.js';
import { namesFromDump } from '../src/scan/names.js';
import { compileObject } from './harness/compile.js';
import { u32Array } from './harness/elf.js';
import { compilerIncludeArgs, compilerTruth, headerAcceptance, type OracleItem } from './harness/uapi.js';

const NAMES = ['BLKGETSIZE64', 'BLKBSZGET', 'BLKBSZSET', 'BLKTRACESETUP', 'SIOCINQ', 'SIOCOUTQ', 'FS_IOC_FIEMAP'];
const HEADERS = ['linux/fs.h', 'linux/sockios.h'];
/** x86's pair, and the other word sizes, endiannesses and _IOC encodings (powerpc's and mips's differ). */
const ABIS = ['x86_64', 'i386', 'arm64', 'arm', 'ppc64', 'mips64'].map(getAbi);
const crossTree = (abi: Abi) => ({ sysroot: `/usr/${abi.headerTriple}` });
const dumpOf = (abi: Abi, headers: string[]) => dumpHeaders({ abi, headers, ...crossTree(abi) });

describe('the prerequisite table', () => {
  const each = test.each(ABIS.map((a) => [a.name, a] as const));
  each('each row names a header that declares what it says (%s)', (_name, abi) => {
    const files = new FileCache();
    const includeDirs = includeDirsFor(abi, crossTree(abi));
    for (const row of PREREQUISITES) {
      const pp = new Preprocessor({ abi, includeDirs, files });
      const parser = new Parser(abi, new Layouter(abi));
      const source = row.include.map((h) => `#include <${h}>\n`).join('');
      const unit = parser.parse(pp.preprocessSource(source, '<row>'), pp.segments);
      const declared = row.uses.startsWith('struct ')
        ? unit.records.get(row.uses)?.members != null
        : unit.typedefs.has(row.uses) || pp.macros.has(row.uses);
      expect(declared, `${row.include.join(', ')} declares ${row.uses}`).toBe(true);
      expect(row.source.length, row.uses).toBeGreaterThan(20);
    }
  });
});

describe.each(ABIS.map((a) => [a.name, a] as const))('%s', (_name, abi) => {
  test("the numbers equal the compiler's with the prerequisites included, and it has none without", async () => {
    const d = dumpOf(abi, HEADERS);
    const items = new Map<string, OracleItem>();
    const alone: OracleItem[] = [];
    for (const name of NAMES) {
      const e = d.ioctls.get(name);
      expect(e, `${name}: ${d.result.unresolved[name]}`).toBeDefined();
      expect(e!.prerequisites?.length, name).toBeGreaterThan(0);
      const ioctlH = e!.needsIoctlHeader ? ['linux/ioctl.h'] : [];
      expect(d.result.ioctls[name]!.prerequisites).toEqual([...ioctlH, ...e!.prerequisites!]);
      expect(d.result.unresolved[name]).toBeUndefined();
      const header = d.foundIn.get(name)!;
      const before = e!.prerequisites!;
      const key = [...before, header].join('+');
      if (!items.has(key)) items.set(key, { header, before, records: [], ioctls: [] });
      items.get(key)!.ioctls.push(name);
      alone.push({ header, records: [], ioctls: [name] });
    }
    const truth = await compilerTruth(abi, [...items.values()]);
    expect(truth.failed).toEqual([]);
    const ours = Object.fromEntries(NAMES.map((n) => [n, d.ioctls.get(n)!.cmd]));
    expect(ours).toEqual(Object.fromEntries(NAMES.map((n) => [n, truth.ioctls.get(n)?.cmd])));
    // the prerequisites are needed: the header alone gives the compiler no number either
    const without = await compilerTruth(abi, alone, { alone: true });
    expect(without.failed.length, `evaluated alone: ${[...without.ioctls.keys()].join(' ')}`).toBe(NAMES.length);
  });
});

describe.each(ABIS.map((a) => [a.name, a] as const))(
  '%s: a header that fails alone on what a row covers',
  (_n, abi) => {
    // linux/omapfb.h's struct omapfb_memory_read names size_t; linux/vm_sockets.h sizes a member by struct sockaddr
    const WANT: Record<string, string[]> = { 'linux/omapfb.h': ['stddef.h'], 'linux/vm_sockets.h': ['sys/socket.h'] };
    const headers = Object.keys(WANT);

    test("stays in failed, and its ioctls, read with the row's headers first, have the compiler's numbers", async () => {
      const d = dumpOf(abi, headers);
      expect(Object.keys(d.result.failed).sort()).toEqual(headers);
      const alone = await headerAcceptance(abi, headers);
      expect(headers.filter((h) => alone.get(h)!.ok)).toEqual([]);
      for (const header of headers) {
        const entries = [...d.ioctls.values()].filter((e) => d.foundIn.get(e.name) === header);
        expect(entries.length, header).toBeGreaterThan(0);
        for (const e of entries) {
          const ioctlH = e.needsIoctlHeader ? ['linux/ioctl.h'] : [];
          expect(d.result.ioctls[e.name]!.prerequisites, e.name).toEqual([...ioctlH, ...WANT[header]!]);
        }
        const before = [...(entries.some((e) => e.needsIoctlHeader) ? ['linux/ioctl.h'] : []), ...WANT[header]!];
        const source =
          [...before, header].map((h) => `#include <${h}>\n`).join('') +
          `const unsigned int ioctl32_v[] = { ${entries.map((e) => e.name).join(', ')} };\n`;
        const obj = await compileObject(abi, source, await compilerIncludeArgs(abi));
        const truth = u32Array(obj, 'ioctl32_v');
        const ours = entries.map((e) => e.cmd);
        expect(ours, header).toEqual(entries.map((_, i) => truth[i]));
      }
    });
  },
);

describe('check judges them', () => {
  const pairs = [{ native: getAbi('x86_64'), compat: getAbi('i386') }];
  const report = check({ pairs, scan: { headers: HEADERS }, scanFor: crossTree });
  const rows = new Map(report.pairs[0]!.ioctls.map((v) => [v.name, v]));

  test('every one has a verdict, not unknown', () => {
    for (const name of NAMES) {
      const v = rows.get(name);
      expect(v, name).toBeDefined();
      expect(v!.verdict, `${name}: ${JSON.stringify(v!.reasons)}`).not.toBe('unknown');
      expect(v!.nativeCmd, name).not.toBeNull();
    }
  });

  test('size_t is 8 bytes on x86_64 and 4 on i386: BLKBSZGET and BLKGETSIZE64 get other numbers', () => {
    for (const name of ['BLKBSZGET', 'BLKBSZSET', 'BLKGETSIZE64']) {
      const v = rows.get(name)!;
      expect(v.cmdDiffers, name).toBe(true);
      expect((v.nativeCmd! >>> 16) & 0x3fff, name).toBe(8);
      expect((v.compatCmd! >>> 16) & 0x3fff, name).toBe(4);
      expect(['renumber', 'convert'], name).toContain(v.verdict);
    }
    // i386 aligns the __u64 members of struct blk_user_trace_setup to 4 (the kernel's BLKTRACESETUP32)
    expect(rows.get('BLKTRACESETUP')!.verdict).toBe('convert');
  });
});

describe('a macro that still has no value is named with its reason', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ioctl32-unresolved-'));
  const header = join(dir, 'mydrv.h');
  writeFileSync(
    header,
    [
      '#include <linux/ioctl.h>',
      'struct mydrv_known { int a; };',
      "#define MYDRV_OK _IOR('x', 1, struct mydrv_known)",
      "#define MYDRV_GONE _IOW('x', 2, struct mydrv_missing)",
      "#define MYDRV_SIZE _IOR('x', 3, size_t)",
      '',
    ].join('\n'),
  );
  const x86 = getAbi('x86_64');

  test('dump lists it in unresolved, located, with its definition; not in ioctls', () => {
    const d = dumpOf(x86, [header]);
    expect(d.result.ioctls.MYDRV_GONE).toBeUndefined();
    expect(d.result.ioctls.MYDRV_OK).toBeDefined();
    const why = /mydrv\.h:4:9: MYDRV_GONE = _IOW\('x', 2, struct mydrv_missing\): incomplete type 'struct mydrv_\w+'/;
    expect(d.result.unresolved.MYDRV_GONE).toMatch(why);
    expect(Object.keys(d.result.unresolved)).toEqual(['MYDRV_GONE']);
  });

  test('a size_t the header does not declare gets the number a program that has it sees', async () => {
    for (const abi of [x86, getAbi('i386')]) {
      const e = dumpOf(abi, [header]).ioctls.get('MYDRV_SIZE');
      expect(e?.prerequisites).toEqual(['stddef.h']);
      const source = `#include <stddef.h>\n#include "${header}"\nconst unsigned int ioctl32_v[] = { MYDRV_SIZE };\n`;
      const obj = await compileObject(abi, source, await compilerIncludeArgs(abi), { cache: false });
      expect(e!.cmd, abi.name).toBe(u32Array(obj, 'ioctl32_v')[0]);
    }
  });

  test('check reports it as unknown with rule unresolved and the reason', () => {
    const pairs = [{ native: x86, compat: getAbi('i386') }];
    const report = check({ pairs, scan: { headers: [header] }, scanFor: crossTree });
    const v = report.pairs[0]!.ioctls.find((x) => x.name === 'MYDRV_GONE');
    const inHeader = expect.stringMatching(/mydrv\.h$/);
    expect(v).toMatchObject({ verdict: 'unknown', nativeCmd: null, compatCmd: null, header: inHeader });
    expect(v!.reasons).toHaveLength(1);
    expect(v!.reasons[0]!.rule).toBe('unresolved');
    expect(v!.reasons[0]!.message).toMatch(/no value on x86_64: .*mydrv\.h:4:9: .*incomplete type 'struct mydrv_\w+'/);
    expect(report.summary.needsWork['x86_64:i386']).toHaveProperty([v!.header], expect.arrayContaining(['MYDRV_GONE']));
  });

  test('decode names it for a number with its type and nr, and says the number was not evaluated', () => {
    const names = namesFromDump(dumpOf(x86, [header]));
    const cmd = encodeIoc(x86, { dir: 'w', type: 0x78, nr: 2, size: 16 });
    const [row] = decodeCommands([cmd], [x86], () => names);
    expect(row!.names).toEqual([]);
    expect(row!.unevaluated).toEqual([{ name: 'MYDRV_GONE', reason: expect.stringMatching(/struct mydrv_missing/) }]);
    expect(formatDecode([row!])).toMatch(/MYDRV_GONE \(number not evaluated on x86_64\): .*mydrv\.h:4:9/);
    // another nr, or another direction, is not it
    const others = [
      encodeIoc(x86, { dir: 'w', type: 0x78, nr: 4, size: 16 }),
      encodeIoc(x86, { dir: 'r', type: 0x78, nr: 2, size: 16 }),
    ];
    for (const other of others) expect(decodeCommands([other], [x86], () => names)[0]!.unevaluated).toBeUndefined();
  });

  test("a UAPI macro of another architecture: arm64's KVM_ARM_VCPU_INIT decoded on x86_64", () => {
    const arm64 = dumpOf(getAbi('arm64'), ['linux/kvm.h']);
    const x86names = namesFromDump(dumpOf(x86, ['linux/kvm.h']));
    const cmd = arm64.ioctls.get('KVM_ARM_VCPU_INIT')!.cmd;
    const [row] = decodeCommands([cmd], [x86], () => x86names);
    expect(row!.unevaluated?.map((u) => u.name)).toContain('KVM_ARM_VCPU_INIT');
    const reason = row!.unevaluated!.find((u) => u.name === 'KVM_ARM_VCPU_INIT')!.reason;
    expect(reason).toMatch(/incomplete type 'struct kvm_vcpu_init'/);
  });
});
