/**
 * A kernel build tree as an include tree (src/cfront/kernel-tree.ts), in its two views. Truth:
 * the kernel view against the kernel's own compiler (a module built with kbuild against
 * linux-headers-amd64, one file per UAPI header with an ioctl, static_asserts of every size,
 * alignment and number ioctl32 read); the user view against clang over the same directories.
 */
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { getAbi } from '../src/abi/index.js';
import type { Abi } from '../src/abi/types.js';
import {
  BUILTIN_INCLUDE_DIR,
  KERNEL_STUB_DIR,
  KERNEL_VIEW_DIR,
  defaultKernelTree,
  includeConfigFor,
  kernelIncludeName,
  kernelSourceTree,
  kernelTreeIncludeDirs,
} from '../src/cfront/index.js';
import { UsageError } from '../src/errors.js';
import { dumpHeaders, type DumpResult } from '../src/scan/dump.js';
import { referenceCompiler } from './harness/compile.js';
import { buildModule, kernelBuildDir } from './harness/kbuild.js';

const run = promisify(execFile);
const x86_64 = getAbi('x86_64');

function tree(): string {
  const kdir = kernelBuildDir();
  if (!kdir)
    throw new Error('no /usr/src/linux-headers-*-amd64: install linux-headers-amd64 (scripts/install-toolchains.sh)');
  return kdir;
}

/** A fake tree of directories and files (path → text) under a fresh temporary directory. */
function fakeTree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'ioctl32-ktree-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path.endsWith('/') ? path : join(path, '..')), { recursive: true });
    if (!path.endsWith('/')) writeFileSync(join(root, path), text);
  }
  return root;
}

