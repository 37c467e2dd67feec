/**
 * explain, through the library and the built CLI: every input form (the kernel's three log
 * lines, QEMU's, bare numbers), lines on stdin, numbers wider than 32 bits (exit 2), the members
 * that differ with their sizes (the compiler's), the kernel's own compat cases (the table's
 * numbers against the kernel's definitions compiled for each native ABI), and a 32-bit kernel.
 * Numbers and sizes come from the reference compilers with the ABIs' cross headers. The log-line
 * parser alone, which needs Node only, is in explain.fast.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, test } from 'vitest';
import { ABIS, getAbi } from '../src/abi/index.js';
import type { Abi } from '../src/abi/types.js';
import { KERNEL_REMAPS, kernelRemapApplies, kernelRemapNumber } from '../src/ioctl/kernel-remaps.js';
import { explain, explainLines, formatExplanation, type Explanation } from '../src/report/explain.js';
import { compileObject } from './harness/compile.js';
import { u32Array } from './harness/elf.js';
import { compilerIncludeArgs } from './harness/uapi.js';

const BIN = 'dist/cli/main.cjs';
const x86_64 = getAbi('x86_64');
const i386 = getAbi('i386');

function cli(args: string[], input?: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('node', [BIN, ...args], { input: input ?? '', encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Unsigned 32-bit C expressions as the ABI's reference compiler evaluates them. */
async function compiled(abi: Abi, prelude: string, exprs: string[]): Promise<number[]> {
  const src = `${prelude}\nunsigned int facts[] = {\n${exprs.map((e) => `  (unsigned int)(${e})`).join(',\n')}\n};\n`;
  return u32Array(await compileObject(abi, src, await compilerIncludeArgs(abi)), 'facts');
}

const hex8 = (n: number) => (n >>> 0).toString(16).padStart(8, '0');
const hex = (n: number) => `0x${hex8(n)}`;

const V4L2 = '#include <stddef.h>\n#include <linux/videodev2.h>\n#include <linux/fs.h>';
const V4L2_FACTS = [
  'VIDIOC_QUERYBUF',
  'sizeof(struct v4l2_buffer)',
  'offsetof(struct v4l2_buffer, timestamp)',
  'sizeof(((struct v4l2_buffer *)0)->timestamp)',
  'FS_IOC32_GETFLAGS',
  'FS_IOC_GETFLAGS',
];
interface Facts {
  querybuf: number;
  bufferSize: number;
  timestampOffset: number;
  timestampSize: number;
  ioc32GetFlags: number;
  getFlags: number;
}
const facts: Record<'i386' | 'x86_64', Facts> = {} as Record<'i386' | 'x86_64', Facts>;

beforeAll(async () => {
  for (const abi of [i386, x86_64]) {
    const [querybuf, bufferSize, timestampOffset, timestampSize, ioc32GetFlags, getFlags] = await compiled(
      abi,
      V4L2,
      V4L2_FACTS,
    );
    facts[abi.name as 'i386' | 'x86_64'] = {
      querybuf: querybuf!,
      bufferSize: bufferSize!,
      timestampOffset: timestampOffset!,
      timestampSize: timestampSize!,
      ioc32GetFlags: ioc32GetFlags!,
      getFlags: getFlags!,
    };
  }
});

/** The i386 candidate of an explanation. */
const asI386 = (e: Explanation) => e.candidates.find((c) => c.abi === 'i386')!;

