/**
 * The 64-bit time_t flavours (i386+t64 ...): derived from their base ABIs, served by the base's native
 * kernels, and a number a time64 program passes is found. The whole UAPI set of each flavour is checked
 * against the compilers by uapi-differential.test.ts.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { ABIS, compatPairs, getAbi, TIME64_BASES } from '../src/abi/index.js';
import { compileObject, crossIncludes } from './harness/compile.js';
import { u32Array } from './harness/elf.js';

const run = promisify(execFile);
const BIN = 'dist/cli/main.cjs';

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', [BIN, ...args], { maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('the flavours in the ABI table', () => {
  test('each is its base with the two -D macros, and nothing else', () => {
    const flavours = ABIS.filter((a) => a.flavourOf);
    expect(flavours.map((a) => a.name)).toEqual(TIME64_BASES.map((b) => `${b}+t64`));
    for (const f of flavours) {
      const base = getAbi(f.flavourOf!);
      const { name, flavourOf, predefined, cflags, ...facts } = f;
      const { name: _n, predefined: basePredefined, cflags: baseCflags, ...baseFacts } = base;
      expect(facts).toEqual(baseFacts);
      expect(name).toBe(`${base.name}+t64`);
      expect(flavourOf).toBe(base.name);
      expect(predefined).toEqual({ ...basePredefined, _TIME_BITS: '64', _FILE_OFFSET_BITS: '64' });
      expect(cflags).toEqual([...baseCflags, '-D_TIME_BITS=64', '-D_FILE_OFFSET_BITS=64']);
    }
    // 64-bit time already: no flavour
    expect(ABIS.map((a) => a.name)).not.toContain('x32+t64');
    expect(ABIS.map((a) => a.name)).not.toContain('riscv32+t64');
  });

  test("every native ABI serves its compat ABIs' flavours, right after the base", () => {
    expect(getAbi('x86_64').compat).toEqual(['i386', 'i386+t64', 'x32']);
    expect(getAbi('mips64').compat).toEqual(['mips', 'mips+t64', 'mipsn32', 'mipsn32+t64']);
    for (const { native, compat } of compatPairs()) {
      if (!compat.flavourOf) continue;
      expect(native.compat).toContain(compat.flavourOf);
      // the kernel cannot tell a flavour's task from its base's
      expect(native.compatTask[compat.name]).toBeUndefined();
      expect(native.compatKconfig[compat.name]).toBe(native.compatKconfig[compat.flavourOf]);
    }
  });
});

describe('a number an i386 time64 program passes', () => {
  // struct v4l2_buffer holds a struct timeval: 68 bytes with 32-bit time_t, 76 with 64-bit
  const QBUF = 0xc04c560f;

  test("is the compiler's VIDIOC_QBUF with -D_TIME_BITS=64 -D_FILE_OFFSET_BITS=64, not without", async () => {
    const src = '#include <sys/time.h>\n#include <linux/videodev2.h>\nconst unsigned int n[] = { VIDIOC_QBUF };\n';
    const number = async (abi: string) =>
      u32Array(await compileObject(getAbi(abi), src, crossIncludes(getAbi(abi))), 'n')[0];
    expect(await number('i386+t64')).toBe(QBUF);
    expect(await number('i386')).toBe(0xc044560f);
  });

  test("numbers that name the program's struct timeval/timespec are the compiler's, per flavour", async () => {
    // SIOCGSTAMP is SIOCGSTAMP_OLD or _NEW by sizeof(struct timeval) (asm-generic/sockios.h); PPGETTIME names it
    const names = ['SIOCGSTAMP', 'SIOCGSTAMPNS', 'PPGETTIME', 'PPSETTIME'];
    const src =
      '#include <sys/time.h>\n#include <time.h>\n#include <sys/ioctl.h>\n#include <linux/sockios.h>\n' +
      `#include <linux/ppdev.h>\nconst unsigned int n[] = { ${names.join(', ')} };\n`;
    for (const abi of ['i386', 'i386+t64', 'arm+t64', 'mips+t64', 'sparc+t64', 'x32']) {
      const a = getAbi(abi);
      // the compiler's own <stddef.h> (glibc's <time.h> needs it), then the ABI's cross headers before any other
      const cc = [...u32Array(await compileObject(a, src, ['-isystem', `/usr/${a.headerTriple}/include`]), 'n')];
      const r = await cli('dump', '--abi', abi, 'linux/sockios.h', 'linux/ppdev.h');
      const ioctls = (JSON.parse(r.stdout) as { ioctls: Record<string, { cmd: number }> }).ioctls;
      expect(
        names.map((n) => ioctls[n]?.cmd),
        abi,
      ).toEqual(cc);
    }
  });

  test('SIOCGSTAMP of a time64 task is SIOCGSTAMP_NEW, which the native kernel serves as it is', async () => {
    // asm-generic/sockios.h picks SIOCGSTAMP_OLD or _NEW by sizeof(struct timeval); net/socket.c's
    // compat_sock_ioctl_trans passes SIOCGSTAMP_NEW on to sock_ioctl unchanged
    const r = await cli('check', '--pair', 'x86_64:i386+t64', '--format', 'json', 'linux/sockios.h', 'linux/fs.h');
    type Row = { name: string; verdict: string; nativeCmd: number; compatCmd: number; cmdNote?: string };
    const rows = (JSON.parse(r.stdout) as { pairs: Array<{ ioctls: Row[] }> }).pairs[0]!.ioctls;
    const row = (n: string) => rows.find((x) => x.name === n)!;
    expect(row('SIOCGSTAMP')).toMatchObject({ verdict: 'identical', nativeCmd: 0x80108906, compatCmd: 0x80108906 });
    expect(row('SIOCGSTAMP').cmdNote).toContain('SIOCGSTAMP is defined as SIOCGSTAMP_NEW on i386+t64');
    expect(row('SIOCGSTAMPNS')).toMatchObject({ verdict: 'identical', compatCmd: 0x80108907 });
    // a number that only shares another's value (FS_IOC32_GETFLAGS, which fs/ioctl.c maps) keeps its own verdict
    expect(row('FS_IOC_GETFLAGS')).toMatchObject({ verdict: 'renumber', nativeCmd: 0x80086601 });
  });

  test('decode names VIDIOC_QBUF for i386+t64 only', async () => {
    const r = await cli('decode', `0x${QBUF.toString(16)}`, '--abi', 'i386,i386+t64', '--json');
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<{ abi: string; names: string[]; size: number }>;
    expect(rows.map((x) => [x.abi, x.size, x.names.includes('VIDIOC_QBUF')])).toEqual([
      ['i386', 76, false],
      ['i386+t64', 76, true],
    ]);
  });

  test("explain finds it from the kernel's log line, with the x86_64 number", async () => {
    const line = "ioctl32(cam:42): Unknown cmd fd(3) cmd(c04c560f){t:'V';sz:76} arg(ffd0c0a0) on /dev/video0";
    const r = await cli('explain', line, '--json');
    expect(r.code).toBe(0);
    type Candidate = { abi: string; names: Array<{ name: string; nativeCmd: number }> };
    const { candidates } = JSON.parse(r.stdout) as { candidates: Candidate[] };
    const named = (abi: string) => candidates.find((c) => c.abi === abi)!.names.map((n) => [n.name, n.nativeCmd]);
    expect(named('i386')).toEqual([]);
    expect(named('i386+t64')).toEqual([['VIDIOC_QBUF', 0xc058560f]]);
  });
});

describe('check and gen c over a flavour', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ioctl32-t64-'));
  const header = join(dir, 'camdrv.h');
  writeFileSync(
    header,
    "#include <linux/ioctl.h>\n#include <linux/videodev2.h>\n#define CAMDRV_QBUF _IOWR('M', 1, struct v4l2_buffer)\n",
  );

  test('check --arch x86_64 gives a verdict per flavour', async () => {
    const r = await cli('check', '--arch', 'x86_64', '--format', 'json', '--no-lint', header);
    const pairs = (JSON.parse(r.stdout) as { pairs: Array<{ native: string; compat: string }> }).pairs;
    expect(pairs.map((p) => `${p.native}:${p.compat}`)).toEqual(['x86_64:i386', 'x86_64:i386+t64', 'x86_64:x32']);
  });

  test('gen c leaves flavours out unless --pair names one, which lays out the time64 struct', async () => {
    const all = await cli('gen', 'c', '--arch', 'x86_64', '--member', 'm=userptr', header);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toMatch(/camdrv_i386_compat_ioctl/);
    expect(all.stdout).not.toMatch(/i386\+t64|t64_compat/);
    const t64 = await cli('gen', 'c', '--pair', 'x86_64:i386+t64', '--member', 'm=userptr', header);
    expect(t64.code, t64.stderr).toBe(0);
    expect(t64.stdout).toMatch(/static_assert\(sizeof\(struct compat_v4l2_buffer\) == 76\);/);
    expect(t64.stdout).toMatch(/CAMDRV_QBUF_32 == 0xc04c4d01U/);
  });
});