describe('a kernel tree as include directories', () => {
  test("a Debian build tree and its source tree: the UAPI directories in the kernel's order", () => {
    const build = tree();
    const source = kernelSourceTree(build);
    expect(source).not.toBe(build);
    expect(existsSync(join(source, 'include', 'uapi'))).toBe(true);
    expect(kernelTreeIncludeDirs(build, x86_64)).toEqual([
      join(source, 'arch/x86/include/uapi'),
      join(build, 'arch/x86/include/generated/uapi'),
      join(source, 'include/uapi'),
      join(build, 'include/generated/uapi'),
    ]);
    const kernel = includeConfigFor(x86_64, { kernelTree: build, view: 'kernel', includeDirs: ['/tmp'] });
    expect(kernel.includeDirs).toEqual([
      '/tmp',
      KERNEL_STUB_DIR,
      KERNEL_VIEW_DIR,
      ...kernel.kernelDirs,
      BUILTIN_INCLUDE_DIR,
    ]);
    expect(kernel.defines).toContainEqual(['__KERNEL__', '1']);
    expect(kernel.defines).toContainEqual(['__packed', '__attribute__((packed))']);
    const user = includeConfigFor(x86_64, { kernelTree: build });
    expect(user.includeDirs.slice(0, 6)).toEqual([KERNEL_STUB_DIR, ...user.kernelDirs, BUILTIN_INCLUDE_DIR]);
    expect(user.includeDirs).toContain('/usr/include');
    expect(user.defines).toContainEqual(['__EXPORTED_HEADERS__', '1']);
    expect(user.defines.map(([n]) => n)).not.toContain('__KERNEL__');
    // ioctl32's stand-ins ship with the package
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { files: string[] };
    expect(pkg.files).toContain('include-kernel');
    expect(existsSync(join(KERNEL_STUB_DIR, 'linux/compiler.h'))).toBe(true);
  });

  test('a plain source tree; a directory that is no tree is a usage error naming what is missing', () => {
    const src = fakeTree({ Makefile: 'VERSION = 6\n', 'include/uapi/linux/': '', 'arch/arm64/include/uapi/asm/': '' });
    expect(kernelSourceTree(src)).toBe(src);
    expect(kernelTreeIncludeDirs(src, getAbi('arm64'))).toEqual([
      join(src, 'arch/arm64/include/uapi'),
      join(src, 'include/uapi'),
    ]);
    const empty = fakeTree({ Makefile: `include ${src}x/Makefile\n` });
    expect(() => kernelTreeIncludeDirs(empty, x86_64)).toThrow(UsageError);
    expect(() => kernelTreeIncludeDirs(empty, x86_64)).toThrow(
      `no include/uapi in ${empty} or its source tree ${src}x`,
    );
    expect(() => includeConfigFor(x86_64, { kernelTree: join(empty, 'nope') })).toThrow('no such directory');
    rmSync(src, { recursive: true });
    rmSync(empty, { recursive: true });
  });

  test("defaultKernelTree: the running kernel's build tree, else the newest that serves the arch", () => {
    const root = fakeTree({
      'linux-headers-6.1.0-9-common/Makefile': 'VERSION = 6\n',
      'linux-headers-6.1.0-9-common/arch/x86/': '',
      'linux-headers-6.1.0-9-common/arch/arm64/': '',
      'linux-headers-6.1.0-9-amd64/Makefile': 'include /usr/src/linux-headers-6.1.0-9-common/Makefile\n',
      'linux-headers-6.1.0-9-amd64/arch/x86/': '',
      'linux-headers-6.1.0-10-amd64/Makefile': 'include /usr/src/linux-headers-6.1.0-10-common/Makefile\n',
      'linux-headers-6.1.0-10-amd64/arch/x86/': '',
    });
    expect(defaultKernelTree(x86_64, { root, release: '6.18.0' })).toBe(join(root, 'linux-headers-6.1.0-10-amd64'));
    expect(defaultKernelTree(x86_64, { root, release: '6.1.0-9-amd64' })).toBe(
      join(root, 'linux-headers-6.1.0-9-amd64'),
    );
    // -common has every arch, but is no build tree
    expect(defaultKernelTree(getAbi('arm64'), { root, release: '6.18.0' })).toBeNull();
    expect(defaultKernelTree(x86_64, { root: join(root, 'none') })).toBeNull();
    rmSync(root, { recursive: true });
    expect(defaultKernelTree(x86_64)).toBe(tree());
    // the kernel view reads the default tree, and names what is missing when there is none
    expect(includeConfigFor(x86_64, { view: 'kernel' }).kernelDirs).toEqual(kernelTreeIncludeDirs(tree(), x86_64));
    const arm64 = getAbi('arm64');
    if (defaultKernelTree(arm64) === null) {
      expect(() => includeConfigFor(arm64, { view: 'kernel' })).toThrow(
        'the kernel view needs a kernel tree: no /usr/src/linux-headers-* serves arm64 (arch/arm64)',
      );
    }
  });

  test('kernelIncludeName: how kernel code includes a UAPI header of the tree', () => {
    const dirs = kernelTreeIncludeDirs(tree(), x86_64);
    const [archUapi, archGenerated, uapi] = dirs as [string, string, string];
    // the UAPI file itself: the kernel's own linux/dma-buf.h shadows it without including it, and
    // a kernel wrapper need not build alone (linux/pmu.h)
    expect(kernelIncludeName(join(uapi, 'linux/dma-buf.h'), dirs)).toBe('uapi/linux/dma-buf.h');
    expect(kernelIncludeName(join(uapi, 'linux/pmu.h'), dirs)).toBe('uapi/linux/pmu.h');
    expect(kernelIncludeName(join(uapi, 'linux/ppdev.h'), dirs)).toBe('uapi/linux/ppdev.h');
    expect(kernelIncludeName(join(archUapi, 'asm/kvm.h'), dirs)).toBe('uapi/asm/kvm.h');
    expect(kernelIncludeName(join(archGenerated, 'asm/ioctls.h'), dirs)).toBe('asm/ioctls.h');
    expect(kernelIncludeName('/usr/include/linux/kvm.h', dirs)).toBeNull();
    // a kernel-view scan finds ioctl32's stand-in for the kernel's own wrapper first
    const scan = dumpHeaders({ abi: x86_64, kernelTree: tree(), view: 'kernel', headers: ['linux/videodev2.h'] }).scan;
    expect(scan.resolve('linux/videodev2.h')).toBe(join(KERNEL_VIEW_DIR, 'linux/videodev2.h'));
    expect(kernelIncludeName(scan.resolve('linux/videodev2.h'), dirs)).toBe('linux/videodev2.h');
  });
});

/** Every file and directory under `root`, relative, sorted. */
function listing(root: string): string[] {
  return (readdirSync(root, { recursive: true }) as string[]).sort();
}

