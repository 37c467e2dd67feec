/**
 * `ioctl32 gen c` against the outside world:
 *  - every UAPI header with ioctls that need conversion on x86_64 <- i386 (as `check` finds
 *    them) gets its compat code generated, and the code builds as an out-of-tree module against
 *    Debian's linux-headers-amd64, with its static_asserts of every compat struct's size,
 *    alignment and member offsets and every compat number. A header whose kernel view differs
 *    from user space's (`#ifdef __KERNEL__`) is found by building the code's own native checks
 *    first, and named;
 *  - the generated handler, built in user space over a shim of the kernel's compat helpers and
 *    handed the 64-bit process's answer from the real kernel, writes the bytes the i386 process
 *    got from the real kernel's own compat layer;
 *  - a random driver header's code builds as a module, and its handlers convert as the thunk
 *    does; on every other compat pair it compiles for the native ABI with its layout asserts
 *    holding; a union chosen by a selector annotation converts as the thunk's.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { compatPairs, getAbi } from '../src/abi/index.js';
import type { Abi } from '../src/abi/types.js';
import { generateCompatC, type GeneratedC } from '../src/codegen/c.js';
import { check } from '../src/compat/check.js';
import { parseAnnotations } from '../src/compat/annotations.js';
import { dumpHeaders } from '../src/scan/dump.js';
import { compileConverter } from '../src/thunk/compile.js';
import { captureKernel, type CaseResult } from './harness/kernel.js';
import { buildModule, kernelBuildDir } from './harness/kbuild.js';
import { compileObject, crossIncludes } from './harness/compile.js';

const x86 = getAbi('x86_64');
const i386 = getAbi('i386');
const pair = { native: x86, compat: i386 };
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('generated compat code builds as a kernel module (linux-headers-amd64)', () => {
  test('every UAPI header with ioctls that need work on x86_64 <- i386', () => {
    const kdir = kernelBuildDir();
    if (!kdir)
      throw new Error('no /usr/src/linux-headers-*-amd64: install linux-headers-amd64 (scripts/install-toolchains.sh)');
    // the headers check finds work in, on this machine's UAPI set (the kernel headers' own version)
    const report = check({ pairs: [pair], scan: {}, lint: false });
    const headers = Object.keys(report.summary.needsWork['x86_64:i386']!).sort();
    expect(headers.length).toBeGreaterThan(40);
    const gens = new Map<string, { file: string; g: GeneratedC }>();
    let converted = 0;
    for (const h of headers) {
      const id = h.replace(/[^A-Za-z0-9]/g, '_');
      // distinct names per header: they share one module; the kernel's own headers define compat_* twins of some
      // UAPI structs
      const g = generateCompatC({ pair, scan: { headers: [h] }, prefix: `g_${id}`, twinPrefix: `g32_${id}_` });
      converted += g.ioctls.filter((x) => x.handling === 'converted').length;
      gens.set(h, { file: `g_${id}.c`, g });
    }
    // what the code assumes of the native side, alone: the kernel's view of the header may differ
    const probe = buildModule(
      kdir,
      mkdtempSync(join(tmpdir(), 'ioctl32-kprobe-')),
      Object.fromEntries([...gens.values()].map(({ file, g }) => [file, g.checks])),
    );
    const kernelView = [...gens].filter(([, { file }]) => !probe.built.has(file));
    const usable = [...gens].filter(([, { file }]) => probe.built.has(file));
    const stubs = usable.map(
      ([, { file }]) =>
        `long ${file.replace(/\.c$/, '')}_ioctl_kernel(struct file *file, unsigned int cmd, void *karg) ` +
        '{ return -ENOTTY; }',
    );
    const files: Record<string, string> = Object.fromEntries(usable.map(([, { file, g }]) => [file, g.source]));
    files['stub.c'] = `#include <linux/module.h>\n#include <linux/fs.h>\n${stubs.join('\n')}\nMODULE_LICENSE("GPL");\n`;
    const full = buildModule(kdir, mkdtempSync(join(tmpdir(), 'ioctl32-kbuild-')), files);
    const records = usable.reduce((k, [, { g }]) => k + g.records.length, 0);
    console.log(
      `gen c x86_64 <- i386: ${gens.size} headers, ${converted} ioctls converted; ` +
        `${usable.length} built against ${kdir} (${records} compat records asserted); ` +
        `${kernelView.length} whose kernel view differs: ` +
        kernelView
          .map(
            ([h, { file }]) =>
              `${h} (` +
              (probe.diagnostics.get(file)?.[0] ??
                [...probe.diagnostics.values()].flat().find((l) => l.includes(h)) ??
                'see the build output') +
              ')',
          )
          .join('; '),
    );
    const failures = usable
      .filter(([, { file }]) => !full.built.has(file))
      .map(([h, { file }]) => `${h}: ${(full.diagnostics.get(file) ?? []).slice(0, 3).join(' | ')}`);
    expect(failures, full.output.slice(-3000)).toEqual([]);
    // not a warning in the generated code either
    expect([...full.diagnostics].filter(([f]) => f.endsWith('.c'))).toEqual([]);
    expect(usable.length).toBeGreaterThan(40);
    // only headers whose native checks do not hold in the kernel are left out
    for (const [, { file }] of kernelView) expect(probe.built.has(file)).toBe(false);
  }, 600_000);
});

/** The kernel's compat helpers as plain C: user memory is this process's own (below 4 GiB: -no-pie, static buffers). */
const SHIM = `#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#define __user
#define __packed __attribute__((packed))
#define __aligned(x) __attribute__((aligned(x)))
#define ENOIOCTLCMD 515
typedef int8_t s8; typedef uint8_t u8; typedef int16_t s16; typedef uint16_t u16;
typedef int32_t s32; typedef uint32_t u32; typedef int64_t s64; typedef uint64_t u64;
typedef s32 compat_long_t; typedef u32 compat_ulong_t; typedef u32 compat_uptr_t;
typedef s64 __attribute__((aligned(4))) compat_s64; typedef u64 __attribute__((aligned(4))) compat_u64;
static inline void *compat_ptr(compat_uptr_t p) { return (void *)(uintptr_t)p; }
static inline compat_uptr_t ptr_to_compat(void *p) { return (compat_uptr_t)(uintptr_t)p; }
struct file;
struct file_operations { long (*unlocked_ioctl)(struct file *, unsigned int, unsigned long); };
struct file { const struct file_operations *f_op; };
#define GFP_KERNEL 0
#define kzalloc(n, f) calloc(1, (n))
#define kfree free
#define copy_from_user(to, from, n) (memcpy((to), (from), (n)), 0)
#define copy_to_user(to, from, n) (memcpy((to), (from), (n)), 0)
#define get_user(x, p) ((x) = *(p), 0)
#define put_user(x, p) (*(p) = (x), 0)
`;

