/**
 * `ioctl32 gen c` against the outside world:
 *  - the generated handler, built in user space over a shim of the kernel's compat helpers and
 *    handed the 64-bit process's answer from the real kernel, writes the bytes the i386 process
 *    got from the real kernel's own compat layer;
 *  - a random driver header (records, integers declared long, pointer-typed macros, value
 *    arguments, flexible arrays, array arguments, macros whose direction the kernel does not follow,
 *    structs i386 and x32 lay out differently, a second name of a served number) gets one file
 *    serving i386 and x32 tasks. It builds as a module (W=1, -Werror), its cases the numbers gcc
 *    gives the tasks; run in user space, every number each task sends (as gcc -m32 and -mx32 make
 *    it) reaches its case, and the driver gets what the kernel would pass it, the bytes the thunk
 *    computes, copied only the ways the kernel copies them;
 *  - on every other compat pair the code compiles for the native ABI with its layout asserts
 *    holding (mips64's o32 and n32 tasks in one file); a union chosen by a selector annotation
 *    converts as the thunk's.
 * Every UAPI header's module build is test/codegen-uapi.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { compatPairs, getAbi } from '../src/abi/index.js';
import type { Abi } from '../src/abi/types.js';
import { stripTypedefs, type CType } from '../src/cfront/types.js';
import type { Layouter } from '../src/layout/layout.js';
import { generateCompatC, type GeneratedC, type GeneratedIoctl } from '../src/codegen/c.js';
import { parseAnnotations, type Annotations } from '../src/compat/annotations.js';
import { dumpHeaders, type Dumped } from '../src/scan/dump.js';
import { ioctlThunk } from '../src/thunk/ioctl.js';
import { compileConverter, type CompileOptions, type Converter, type Memory } from '../src/thunk/compile.js';
import { captureKernel, type CaseResult } from './harness/kernel.js';
import { buildModule, kernelBuildDir } from './harness/kbuild.js';
import { compileObject, crossIncludes } from './harness/compile.js';
import { readElf, u32Array } from './harness/elf.js';

const x86 = getAbi('x86_64');
const i386 = getAbi('i386');
const x32 = getAbi('x32');
const pair = { native: x86, compat: i386 };
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));

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
#define noinline_for_stack __attribute__((noinline))
#define ENOIOCTLCMD 515
typedef int8_t s8; typedef uint8_t u8; typedef int16_t s16; typedef uint16_t u16;
typedef int32_t s32; typedef uint32_t u32; typedef int64_t s64; typedef uint64_t u64;
typedef s32 compat_long_t; typedef u32 compat_ulong_t; typedef u32 compat_uptr_t;
typedef s64 __attribute__((aligned(4))) compat_s64; typedef u64 __attribute__((aligned(4))) compat_u64;
/*
 * compat_ptr() sets the bits of compat_mark (the test sets them) and the user accessors insist on
 * them: an address that reached user memory without compat_ptr() fails, and what the driver gets
 * tells compat_ptr(arg) from arg as it came.
 */
static uintptr_t compat_mark;
static inline void *compat_ptr(compat_uptr_t p) { return (void *)((uintptr_t)p | compat_mark); }
static inline compat_uptr_t ptr_to_compat(void *p) { return (compat_uptr_t)(uintptr_t)p; }
static inline void *user_address(const void *p)
{
	assert(((uintptr_t)p & compat_mark) == compat_mark);
	return (void *)((uintptr_t)p & ~compat_mark);
}
/* which compat ABI the task is of (arch/x86/include/asm/compat.h): the test says */
static int task_is_x32;
static inline int in_x32_syscall(void) { return task_is_x32; }
static inline int in_ia32_syscall(void) { return !task_is_x32; }
struct file;
struct file_operations { long (*unlocked_ioctl)(struct file *, unsigned int, unsigned long); };
struct file { const struct file_operations *f_op; };
#define GFP_KERNEL 0
#define kzalloc(n, f) calloc(1, (n))
#define kfree free
#define copy_from_user(to, from, n) (memcpy((to), user_address(from), (n)), 0)
#define copy_to_user(to, from, n) (memcpy(user_address(to), (from), (n)), 0)
#define get_user(x, p) ((x) = *(__typeof__(p))user_address(p), 0)
#define put_user(x, p) (*(__typeof__(p))user_address(p) = (x), 0)
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

/** `text` as a header of its own, `name` in a fresh directory: its path. */
function headerFile(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'ioctl32-genh-')), name);
  writeFileSync(file, text);
  return file;
}

/** The thunk of `record` (x86_64 <- i386) as both ABIs read the header, and the i386 reading (its numbers). */
function thunkOf(file: string, record: string, opts?: CompileOptions): { compat: Dumped; conv: Converter } {
  const [n, c] = [dumpHeaders({ abi: x86, headers: [file] }), dumpHeaders({ abi: i386, headers: [file] })];
  const t = (d: Dumped) => ({ kind: 'record', decl: d.decls.get(record)! }) as const;
  return { compat: c, conv: compileConverter(t(n), t(c), x86, i386, opts) };
}