describe('explain through the CLI: each form, stdin, rejection', () => {
  /** The same i386 number of VIDIOC_QUERYBUF in every form. */
  const forms = () => {
    const c = hex8(facts.i386.querybuf);
    const size = facts.i386.bufferSize;
    const signExtended = BigInt.asUintN(64, BigInt.asIntN(32, BigInt(facts.i386.querybuf)));
    return {
      ioctl32: `ioctl32(cam:42): Unknown cmd fd(7) cmd(${c}){t:'V';sz:${size}} arg(08049000) on /dev/video0`,
      'ioctl32-old': `ioctl32(cam:42): Unknown cmd fd(7) cmd(${c}){00} arg(08049000) on /dev/video0`,
      sys32_ioctl: `sys32_ioctl(cam:42): Unknown cmd fd(7) cmd(${c}) arg(08049000)`,
      // QEMU on a 64-bit host: (long) of the int command
      qemu: `Unsupported ioctl: cmd=0x${signExtended.toString(16)}`,
      number: String(facts.i386.querybuf),
    };
  };
  test('every form names VIDIOC_QUERYBUF on i386, with its verdict and action', () => {
    for (const [format, line] of Object.entries(forms())) {
      const r = cli(['explain', line, '--json']);
      expect(r.code, `${format}: ${r.stderr}`).toBe(0);
      const e = JSON.parse(r.stdout) as Explanation;
      expect(e.line.format).toBe(format);
      expect(e.line.cmd).toBe(facts.i386.querybuf);
      const q = asI386(e).names.find((n) => n.name === 'VIDIOC_QUERYBUF');
      expect(q, format).toBeDefined();
      expect(q!.nativeCmd).toBe(facts.x86_64.querybuf);
      expect(q!.verdict).toBeDefined();
      expect(q!.action).toMatch(/\S/);
    }
  });
  test('three lines on stdin: three explanations, in order (JSON: an array; text: one block each)', () => {
    const f = forms();
    const input = [f.ioctl32, '', `0x${hex8(facts.i386.ioc32GetFlags)}`, f.qemu].join('\n');
    const json = cli(['explain', '-', '--json'], input);
    expect(json.code, json.stderr).toBe(0);
    const list = JSON.parse(json.stdout) as Explanation[];
    expect(list.map((e) => [e.line.format, e.line.cmd])).toEqual([
      ['ioctl32', facts.i386.querybuf],
      ['number', facts.i386.ioc32GetFlags],
      ['qemu', facts.i386.querybuf],
    ]);
    // no argument and stdin not a terminal reads stdin too
    const text = cli(['explain'], input);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout.split('\n').filter((l) => /^\S/.test(l))).toHaveLength(3);
  });
  test('a bad line on stdin (no form, too wide): the others are explained, the bad ones named, exit 2', () => {
    const r = cli(['explain', '-'], `${forms().number}\nhello\n0x1${hex8(facts.i386.querybuf)}\n`);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/VIDIOC_QUERYBUF/);
    expect(r.stderr).toMatch(/line 2: not a compat ioctl log line/);
    expect(r.stderr).toMatch(/line 3: .*more than 32 bits/);
  });
  test('cmd(1c0185617) exits 2 and is not read as 0xc0185617', () => {
    const r = cli([
      'explain',
      "ioctl32(x:1): Unknown cmd fd(3) cmd(1c0185617){t:'V';sz:24} arg(08049000) on /dev/video0",
      '--json',
    ]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/cmd\(1c0185617\) has more than 32 bits/);
    expect(cli(['explain', '0x1c0185617']).code).toBe(2);
    expect(cli(['explain'], '').code).toBe(2);
  });
  test('{t:..;sz:..} that disagree with cmd(..): a damaged line, exit 2; a flavour is no kernel', () => {
    // the kernel prints both from the number: 0x40045431 has type 'T' and size 4
    const line = (braces: string) =>
      `ioctl32(x:1): Unknown cmd fd(3) cmd(40045431){${braces}} arg(ff9d8f3c) on /dev/pts/0`;
    expect(cli(['explain', line("t:'T';sz:4")]).code).toBe(0);
    for (const bad of ["t:'T';sz:8", "t:'U';sz:4", 't:54;sz:4']) {
      const r = cli(['explain', line(bad)]);
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toContain("has type 'T' and size 4 on x86_64");
    }
    const flavour = cli(['explain', '--arch', 'i386+t64', '0x5401']);
    expect(flavour.code).toBe(2);
    expect(flavour.stderr).toMatch(/i386\+t64 is a user-space flavour of i386, not a kernel/);
  });
});