/** The generated source with the shim for the kernel headers it starts with. */
function userSpace(g: GeneratedC): string {
  return g.source.replace(
    new RegExp(
      String.raw`#include <linux\/compat\.h>\n#include <linux\/fs\.h>\n#include <linux\/slab\.h>\n` +
        String.raw`#include <linux\/string\.h>\n#include <linux\/uaccess\.h>`,
    ),
    SHIM,
  );
}

/**
 * Runs the generated compat handler for `cmd` in a 64-bit user process: the driver's kernel
 * entry point answers with `native` (what the real kernel gave the 64-bit process), and the
 * handler writes into a buffer that held `before`. Returns the buffer afterwards.
 */
function runHandler(
  g: GeneratedC,
  prefix: string,
  cmd: number,
  native: Uint8Array,
  before: Uint8Array,
): { ret: number; after: Uint8Array } {
  const dir = mkdtempSync(join(tmpdir(), 'ioctl32-gen-'));
  const bytes = (b: Uint8Array) => `{${[...b].join(',') || '0'}}`;
  const main =
    `${userSpace(g)}
static const unsigned char native_answer[] = ${bytes(native)};
long ${prefix}_ioctl_kernel(struct file *file, unsigned int cmd, void *karg) ` +
    `{ memcpy(karg, native_answer, sizeof(native_answer)); return 0; }
static unsigned char user[${before.length}] = ${bytes(before)};
int main(void) {
	long r = ${prefix}_compat_ioctl(NULL, ${cmd}U, (unsigned long)(uintptr_t)user);
	printf("%ld\\n", r);
	for (size_t i = 0; i < sizeof(user); i++) printf("%02x", user[i]);
	printf("\\n");
	return 0;
}
`;
  writeFileSync(join(dir, 'main.c'), main);
  const cc = spawnSync(
    'gcc',
    [
      '-std=gnu11',
      '-O1',
      '-no-pie',
      '-Werror',
      '-Wall',
      '-Wno-unused-function',
      '-o',
      join(dir, 'main'),
      join(dir, 'main.c'),
    ],
    { encoding: 'utf8' },
  );
  if (cc.status !== 0) throw new Error(`the generated code does not build in user space:\n${cc.stderr}`);
  const run = spawnSync(join(dir, 'main'), { encoding: 'utf8' });
  const [ret, after] = run.stdout.trim().split('\n');
  return { ret: Number(ret), after: Uint8Array.from(Buffer.from(after ?? '', 'hex')) };
}