/** include/uapi/Kbuild of linux 6.1. */
const NO_EXPORT_KBUILD = `# SPDX-License-Identifier: GPL-2.0
ifeq ($(wildcard $(srctree)/arch/$(SRCARCH)/include/uapi/asm/a.out.h),)
no-export-headers += linux/a.out.h
endif

ifeq ($(wildcard $(srctree)/arch/$(SRCARCH)/include/uapi/asm/kvm.h),)
no-export-headers += linux/kvm.h
endif

ifeq ($(wildcard $(srctree)/arch/$(SRCARCH)/include/uapi/asm/kvm_para.h),)
ifeq ($(wildcard $(objtree)/arch/$(SRCARCH)/include/generated/uapi/asm/kvm_para.h),)
no-export-headers += linux/kvm_para.h
endif
endif
`;

describe('a source tree that was not built, as make headers_install installs it', () => {
  test("Kbuild's asm-generic wrappers, linux/version.h and no-export-headers, in the cache, not the tree", () => {
    const cache = mkdtempSync(join(tmpdir(), 'ioctl32-cache-'));
    const saved = process.env.IOCTL32_CACHE;
    process.env.IOCTL32_CACHE = cache;
    const src = fakeTree({
      Makefile: 'VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 300\nEXTRAVERSION =\nNAME = Hurr durr\n',
      'include/uapi/Kbuild': NO_EXPORT_KBUILD,
      'include/uapi/asm-generic/Kbuild': 'mandatory-y += ioctl.h\nmandatory-y += types.h\nmandatory-y += unistd.h\n',
      'include/uapi/linux/a.out.h': '',
      'include/uapi/linux/kvm.h': '',
      'include/uapi/linux/kvm_para.h': '',
      'include/uapi/linux/types.h': '',
      'include/uapi/linux/android/binder.h': '',
      'include/uapi/drm/drm.h': '',
      // arm: its own types.h and unistd.h (with generated unistd-eabi.h), asm/kvm_para.h from generic-y
      'arch/arm/include/uapi/asm/Kbuild': 'generated-y += unistd-eabi.h\ngeneric-y += kvm_para.h\n',
      'arch/arm/include/uapi/asm/types.h': '',
      'arch/arm/include/uapi/asm/unistd.h': '',
      // x86: every header linux/ exports only with an asm/ one
      'arch/x86/include/uapi/asm/Kbuild': 'generated-y += unistd_64.h\n',
      'arch/x86/include/uapi/asm/a.out.h': '',
      'arch/x86/include/uapi/asm/kvm.h': '',
      'arch/x86/include/uapi/asm/kvm_para.h': '',
      'arch/x86/include/uapi/asm/unistd.h': '',
    });
    const before = listing(src);
    try {
      const arm = kernelTreeIncludeDirs(src, getAbi('arm'));
      expect(arm.length).toBe(4);
      expect(arm[0]).toBe(join(src, 'arch/arm/include/uapi'));
      expect(arm.slice(1).every((d) => d.startsWith(`${cache}/kernel-tree/`))).toBe(true);
      // scripts/Makefile.asm-generic: generic-y, and the mandatory-y the arch lacks
      expect(arm[1]).toMatch(/\/arch\/arm\/include\/generated\/uapi$/);
      expect(listing(join(arm[1]!, 'asm'))).toEqual(['ioctl.h', 'kvm_para.h']);
      expect(readFileSync(join(arm[1]!, 'asm/ioctl.h'), 'utf8')).toBe('#include <asm-generic/ioctl.h>\n');
      // include/uapi without the headers arm does not export; each entry a link into the tree
      expect(arm[2]).toMatch(/\/include\/uapi$/);
      expect(readdirSync(join(arm[2]!, 'linux')).sort()).toEqual(['android', 'kvm_para.h', 'types.h']);
      expect(realpathSync(join(arm[2]!, 'linux/android/binder.h'))).toBe(
        realpathSync(join(src, 'include/uapi/linux/android/binder.h')),
      );
      expect(existsSync(join(arm[2]!, 'drm/drm.h'))).toBe(true);
      // the top Makefile's filechk_version.h (a SUBLEVEL over 255 counts as 255)
      expect(arm[3]).toMatch(/\/include\/generated\/uapi$/);
      expect(readFileSync(join(arm[3]!, 'linux/version.h'), 'utf8')).toBe(
        '#define LINUX_VERSION_CODE 393727\n' +
          '#define KERNEL_VERSION(a,b,c) (((a) << 16) + ((b) << 8) + ((c) > 255 ? 255 : (c)))\n' +
          '#define LINUX_VERSION_MAJOR 6\n#define LINUX_VERSION_PATCHLEVEL 1\n#define LINUX_VERSION_SUBLEVEL 300\n',
      );
      // x86 exports every one: the tree's own include/uapi
      const x86 = kernelTreeIncludeDirs(src, x86_64);
      expect(x86[2]).toBe(join(src, 'include/uapi'));
      expect(listing(join(x86[1]!, 'asm'))).toEqual(['ioctl.h', 'types.h']);
      expect(x86[3]).toBe(arm[3]);
      // riscv (no arch/riscv here) has no asm/kvm_para.h, of its own or generated: linux/kvm_para.h goes too
      const [, riscvUapi] = kernelTreeIncludeDirs(src, getAbi('riscv64'));
      expect(readdirSync(join(riscvUapi!, 'linux')).sort()).toEqual(['android', 'types.h']);
      // the same tree, the same directories; a header added, a new mirror
      expect(kernelTreeIncludeDirs(src, getAbi('arm'))).toEqual(arm);
      writeFileSync(join(src, 'include/uapi/linux/mydrv.h'), '');
      const added = kernelTreeIncludeDirs(src, getAbi('arm'));
      expect(added[2]).not.toBe(arm[2]);
      expect(existsSync(join(added[2]!, 'linux/mydrv.h'))).toBe(true);
      rmSync(join(src, 'include/uapi/linux/mydrv.h'));
      // nothing was written into the tree
      expect(listing(src)).toEqual(before);
      // a scan reads the wrappers and finds no hidden header
      const d = dumpHeaders({ abi: getAbi('arm'), kernelTree: src, headers: ['linux/types.h'] });
      expect(d.scan.resolve('asm/ioctl.h')).toBe(join(arm[1]!, 'asm/ioctl.h'));
      expect(existsSync(d.scan.resolve('linux/kvm.h'))).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.IOCTL32_CACHE;
      else process.env.IOCTL32_CACHE = saved;
      rmSync(src, { recursive: true });
      rmSync(cache, { recursive: true });
    }
  });
});

