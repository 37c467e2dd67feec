/** The CLI as users run it: the built bin, its output shapes and exit codes. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { ABI_NAMES } from '../src/abi/index.js';

const run = promisify(execFile);
const BIN = 'dist/cli/main.cjs';

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', [BIN, ...args]);
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('ioctl32 abis', () => {
  test('--json has CONTRACT.md shape for every ABI', async () => {
    const r = await cli('abis', '--json');
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(rows.map((x) => x.name)).toEqual([...ABI_NAMES]);
    const i386 = rows.find((x) => x.name === 'i386')!;
    expect(i386).toMatchObject({
      endian: 'little',
      bits: 32,
      triple: 'i686-linux-gnu',
      sizes: { char: 1, short: 2, int: 4, long: 4, longLong: 8, pointer: 4, float: 4, double: 8, longDouble: 12 },
      aligns: { longLong: 4, double: 4 },
      ioc: { sizeBits: 14, dirBits: 2, none: 0, write: 1, read: 2 },
      compat: [],
    });
    // a flavour right after its base (i386+t64: 64-bit time_t)
    expect(rows.find((x) => x.name === 'x86_64')!.compat).toEqual(['i386', 'i386+t64', 'x32']);
  });
  test('text lists every ABI and the compat pairs', async () => {
    const r = await cli('abis');
    expect(r.code).toBe(0);
    // a flavour's name has a '+' (i386+t64)
    for (const name of ABI_NAMES) expect(r.stdout).toMatch(new RegExp(`^${name.replace('+', '\\+')} `, 'm'));
    expect(r.stdout).toMatch(/s390x <- s390 .*& 0x7fffffff/);
  });
});

describe('ioctl32 decode', () => {
  test('text per ABI', async () => {
    const r = await cli('decode', '0xc00c5404');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/i386\s+rw\s+'T' 0x54\s+4\s+12/);
    const rows = r.stdout.split('\n').filter((l) => /^\s+[\w+]+\s+(rw|r|w|none|\?)/.test(l));
    expect(rows).toHaveLength(ABI_NAMES.length);
  });
  test('--json --abi', async () => {
    const r = await cli('decode', '0xc00c5404', '3222033412', '--abi', 'i386', '--json');
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ abi: 'i386', cmd: 3222033412, dir: 'rw', type: 84, nr: 4, size: 12, names: [] });
  });
  test('a legacy number has no valid direction on ppc', async () => {
    const r = await cli('decode', '0x8912', '--abi', 'ppc', '--json');
    expect(JSON.parse(r.stdout)[0]).toMatchObject({ dir: null, dirBits: 0, type: 0x89, nr: 0x12 });
  });
  test.each([['0xzz'], ['-5'], ['0x1ffffffff'], ['']])('malformed number %j exits 2 with a message', async (arg) => {
    const r = await cli('decode', arg);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not an ioctl command number/);
  });
  test('unknown ABI and unknown command exit 2', async () => {
    expect((await cli('decode', '1', '--abi', 'pdp11')).stderr).toMatch(/unknown ABI 'pdp11'/);
    expect((await cli('decode', '1', '--abi', 'pdp11')).code).toBe(2);
    expect((await cli('frobnicate')).code).toBe(2);
  });
});

describe('names from the catalogue, and explain', () => {
  test('decode names the ioctls a number is on each ABI', async () => {
    const r = await cli('decode', '0x4010ae42', '--abi', 'x86_64,i386', '--json');
    expect(r.code).toBe(0);
    for (const row of JSON.parse(r.stdout)) expect(row.names).toContain('KVM_GET_DIRTY_LOG');
  });
  test('explain: the current format, a compat number that differs from the native one', async () => {
    // the i386 number of VIDIOC_QUERYBUF (struct v4l2_buffer: 68 bytes there, 88 on x86_64)
    const r = await cli(
      'explain',
      "ioctl32(cam:42): Unknown cmd fd(7) cmd(c0445609){t:'V';sz:68} arg(08049000) on /dev/video0",
      '--json',
    );
    expect(r.code).toBe(0);
    const e = JSON.parse(r.stdout);
    expect(e.line).toMatchObject({
      format: 'ioctl32',
      program: 'cam',
      pid: 42,
      fd: 7,
      cmd: 0xc0445609,
      size: 68,
      path: '/dev/video0',
    });
    const i386 = e.candidates.find((c: { abi: string }) => c.abi === 'i386');
    expect(i386.decoded).toMatchObject({ dir: 'rw', type: 0x56, nr: 9, size: 68 });
    expect(i386.names).toContainEqual(expect.objectContaining({ name: 'VIDIOC_QUERYBUF' }));
    expect(i386.names.find((n: { name: string }) => n.name === 'VIDIOC_QUERYBUF').nativeCmd).not.toBe(0xc0445609);
  });
  test('explain: the 2002 format; a line that is neither exits 2', async () => {
    const r = await cli('explain', 'sys32_ioctl(prog:77): Unknown cmd fd(3) cmd(00004c03) arg(08049000)', '--json');
    expect(JSON.parse(r.stdout).line).toMatchObject({
      format: 'sys32_ioctl',
      program: 'prog',
      pid: 77,
      fd: 3,
      cmd: 0x4c03,
      arg: 0x08049000,
    });
    const bad = await cli('explain', 'kernel: hello');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not a compat ioctl log line/);
  });
});

describe('ioctl32 layout', () => {
  test('pahole-style columns per ABI: holes, sizes, and the members that differ', async () => {
    const r = await cli('layout', 'test/fixtures/lint/implicit-padding.h', 'ip_hole', '--abi', 'x86_64,i386,m68k');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^struct ip_hole \{\s+\/\* x86_64 \*\/\s+\/\* i386 \*\/\s+\/\* m68k \*\//);
    expect(lines.find((l) => l.includes('XXX hole'))).toMatch(/XXX 3 bytes hole.*XXX 3 bytes hole.*XXX 1 byte hole/);
    expect(lines.find((l) => l.includes('__u32 b;'))).toMatch(/4\s+4 \*\/.*4\s+4 \*\/.*2\s+4 \*\/.*<-- differs/);
    expect(lines.find((l) => l.includes('size, align'))).toMatch(/size: 8, align: 4.*size: 6, align: 2.*<-- differs/);
  });
  test('a record no ABI has is a usage error, exit 2', async () => {
    const r = await cli('layout', 'test/fixtures/lint/implicit-padding.h', 'nope', '--abi', 'x86_64');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no such record: nope/);
  });
});

describe('ioctl32 gen c', () => {
  test(
    "a driver's compat layer for linux/loop.h; what it cannot handle goes to stderr; " + 'bad input exits 2',
    async () => {
      const r = await cli('gen', 'c', '--pair', 'x86_64:i386', 'linux/loop.h');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('struct compat_loop_info {');
      expect(r.stdout).toContain('static_assert(sizeof(struct compat_loop_info) == 140);');
      expect(r.stdout).toContain('long loop_compat_ioctl(struct file *file, unsigned int cmd, unsigned long arg)');
      const sock = await cli('gen', 'c', '--pair', 'x86_64:i386', 'linux/if.h', 'linux/sockios.h');
      // ioctls left out (a union with no --member choice): the code for the rest, and exit 1
      expect(sock.code).toBe(1);
      expect(sock.stdout).toContain('long if_compat_ioctl(');
      expect(sock.stderr).toMatch(
        new RegExp(
          String.raw`SIOCGIFFLAGS \(convert\) not handled for i386 tasks: union 'ifr_ifru' has members that convert differently: ` +
            String.raw`choose one \(--member ifr_ifru=NAME\)`,
        ),
      );
      const chosen = await cli(
        'gen',
        'c',
        '--pair',
        'x86_64:i386',
        '--member',
        'ifr_ifru=ifru_flags',
        'linux/if.h',
        'linux/sockios.h',
      );
      expect(chosen.stdout).toContain('to->ifr_ifru.ifru_flags = from->ifr_ifru.ifru_flags;');
      expect((await cli('gen', 'rust', 'linux/loop.h')).code).toBe(2);
      expect((await cli('gen', 'c', '--pair', 'x86_64:arm', 'linux/loop.h')).code).toBe(2);
      // every compat ABI of the kernel by default: i386 and x32 tasks, told apart as the kernel does
      const both = await cli('gen', 'c', '--arch', 'x86_64', 'linux/loop.h');
      expect(both.code).toBe(0);
      expect(both.stdout).toContain('struct compat_x32_loop_info {');
      expect(both.stdout).toMatch(/if \(in_x32_syscall\(\)\)\n\t\treturn loop_x32_compat_ioctl\(file, cmd, arg\);/);
      expect(both.stdout).toContain('return loop_i386_compat_ioctl(file, cmd, arg);');
    },
  );
});