describe("the generated handler does what the kernel's compat layer did", () => {
  let capture: Map<string, { native?: CaseResult; compat?: CaseResult }>;
  beforeAll(async () => {
    capture = await captureKernel();
  }, 600_000);

  const real = (name: string) => {
    const c = capture.get(name);
    if (!c?.native || !c.compat || c.native.skipped || c.compat.skipped)
      throw new Error(`${name} was not captured: ${c?.native?.skipped ?? c?.compat?.skipped ?? 'missing'}`);
    return { native: c.native, compat: c.compat };
  };

  test('LOOP_GET_STATUS: struct loop_info with longs and a 16-bit dev_t on i386', () => {
    const g = generateCompatC({ pair, scan: { headers: ['linux/loop.h'] }, prefix: 'loop' });
    expect(g.ioctls.find((x) => x.name === 'LOOP_GET_STATUS')?.handling).toBe('converted');
    const { native, compat } = real('loop.LOOP_GET_STATUS');
    const out = runHandler(g, 'loop', compat.cmd, native.after, compat.before);
    expect(out.ret).toBe(0);
    // lo_name is each process's own backing file (its own temporary directory): where it is, masked
    const name = dumpHeaders({ abi: i386, headers: ['linux/loop.h'] }).result.records['struct loop_info']!.fields.find(
      (f) => f.path === 'lo_name',
    )!;
    const mask = (b: Uint8Array) => hex(b.map((x, i) => (i >= name.offset && i < name.offset + name.size ? 0 : x)));
    expect(mask(out.after)).toBe(mask(compat.after));
    expect(out.after.subarray(name.offset, name.offset + name.size).some((x) => x !== 0)).toBe(true);
  });

  test('SIOCGIF*: struct ifreq, whose union is 24 bytes natively and 16 on i386, the active member chosen', () => {
    const members: Record<string, string> = {
      SIOCGIFFLAGS: 'ifru_flags',
      SIOCGIFINDEX: 'ifru_ivalue',
      SIOCGIFMTU: 'ifru_mtu',
      SIOCGIFADDR: 'ifru_addr',
      SIOCGIFNETMASK: 'ifru_addr',
      SIOCGIFHWADDR: 'ifru_hwaddr',
      SIOCGIFNAME: 'ifru_ivalue',
    };
    let compared = 0;
    for (const [ioctl, member] of Object.entries(members)) {
      const g = generateCompatC({
        pair,
        scan: { headers: ['linux/if.h', 'linux/sockios.h'] },
        prefix: 'sock',
        members: { ifr_ifru: member },
      });
      expect(g.ioctls.find((x) => x.name === ioctl)?.handling, ioctl).toBe('converted');
      const { native, compat } = real(`sock.${ioctl}`);
      const out = runHandler(g, 'sock', compat.cmd, native.after, compat.before);
      expect(out.ret, ioctl).toBe(0);
      // the kernel converts the whole struct; the union's other bytes are the active member's alone
      const head = 16 + (member === 'ifru_flags' ? 2 : member.endsWith('value') || member === 'ifru_mtu' ? 4 : 16);
      expect(hex(out.after.subarray(0, head)), ioctl).toBe(hex(compat.after.subarray(0, head)));
      compared++;
    }
    expect(compared).toBe(7);
  });
});

