/**
 * `access` — what the kernel's handler really does with an ioctl's argument — against the kernel: every legacy row
 * that says its macro is misdeclared has, in the function it cites (Linux 6.1's source), the copy call of the
 * direction it claims, and none of the direction the macro claims where the two differ; TUNSETFILTEREBPF on the
 * running kernel, from an x86_64 and an i386 process, reads its argument and writes nothing back, as ioctl32's
 * dump, check, thunk and gen c say.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { getAbi } from '../src/abi/index.js';
import type { Abi } from '../src/abi/types.js';
import { check } from '../src/compat/check.js';
import { generateCompatC } from '../src/codegen/c.js';
import { LEGACY_IOCTLS, type LegacyIoctl } from '../src/ioctl/legacy.js';
import { dumpHeaders, type Dumped } from '../src/scan/dump.js';
import { ioctlThunk } from '../src/thunk/ioctl.js';
import { haveKernelPrerequisites } from './harness/kernel.js';
import { linuxSourceFiles, linuxSourceTarball, numberExpression } from './harness/linux-source.js';

const run = promisify(execFile);

// ---------------------------------------------------------------------------------------------
// the kernel's source

/** Calls that move the user argument, by the direction they move it and where the user pointer is. */
const READS: ReadonlyArray<[RegExp, number]> = [
  [/\bcopy_from_user\s*\(/g, 1],
  [/\b__copy_from_user\s*\(/g, 1],
  [/\bget_user\s*\(/g, 1],
  [/\b__get_user\s*\(/g, 1],
  [/\bmemdup_user\s*\(/g, 0],
  [/\bstrndup_user\s*\(/g, 0],
  [/\bcopy_struct_from_user\s*\(/g, 2],
];
const WRITES: ReadonlyArray<[RegExp, number]> = [
  [/\bcopy_to_user\s*\(/g, 0],
  [/\b__copy_to_user\s*\(/g, 0],
  [/\bput_user\s*\(/g, 1],
  [/\b__put_user\s*\(/g, 1],
];

/** Comments and string literals blanked (same length). */
function code(src: string): string {
  return src
    .replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' '))
    .replace(/\/\/[^\n]*/g, (m) => ' '.repeat(m.length))
    .replace(/"(?:[^"\\\n]|\\.)*"/g, (m) => `"${' '.repeat(m.length - 2)}"`);
}

/** Index of the bracket closing the one at `i`. */
function closing(text: string, i: number): number {
  const open = text[i]!;
  const close = open === '(' ? ')' : open === '{' ? '}' : ']';
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    if (text[j] === open) depth++;
    else if (text[j] === close && --depth === 0) return j;
  }
  throw new Error(`no closing ${close} for offset ${i}`);
}

/** Top-level arguments of the call whose '(' is at `open`. */
function callArgs(text: string, open: number): string[] {
  const end = closing(text, open);
  const args: string[] = [];
  let depth = 0;
  let cur = '';
  for (let j = open + 1; j < end; j++) {
    const c = text[j]!;
    if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    if (c === ',' && depth === 0) {
      args.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  args.push(cur.trim());
  return args;
}

interface CFunction {
  name: string;
  params: string;
  body: string;
}

/** A function defined at file scope (its header starts a line). */
function cFunction(src: string, name: string): CFunction | undefined {
  const re = new RegExp(`^[A-Za-z_][^;{}()#]*?\\b${name}\\s*\\(`, 'gm');
  for (let m = re.exec(src); m; m = re.exec(src)) {
    const open = m.index + m[0].length - 1;
    const close = closing(src, open);
    const after = /^\s*\{/.exec(src.slice(close + 1));
    if (!after) continue;
    const brace = close + 1 + after[0].length - 1;
    return { name, params: src.slice(open + 1, close), body: src.slice(brace, closing(src, brace) + 1) };
  }
  return undefined;
}

/** The names that hold the user argument: `__user` parameters and locals (`void __user *argp = ...`). */
function userNames(f: CFunction): string[] {
  const names = new Set<string>();
  for (const p of f.params.split(',')) if (/__user/.test(p)) names.add(/(\w+)\s*$/.exec(p)?.[1] ?? '');
  for (const m of f.body.matchAll(/__user\s*\*\s*(\w+)\s*=/g)) names.add(m[1]!);
  names.delete('');
  return [...names];
}

/**
 * The copy calls of `text` whose user pointer mentions one of `names` (every call when names is empty), or is cast
 * to a `__user` pointer there (`put_user(conn, (u_int32_t __user *)arg)`).
 */
function copies(text: string, names: readonly string[]): { reads: string[]; writes: string[] } {
  const mentions = (arg: string) =>
    names.length === 0 || /\b__user\b/.test(arg) || names.some((n) => new RegExp(`\\b${n}\\b`).test(arg));
  const find = (table: ReadonlyArray<[RegExp, number]>) => {
    const out: string[] = [];
    for (const [re, at] of table) {
      for (const m of text.matchAll(re)) {
        const open = m.index + m[0].length - 1;
        const arg = callArgs(text, open)[at] ?? '';
        if (mentions(arg)) out.push(text.slice(m.index, closing(text, open) + 1).replace(/\s+/g, ' '));
      }
    }
    return out;
  };
  return { reads: find(READS), writes: find(WRITES) };
}

/**
 * The statements of `case NAME:` up to the next case label of the same switch that follows a statement (a switch
 * nested in the case's block has labels of its own: matroxfb_ioctl's MATROXFB_GET_AVAILABLE_OUTPUTS).
 */
function caseBody(body: string, name: string): string | undefined {
  const at = new RegExp(`\\bcase\\s+${name}\\s*:`).exec(body);
  if (!at) return undefined;
  let rest = body.slice(at.index + at[0].length);
  // labels stacked on the same statements
  for (let m = /^\s*case\s+[\w()]+\s*:/.exec(rest); m; m = /^\s*case\s+[\w()]+\s*:/.exec(rest))
    rest = rest.slice(m[0].length);
  let depth = 0;
  for (const m of rest.matchAll(/\bcase\s+[\w()]+\s*:|\bdefault\s*:|[{}]/g)) {
    if (m[0] === '{') depth++;
    else if (m[0] === '}') {
      // the switch's own closing brace
      if (--depth < 0) return rest.slice(0, m.index);
    } else if (depth === 0) return rest.slice(0, m.index);
  }
  return rest;
}

/**
 * What runs after `case NAME:` breaks out of its switch: the function's statements after the switch (i8k_ioctl
 * writes the value each case computed from one copy_to_user there); '' when the case never breaks at its own level.
 */
function afterBreak(body: string, name: string, region: string): string {
  let depth = 0;
  let breaks = false;
  // a loop or switch of the case's own takes the breaks in its block (braced, as the kernel's style has it)
  for (const m of region.matchAll(/\bbreak\s*;|[{}]/g)) {
    if (m[0] === '{') depth++;
    else if (m[0] === '}') depth--;
    else if (depth === 0) breaks = true;
  }
  if (!breaks) return '';
  const at = new RegExp(`\\bcase\\s+${name}\\s*:`).exec(body)!.index;
  // the innermost switch whose block holds the label
  let tail = '';
  for (const m of body.matchAll(/\bswitch\s*\(/g)) {
    if (m.index > at) break;
    const brace = body.indexOf('{', closing(body, m.index + m[0].length - 1));
    const end = closing(body, brace);
    if (end > at) tail = body.slice(end + 1);
  }
  return tail;
}

/** Blocks of `if (... NAME ...)` (the kernel tests some commands before its switch: tun's TUNSETIFF/TUNSETQUEUE). */
function ifBlocks(body: string, name: string): string[] {
  const out: string[] = [];
  for (const m of body.matchAll(/\bif\s*\(/g)) {
    const open = m.index + m[0].length - 1;
    const close = closing(body, open);
    if (!new RegExp(`\\b${name}\\b`).test(body.slice(open, close))) continue;
    const brace = /^\s*\{/.exec(body.slice(close + 1));
    const end = brace ? closing(body, close + brace[0].length) + 1 : body.indexOf(';', close) + 1;
    out.push(body.slice(close + 1, end));
  }
  return out;
}

/** Functions of the file that `text` calls, by name. */
function callees(src: string, text: string): CFunction[] {
  const names = new Set([...text.matchAll(/\b([a-z_]\w*)\s*\(/g)].map((m) => m[1]!));
  return [...names].map((n) => cFunction(src, n)).filter((f): f is CFunction => f !== undefined);
}

/** The direction a header's macro encodes, from its text in the tarball's UAPI (`_IOR(...)` → 'r'). */
function macroDir(headerText: string, name: string): 'r' | 'w' | 'rw' | 'none' | undefined {
  const e = numberExpression(headerText, name);
  const m = e && /^_IO(WR|R|W)?(?:_BAD)?\s*\(/.exec(e);
  if (!m) return undefined;
  return m[1] === 'WR' ? 'rw' : m[1] === 'R' ? 'r' : m[1] === 'W' ? 'w' : 'none';
}

interface Evidence {
  reads: string[];
  writes: string[];
  /** The cited function dispatches on other commands too (a switch): the opposite direction is not judged. */
  shared: boolean;
  /** Copies on the argument in the cited function alone. */
  own: { reads: string[]; writes: string[] };
}

/** What the cited function (its `case NAME:` when it switches; `if (NAME...)` blocks) and its callees copy. */
function evidence(src: string, e: LegacyIoctl): Evidence {
  const fnName = e.source.split(':')[1]!;
  const f = cFunction(src, fnName);
  if (!f) throw new Error(`${e.name}: ${e.source} is not defined there`);
  const names = userNames(f);
  const region = caseBody(f.body, e.name);
  const shared = region !== undefined || ifBlocks(f.body, e.name).length > 0;
  // and `if (cmd == NAME ...)` anywhere in the file: the dispatcher may copy for its helper (tun_set_queue
  // gets the ifreq that __tun_chr_ioctl copied in)
  const texts = [
    region ?? (shared ? '' : f.body),
    region === undefined ? '' : afterBreak(f.body, e.name, region),
    ...ifBlocks(src, e.name),
  ];
  const out = { reads: [] as string[], writes: [] as string[] };
  const add = (c: { reads: string[]; writes: string[] }) => {
    out.reads.push(...c.reads);
    out.writes.push(...c.writes);
  };
  const own = copies(texts.join('\n'), names);
  add(own);
  // one and two calls deep: the helpers that take the argument on
  const seen = new Set([fnName]);
  let level = texts.join('\n');
  for (let depth = 0; depth < 2; depth++) {
    let next = '';
    for (const g of callees(src, level)) {
      if (seen.has(g.name)) continue;
      seen.add(g.name);
      add(copies(g.body, userNames(g)));
      next += g.body;
    }
    level = next;
  }
  return { ...out, shared, own };
}

const tarball = linuxSourceTarball();
const MISDECLARED = LEGACY_IOCTLS.filter((e) => e.misdeclared && !e.byValue && e.dir !== 'none');

describe.skipIf(!tarball)('every misdeclared row against the function it cites (Linux 6.1)', () => {
  const files = () =>
    linuxSourceFiles(tarball!, [
      ...new Set([
        ...MISDECLARED.map((e) => e.source.split(':')[0]!),
        ...MISDECLARED.map((e) => `include/uapi/${e.header}`),
      ]),
    ]).files;
  let src: Map<string, string>;
  beforeAll(() => {
    src = new Map([...files()].map(([k, v]) => [k, code(v)]));
  });

  test("the rows under test include the issue's", () => {
    const names = MISDECLARED.map((e) => e.name);
    for (const n of ['USBDEVFS_DISCSIGNAL', 'USBDEVFS_CONNECTINFO', 'USBDEVFS_GETDRIVER', 'TUNSETFILTEREBPF'])
      expect(names).toContain(n);
    expect(names).toContain('BTRFS_IOC_QGROUP_LIMIT');
    expect(MISDECLARED.length).toBeGreaterThanOrEqual(30);
  });

  test.each(MISDECLARED.map((e) => [e.name, e] as const))('%s', (_n, e) => {
    const text = src.get(e.source.split(':')[0]!)!;
    const ev = evidence(text, e);
    const why = `${e.source}: reads ${JSON.stringify(ev.reads)}, writes ${JSON.stringify(ev.writes)}`;
    if (e.dir === 'w' || e.dir === 'rw') expect(ev.reads.length, `${e.name} must be read: ${why}`).toBeGreaterThan(0);
    if (e.dir === 'r' || e.dir === 'rw')
      expect(ev.writes.length, `${e.name} must be written: ${why}`).toBeGreaterThan(0);
    // where the macro claims another direction, a function of this ioctl alone does not copy that way
    const header = src.get(`include/uapi/${e.header}`)!;
    const claimed = macroDir(header, e.name);
    if (claimed === undefined || claimed === e.dir || ev.shared) return;
    if (e.dir === 'w') expect(ev.own.writes, `${e.name} is never written by ${e.source}`).toEqual([]);
    if (e.dir === 'r') expect(ev.own.reads, `${e.name} is never read by ${e.source}`).toEqual([]);
  });

  test('the checker can fail: a made-up row that claims the opposite is caught', () => {
    const text = src.get('drivers/usb/core/devio.c')!;
    const row = LEGACY_IOCTLS.find((e) => e.name === 'USBDEVFS_DISCSIGNAL')!;
    const ev = evidence(text, { ...row, dir: 'r' });
    expect(ev.writes).toEqual([]);
    expect(ev.own.reads.length).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------------------------------------
// the running kernel

const PROGRAM = fileURLToPath(new URL('./kernel/tun-access.c', import.meta.url));
const EBADF = 9;
const EFAULT = 14;
const EINVAL = 22;

interface Probe {
  probe: string;
  cmd: number;
  ret: number;
  errno: number;
  before?: string;
  after?: string;
}

interface TunRun {
  /** Why the program could not attach a tun interface here (no device, no CAP_NET_ADMIN): no evidence. */
  skip?: string;
  probes: Map<string, Probe>;
}

/** Builds and runs test/kernel/tun-access.c as one ABI's process; a build or run failure throws. */
async function runTunProgram(dir: string, bits: 32 | 64): Promise<TunRun> {
  const exe = join(dir, `tun-access-${bits}`);
  await run('gcc', [`-m${bits}`, '-O0', '-Wall', '-Werror', '-o', exe, PROGRAM]);
  const { stdout } = await run(exe, [], { timeout: 30_000 });
  const lines = stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(lines[0]).toEqual({ pointerBits: bits });
  const out: TunRun = { probes: new Map() };
  for (const l of lines.slice(1)) {
    if (typeof l.skip === 'string') out.skip = l.skip;
    else out.probes.set(l.probe as string, l as unknown as Probe);
  }
  return out;
}

/** Missing device or privilege: the only reasons a run may be skipped; anything else is a failure. */
function skipReason(r: TunRun): string | undefined {
  if (r.skip === undefined) return undefined;
  if (
    /^(open \/dev\/net\/tun|TUNSETIFF): (No such file or directory|No such device|Operation not permitted|Permission denied)$/.test(
      r.skip,
    )
  )
    return r.skip;
  throw new Error(`tun-access.c could not set up: ${r.skip}`);
}

describe('TUNSETFILTEREBPF on the running kernel: it reads the fd, writes nothing', () => {
  const x86 = getAbi('x86_64');
  const i386 = getAbi('i386');
  const m32 = spawnSync('gcc', ['--version']).status === 0 && haveKernelPrerequisites().m32;
  let dir: string;
  const runs = new Map<Abi['name'], Promise<TunRun>>();
  let dumps: Map<string, Dumped>;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ioctl32-access-'));
    // one after the other (each makes a tun interface); a failure surfaces in its own test, not as unhandled
    const native = runTunProgram(dir, 64);
    runs.set('x86_64', native);
    if (m32)
      runs.set(
        'i386',
        native.catch(() => undefined).then(() => runTunProgram(dir, 32)),
      );
    for (const r of runs.values()) r.catch(() => undefined);
    dumps = new Map([x86, i386].map((abi) => [abi.name, dumpHeaders({ abi, headers: ['linux/if_tun.h'] })] as const));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test.for(['x86_64', 'i386'] as const)('%s process', async (abiName, ctx) => {
    if (abiName === 'i386' && !m32)
      ctx.skip(
        'gcc -m32 does not build and run an i386 program here (libc6-dev-i386, lib32gcc-12-dev, IA32 emulation)',
      );
    const r = await runs.get(abiName)!;
    const why = skipReason(r);
    if (why) ctx.skip(`no tun interface here: ${why}`);
    const d = dumps.get(abiName)!.result.ioctls.TUNSETFILTEREBPF!;
    // ioctl32's number is the one the program's compiler computed, and it says the kernel reads
    expect(d.dir).toBe('r');
    expect(d.access).toBe('w');
    for (const p of r.probes.values()) expect(p.cmd, p.probe).toBe(d.cmd);
    const p = (name: string) => {
      const x = r.probes.get(name);
      if (!x) throw new Error(`probe ${name} did not run`);
      return x;
    };
    // the answer follows the value in the buffer: the kernel read it
    expect([p('detach').ret, p('detach').errno]).toEqual([0, 0]);
    expect([p('closed-fd').ret, p('closed-fd').errno]).toEqual([-1, EBADF]);
    expect([p('not-bpf').ret, p('not-bpf').errno]).toEqual([-1, EINVAL]);
    // an unmapped page faults in copy_from_user
    expect([p('unmapped').ret, p('unmapped').errno]).toEqual([-1, EFAULT]);
    // and nothing was written back: the int and the guard bytes after it are as they were
    for (const name of ['detach', 'closed-fd', 'not-bpf']) expect(p(name).after, name).toBe(p(name).before);
  });

  test('check and the thunk say the same for x86_64 <- i386: convert in, nothing back', () => {
    const report = check({ pairs: [{ native: x86, compat: i386 }], scan: { headers: ['linux/if_tun.h'] } });
    const v = report.pairs[0]!.ioctls.find((x) => x.name === 'TUNSETFILTEREBPF')!;
    expect({ dir: v.dir, access: v.access, byValue: v.byValue }).toEqual({ dir: 'r', access: 'w', byValue: undefined });
    const t = ioctlThunk('TUNSETFILTEREBPF', dumps.get('x86_64')!, dumps.get('i386')!);
    expect({ in: t.in, out: t.out }).toEqual({ in: true, out: false });
    const fd = Uint8Array.of(0xe7, 0x03, 0, 0);
    expect([...t.enter(fd)]).toEqual([...fd]);
    expect(t.leave(new Uint8Array(4))).toBeNull();
  });
});

describe('the thunk converts the way the kernel copies, not the way the macro says', () => {
  const x86 = getAbi('x86_64');
  const i386 = getAbi('i386');
  let n: Dumped;
  let c: Dumped;
  beforeAll(() => {
    n = dumpHeaders({ abi: x86, headers: ['linux/usbdevice_fs.h'] });
    c = dumpHeaders({ abi: i386, headers: ['linux/usbdevice_fs.h'] });
  });

  test('USBDEVFS_DISCSIGNAL (_IOR): the 32-bit argument is converted in, nothing back', () => {
    const t = ioctlThunk('USBDEVFS_DISCSIGNAL', n, c);
    expect({ in: t.in, out: t.out, access: t.access }).toEqual({ in: true, out: false, access: 'w' });
    // struct usbdevfs_disconnectsignal: int signr; void __user *context — 8 bytes on i386, 16 on x86_64
    const task = Uint8Array.of(10, 0, 0, 0, 0x78, 0x56, 0x34, 0x12);
    const native = t.enter(task);
    expect(native.length).toBe(16);
    const view = new DataView(native.buffer, native.byteOffset);
    expect([view.getInt32(0, true), view.getBigUint64(8, true)]).toEqual([10, 0x12345678n]);
    expect(t.leave(native)).toBeNull();
    // into the caller's buffers: the same bytes, and nothing written back
    const arena = new Uint8Array(32).fill(0xee);
    expect(t.enterInto(task, arena, 8)).toBe(16);
    expect([...arena.subarray(8, 24)]).toEqual([...native]);
    expect([...arena.subarray(0, 8), ...arena.subarray(24)]).toEqual(new Array(16).fill(0xee));
    expect(t.leaveInto(native, arena, 0)).toBe(0);
    expect(arena[0]).toBe(0xee);
  });

  test('USBDEVFS_CONNECTINFO (_IOW): nothing in, converted back; GETDRIVER (_IOW): both ways', () => {
    const ci = ioctlThunk('USBDEVFS_CONNECTINFO', n, c);
    expect({ in: ci.in, out: ci.out }).toEqual({ in: false, out: true });
    const task = new Uint8Array(ci.converter!.compatSize).fill(0xee);
    expect([...ci.enter(task)]).toEqual(new Array(ci.converter!.nativeSize).fill(0));
    expect(ci.leave(new Uint8Array(ci.converter!.nativeSize))).not.toBeNull();
    // into the caller's buffers: the native argument zeroed (the task's bytes not looked at), converted back
    const arena = new Uint8Array(ci.converter!.nativeSize).fill(0xee);
    expect(ci.enterInto(task, arena)).toBe(ci.converter!.nativeSize);
    expect([...arena]).toEqual(new Array(ci.converter!.nativeSize).fill(0));
    const back = new Uint8Array(ci.converter!.compatSize).fill(0xee);
    expect(ci.leaveInto(arena, back)).toBe(ci.converter!.compatSize);
    expect([...back]).toEqual([...ci.leave(arena)!]);
    const gd = ioctlThunk('USBDEVFS_GETDRIVER', n, c);
    expect({ in: gd.in, out: gd.out }).toEqual({ in: true, out: true });
  });

  test('a number that tells the truth keeps its direction (GET_CAPABILITIES: _IOR, put_user)', () => {
    const t = ioctlThunk('USBDEVFS_GET_CAPABILITIES', n, c);
    expect({ in: t.in, out: t.out, access: t.access }).toEqual({ in: false, out: true, access: 'r' });
  });
});

describe('gen c copies the way the kernel copies', () => {
  /** The body of the generated handler of one ioctl. */
  function handler(source: string, name: string): string {
    const at = source.indexOf(`_compat_${name}(struct file *file`);
    expect(at, `no handler for ${name}`).toBeGreaterThan(0);
    return source.slice(at, source.indexOf('\n}\n', at));
  }

  test('USBDEVFS_DISCSIGNAL (_IOR, proc_disconnectsignal reads): copied in, nothing zeroed or copied out', () => {
    const pair = { native: getAbi('x86_64'), compat: getAbi('i386') };
    const g = generateCompatC({ pair, scan: { headers: ['linux/usbdevice_fs.h'], kernelTree: null }, prefix: 'usb' });
    const disc = handler(g.source, 'USBDEVFS_DISCSIGNAL');
    expect(disc).toMatch(/copy_from_user\(&uarg, argp/);
    expect(disc).not.toMatch(/copy_to_user|put_user|memset/);
    // REAPURB (_IOW, processcompl writes the pointer): only put back
    const reap = handler(g.source, 'USBDEVFS_REAPURB');
    expect(reap).toMatch(/put_user\(uarg/);
    expect(reap).not.toMatch(/copy_from_user|get_user/);
  });
});
