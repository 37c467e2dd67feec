/**
 * Sanity of the real-kernel capture (test/harness/kernel.ts, test/kernel/capture.c): both the
 * x86_64 and the i386 build ran, they agree on the case list, their command numbers differ only
 * where the number encodes a size that differs, and a few answers every x86_64 kernel gives.
 * Tests that compare ioctl32's converters and kernel model with the capture live elsewhere.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  captureKernel,
  captureKernelRuns,
  formatCaptureSummary,
  haveKernelPrerequisites,
  type CaseResult,
  type CaseResults,
} from './harness/kernel.js';

const ENOTTY = 25;
const prereq = haveKernelPrerequisites();

/** _IOC fields of an x86 number: dir (2 bits), size (14 bits), type and nr (16 bits). */
function ioc(cmd: number): { dir: number; size: number; typeNr: number } {
  return { dir: cmd >>> 30, size: (cmd >>> 16) & 0x3fff, typeNr: cmd & 0xffff };
}

/** The cases whose header number must differ between the builds: their _IOC size is long or size_t. */
const SIZE_ENCODED_DIFFERS = ['file.FS_IOC_GETFLAGS', 'file.FS_IOC_GETVERSION', 'loop.BLKBSZGET', 'loop.BLKGETSIZE64'];

describe('real kernel capture (native x86_64 and i386 processes)', () => {
  let cap: Map<string, CaseResults>;

  beforeAll(async () => {
    cap = await captureKernel();
    console.log(formatCaptureSummary(cap, await captureKernelRuns()));
  });

  /** Both sides of a case that both builds ran (not skipped), or undefined. */
  function both(name: string): { native: CaseResult; compat: CaseResult } | undefined {
    const r = cap.get(name);
    if (!r?.native || !r.compat || r.native.skipped !== undefined || r.compat.skipped !== undefined) return undefined;
    return { native: r.native, compat: r.compat };
  }

  function ran(name: string): { native: CaseResult; compat: CaseResult } {
    const r = both(name);
    if (!r) {
      const c = cap.get(name);
      throw new Error(
        `${name} did not run in both builds: native ${c?.native?.skipped ?? (c?.native ? 'ran' : 'absent')}, ` +
          `compat ${c?.compat?.skipped ?? (c?.compat ? 'ran' : 'absent')}`,
      );
    }
    return r;
  }

  it('both builds compiled and ran to the end', async () => {
    const runs = await captureKernelRuns();
    expect(runs.native.failed, 'the x86_64 build').toBeUndefined();
    expect(
      runs.compat.failed,
      prereq.m32
        ? 'the i386 build'
        : 'the i386 build: gcc -m32 does not work here (install libc6-dev-i386 and lib32gcc-12-dev)',
    ).toBeUndefined();
    expect(runs.native.meta?.pointerBits).toBe(64);
    expect(runs.compat.meta?.pointerBits).toBe(32);
    expect(runs.native.meta?.machine).toBe('x86_64');
  });

  it('has at least 30 cases, every one reported by both builds', () => {
    expect(cap.size).toBeGreaterThanOrEqual(30);
    const oneSided = [...cap].filter(([, r]) => !r.native || !r.compat).map(([n]) => n);
    expect(oneSided).toEqual([]);
    const ranBoth = [...cap.keys()].filter((n) => both(n));
    expect(ranBoth.length).toBeGreaterThanOrEqual(30);
  });

  it('the i386 number differs from the x86_64 one exactly where the encoded size differs', () => {
    const differing: string[] = [];
    for (const [name, r] of cap) {
      if (!r.native || !r.compat) continue;
      const n = ioc(r.native.cmd);
      const c = ioc(r.compat.cmd);
      if (r.native.cmd === r.compat.cmd) continue;
      differing.push(name);
      // Only the size field may differ, and only for an _IOC-encoded number.
      expect({ name, dir: c.dir, typeNr: c.typeNr }).toEqual({ name, dir: n.dir, typeNr: n.typeNr });
      expect(n.dir, name).not.toBe(0);
      expect({ name, native: n.size, compat: c.size }).toEqual({ name, native: 8, compat: 4 });
    }
    expect(differing.sort()).toEqual([...SIZE_ENCODED_DIFFERS].sort());
    // Hand-made dispatch numbers are the same in both builds by construction.
    for (const name of [...cap.keys()].filter((n) => n.startsWith('dispatch.'))) {
      expect(cap.get(name)?.compat?.cmd, name).toBe(cap.get(name)?.native?.cmd);
    }
  });

  it.skipIf(!prereq.loop)(
    'LOOP_GET_STATUS and BLKGETSIZE keep their number although their argument size differs',
    () => {
      const status = ran('loop.LOOP_GET_STATUS');
      expect(status.native.cmd).toBe(0x4c03); // legacy number: no size bits
      expect(status.compat.cmd).toBe(0x4c03);
      expect([status.native.size, status.compat.size]).toEqual([168, 140]);
      const size = ran('loop.BLKGETSIZE');
      expect(size.native.cmd).toBe(0x1260); // _IO(0x12, 96)
      expect(size.compat.cmd).toBe(0x1260);
      expect([size.native.size, size.compat.size]).toEqual([8, 4]);
      const bsz = ran('loop.BLKBSZGET');
      expect([bsz.native.cmd, bsz.compat.cmd]).toEqual([0x80081270, 0x80041270]);
    },
  );

  it.skipIf(!prereq.loop)('LOOP_GET_STATUS64 returns the backing file name', () => {
    const { native, compat } = ran('loop.LOOP_GET_STATUS64');
    expect(native.ret).toBe(0);
    expect(Buffer.from(native.after).toString('latin1')).toContain('/backing.img');
    expect(Buffer.from(compat.after).toString('latin1')).toContain('/backing.img');
  });

  it.skipIf(!prereq.kvm)('KVM_GET_API_VERSION is 12 for both processes', () => {
    const { native, compat } = ran('kvm.KVM_GET_API_VERSION');
    expect([native.ret, compat.ret]).toEqual([12, 12]);
  });

  it('an unknown command number gives ENOTTY to both processes', () => {
    const { native, compat } = ran('dispatch.unknown_cmd_pipe');
    expect([native.ret, native.errno]).toEqual([-1, ENOTTY]);
    expect([compat.ret, compat.errno]).toEqual([-1, ENOTTY]);
    expect(native.after).toEqual(native.before);
    expect(compat.after).toEqual(compat.before);
  });

  it('no case made the kernel write past its buffer', () => {
    const over: string[] = [];
    for (const [name, r] of cap) {
      for (const b of ['native', 'compat'] as const)
        if (r[b]?.overrun) over.push(`${b} ${name}: ${r[b]?.overrun} bytes`);
    }
    expect(over).toEqual([]);
  });
});