const SEED = Number(process.env.IOCTL32_SEED ?? Date.now() % 2 ** 31);

/** A seeded generator (mulberry32): the same header for the same seed. */
function random(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n: number) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n) | 0;
  };
}

const SCALARS = [
  '__u8',
  '__u16',
  '__u32',
  '__u64',
  '__s64',
  'int',
  'long',
  'unsigned long',
  'short',
  '__aligned_u64',
  'char',
  '__s32',
  'unsigned int',
];

/**
 * A driver header of random records: integers of every width, longs, pointers, 8-byte integers
 * (4-aligned on i386), arrays, nested records, anonymous unions (the member to convert named
 * *_pick, or members alike on both ABIs), bitfields, packed records and aligned members; an
 * _IOWR per record.
 */
function driverHeader(seed: number, count: number): string {
  const r = random(seed);
  const out = ['#include <linux/types.h>', '#include <linux/ioctl.h>', ''];
  for (let k = 0; k < count; k++) {
    const members: string[] = [];
    const n = 2 + r(6);
    for (let i = 0; i < n; i++) {
      const name = `m${i}`;
      const kind = r(10);
      const scalar = SCALARS[r(SCALARS.length)]!;
      if (kind < 4) members.push(`${scalar} ${name}${r(20) === 0 ? ' __attribute__((aligned(8)))' : ''};`);
      else if (kind === 4) members.push(`${r(2) ? 'void' : `struct s${r(k + 1)}`} *${name};`);
      else if (kind === 5) members.push(`${scalar} ${name}[${1 + r(4)}];`);
      else if (kind === 6 && k > 0) members.push(`struct s${r(k)} ${name};`);
      else if (kind === 7)
        members.push(`union {\n\t\t${scalar} ${name}_pick;\n\t\t${SCALARS[r(SCALARS.length)]} ${name}_other;\n\t};`);
      else if (kind === 8) members.push(`unsigned int ${name} : ${1 + r(16)};`);
      // members alike on both ABIs: no choice needed, the bytes are copied
      else members.push(`union {\n\t\t__u32 ${name}_a;\n\t\tchar ${name}_b[${1 + r(6)}];\n\t};`);
    }
    out.push(`struct s${k} {\n\t${members.join('\n\t')}\n}${r(10) === 0 ? ' __attribute__((packed))' : ''};`);
    out.push(`#define GEN_IOC_${k} _IOWR('x', ${k}, struct s${k})`, '');
  }
  return out.join('\n');
}