/** `struct x` records and typedef names alike: a C type name either way. */
function assertRecords(d: DumpResult, header: string): string[] {
  const out: string[] = [];
  for (const [name, r] of Object.entries(d.records)) {
    if (r.header !== header) continue;
    out.push(`_Static_assert(sizeof(${name}) == ${r.size}, "${name}: sizeof ${r.size}");`);
    out.push(`_Static_assert(_Alignof(${name}) == ${r.align}, "${name}: _Alignof ${r.align}");`);
  }
  return out;
}

/** The headers whose own text defines an ioctl macro (with or without a number). */
function ioctlHeaders(d: DumpResult): Set<string> {
  const out = new Set(Object.values(d.ioctls).map((i) => i.header));
  for (const m of Object.values(d.unresolved)) out.add(m.slice(0, m.indexOf(':')));
  return out;
}

/** The first line of a kbuild run's output that reports an error. */
function firstError(output: string): string {
  return output.split('\n').find((l) => / error: |Error \d/.test(l)) ?? output.trim().split('\n').pop() ?? '';
}

describe('the kernel view agrees with the kernel', () => {
  test('every UAPI header with an ioctl: a module of static_asserts builds against kbuild', () => {
    const kdir = tree();
    const source = kernelSourceTree(kdir);
    const kernel = dumpHeaders({ abi: x86_64, kernelTree: kdir, view: 'kernel' });
    const user = dumpHeaders({ abi: x86_64, kernelTree: kdir, view: 'user' });
    const treeDirs = includeConfigFor(x86_64, { kernelTree: kdir, view: 'kernel' }).kernelDirs;
    const inTree = (h: string) => treeDirs.some((d) => existsSync(join(d, h)));
    const headers = [...new Set([...ioctlHeaders(kernel.result), ...ioctlHeaders(user.result)])].filter(inTree).sort();
    expect(headers.length).toBeGreaterThan(200);
    // a number is asserted in the unit that gave it its value (TCGETS2's struct termios2 is not
    // asm-generic/ioctls.h's); what a program includes first is user space's (stddef.h)
    const numbersOf = new Map<string, string[]>();
    let withPrerequisites = 0;
    for (const [n, e] of Object.entries(kernel.result.ioctls)) {
      if (!headers.includes(e.header)) continue;
      // <linux/ioctl.h> (sound/asound.h uses _IOR without it) kernel code has through what it includes first
      if (e.prerequisites?.some((p) => p !== 'linux/ioctl.h')) {
        withPrerequisites++;
        continue;
      }
      const unit = kernel.foundIn.get(n)!;
      const hex = `0x${e.cmd.toString(16)}`;
      const line = `_Static_assert((unsigned int)(${n}) == ${hex}u, "${n}: ${hex}");`;
      numbersOf.set(unit, [...(numbersOf.get(unit) ?? []), line]);
    }
    const units = [...new Set([...headers, ...numbersOf.keys()])].sort();

    const files: Record<string, string> = {};
    const spelled = new Map<string, string>();
    /** Records and numbers asserted per file. */
    const counts = new Map<string, [number, number]>();
    /** The file as `uapi/NAME` where kernel code names a wrapper of the kernel's own. */
    const asUapi: Record<string, string> = {};
    units.forEach((h, i) => {
      const f = `h${i}.c`;
      const file = treeDirs.map((d) => join(d, h)).find((p) => existsSync(p))!;
      const name = kernelIncludeName(file, treeDirs)!;
      spelled.set(f, h);
      const lines = [`#include <${name}>`, '#include <linux/ioctl.h>'];
      if (!kernel.result.failed[h]) {
        const asserts = headers.includes(h) ? assertRecords(kernel.result, h) : [];
        counts.set(f, [asserts.length / 2, numbersOf.get(h)?.length ?? 0]);
        lines.push(...asserts, ...(numbersOf.get(h) ?? []));
      }
      files[f] = `${lines.join('\n')}\n`;
      if (name === h && !file.includes('/generated/')) asUapi[f] = files[f].replace(`<${h}>`, `<uapi/${h}>`);
    });
    const work = mkdtempSync(join(tmpdir(), 'ioctl32-kview-'));
    const mod = buildModule(kdir, join(work, 'asserts'), files, { strict: false });

    // a file that did not build: the header alone (the kernel cannot compile it), or a disagreement
    const failed = (built: Set<string>, names: string[]) => names.filter((f) => !built.has(f));
    let failedFiles = failed(mod.built, Object.keys(files));
    // the kernel's own wrapper may not compile alone (linux/hiddev.h): the UAPI header then, as uapi/NAME
    const retry = Object.fromEntries(failedFiles.filter((f) => asUapi[f]).map((f) => [f, asUapi[f]!]));
    const viaUapi = buildModule(kdir, join(work, 'uapi'), retry, { strict: false });
    for (const f of failedFiles) if (viaUapi.built.has(f)) files[f] = retry[f]!;
    failedFiles = failed(viaUapi.built, failedFiles);
    const kernelCannot: string[] = [];
    const disagree: string[] = [];
    for (const f of failedFiles) {
      const h = spelled.get(f)!;
      const alone = buildModule(kdir, join(work, f), { [f]: files[f]!.split('\n')[0]! + '\n' }, { strict: false });
      if (!alone.built.has(f)) kernelCannot.push(`${h}: ${firstError(alone.output).replace(`${source}/`, '')}`);
      else disagree.push(`${h}: ${(mod.diagnostics.get(f) ?? [firstError(mod.output)]).join('\n  ')}`);
    }
    const builtCounts = [...counts].filter(([f]) => !failedFiles.includes(f)).map(([, c]) => c);
    const records = builtCounts.reduce((n, [r]) => n + r, 0);
    const numbers = builtCounts.reduce((n, [, k]) => n + k, 0);
    const uapiSpelled = Object.keys(retry)
      .filter((f) => viaUapi.built.has(f))
      .map((f) => spelled.get(f)!);
    rmSync(work, { recursive: true, force: true });
    const unread = headers.filter((h) => kernel.result.failed[h] !== undefined);
    const kernelReads = unread.filter((h) => !kernelCannot.some((k) => k.startsWith(`${h}: `)));
    console.log(
      `kernel view of ${kdir} on x86_64: ${headers.length} UAPI headers with ioctls (${units.length} units) ` +
        'built as kernel code, ' +
        `${records} records (sizeof and _Alignof) and ${numbers} numbers asserted ` +
        `(${withPrerequisites} numbers need user-space headers first: not asserted)\n` +
        `built as uapi/NAME, the kernel's own wrapper not compiling alone: ${uapiSpelled.join(' ')}\n` +
        `the kernel cannot compile alone (${kernelCannot.length}):\n  ${kernelCannot.join('\n  ')}\n` +
        `ioctl32 cannot read in the kernel view, the kernel compiles (${kernelReads.length}):\n  ` +
        kernelReads.map((h) => `${h}: ${kernel.result.failed[h]}`).join('\n  '),
    );
    expect(disagree).toEqual([]);
    // the headers the issue names, and DRM's, are read as kernel code reads them
    const named = ['linux/videodev2.h', 'sound/asound.h', 'linux/omap3isp.h', 'linux/dvb/frontend.h'];
    named.push('linux/dma-buf.h', 'linux/ppdev.h', ...headers.filter((h) => h.startsWith('drm/')));
    expect(named.filter((h) => !headers.includes(h) || kernel.result.failed[h] !== undefined)).toEqual([]);
    expect(kernel.result.records['struct v4l2_buffer']).toMatchObject({ size: 88 });
    expect(user.result.records['struct v4l2_buffer']).toMatchObject({ size: 88 });
    expect(records).toBeGreaterThan(1000);
    expect(numbers).toBeGreaterThan(2000);
  }, 300_000);
});