/** `n` bytes of a linear congruential sequence from `seed`: the same on every run. */
function noise(n: number, seed: number): Uint8Array {
  let s = seed;
  return new Uint8Array(n).map(() => (s = (s * 1103515245 + 12345) >>> 0) >>> 24);
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

  // these builds are user space's, its headers both sides (kernelTree: null), as the capture's programs were
  const real = (name: string) => {
    const c = capture.get(name);
    if (!c?.native || !c.compat || c.native.skipped || c.compat.skipped)
      throw new Error(`${name} was not captured: ${c?.native?.skipped ?? c?.compat?.skipped ?? 'missing'}`);
    return { native: c.native, compat: c.compat };
  };

  test('LOOP_GET_STATUS: struct loop_info with longs and a 16-bit dev_t on i386', () => {
    const g = generateCompatC({ pair, scan: { headers: ['linux/loop.h'], kernelTree: null }, prefix: 'loop' });
    expect(g.ioctls.find((x) => x.name === 'LOOP_GET_STATUS')?.handling).toBe('converted');
    const { native, compat } = real('loop.LOOP_GET_STATUS');
    const out = runHandler(g, 'loop', compat.cmd, native.after, compat.before);
    expect(out.ret).toBe(0);
    // lo_name and lo_inode are each process's own backing file (its own temporary directory): masked here,
    // lo_inode checked against the 64-bit answer it was converted from (unsigned long, narrowed to 32 bits)
    const fields = dumpHeaders({ abi: i386, headers: ['linux/loop.h'] }).result.records['struct loop_info']!.fields;
    const nativeFields = dumpHeaders({ abi: x86, headers: ['linux/loop.h'] }).result.records['struct loop_info']!
      .fields;
    const name = fields.find((f) => f.path === 'lo_name')!;
    const inode = fields.find((f) => f.path === 'lo_inode')!;
    const nativeInode = nativeFields.find((f) => f.path === 'lo_inode')!;
    const masked = [name, inode];
    const mask = (b: Uint8Array) =>
      hex(b.map((x, i) => (masked.some((f) => i >= f.offset && i < f.offset + f.size) ? 0 : x)));
    expect(mask(out.after)).toBe(mask(compat.after));
    expect(out.after.subarray(name.offset, name.offset + name.size).some((x) => x !== 0)).toBe(true);
    const u64 = new DataView(native.after.buffer, native.after.byteOffset).getBigUint64(nativeInode.offset, true);
    const u32 = new DataView(out.after.buffer, out.after.byteOffset).getUint32(inode.offset, true);
    expect(BigInt(u32)).toBe(u64);
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
        scan: { headers: ['linux/if.h', 'linux/sockios.h'], kernelTree: null },
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

/** Types alike on every ABI the tests run: a record of them is the same on both sides. */
const ALIKE = ['__u8', '__u16', '__u32', '__s32', 'int', 'char', 'unsigned short', 'unsigned int'];

/** The macros of the directions, in _IOC's terms (the task's view: "w" the kernel reads). */
const MACRO = { r: '_IOR', w: '_IOW', rw: '_IOWR' } as const;
type Dir = keyof typeof MACRO;

/** What the test knows of an ioctl of a random driver header, by construction. */
interface DriverIoctl {
  name: string;
  /**
   * record, scalar: an argument in memory to convert (or to pass, where both ABIs lay it out
   * alike); flex: a record ending in a flexible array whose count is its first member, `count`;
   * renumbered: the same layout under another number (an int copied where the macro says long, a
   * pointer-typed macro); value: the argument is the value itself; array: an array of `length`
   * records or integers; alias: an argument the generator cannot convert whose compat number is that
   * of `of`, whose case serves it.
   */
  kind: 'record' | 'scalar' | 'flex' | 'renumbered' | 'value' | 'array' | 'alias';
  /** The macro's direction. */
  dir: Dir | null;
  /** The direction the kernel copies in: an annotation's where it says otherwise, else the macro's. */
  access: Dir | null;
  /** An array argument's number of elements. */
  length?: number;
  /** The ioctl whose case serves an alias. */
  of?: string;
}

interface DriverHeader {
  text: string;
  annotations: Annotations;
  ioctls: DriverIoctl[];
}

/**
 * A driver header of random records: integers of every width, longs, pointers, 8-byte integers
 * (4-aligned on i386), arrays, nested records, anonymous unions (the member to convert named
 * *_pick, or members alike on both ABIs), bitfields, packed records and aligned members; an ioctl
 * per record in a random direction, some annotated with the direction the kernel really copies.
 * Then what a driver has besides: records i386 and x32 lay out differently (a __u64 after a __u32,
 * a long after them), pointer-typed macros of records alike on both ABIs, longs the kernel copies
 * as ints, integers of other widths, value arguments, flexible arrays of records and of
 * integers and pointers, with their count annotated, arrays of records (random ones, ones that
 * differ, ones alike) and of integers and pointers as the argument, and a second name of a number
 * whose argument the generator cannot convert.
 */
function driverHeader(seed: number, count: number): DriverHeader {
  const r = random(seed);
  const pick = <T>(list: readonly T[]): T => list[r(list.length)]!;
  const out = ['#include <linux/types.h>', '#include <linux/ioctl.h>', ''];
  const ioctls: DriverIoctl[] = [];
  const records: Record<string, Record<string, unknown>> = {};
  const annotated: Record<string, Record<string, unknown>> = {};
  /** An ioctl of a record or scalar, `access` annotated where it is not the macro's direction. */
  const define = (name: string, kind: DriverIoctl['kind'], dirs: Dir | [Dir, Dir], type: string, arg: string) => {
    const [dir, access] = typeof dirs === 'string' ? [dirs, dirs] : dirs;
    out.push(`#define ${name} ${MACRO[dir]}(${type}, ${arg})`, '');
    if (access !== dir) annotated[name] = { access };
    ioctls.push({ name, kind, dir, access });
  };
  /** A macro whose direction the kernel follows, or one it does not (USBDEVFS_DISCSIGNAL). */
  const direction = (): [Dir, Dir] => {
    const dir = pick<Dir>(['rw', 'rw', 'r', 'w']);
    return [dir, dir !== 'rw' && r(2) ? (dir === 'r' ? 'w' : 'r') : dir];
  };
  /** Records whose alignment an aligned attribute sets, in them or in a record they hold. */
  const explicit = new Set<number>();
  for (let k = 0; k < count; k++) {
    const members: string[] = [];
    const n = 2 + r(6);
    const attribute = ['__attribute__((packed))', '__attribute__((aligned))'][r(10)];
    // a packed record holds none of them: gcc's packed-not-aligned, which W=1 turns on, is the header's fault
    const held = Array.from({ length: k }, (_, j) => j).filter(
      (j) => !attribute?.includes('packed') || !explicit.has(j),
    );
    if (attribute?.includes('aligned')) explicit.add(k);
    for (let i = 0; i < n; i++) {
      const name = `m${i}`;
      const kind = r(10);
      const scalar = pick(SCALARS);
      // a bare aligned is the ABI's biggest alignment: 8 on arm, sparc, parisc, 16 natively
      const aligned = ['__attribute__((aligned(8)))', '__attribute__((aligned))'][r(20)];
      if (aligned) explicit.add(k);
      if (kind < 4) members.push(`${scalar} ${name}${aligned ? ` ${aligned}` : ''};`);
      else if (kind === 4) members.push(`${r(2) ? 'void' : `struct s${r(k + 1)}`} *${name};`);
      else if (kind === 5) members.push(`${scalar} ${name}[${1 + r(4)}];`);
      else if (kind === 6 && held.length) {
        const j = held[r(held.length)]!;
        if (explicit.has(j)) explicit.add(k);
        members.push(`struct s${j} ${name};`);
      } else if (kind === 7)
        members.push(`union {\n\t\t${scalar} ${name}_pick;\n\t\t${pick(SCALARS)} ${name}_other;\n\t};`);
      else if (kind === 8) members.push(`unsigned int ${name} : ${1 + r(16)};`);
      // members alike on both ABIs: no choice needed, the bytes are copied
      else members.push(`union {\n\t\t__u32 ${name}_a;\n\t\tchar ${name}_b[${1 + r(6)}];\n\t};`);
    }
    out.push(`struct s${k} {\n\t${members.join('\n\t')}\n}${attribute ? ` ${attribute}` : ''};`);
    define(`GEN_IOC_${k}`, 'record', direction(), "'x'", `${k}, struct s${k}`);
  }
  let nr = 0;
  const y = () => `'y', ${nr++}`;
  // i386 and x32 differ: the u64 is 4-aligned on i386 only; the long is 4 bytes on both, the u64 moves on i386 only
  out.push(
    'struct x0 {\n\t__u32 a;\n\t__u64 b;\n};',
    'struct x1 {\n\t__u32 a;\n\t__u64 b;\n\tlong c;\n};',
    `struct x2 {\n\t${pick(SCALARS)} a;\n\t__s64 b;\n\tunsigned long c[2];\n\t__u32 d;\n};`,
    '',
  );
  define('GEN_X_0', 'record', 'rw', y(), 'struct x0');
  define('GEN_X_1', 'record', 'rw', y(), 'struct x1');
  define('GEN_X_2', 'record', direction(), y(), 'struct x2');
  // macros that lie about the direction, on a record that converts for both tasks
  define('GEN_X_R', 'record', ['r', 'w'], y(), 'struct x1');
  define('GEN_X_W', 'record', ['w', 'r'], y(), 'struct x1');
  // pointer-typed macros: the number encodes a pointer's size, the record is alike on both ABIs
  for (let i = 0; i < 3; i++) {
    const members = Array.from({ length: 1 + r(4) }, (_, j) => `${pick(ALIKE)} a${j}${r(3) ? '' : `[${1 + r(3)}]`};`);
    out.push(`struct p${i} {\n\t${members.join('\n\t')}\n};`);
    define(`GEN_PTR_${i}`, 'renumbered', pick<Dir>(['r', 'w', 'rw']), y(), `struct p${i} *`);
  }
  // declared long, copied as an int (FS_IOC_GETVERSION)
  for (let i = 0; i < 3; i++) {
    const [decl, arg] = pick([
      ['long', 'int'],
      ['unsigned long', '__u32'],
      ['long', 'unsigned int'],
    ] as const);
    define(`GEN_INT_${i}`, 'renumbered', pick<Dir>(['r', 'w', 'rw']), y(), decl);
    annotated[`GEN_INT_${i}`] = { arg };
  }
  // integers of another width in memory, some copied in a direction the macro does not say
  // (the first a long: x32's __kernel_long_t is 8 bytes, so that task needs one long to convert)
  for (let i = 0; i < 4; i++)
    define(`GEN_SCL_${i}`, 'scalar', direction(), y(), i ? pick(['long', 'unsigned long', '__kernel_long_t']) : 'long');
  // the argument is the value: the same number, another number (a long), and _IO
  for (const [i, type] of ['int', 'long', 'unsigned long'].entries()) {
    define(`GEN_VAL_${i}`, 'value', pick<Dir>(['r', 'w']), y(), type);
    annotated[`GEN_VAL_${i}`] = { value: true };
    ioctls.at(-1)!.access = null;
  }
  out.push(`#define GEN_VAL_3 _IO(${y()})`, '');
  ioctls.push({ name: 'GEN_VAL_3', kind: 'value', dir: null, access: null });
  // flexible arrays with their count: of records that differ, of random records, of integers and pointers
  const elements = ['struct x0', 'struct x1', `struct s${r(count)}`, 'long', 'unsigned long', 'void *', '__u64'];
  for (let i = 0; i < 7; i++) {
    const extra = Array.from({ length: r(3) }, (_, j) => `${pick(SCALARS)} h${j};`);
    const elem = i < elements.length ? elements[i]! : pick(elements);
    const el = elem.endsWith('*') ? `${elem}el[]` : `${elem} el[]`;
    out.push(`struct f${i} {\n\t${['__u32 count;', ...extra, `${el};`].join('\n\t')}\n};`);
    records[`struct f${i}`] = { el: { kind: 'flex-array', count: 'count' } };
    define(`GEN_FLEX_${i}`, 'flex', (['rw', 'r', 'w'] as const)[i % 3]!, y(), `struct f${i}`);
  }
  // array arguments, element by element: of random records, of records that differ on both tasks and of ones
  // alike, of integers and pointers
  const arrays = [
    `struct s${r(count)}`,
    `struct s${r(count)}`,
    'struct x1',
    `struct p${r(3)}`,
    'unsigned long',
    'long',
    'void *',
  ];
  arrays.push(pick([`struct s${r(count)}`, 'struct x0', '__u64', 'int', 'unsigned long']));
  // the arrays that convert for both tasks (x1, integers, pointers) are copied in, out and both ways, in a random
  // order, some by macros that say otherwise
  const lies: Array<[Dir, Dir]> = [
    ['r', 'r'],
    ['w', 'w'],
    ['r', 'w'],
    ['w', 'r'],
  ];
  const ways: Array<[Dir, Dir]> = [['rw', 'rw'], ...[0, 1, 2].map(() => lies.splice(r(lies.length), 1)[0]!)];
  const sure = new Map([2, 4, 5, 6].map((at) => [at, ways.splice(r(ways.length), 1)[0]!]));
  for (const [i, elem] of arrays.entries()) {
    const length = 2 + r(3);
    define(`GEN_ARR_${i}`, 'array', sure.get(i) ?? direction(), y(), `${elem}[${length}]`);
    ioctls.at(-1)!.length = length;
  }
  // two names of one compat number: GEN_ALIAS_U's union has members that convert differently (none chosen), but
  // its compat size is GEN_ALIAS_K's on every 32-bit ABI (a __u64 4-aligned on i386, 8 elsewhere; a long of 4
  // bytes), so its task sends GEN_ALIAS_K's number; natively it is larger, another number
  const [served, tail] = pick([
    ['struct x0', ''],
    ['struct x1', '\n\tlong c;'],
  ] as const);
  const alias = y();
  const aliasDirs = direction();
  define('GEN_ALIAS_K', 'record', aliasDirs, alias, served);
  out.push(`struct u0 {\n\t__u32 a;\n\tunion {\n\t\t__u64 q;\n\t\tlong l[2];\n\t} v;${tail}\n};`);
  out.push(`#define GEN_ALIAS_U ${MACRO[aliasDirs[0]]}(${alias}, struct u0)`, '');
  ioctls.push({ name: 'GEN_ALIAS_U', kind: 'alias', dir: aliasDirs[0], access: aliasDirs[1], of: 'GEN_ALIAS_K' });
  const annotations = parseAnnotations(JSON.stringify({ records, ioctls: annotated }), 'drv.json');
  return { text: out.join('\n'), annotations, ioctls };
}

/** The number each macro has for an ABI, as gcc evaluates it (`-m64`, `-m32`, `-mx32`): read from the object. */
function gccNumbers(flag: string, abi: Abi, header: string, names: readonly string[]): Map<string, number> {
  const dir = mkdtempSync(join(tmpdir(), 'ioctl32-nums-'));
  const lines = names.map((name) => `\t${name},`).join('\n');
  writeFileSync(join(dir, 'nums.c'), `#include "${header}"\nunsigned int nums[] = {\n${lines}\n};\n`);
  const obj = join(dir, 'nums.o');
  const cc = spawnSync('gcc', [flag, ...crossIncludes(abi), '-c', '-o', obj, join(dir, 'nums.c')], {
    encoding: 'utf8',
  });
  if (cc.status !== 0) throw new Error(`gcc ${flag} does not evaluate the macros:\n${cc.stderr}`);
  const values = u32Array(readElf(readFileSync(obj)), 'nums');
  expect(values.length).toBe(names.length);
  return new Map(names.map((name, i) => [name, values[i]!]));
}

/** The most elements of a flexible array the user-space build accepts (the driver's <PREFIX>_FLEX_MAX). */
const FLEX_MAX = 4;
/** What the shim's compat_ptr() sets in an address (compat_mark). */
const MARK = 1n << 40n;
/** compat_ptr() as the shim has it, for the thunk: pointers in the driver's records carry the mark. */
const marked: Memory = {
  read: () => {
    throw new Error('no deep copies here');
  },
  write: () => {
    throw new Error('no deep copies here');
  },
  translate: (a) => a | MARK,
  untranslate: (a) => a & ~MARK,
};
const ENOIOCTLCMD = 515;
const EIO = 5;
const EINVAL = 22;

/**
 * The generated file in a 64-bit user process over the shim, with a driver that records what
 * reaches it (its kernel-pointer entry point: the command and the bytes; its unlocked_ioctl: the
 * command and the argument) and answers with the test's bytes. Each line of its input is a call
 * of the .compat_ioctl: `x32 cmd p|v value capacity ret before answer` (hex; `-` is no bytes).
 * The task's buffer ends where an unmapped page begins; the build has ASan and UBSan.
 */
function driverProgram(g: GeneratedC, labels: Array<{ fn: string; label: string }>): string {
  return `#define DRV_FLEX_MAX ${FLEX_MAX}
${userSpace(g)}
#include <sys/mman.h>

static unsigned char answer[1 << 16], seen[1 << 16];
static size_t answer_len, capacity;
/* 1: the driver's kernel-pointer entry point, 2: its unlocked_ioctl */
static int reached;
static unsigned int reached_cmd;
static unsigned long reached_arg;
static long answer_ret;

long drv_ioctl_kernel(struct file *file, unsigned int cmd, void *karg);
long drv_ioctl_kernel(struct file *file, unsigned int cmd, void *karg)
{
	reached = 1;
	reached_cmd = cmd;
	memcpy(seen, karg, capacity);
	memcpy(karg, answer, answer_len < capacity ? answer_len : capacity);
	return answer_ret;
}

static long drv_unlocked_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	reached = 2;
	reached_cmd = cmd;
	reached_arg = arg;
	return answer_ret;
}

static size_t unhex(const char *s, unsigned char *to)
{
	size_t n = 0;

	for (; s[0] != '-' && s[0] && s[1]; s += 2) {
		unsigned int v;

		sscanf(s, "%2x", &v);
		if (to)
			to[n] = (unsigned char)v;
		n++;
	}
	return n;
}

static void puthex(const unsigned char *p, size_t n)
{
	if (!n)
		putchar('-');
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
}

static const struct { const char *fn, *label; unsigned int value; } labels[] = {
${labels.map((l) => `\t{ "${l.fn}", "${l.label}", ${l.label} },`).join('\n')}
};

int main(void)
{
	static char before[1 << 18], reply[1 << 18];
	static const struct file_operations fops = { .unlocked_ioctl = drv_unlocked_ioctl };
	struct file file = { &fops };
	/* the task's memory: below 4 GiB, its buffer ending where an unmapped page begins */
	unsigned char *mem = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	unsigned char *guard = mem + (1 << 20) - 4096;
	int x32;
	unsigned int cmd;
	char kind;
	unsigned long value, cap;
	long ret;

	assert(mem != MAP_FAILED && mprotect(guard, 4096, PROT_NONE) == 0);
	compat_mark = (uintptr_t)1 << 40;
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		printf("label %s %s %x\\n", labels[i].fn, labels[i].label, labels[i].value);
	while (scanf(" %d %x %c %lx %lu %ld %s %s", &x32, &cmd, &kind, &value, &cap, &ret, before, reply) == 8) {
		size_t n = unhex(before, NULL);
		unsigned char *user = guard - n;
		long r;

		unhex(before, user);
		answer_len = unhex(reply, answer);
		capacity = cap;
		answer_ret = ret;
		reached = 0;
		reached_cmd = 0;
		reached_arg = 0;
		task_is_x32 = x32;
		r = drv_compat_ioctl(&file, cmd, kind == 'p' ? (unsigned long)(uintptr_t)user : value);
		printf("%ld %d %x %lx %lx ", r, reached, reached_cmd, reached_arg, (unsigned long)(uintptr_t)user);
		puthex(seen, reached == 1 ? capacity : 0);
		putchar(' ');
		puthex(user, n);
		putchar('\\n');
	}
	return 0;
}
`;
}

/** The case labels of a switch function of the generated file. */
function switchLabels(source: string, fn: string): string[] {
  const start = source.indexOf(`long ${fn}(struct file *file, unsigned int cmd, unsigned long arg)\n{`);
  expect(start, `no ${fn} in the generated file`).toBeGreaterThanOrEqual(0);
  const body = source.slice(start, source.indexOf('\n}\n', start));
  return [...body.matchAll(/^\tcase (\w+):/gm)].map((m) => m[1]!);
}

/** What one call did: its return, what reached the driver, and the task's buffer afterwards. */
interface Outcome {
  ret: number;
  reached: number;
  cmd: number;
  arg: bigint;
  user: bigint;
  seen: string;
  after: string;
}

/** What a call did, the driver's copy read as a driver reads it: its data, not its padding. */
const observed = (o: Outcome, data: Uint8Array) => ({
  ret: o.ret,
  reached: o.reached,
  cmd: o.cmd,
  seen: hex(padded(unhex(o.seen), data)),
  after: o.after,
});

/** A call of the .compat_ioctl and what it must do. */
interface Call {
  what: string;
  x32: boolean;
  cmd: number;
  /** The task's buffer, or (a value argument) the value. */
  arg: Uint8Array | number;
  /** How many bytes the driver reads and writes of its kernel copy. */
  capacity: number;
  answer: Uint8Array;
  ret: number;
  check: (o: Outcome, what: string) => void;
}

function runCalls(binary: string, calls: Call[]): { labels: Array<{ fn: string; label: string; value: number }> } {
  const input = calls
    .map((c) => {
      const [kind, value, before] = typeof c.arg === 'number' ? ['v', c.arg, '-'] : ['p', 0, hex(c.arg) || '-'];
      const cmd = (c.cmd >>> 0).toString(16);
      const answer = hex(c.answer) || '-';
      return `${c.x32 ? 1 : 0} ${cmd} ${kind} ${value.toString(16)} ${c.capacity} ${c.ret} ${before} ${answer}`;
    })
    .join('\n');
  const run = spawnSync(binary, { input, encoding: 'utf8', maxBuffer: 1 << 28 });
  expect(run.status, `${binary} (seed ${SEED}):\n${run.stderr.slice(0, 4000)}`).toBe(0);
  const lines = run.stdout.trim().split('\n');
  const labels = lines
    .filter((l) => l.startsWith('label '))
    .map((l) => {
      const [, fn, label, value] = l.split(' ');
      return { fn: fn!, label: label!, value: parseInt(value!, 16) };
    });
  const results = lines.filter((l) => !l.startsWith('label '));
  expect(results.length, run.stderr.slice(0, 4000)).toBe(calls.length);
  calls.forEach((c, i) => {
    const [ret, reached, cmd, arg, user, seen, after] = results[i]!.split(' ');
    c.check(
      {
        ret: Number(ret),
        reached: Number(reached),
        cmd: parseInt(cmd!, 16),
        arg: BigInt(`0x${arg}`),
        user: BigInt(`0x${user}`),
        seen: seen === '-' ? '' : seen!,
        after: after === '-' ? '' : after!,
      },
      `${c.what} (seed ${SEED})`,
    );
  });
  return { labels };
}

/** Bytes from a generator. */
const randomBytes = (r: (n: number) => number, n: number) => Uint8Array.from({ length: n }, () => r(256));

/** The argument type of an ioctl on one side; of a pointer-typed macro, what it points at. */
function argType(d: Dumped, name: string): CType {
  const t = d.ioctls.get(name)?.argType;
  if (!t) throw new Error(`${name} has no argument type on ${d.result.abi}`);
  const s = stripTypedefs(t);
  return s.kind === 'pointer' ? s.to : t;
}

/**
 * Which bits of a value carry data, by its (little-endian, lsb-first) layout: padding between
 * members, after the last, beside a bitfield and in unnamed bitfields does not. `elements`: how
 * many a record's flexible array holds. Given the union members chosen, a union that has one
 * carries that member's bits alone (the one converted: the others' bytes are undefined).
 */
function dataBits(layouter: Layouter, type: CType, size: number, elements = 0, chosen?: readonly string[]) {
  const mask = new Uint8Array(size);
  const mark = (t: CType, at: number): void => {
    const s = stripTypedefs(t);
    if (s.kind === 'array') {
      const step = layouter.typeLayout(s.of).size;
      for (let i = 0; i < (s.length ?? elements); i++) mark(s.of, at + i * step);
    } else if (s.kind === 'record') {
      const members = layouter.layout(s.decl).members;
      const pick = s.decl.union ? members.find((m) => chosen?.includes(m.member.name ?? '')) : undefined;
      for (const m of pick ? [pick] : members) {
        if (m.member.bitWidth === undefined) mark(m.member.type, at + m.offset);
        else if (m.member.name !== undefined)
          for (let b = m.bitOffset; b < m.bitOffset + m.bits; b++) mask[at + (b >> 3)]! |= 1 << (b & 7);
      }
    } else mask.fill(0xff, at, at + layouter.typeLayout(t).size);
  };
  mark(type, 0);
  return mask;
}

/** Bytes with their padding bits (mask 0) replaced: by `fill`'s bits, or zero. */
const padded = (b: Uint8Array, mask: Uint8Array, fill?: (n: number) => number) =>
  b.map((x, i) => (x & mask[i]!) | (fill ? fill(256) & ~mask[i]! : 0));

/**
 * Whether the compat bytes are the native ones, padding aside (the thunk zeroes it): passing the
 * task's pointer on is right. `prepare` makes a buffer a valid argument (a flexible array's count).
 */
function alike(
  conv: Converter,
  r: (n: number) => number,
  size = conv.compatSize,
  prepare = (b: Uint8Array) => b,
  toNative = (b: Uint8Array) => conv.compatToNative(b, { memory: marked }),
): boolean {
  if (conv.nativeSize !== conv.compatSize) return false;
  const native = (b: Uint8Array) => toNative(prepare(b)).subarray(0, size);
  // the bytes that carry data: what becomes of all ones
  const data = native(new Uint8Array(size).fill(0xff));
  return [0, 1, 2].every(() => {
    const x = prepare(randomBytes(r, size));
    return hex(native(x)) === hex(x.map((b, i) => b & data[i]!));
  });
}

describe(`a random driver header: one file for i386 and x32 tasks (seed ${SEED})`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ioctl32-gendrv-'));
  const header = join(dir, 'drv.h');
  const drv = driverHeader(SEED, 40);
  writeFileSync(header, drv.text);
  // the member to convert of each union the header has (a name no union has is an error: a typo)
  const choose = Array.from({ length: 8 }, (_, i) => `m${i}_pick`).filter((m) => drv.text.includes(` ${m};`));
  let g: GeneratedC;
  let binary: string;
  let labels: Array<{ fn: string; label: string }>;
  beforeAll(() => {
    g = generateCompatC({
      pair: { native: x86, compat: [i386, x32] },
      scan: { headers: [header] },
      prefix: 'drv',
      choose,
      annotations: drv.annotations,
    });
    labels = ['drv_i386_compat_ioctl', 'drv_x32_compat_ioctl'].flatMap((fn) =>
      switchLabels(g.source, fn).map((label) => ({ fn, label })),
    );
    writeFileSync(join(dir, 'main.c'), driverProgram(g, labels));
    binary = join(dir, 'main');
    const flags = ['-std=gnu11', '-O1', '-g', '-Wall', '-Werror', '-Wno-unused-function'];
    const sanitize = ['-fsanitize=address,undefined', '-fno-sanitize-recover=all'];
    const cc = spawnSync('gcc', [...flags, ...sanitize, '-o', binary, join(dir, 'main.c')], { encoding: 'utf8' });
    if (cc.status !== 0) throw new Error(`the generated code does not build in user space:\n${cc.stderr}`);
  }, 120_000);

  test('every ioctl is handled for both tasks, and the file builds as a module (W=1, -Werror)', () => {
    expect(g.ioctls.filter((x) => x.handling === 'skipped')).toEqual([]);
    for (const abi of ['i386', 'x32'])
      expect(
        g.ioctls
          .filter((x) => x.abi === abi)
          .map((x) => x.name)
          .sort(),
      ).toEqual(drv.ioctls.map((x) => x.name).sort());
    expect(g.source).toContain('\tif (in_x32_syscall())\n\t\treturn drv_x32_compat_ioctl(file, cmd, arg);');
    // an array's handler converts element by element (karg[N], uarg[N]) each way the kernel copies; an alias has no
    // case of its own; in the module, the case of each is the number gcc gives the task (kernel compat types)
    const numbers: string[] = [];
    const arrays: Record<string, number> = {};
    for (const [abi, flag, fn] of [
      [i386, '-m32', 'drv'],
      [x32, '-mx32', 'drv_x32'],
    ] as const) {
      const sent = gccNumbers(
        flag,
        abi,
        header,
        drv.ioctls.map((x) => x.name),
      );
      const labels = switchLabels(g.source, `drv_${abi.name}_compat_ioctl`);
      for (const d of drv.ioctls) {
        if (d.kind !== 'array' && d.kind !== 'alias') continue;
        const served = d.of ?? d.name;
        const gi = g.ioctls.find((x) => x.abi === abi.name && x.name === d.name)!;
        const what = `${abi.name} ${d.name} (seed ${SEED})`;
        const shape = `${abi.name} ${d.kind} ${gi.handling}`;
        arrays[shape] = (arrays[shape] ?? 0) + 1;
        if (d.kind === 'alias')
          expect(gi, what).toMatchObject({
            handling: 'converted',
            why: expect.stringContaining(`number of ${served},`),
          });
        else if (gi.handling === 'converted') {
          const start = g.source.indexOf(
            `static noinline_for_stack long ${fn}_compat_${d.name}(struct file *file, void __user *argp)\n{`,
          );
          expect(start, `${what}: its handler`).toBeGreaterThanOrEqual(0);
          const body = g.source.slice(start, g.source.indexOf('\n}\n', start));
          const n = d.length;
          // on the stack, or on the heap (kzalloc) where the two arrays are over 512 bytes: kernel stacks are small
          const stack = new RegExp(String.raw`^\t[^\n]* karg\[${n}\];\n\t[^\n]* uarg\[${n}\];$`, 'm');
          const heap = new RegExp(
            String.raw`^\tstruct \{ [^\n]* el\[${n}\]; \} \*karg = kzalloc\(sizeof\(\*karg\)`,
            'm',
          );
          expect(stack.test(body) || heap.test(body), what).toBe(true);
          const [k, u] = heap.test(body) ? ['karg->el', 'uarg->el'] : ['karg', 'uarg'];
          const [from, to] = [
            `${fn}_from_compat_${d.name}_elements(${k}, ${u})`,
            `${fn}_to_compat_${d.name}_elements(${u}, ${k})`,
          ];
          expect([body.includes(from), body.includes(to)], `${what}: copied ${d.access}`).toEqual([
            d.access !== 'r',
            d.access !== 'w',
          ]);
        } else expect(gi.handling, what).toBe('passed');
        const label = [`${served}${abi === i386 ? '_32' : '_X32'}`, served].find((l) => labels.includes(l));
        expect(label, `${what}: a case for its number`).toBeDefined();
        numbers.push(`static_assert(${label} == 0x${sent.get(d.name)!.toString(16)}U);`);
      }
    }
    const kdir = kernelBuildDir();
    if (!kdir)
      throw new Error('no /usr/src/linux-headers-*-amd64: install linux-headers-amd64 (scripts/install-toolchains.sh)');
    const proto = 'long drv_ioctl_kernel(struct file *file, unsigned int cmd, void *karg)';
    const stub =
      `#include <linux/module.h>\n#include <linux/fs.h>\n${proto};\n${proto} { return -ENOTTY; }\n` +
      'MODULE_LICENSE("GPL");\n';
    const source = `${g.source}\n/* the numbers gcc -m32 and -mx32 give the tasks */\n${numbers.join('\n')}\n`;
    const mod = buildModule(kdir, join(dir, 'module'), { 'drv.c': source, 'stub.c': stub });
    expect(mod.built.has('drv.c'), `${mod.output.slice(-4000)}\n(header: ${header})`).toBe(true);
    expect([...mod.diagnostics].filter(([f]) => f.endsWith('.c'))).toEqual([]);
    const records = g.records.filter((x) => x.abi === 'x32').length;
    console.log(
      `gen c x86_64 <- i386, x32 on a random driver header (seed ${SEED}): ${g.ioctls.length} ioctl answers, ` +
        `${g.records.length} compat records (${records} for x32), built against ${kdir}; ` +
        Object.entries(arrays)
          .map(([k, v]) => `${v} ${k}`)
          .join(', '),
    );
  }, 300_000);

  for (const [abi, flag] of [
    [i386, '-m32'],
    [x32, '-mx32'],
  ] as const) {
    test(`${abi.name} tasks: each number reaches its case, the driver gets what the kernel would pass`, () => {
      const names = drv.ioctls.map((x) => x.name);
      const nativeCmd = gccNumbers('-m64', x86, header, names);
      const taskCmd = gccNumbers(flag, abi, header, names);
      const n = dumpHeaders({ abi: x86, headers: [header] });
      const c = dumpHeaders({ abi, headers: [header] });
      const r = random(SEED ^ (abi === i386 ? 0x5eed : 0x32));
      const opts = { choose, annotations: drv.annotations };
      const calls: Call[] = [];
      const tally: Record<string, number> = {};
      const count = (what: string) => (tally[what] = (tally[what] ?? 0) + 1);
      const isX32 = abi === x32;
      /** The call where the driver's unlocked_ioctl must get the native number and compat_ptr() of the address. */
      const passedOn = (d: DriverIoctl, before: Uint8Array, what: string, cmd = taskCmd.get(d.name)!): Call => ({
        what,
        x32: isX32,
        cmd,
        arg: before,
        capacity: 0,
        answer: new Uint8Array(),
        ret: r(50),
        check: (o, w) => {
          expect({ reached: o.reached, cmd: o.cmd, arg: o.arg, after: o.after }, w).toEqual({
            reached: 2,
            cmd: nativeCmd.get(d.name),
            arg: o.user | MARK,
            after: hex(before),
          });
        },
      });
      for (const sent of drv.ioctls) {
        // an alias is sent by its own name's number and served as the ioctl whose number that is
        const d = sent.kind === 'alias' ? drv.ioctls.find((x) => x.name === sent.of)! : sent;
        const gi = g.ioctls.find((x) => x.abi === abi.name && x.name === d.name)!;
        const cmd = taskCmd.get(sent.name)!;
        const what = `${abi.name} ${sent.name} (${gi.handling}, ${sent.kind}, access ${d.access})`;
        if (sent.kind === 'alias') {
          count('alias of a served number');
          // the test's own premise: one number for the task, two natively
          expect(cmd, what).toBe(taskCmd.get(d.name));
          expect(nativeCmd.get(sent.name), what).not.toBe(nativeCmd.get(d.name));
          // the generator cannot convert it, and says which case serves its number
          const ga = g.ioctls.find((x) => x.abi === abi.name && x.name === sent.name);
          expect(ga, what).toEqual({
            name: sent.name,
            abi: abi.name,
            verdict: 'convert',
            handling: 'converted',
            why: expect.stringContaining(`as 0x${cmd.toString(16)}, the number of ${d.name},`),
          });
        }
        if (d.kind === 'value') {
          count(cmd === nativeCmd.get(d.name) ? 'value' : 'renumbered value');
          const value = (0x80000000 | (r(1 << 16) << 8) | r(256)) >>> 0;
          const ret = r(50);
          calls.push({
            what,
            x32: isX32,
            cmd,
            arg: value,
            capacity: 0,
            answer: new Uint8Array(),
            ret,
            check: (o, w) =>
              expect({ ret: o.ret, reached: o.reached, cmd: o.cmd, arg: o.arg }, w).toEqual({
                ret,
                reached: 2,
                cmd: nativeCmd.get(d.name),
                arg: BigInt(value),
              }),
          });
          continue;
        }
        if (d.kind === 'renumbered') {
          count('renumbered');
          expect(cmd, `${what}: the test's own premise`).not.toBe(nativeCmd.get(d.name));
          expect(gi.handling, what).toBe('passed');
          if (d.name.startsWith('GEN_PTR')) {
            const conv = compileConverter(argType(n, d.name), argType(c, d.name), x86, abi, opts);
            expect(alike(conv, r), `${what}: the test's own premise`).toBe(true);
          }
          calls.push(passedOn(d, randomBytes(r, 16), what));
          continue;
        }
        const nt = argType(n, d.name);
        const conv = compileConverter(nt, argType(c, d.name), x86, abi, opts);
        const reads = d.access !== 'r';
        const writes = d.access !== 'w';
        if (d.kind === 'flex') {
          const el = (x: Dumped) => {
            const t = stripTypedefs(argType(x, d.name));
            if (t.kind !== 'record') throw new Error(`${d.name} takes no record`);
            const m = x.layouter.layout(t.decl).members.find((y) => y.member.name === 'el')!;
            const a = stripTypedefs(m.member.type);
            if (a.kind !== 'array') throw new Error(`${d.name}: el is no array`);
            return { offset: m.offset, size: x.layouter.typeLayout(a.of).size };
          };
          const [ne, ce] = [el(n), el(c)];
          const flex = (k: number, b: Uint8Array) => {
            new DataView(b.buffer).setUint32(0, k, true);
            return b;
          };
          // the thunk reads sizeof and the elements, what the kernel's struct_size() counts: a tail of zeros
          const toNative = (b: Uint8Array, k: number) => {
            const whole = new Uint8Array(Math.max(b.length, conv.compatSize + k * ce.size));
            whole.set(b);
            return conv.compatToNative(whole, { memory: marked });
          };
          if (gi.handling === 'passed') {
            count('passed');
            const size = ce.offset + 2 * ce.size;
            const same =
              ne.offset === ce.offset &&
              ne.size === ce.size &&
              alike(
                conv,
                r,
                size,
                (b) => flex(2, b),
                (b) => toNative(b, 2),
              );
            expect(same, `${what}: passed on, so alike on both ABIs`).toBe(true);
            calls.push(passedOn(d, flex(2, randomBytes(r, ce.offset + 2 * ce.size)), what));
            continue;
          }
          expect(gi.handling, what).toBe('converted');
          for (const k of [0, 1, FLEX_MAX - 1, FLEX_MAX, FLEX_MAX + 1]) {
            const before = flex(k, randomBytes(r, ce.offset + k * ce.size));
            const at = `${what}, ${k} elements`;
            if (k > FLEX_MAX) {
              count('flex beyond the bound');
              calls.push({
                what: at,
                x32: isX32,
                cmd,
                arg: before,
                capacity: 0,
                answer: new Uint8Array(),
                ret: 0,
                check: (o, w) =>
                  expect({ ret: o.ret, reached: o.reached, after: o.after }, w).toEqual({
                    ret: -EINVAL,
                    reached: 0,
                    after: hex(before),
                  }),
              });
              continue;
            }
            count(k === FLEX_MAX ? 'flex at the bound' : 'flex below the bound');
            // the driver may hold fewer elements than the task has room for, or more
            const held = r(FLEX_MAX + 3);
            // its padding holds what its stack held: none of it may reach the task
            const native = toNative(flex(held, randomBytes(r, ce.offset + held * ce.size)), held);
            const answer = padded(native, dataBits(n.layouter, nt, native.length, held), r);
            const capacity = ne.offset + k * ne.size;
            // what the driver may read of its copy: the data, not the padding
            const data = dataBits(n.layouter, nt, capacity, k, choose);
            const seen = reads ? toNative(before, k).subarray(0, capacity) : flex(k, new Uint8Array(capacity));
            const after = before.slice();
            if (writes) {
              const all = conv.nativeToCompat(answer, { memory: marked });
              after.set(all.subarray(0, ce.offset + Math.min(k, held) * ce.size));
            }
            const ret = r(3) ? 0 : r(50);
            calls.push({
              what: `${at}, the driver holding ${held}`,
              x32: isX32,
              cmd,
              arg: before,
              capacity,
              answer,
              ret,
              check: (o, w) =>
                expect(observed(o, data), w).toEqual({
                  ret,
                  reached: 1,
                  cmd: nativeCmd.get(d.name),
                  seen: hex(padded(seen, data)),
                  after: hex(after),
                }),
            });
          }
          continue;
        }
        // a record, an integer or an array of them in memory; an array's elements are what the thunk makes of each
        const array = stripTypedefs(nt);
        if (d.kind === 'array')
          expect(array.kind === 'array' && array.length, `${what}: the test's own premise`).toBe(d.length);
        const elements = array.kind === 'array' && stripTypedefs(array.of).kind === 'record' ? 'records' : 'integers';
        if (gi.handling === 'passed') {
          count(d.kind === 'array' ? 'passed array' : 'passed');
          expect(alike(conv, r), `${what}: passed on, so alike on both ABIs`).toBe(true);
          calls.push(passedOn(d, randomBytes(r, conv.compatSize), what, cmd));
          continue;
        }
        expect(gi.handling, what).toBe('converted');
        if (d.kind === 'array') count(`converted array, copied ${d.access}`);
        count(
          d.kind === 'array'
            ? `converted array of ${elements}`
            : `converted ${d.kind === 'record' ? 'record' : 'integer'}`,
        );
        if (d.access !== d.dir) count(`copied ${d.access} where the macro says ${d.dir}`);
        const before = randomBytes(r, conv.compatSize);
        const data = dataBits(n.layouter, nt, conv.nativeSize, 0, choose);
        // a value the compat task can hold (the native side of a compat one); its padding what the driver's stack held
        const answer = padded(
          conv.compatToNative(randomBytes(r, conv.compatSize), { memory: marked }),
          dataBits(n.layouter, nt, conv.nativeSize),
          r,
        );
        const seen = reads ? conv.compatToNative(before, { memory: marked }) : new Uint8Array(conv.nativeSize);
        const ret = r(3) ? 0 : r(50);
        for (const failed of writes ? [false, true] : [false]) {
          // a driver's error: nothing goes back to the task
          const after = writes && !failed ? conv.nativeToCompat(answer, { memory: marked }) : before;
          const want = failed ? -EIO : ret;
          calls.push({
            what: `${what}${failed ? ', the driver failing' : ''}`,
            x32: isX32,
            cmd,
            arg: before,
            capacity: conv.nativeSize,
            answer,
            ret: want,
            check: (o, w) =>
              expect(observed(o, data), w).toEqual({
                ret: want,
                reached: 1,
                cmd: nativeCmd.get(d.name),
                seen: hex(padded(seen, data)),
                after: hex(after),
              }),
          });
        }
      }
      // a number of no case
      calls.push({
        what: `${abi.name} an unknown number`,
        x32: isX32,
        cmd: 0x7101,
        arg: randomBytes(r, 8),
        capacity: 0,
        answer: new Uint8Array(),
        ret: 0,
        check: (o, w) => expect({ ret: o.ret, reached: o.reached }, w).toEqual({ ret: -ENOIOCTLCMD, reached: 0 }),
      });
      const { labels: values } = runCalls(binary, calls);
      // every case of this task's switch is one of the numbers it sends, and answered
      const answered = new Set(calls.filter((x) => x.cmd !== 0x7101).map((x) => x.cmd >>> 0));
      const own = values.filter((l) => l.fn === `drv_${abi.name}_compat_ioctl`);
      expect(own.length).toBeGreaterThan(drv.ioctls.length / 2);
      expect(own.filter((l) => !answered.has(l.value)).map((l) => l.label)).toEqual([]);
      // the header has every kind for this task
      for (const kind of [
        'converted record',
        'converted integer',
        'converted array of records',
        'converted array of integers',
        'passed',
        'passed array',
        'converted array, copied r',
        'converted array, copied w',
        'converted array, copied rw',
        'alias of a served number',
        'renumbered',
        'value',
        'renumbered value',
        'flex below the bound',
        'flex at the bound',
        'flex beyond the bound',
        'copied w where the macro says r',
        'copied r where the macro says w',
      ])
        expect(tally[kind] ?? 0, `${abi.name}: ${kind}`).toBeGreaterThan(0);
      console.log(
        `gen c on a random driver header (seed ${SEED}), ${abi.name} tasks: ${calls.length} calls, ` +
          `${own.length} cases reached; ${Object.entries(tally)
            .map(([k, v]) => `${v} ${k}`)
            .join(', ')}`,
      );
    }, 120_000);
  }
});

describe('floats i386 places otherwise (a double aligned to 4)', () => {
  test('gen c copies their bits where the task has them, as the thunk converts', () => {
    const file = headerFile(
      'gf.h',
      '#include <linux/types.h>\n#include <linux/ioctl.h>\n' +
        'struct gf { __u32 ch; double d; double _Complex iq; float f; };\n' +
        "#define GF_GET _IOR('z', 6, struct gf)\n",
    );
    const g = generateCompatC({ pair, scan: { headers: [file] }, prefix: 'gf' });
    expect(g.ioctls.map((x) => [x.name, x.handling])).toEqual([['GF_GET', 'converted']]);
    expect(g.source).toContain('compat_u64 d;');
    const { compat: c, conv } = thunkOf(file, 'struct gf');
    const native = noise(conv.nativeSize, 7);
    // padding is the kernel's: a fresh struct holds none of it
    const out = runHandler(g, 'gf', c.ioctls.get('GF_GET')!.cmd, native, new Uint8Array(conv.compatSize));
    expect(out.ret).toBe(0);
    expect(hex(out.after)).toBe(hex(conv.nativeToCompat(native)));
  });
});

describe('a union in an array element', () => {
  test('is named from the argument (arr[].u) in the hint and in --member, and converted as the thunk converts it', () => {
    const file = headerFile(
      'ua.h',
      '#include <linux/types.h>\n#include <linux/ioctl.h>\n' +
        'struct ue { union { int i; long l; } u; };\nstruct ur { __u32 n; struct ue arr[2]; };\n' +
        "#define UA_GET _IOR('z', 7, struct ur)\n",
    );
    const unchosen = generateCompatC({ pair, scan: { headers: [file] }, prefix: 'ua' });
    expect(unchosen.ioctls.map((x) => [x.name, x.handling])).toEqual([['UA_GET', 'skipped']]);
    expect(JSON.stringify(unchosen.ioctls)).toContain("union 'arr[].u' has members that convert differently");
    expect(JSON.stringify(unchosen.ioctls)).toContain('--member arr[].u=NAME');
    const members = { 'arr[].u': 'l' };
    const g = generateCompatC({ pair, scan: { headers: [file] }, prefix: 'ua', members });
    expect(g.ioctls.map((x) => [x.name, x.handling])).toEqual([['UA_GET', 'converted']]);
    const { compat: c, conv } = thunkOf(file, 'struct ur', { members });
    // longs that fit in 32 bits, as a native task's would for a compat one
    const native = new Uint8Array(conv.nativeSize);
    const dv = new DataView(native.buffer);
    dv.setUint32(0, 2, true);
    dv.setBigInt64(8, -5n, true);
    dv.setBigInt64(16, 0x1234n, true);
    const out = runHandler(g, 'ua', c.ioctls.get('UA_GET')!.cmd, native, new Uint8Array(conv.compatSize));
    expect(out.ret).toBe(0);
    expect(hex(out.after)).toBe(hex(conv.nativeToCompat(native)));
  });
});

describe('an anonymous struct in a union', () => {
  test("is chosen by a name of its members (struct __kernel_sockaddr_storage's ss_family), as the thunk takes it", () => {
    const file = headerFile(
      'ss.h',
      '#include <linux/types.h>\n#include <linux/ioctl.h>\n#include <linux/socket.h>\n' +
        'struct ssreq { __u32 n; long l; struct __kernel_sockaddr_storage ss; };\n' +
        "#define SS_GET _IOR('z', 8, struct ssreq)\n",
    );
    const unchosen = generateCompatC({ pair, scan: { headers: [file] }, prefix: 'ss' });
    expect(JSON.stringify(unchosen.ioctls)).toContain(
      "an anonymous union in 'ss' has members that convert differently: choose one (--member NAME, NAME one of " +
        'ss_family, __data, __align)',
    );
    // nor is the thunk's choice the pointer that only aligns the address bytes
    expect(() => thunkOf(file, 'struct ssreq')).toThrow(/the union's members convert differently: choose one/);
    const g = generateCompatC({ pair, scan: { headers: [file] }, prefix: 'ss', choose: ['ss_family'] });
    expect(g.ioctls.map((x) => [x.name, x.handling])).toEqual([['SS_GET', 'converted']]);
    const { compat: c, conv } = thunkOf(file, 'struct ssreq', { choose: ['ss_family'] });
    const native = noise(conv.nativeSize, 11);
    // a long an i386 task can hold
    new DataView(native.buffer).setBigInt64(8, -3n, true);
    // the family and the address bytes, all 128 of them, as the kernel has them
    const compat = conv.nativeToCompat(native);
    expect(hex(compat.subarray(8, 136))).toBe(hex(native.subarray(16, 144)));
    const out = runHandler(g, 'ss', c.ioctls.get('SS_GET')!.cmd, native, new Uint8Array(conv.compatSize));
    expect(out.ret).toBe(0);
    expect(hex(out.after)).toBe(hex(compat));
  });
});

describe('an array an annotated pointer points at, whose elements differ', () => {
  test('is left out, named with why: gen c converts the argument, not what it points at', () => {
    const file = headerFile(
      'pt.h',
      '#include <linux/types.h>\n#include <linux/ioctl.h>\nstruct el { long v; };\n' +
        'struct al { __u32 len; __u32 pad; union { struct el *p; __u64 p64; }; };\n' +
        "#define AL_IOC _IOW('a', 1, struct al)\n",
    );
    const annotations = parseAnnotations(
      JSON.stringify({ records: { 'struct al': { p: { kind: 'array-pointer', count: 'len' } } } }),
      'a.json',
    );
    const g = generateCompatC({ pair, scan: { headers: [file] }, prefix: 'pt', annotations });
    expect(g.ioctls).toEqual([
      {
        name: 'AL_IOC',
        abi: 'i386',
        verdict: 'convert',
        handling: 'skipped',
        why:
          'gen c does not convert the arrays the argument points at: p (each struct el of the array it points at ' +
          '(len elements): 4 bytes for the task, 8 native, converted)',
      },
    ]);
  });
});

describe('a struct whose members are in another order on the two ABIs', () => {
  test("asm/mtrr.h's struct mtrr_gentry: paired by name, as mtrr_gentry32 is (and as the thunk converts it)", () => {
    const g = generateCompatC({ pair, scan: { headers: ['asm/mtrr.h'] }, prefix: 'mtrr' });
    expect(g.ioctls.find((x) => x.name === 'MTRRIOC_GET_ENTRY')).toMatchObject({ handling: 'converted' });
    const [n, c] = [
      dumpHeaders({ abi: x86, headers: ['asm/mtrr.h'] }),
      dumpHeaders({ abi: i386, headers: ['asm/mtrr.h'] }),
    ];
    const conv = ioctlThunk('MTRRIOC_GET_ENTRY', n, c).converter!;
    // the kernel's answer: base, size, regnum and type of a native task, _pad zero
    const native = new Uint8Array(conv.nativeSize);
    const dv = new DataView(native.buffer);
    dv.setBigUint64(0, 0xfe000000n, true);
    dv.setUint32(8, 0x1000000, true);
    dv.setUint32(12, 2, true);
    dv.setUint32(16, 1, true);
    // in user space the UAPI header is <asm/mtrr.h>, not the kernel's <uapi/asm/mtrr.h>
    const user = { ...g, source: g.source.replace('#include <uapi/asm/mtrr.h>', '#include <asm/mtrr.h>') };
    const out = runHandler(
      user,
      'mtrr',
      c.ioctls.get('MTRRIOC_GET_ENTRY')!.cmd,
      native,
      new Uint8Array(conv.compatSize),
    );
    expect(out.ret).toBe(0);
    expect(hex(out.after)).toBe(hex(conv.nativeToCompat(native)));
    // regnum first for the i386 task
    expect(new DataView(out.after.buffer).getUint32(0, true)).toBe(2);
  });
});

describe('unions that need no choice, as the thunk converts them', () => {
  test('members that differ only in tail padding (a union of two sizes), a pointer beside integers that pad', () => {
    const file = headerFile(
      'nc.h',
      '#include <linux/types.h>\n#include <linux/ioctl.h>\n' +
        // start: 25 bytes of data, 32 natively and 28 for an i386 task; status: the same bytes, aligned otherwise
        'struct nc_start { __u64 id; __u8 name[17]; };\nstruct nc_status { __u64 a, b; };\n' +
        'struct nc { __u32 cmd; union { struct nc_start start; struct nc_status status; }; __u32 after; };\n' +
        'struct np { __u32 n; union { struct { __u64 size; void *p; }; __u64 unused[4]; }; __u32 after; };\n' +
        "#define NC_IOC _IOWR('n', 1, struct nc)\n#define NP_IOC _IOWR('n', 2, struct np)\n",
    );
    const g = generateCompatC({ pair, scan: { headers: [file] }, prefix: 'nc' });
    expect(g.ioctls.map((x) => [x.name, x.handling])).toEqual([
      ['NC_IOC', 'converted'],
      ['NP_IOC', 'converted'],
    ]);
    for (const [name, record, seed] of [
      ['NC_IOC', 'struct nc', 3],
      ['NP_IOC', 'struct np', 4],
    ] as const) {
      const { compat: c, conv } = thunkOf(file, record);
      // the kernel's answer: bytes a native task could hold (its pointer in 32 bits), its padding zero
      const native = conv.compatToNative(noise(conv.compatSize, seed));
      const out = runHandler(g, 'nc', c.ioctls.get(name)!.cmd, native, new Uint8Array(conv.compatSize));
      expect(out.ret, name).toBe(0);
      expect(hex(out.after), name).toBe(hex(conv.nativeToCompat(native)));
    }
    // 48 bytes natively (the union at 8, 32 long), 36 for the task (at 4, 28 long)
    const { conv } = thunkOf(file, 'struct nc');
    expect([conv.nativeSize, conv.compatSize]).toEqual([48, 36]);
  });
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
    expect(g.ioctls).toEqual([{ name: 'SEL_IOC', abi: 'i386', verdict: 'convert', handling: 'converted' }]);
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

describe('--member PATH=NAME for a union of a named type', () => {
  test('the chosen member is converted where the path leads, as the thunk converts it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ioctl32-genun-'));
    const header = join(dir, 'un.h');
    writeFileSync(
      header,
      '#include <linux/ioctl.h>\nunion u { int i; long l; };\nstruct s1 { int k; union u un; };\n' +
        "#define S1 _IOWR('s', 1, struct s1)\n",
    );
    const n = dumpHeaders({ abi: x86, headers: [header] });
    const c = dumpHeaders({ abi: i386, headers: [header] });
    const cmd = c.ioctls.get('S1')!.cmd;
    for (const member of ['i', 'l']) {
      const g = generateCompatC({ pair, scan: { headers: [header] }, prefix: 'un', members: { un: member } });
      expect(g.ioctls, member).toEqual([{ name: 'S1', abi: 'i386', verdict: 'convert', handling: 'converted' }]);
      const conv = compileConverter(
        { kind: 'record', decl: n.decls.get('struct s1')! },
        { kind: 'record', decl: c.decls.get('struct s1')! },
        x86,
        i386,
        { members: { un: member } },
      );
      const compatIn = unhex('07000000' + '44332211');
      const native = conv.compatToNative(compatIn);
      const out = runHandler(g, 'un', cmd, native, compatIn);
      expect(out.ret, member).toBe(0);
      expect(hex(out.after), member).toBe(hex(conv.nativeToCompat(native)));
    }
  });
});

/**
 * The kernel's compat types for a native architecture, as plain C (include/asm-generic/compat.h:
 * 32-bit longs and pointers; arch/x86/include/asm/compat.h: compat_s64/compat_u64 4-aligned), and
 * just enough of the kernel's helpers for the generated code to compile, the tests that tell one
 * compat ABI's tasks from another's included. Errno values are any: nothing runs.
 */
function crossShim(native: Abi): string {
  const x86 = native.kernelArch === 'x86';
  return (
    `#define __user
#define __packed __attribute__((packed))
#define __aligned(x) __attribute__((aligned(x)))
#define noinline_for_stack __attribute__((noinline))
#define static_assert _Static_assert
#define offsetof(t, m) __builtin_offsetof(t, m)
#define NULL ((void *)0)
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
int in_ia32_syscall(void);
int in_x32_syscall(void);
#define TIF_32BIT_REGS 0
int test_thread_flag(int flag);
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

/**
 * The files for the other architectures: mips64's one .compat_ioctl serves o32 and n32 tasks; one pair each else.
 * A flavour (a libc's 64-bit time_t) is its base's task to the kernel: its layouts compile in a file of their own.
 */
function crossFiles(): Array<{ native: Abi; compat: Abi[] }> {
  const files: Array<{ native: Abi; compat: Abi[] }> = [];
  for (const { native, compat } of compatPairs()) {
    const shared =
      native.name === 'mips64' && !compat.flavourOf
        ? files.find((f) => f.native === native && !f.compat[0]!.flavourOf)
        : undefined;
    if (shared) shared.compat.push(compat);
    else files.push({ native, compat: [compat] });
  }
  return files;
}

describe(
  'every compat pair: the generated code compiles for the native ABI, ' +
    'its compat structs as the compat ABI lays them out',
  () => {
    const mips = crossFiles().find((f) => f.native.name === 'mips64');
    test('mips64 has one file for o32 and n32 tasks', () => {
      expect(mips?.compat.map((a) => a.name)).toEqual(['mips', 'mipsn32']);
    });
    for (const { native, compat } of crossFiles()) {
      const tasks = compat.map((a) => a.name).join(', ');
      test(`${native.name} <- ${tasks} (seed ${SEED})`, async () => {
        const dir = mkdtempSync(join(tmpdir(), 'ioctl32-genpair-'));
        const header = join(dir, 'drv.h');
        const drv = driverHeader(SEED, 40);
        // a bare aligned is a located error on mips o32 (clang aligns to 16, gcc to 8): a number there
        const bare = [native, ...compat].some((a) => a.clangBareAligned !== undefined);
        writeFileSync(
          header,
          bare ? drv.text.replaceAll('__attribute__((aligned))', '__attribute__((aligned(8)))') : drv.text,
        );
        const choose = Array.from({ length: 8 }, (_, i) => `m${i}_pick`).filter((m) => drv.text.includes(` ${m};`));
        const g = generateCompatC({
          pair: { native, compat },
          scan: { headers: [header] },
          scanFor: (abi) => ({ sysroot: `/usr/${abi.headerTriple}` }),
          prefix: 'drv',
          choose,
          annotations: drv.annotations,
        });
        expect(g.ioctls.filter((x) => x.handling === 'skipped')).toEqual([]);
        for (const a of compat) {
          const converted = g.ioctls.filter((x) => x.abi === a.name && x.handling === 'converted').length;
          expect(converted, a.name).toBeGreaterThan(10);
        }
        if (compat.length > 1) {
          // the kernel's own test of the task's ABI chooses the switch
          const second = compat[1]!.name;
          expect(g.source).toContain(
            `\tif (${native.compatTask[second]})\n\t\treturn drv_${second}_compat_ioctl(file, cmd, arg);`,
          );
        }
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

describe("the members an ioctl's handler uses (annotations, legacy rows)", () => {
  test('choose the union where the ioctls of its record agree; where they differ it is left to --member', () => {
    const file = headerFile(
      'hm.h',
      '#include <linux/types.h>\n#include <linux/ioctl.h>\n' +
        'struct hmreq { __u32 kind; union { void *p; long l; } u; };\n' +
        "#define HM_GET _IOWR('h', 1, struct hmreq)\n",
    );
    const members = (m: Record<string, string>) =>
      parseAnnotations(JSON.stringify({ ioctls: { HM_GET: { members: m } } }), 'hm.json');
    const unchosen = generateCompatC({ pair, scan: { headers: [file] }, prefix: 'hm' });
    expect(unchosen.ioctls.map((x) => x.handling)).toEqual(['skipped']);
    const g = generateCompatC({ pair, scan: { headers: [file] }, prefix: 'hm', annotations: members({ u: 'p' }) });
    expect(g.ioctls.map((x) => [x.name, x.handling])).toEqual([['HM_GET', 'converted']]);
    // the handler's copy of the pointer, as the thunk makes it with the same choice
    expect(g.source).toContain('compat_ptr(');
    // linux/sockios.h: SIOCGIFFLAGS and SIOCGIFMTU share struct ifreq and use other members: no choice is taken
    const sock = generateCompatC({ pair, scan: { headers: ['linux/sockios.h'] }, prefix: 'sock' });
    const flags = sock.ioctls.find((x) => x.name === 'SIOCGIFFLAGS')!;
    expect(flags.handling).toBe('skipped');
    expect(flags.why).toContain('--member ifr_ifru=NAME');
  });
  test("an annotation by a path into a named inner record asks for the inner record's own (its converter is shared)", () => {
    // the thunk takes struct v4l2_create_buffers' format.fmt (the outer record first); gen c's struct v4l2_format
    // converter serves every record that holds it, so the outer's choice cannot hold there alone
    const outer = parseAnnotations(
      JSON.stringify({
        records: {
          'struct v4l2_create_buffers': {
            'format.fmt': { kind: 'union', selector: 'format.type', cases: { '1': 'pix' } },
          },
        },
      }),
      'outer.json',
    );
    const gen = (annotations: Annotations) =>
      generateCompatC({ pair, scan: { headers: ['linux/videodev2.h'] }, prefix: 'v', annotations });
    expect(() => gen(outer)).toThrow(
      /outer\.json: struct v4l2_create_buffers\.format\.fmt: gen c converts struct v4l2_format once for every record that holds it: annotate struct v4l2_format's 'fmt' instead/,
    );
    const inner = parseAnnotations(
      JSON.stringify({
        records: { 'struct v4l2_format': { fmt: { kind: 'union', selector: 'type', cases: { '1': 'pix' } } } },
      }),
      'inner.json',
    );
    expect(gen(inner).ioctls.find((x) => x.name === 'VIDIOC_CREATE_BUFS')!.handling).toBe('converted');
  });
  test("an ioctl whose handler uses another member than its record's converters is left out, saying why", () => {
    // --member ifr_ifru=ifru_flags serves SIOCGIFFLAGS; SIOCGIFMTU's handler reads ifr_mtu, 4 bytes, not 2
    const sock = generateCompatC({
      pair,
      scan: { headers: ['linux/sockios.h'] },
      prefix: 'sock',
      members: { ifr_ifru: 'ifru_flags' },
    });
    const [flags, mtu] = ['SIOCGIFFLAGS', 'SIOCGIFMTU'].map((n) => sock.ioctls.find((x) => x.name === n)!) as [
      GeneratedIoctl,
      GeneratedIoctl,
    ];
    expect(flags.handling).toBe('converted');
    expect(mtu).toMatchObject({
      handling: 'skipped',
      why:
        'its handler uses ifr_ifru as ifru_mtu, where the converters of struct ifreq (one per record, for every ioctl ' +
        'of it) convert ifr_ifru as ifru_flags: convert it by hand',
    });
    // SNDRV_CTL_IOCTL_ELEM_INFO reads value.enumerated.item whatever `type` says (snd_ctl_elem_info_compat); the
    // converters of struct snd_ctl_elem_info pick by `type`, as ELEM_ADD's handler does
    const sound = generateCompatC({ pair, scan: { headers: ['linux/ioctl.h', 'sound/asound.h'] }, prefix: 'snd' });
    const [info, add] = ['SNDRV_CTL_IOCTL_ELEM_INFO', 'SNDRV_CTL_IOCTL_ELEM_ADD'].map((n) =>
      sound.ioctls.find((x) => x.name === n)!,
    ) as [GeneratedIoctl, GeneratedIoctl];
    expect(add.handling).toBe('converted');
    expect(info.handling).toBe('skipped');
    expect(info.why).toContain(
      'its handler uses value as enumerated, where the converters of struct snd_ctl_elem_info',
    );
    expect(sound.source).toContain('switch (from->type) {');
  });
});