describe('random driver headers: the generated code builds, and converts as the thunk does', () => {
  test(`40 records (seed ${SEED})`, async () => {
    const kdir = kernelBuildDir();
    if (!kdir)
      throw new Error('no /usr/src/linux-headers-*-amd64: install linux-headers-amd64 (scripts/install-toolchains.sh)');
    const dir = mkdtempSync(join(tmpdir(), 'ioctl32-gendrv-'));
    const header = join(dir, 'drv.h');
    writeFileSync(header, driverHeader(SEED, 40));
    const choose = Array.from({ length: 8 }, (_, i) => `m${i}_pick`);
    const g = generateCompatC({ pair, scan: { headers: [header] }, prefix: 'drv', choose });
    // every record converts: nothing here needs a hand
    expect(g.ioctls.filter((x) => x.handling === 'skipped')).toEqual([]);
    const converted = g.ioctls.filter((x) => x.handling === 'converted');
    expect(converted.length).toBeGreaterThan(20);

    // the kernel's compiler: the compat structs' layouts (static_asserts) and the code itself
    const stub =
      '#include <linux/module.h>\n#include <linux/fs.h>\n' +
      'long drv_ioctl_kernel(struct file *file, unsigned int cmd, void *karg) { return -ENOTTY; }\n' +
      'MODULE_LICENSE("GPL");\n';
    const mod = buildModule(kdir, join(dir, 'module'), { 'drv.c': g.source, 'stub.c': stub });
    expect(mod.built.has('drv.c'), `${mod.output.slice(-4000)}\n(header: ${header})`).toBe(true);
    expect([...mod.diagnostics].filter(([f]) => f.endsWith('drv.c'))).toEqual([]);

    // user space: the handler fed a native answer writes what the thunk makes of it
    const n = dumpHeaders({ abi: x86, headers: [header] });
    const c = dumpHeaders({ abi: i386, headers: [header] });
    const r = random(SEED ^ 0x5eed);
    let compared = 0;
    for (const x of converted) {
      const k = Number(x.name.replace('GEN_IOC_', ''));
      const nt = { kind: 'record' as const, decl: n.decls.get(`struct s${k}`)! };
      const ct = { kind: 'record' as const, decl: c.decls.get(`struct s${k}`)! };
      const conv = compileConverter(nt, ct, x86, i386, { choose });
      // a compat value (every one fits the native side), as the 64-bit driver holds it
      const compatIn = Uint8Array.from({ length: conv.compatSize }, () => r(256));
      const native = conv.compatToNative(compatIn);
      const expected = conv.nativeToCompat(native);
      const cmd = c.ioctls.get(x.name)!.cmd;
      const out = runHandler(g, 'drv', cmd, native, new Uint8Array(conv.compatSize).fill(0xa5));
      expect(out.ret, x.name).toBe(0);
      expect(hex(out.after), `${x.name} (seed ${SEED}, ${header})`).toBe(hex(expected));
      compared++;
    }
    console.log(
      `gen c on a random driver header (seed ${SEED}): ${converted.length} records converted, ` +
        `built against ${kdir}, ${compared} handlers run in user space and equal to the thunk`,
    );
  }, 600_000);
});

describe('a union another member selects (annotation)', () => {
  test('one case per value, converted as the thunk converts it; another value is -EINVAL for both', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ioctl32-gensel-'));
    const header = join(dir, 'sel.h');
    writeFileSync(
      header,
      '#include <linux/types.h>\n#include <linux/ioctl.h>\n' +
        'struct sel {\n\t__u32 kind;\n\tunion {\n\t\tlong as_long;\n\t\tvoid *as_ptr;\n\t\t__u64 as_u64;\n\t} u;\n' +
        '\t__u64 tail;\n};\n' +
        "#define SEL_IOC _IOWR('s', 1, struct sel)\n",
    );
    const annotations = parseAnnotations(
      JSON.stringify({
        records: {
          'struct sel': {
            u: { kind: 'union', selector: 'kind', cases: { '1': 'as_long', '2': 'as_ptr', '3': 'as_u64' } },
          },
        },
      }),
      'sel.json',
    );
    const g = generateCompatC({ pair, scan: { headers: [header] }, prefix: 'sel', annotations });
    expect(g.ioctls).toEqual([{ name: 'SEL_IOC', verdict: 'convert', handling: 'converted' }]);
    expect(g.source).toContain('switch (from->kind) {');
    const n = dumpHeaders({ abi: x86, headers: [header] });
    const c = dumpHeaders({ abi: i386, headers: [header] });
    const conv = compileConverter(
      { kind: 'record', decl: n.decls.get('struct sel')! },
      { kind: 'record', decl: c.decls.get('struct sel')! },
      x86,
      i386,
      { annotations },
    );
    const cmd = c.ioctls.get('SEL_IOC')!.cmd;
    for (const kind of [1, 2, 3]) {
      const compatIn = new Uint8Array(conv.compatSize);
      const v = new DataView(compatIn.buffer);
      v.setUint32(0, kind, true);
      v.setUint32(4, 0x80000001, true); // negative as a long: sign-extended; as a pointer or __u64: not
      v.setUint32(8, kind === 3 ? 7 : 0, true);
      v.setUint32(12, 0xdeadbeef, true);
      const native = conv.compatToNative(compatIn);
      // the task passes its value in (the handler converts it before the driver answers)
      const out = runHandler(g, 'sel', cmd, native, compatIn);
      expect(out.ret, `kind ${kind}`).toBe(0);
      expect(hex(out.after), `kind ${kind}`).toBe(hex(conv.nativeToCompat(native)));
    }
    const bad = new Uint8Array(conv.compatSize);
    new DataView(bad.buffer).setUint32(0, 7, true);
    expect(() => conv.compatToNative(bad)).toThrow(/EINVAL/);
    // the handler reads the task's value first: -EINVAL before the driver is called
    const native = conv.compatToNative(new Uint8Array(conv.compatSize).fill(0).map((x, i) => (i === 0 ? 1 : x)));
    expect(runHandler(g, 'sel', cmd, native, bad).ret).toBe(-22);
  });
});