describe('the members that differ, and why (sizes from the compiler)', () => {
  test('VIDIOC_QUERYBUF on i386: struct v4l2_buffer and its timestamp, both sides', () => {
    const n = facts.x86_64;
    const c = facts.i386;
    const r = cli(['explain', String(c.querybuf), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const q = asI386(JSON.parse(r.stdout) as Explanation).names.find((x) => x.name === 'VIDIOC_QUERYBUF')!;
    // CONTRACT.md: sizes or offsets differ → convert
    const differs = n.bufferSize !== c.bufferSize || n.timestampOffset !== c.timestampOffset;
    expect(q.verdict).toBe(differs ? 'convert' : 'identical');
    expect(q.reasons).toContainEqual(
      expect.objectContaining({
        rule: 'size',
        path: '',
        native: { offset: 0, size: n.bufferSize },
        compat: { offset: 0, size: c.bufferSize },
      }),
    );
    const ts = q.reasons!.find((x) => x.path === 'timestamp')!;
    expect(ts).toMatchObject({
      native: { offset: n.timestampOffset, size: n.timestampSize },
      compat: { offset: c.timestampOffset, size: c.timestampSize },
      nativeType: 'struct timeval',
      compatType: 'struct timeval',
    });
    expect(ts.text).toContain(
      `timestamp: struct timeval, ${c.timestampSize} bytes on i386 and ${n.timestampSize} on x86_64`,
    );
    expect(q.action).toContain(`map ${hex(c.querybuf)} to ${hex(n.querybuf)}`);
    // the text says the same
    const text = cli(['explain', String(c.querybuf)]);
    expect(text.stdout).toContain(
      `timestamp: struct timeval, ${c.timestampSize} bytes on i386 and ${n.timestampSize} on x86_64`,
    );
    expect(text.stdout).toMatch(/the handler must: map /);
  });
});

describe("the kernel's own compat cases (src/ioctl/kernel-remaps.ts)", () => {
  const natives = ABIS.filter((a) => a.compat.length > 0);
  test.each(natives.map((a) => [a.name, a] as const))(
    "%s: the table's numbers are the kernel's definitions compiled",
    async (_, native) => {
      const entries = KERNEL_REMAPS.filter((r) => kernelRemapApplies(r, native));
      expect(entries.length).toBeGreaterThan(0);
      const needs = [...new Set(entries.map((r) => r.needs).filter((x): x is string => x !== undefined))];
      const prelude = [
        '#include <linux/types.h>',
        '#include <linux/ioctl.h>',
        ...needs,
        ...entries.map((r) => r.definition),
      ].join('\n');
      const got = await compiled(
        native,
        prelude,
        entries.map((r) => r.compatName),
      );
      expect(entries.map((r) => [r.compatName, hex(kernelRemapNumber(r, native))])).toEqual(
        entries.map((r, i) => [r.compatName, hex(got[i]!)]),
      );
      // one case per number: a number meets one kernel case
      const numbers = entries.map((r) => kernelRemapNumber(r, native));
      expect(new Set(numbers).size).toBe(numbers.length);
    },
  );
  test('a 32-bit kernel has none of them', () => {
    for (const r of KERNEL_REMAPS) expect(kernelRemapApplies(r, i386)).toBe(false);
  });
  test('FS_IOC32_GETFLAGS from an i386 task: fs/ioctl.c maps it to FS_IOC_GETFLAGS', () => {
    const r = cli(['explain', hex(facts.i386.ioc32GetFlags), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const c = asI386(JSON.parse(r.stdout) as Explanation);
    expect(c.kernelRemap).toEqual({
      compatName: 'FS_IOC32_GETFLAGS',
      nativeName: 'FS_IOC_GETFLAGS',
      nativeCmd: facts.x86_64.getFlags,
      kind: 'remap',
      scope: 'every file',
      sites: [{ file: 'fs/ioctl.c', function: 'COMPAT_SYSCALL_DEFINE3(ioctl)' }],
      does: expect.any(String),
    });
    expect(c.names.map((n) => n.name)).toContain('FS_IOC32_GETFLAGS');
    const text = cli(['explain', hex(facts.i386.ioc32GetFlags)]).stdout;
    expect(text).toContain(
      `the kernel maps FS_IOC32_GETFLAGS (${hex(facts.i386.ioc32GetFlags)}) ` +
        `to FS_IOC_GETFLAGS (${hex(facts.x86_64.getFlags)})`,
    );
    expect(text).toContain('COMPAT_SYSCALL_DEFINE3(ioctl) in fs/ioctl.c');
    // a number the kernel leaves to the driver says nothing of the kind
    const q = asI386(JSON.parse(cli(['explain', String(facts.i386.querybuf), '--json']).stdout) as Explanation);
    expect(q.kernelRemap).toBeUndefined();
  });
});

describe('a 32-bit kernel has no compat path', () => {
  test('--arch i386: the number goes to the native handler; names, no verdicts, exit 0', () => {
    const r = cli(['explain', '--arch', 'i386', hex(facts.i386.ioc32GetFlags), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const e = JSON.parse(r.stdout) as Explanation;
    expect(e).toMatchObject({ native: 'i386', compatPath: false });
    expect(e.note).toMatch(/32-bit kernel: it has no compat path/);
    expect(e.candidates.map((c) => c.abi)).toEqual(['i386']);
    const names = e.candidates[0]!.names;
    expect(names.map((n) => n.name)).toContain('FS_IOC32_GETFLAGS');
    expect(names.every((n) => n.verdict === undefined && n.nativeCmd === facts.i386.ioc32GetFlags)).toBe(true);
    expect(e.candidates[0]!.kernelRemap).toBeUndefined();
    const text = cli(['explain', '--arch', 'i386', hex(facts.i386.ioc32GetFlags)]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /i386 is a 32-bit kernel: it has no compat path.*straight to the driver's native handler/,
    );
  });
});

describe('a QEMU line no compat task names', () => {
  test('says that a guest may be of any architecture, and where to look', () => {
    // DRM_IOCTL_VERSION as an aarch64 or x86_64 guest passes it: no i386 task does
    const e = explain('Unsupported ioctl: cmd=0xc0406400', { native: x86_64, compats: [i386], verdicts: false });
    expect(e.candidates[0]!.names).toEqual([]);
    expect(formatExplanation(e)).toContain(
      "a QEMU guest may be of any architecture: ioctl32 decode 0xc0406400 names the number on every ABI (an aarch64 guest's",
    );
    // a number a compat task names: nothing more to say
    const named = explain(`Unsupported ioctl: cmd=${hex(facts.i386.querybuf)}`, { native: x86_64, compats: [i386] });
    expect(formatExplanation(named)).not.toContain('a QEMU guest may be');
  });
});

describe('the library', () => {
  test('explain, explainLines and formatExplanation without the CLI', () => {
    const e = explain(hex(facts.i386.querybuf), { native: x86_64, compats: [i386] });
    expect(e.candidates.map((c) => c.abi)).toEqual(['i386']);
    const q = e.candidates[0]!.names.find((n) => n.name === 'VIDIOC_QUERYBUF')!;
    expect(q.reasons!.some((r) => r.path === 'timestamp')).toBe(true);
    expect(formatExplanation(e)).toContain('VIDIOC_QUERYBUF');
    // verdicts: false gives names alone (no header is dumped)
    const bare = explain(hex(facts.i386.querybuf), { native: x86_64, compats: [i386], verdicts: false });
    expect(bare.candidates[0]!.names.find((n) => n.name === 'VIDIOC_QUERYBUF')).toEqual({
      name: 'VIDIOC_QUERYBUF',
      nativeCmd: facts.x86_64.querybuf,
    });
    const lines = explainLines(`${hex(facts.i386.querybuf)}\nnope\n`, {
      native: x86_64,
      compats: [i386],
      verdicts: false,
    });
    expect(lines.explanations).toHaveLength(1);
    expect(lines.errors).toEqual([
      { line: 2, text: 'nope', message: expect.stringMatching(/not a compat ioctl log line/) },
    ]);
  });
});