describe('the user view agrees with clang', () => {
  const SAMPLE = [
    'drm/drm.h',
    'drm/drm_mode.h',
    'linux/videodev2.h',
    'sound/asound.h',
    'linux/input.h',
    'linux/kvm.h',
    'linux/usbdevice_fs.h',
    'linux/fs.h',
    'linux/dma-buf.h',
    'linux/ppdev.h',
  ];
  for (const abi of [getAbi('i386'), x86_64]) {
    test(`${abi.name}: sizeof and _Alignof of every record of ${SAMPLE.length} headers`, async () => {
      const kdir = tree();
      const d = dumpHeaders({ abi, kernelTree: kdir, headers: SAMPLE });
      expect(d.result.failed).toEqual({});
      const config = includeConfigFor(abi, { kernelTree: kdir });
      // the reference compiler (clang-16 --target) with its own headers where ioctl32 has its stand-ins
      const cc = referenceCompiler(abi);
      const resource = join((await run(cc.command, ['-print-resource-dir'])).stdout.trim(), 'include');
      const args = [...cc.args, '-fsyntax-only', '-std=gnu11', '-w', '-nostdinc'];
      for (const dir of config.includeDirs) args.push('-I', dir === BUILTIN_INCLUDE_DIR ? resource : dir);
      for (const [name, value] of config.defines) args.push(`-D${name}=${value}`);
      let records = 0;
      const disagree: string[] = [];
      await Promise.all(
        SAMPLE.map(async (h) => {
          const names = Object.keys(d.result.records).filter((n) => d.foundIn.get(n) === h);
          const asserts = names.map((n) => {
            const r = d.result.records[n]!;
            return (
              `_Static_assert(sizeof(${n}) == ${r.size}, "${n}: sizeof ${r.size}");\n` +
              `_Static_assert(_Alignof(${n}) == ${r.align}, "${n}: _Alignof ${r.align}");`
            );
          });
          records += names.length;
          const source = `#include <${h}>\n${asserts.join('\n')}\n`;
          await new Promise<void>((resolve, reject) => {
            const child = execFile(cc.command, [...args, '-x', 'c', '-'], (e, _out, stderr) => {
              if (e && !stderr) reject(e);
              else if (e)
                disagree.push(
                  `${h}: ${stderr
                    .split('\n')
                    .filter((l) => l.includes('error'))
                    .join('\n  ')}`,
                );
              resolve();
            });
            child.stdin!.end(source);
          });
        }),
      );
      console.log(
        `user view of ${kdir} on ${abi.name}: ${records} records of ${SAMPLE.length} headers agree with clang`,
      );
      expect(disagree).toEqual([]);
      expect(records).toBeGreaterThan(300);
    }, 120_000);
  }
});