/**
 * The kernel's compat types for a native architecture, as plain C (include/asm-generic/compat.h:
 * 32-bit longs and pointers; arch/x86/include/asm/compat.h: compat_s64/compat_u64 4-aligned), and
 * just enough of the kernel's helpers for the generated code to compile. Errno values are any:
 * nothing runs.
 */
function crossShim(native: Abi): string {
  const x86 = native.kernelArch === 'x86';
  return (
    `#define __user
#define __packed __attribute__((packed))
#define __aligned(x) __attribute__((aligned(x)))
#define static_assert _Static_assert
#define offsetof(t, m) __builtin_offsetof(t, m)
#define memcpy __builtin_memcpy
#define memset __builtin_memset
#define EFAULT 14
#define EINVAL 22
#define ENOMEM 12
#define EOVERFLOW 75
#define ENOTTY 25
#define ENOIOCTLCMD 515
typedef signed char s8; typedef unsigned char u8; typedef short s16; typedef unsigned short u16;
typedef int s32; typedef unsigned int u32; typedef long long s64; typedef unsigned long long u64;
typedef s32 compat_long_t; typedef u32 compat_ulong_t; typedef u32 compat_uptr_t;
typedef s64${x86 ? ' __attribute__((aligned(4)))' : ''} compat_s64; ` +
    `typedef u64${x86 ? ' __attribute__((aligned(4)))' : ''} compat_u64;
static inline void *compat_ptr(compat_uptr_t p) { return (void *)(unsigned long)p; }
static inline compat_uptr_t ptr_to_compat(void *p) { return (compat_uptr_t)(unsigned long)p; }
struct file;
struct file_operations { long (*unlocked_ioctl)(struct file *, unsigned int, unsigned long); };
struct file { const struct file_operations *f_op; };
#define GFP_KERNEL 0
void *kzalloc(unsigned long n, int flags);
void kfree(const void *p);
#define copy_from_user(to, from, n) (memcpy((to), (from), (n)), 0)
#define copy_to_user(to, from, n) (memcpy((to), (from), (n)), 0)
#define get_user(x, p) ((x) = *(p), 0)
#define put_user(x, p) (*(p) = (x), 0)
`
  );
}

describe(
  'every compat pair: the generated code compiles for the native ABI, ' +
    'its compat structs as the compat ABI lays them out',
  () => {
    for (const { native, compat } of compatPairs()) {
      test(`${native.name} <- ${compat.name} (seed ${SEED})`, async () => {
        const dir = mkdtempSync(join(tmpdir(), 'ioctl32-genpair-'));
        const header = join(dir, 'drv.h');
        writeFileSync(header, driverHeader(SEED, 40));
        const choose = Array.from({ length: 8 }, (_, i) => `m${i}_pick`);
        const g = generateCompatC({
          pair: { native, compat },
          scan: { headers: [header] },
          scanFor: (abi) => ({ sysroot: `/usr/${abi.headerTriple}` }),
          prefix: 'drv',
          choose,
        });
        expect(g.ioctls.filter((x) => x.handling === 'skipped')).toEqual([]);
        const converted = g.ioctls.filter((x) => x.handling === 'converted').length;
        expect(converted).toBeGreaterThan(10);
        const source = g.source.replace(
          new RegExp(
            String.raw`#include <linux\/compat\.h>\n#include <linux\/fs\.h>\n#include <linux\/slab\.h>\n` +
              String.raw`#include <linux\/string\.h>\n#include <linux\/uaccess\.h>`,
          ),
          crossShim(native),
        );
        // the static_asserts of every compat struct and of the native sizes and numbers must hold
        await compileObject(native, source, crossIncludes(native), { cache: false });
      }, 120_000);
    }
  },
);
