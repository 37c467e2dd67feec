/**
 * `ioctl32 gen c` against the kernel's compiler: every UAPI header with ioctls that need work on
 * x86_64 <- i386 or <- x32 (as `check` finds them) gets its compat code generated for both compat
 * ABIs at once, and the code builds as one out-of-tree module against Debian's linux-headers-amd64
 * with W=1 and -Werror, its static_asserts of every compat struct's size, alignment and member
 * offsets, every compat number, and the native side as the kernel compiles it.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { getAbi } from '../src/abi/index.js';
import { kernelTreeIncludeDirs } from '../src/cfront/kernel-tree.js';
import { generateCompatC, type GeneratedC } from '../src/codegen/c.js';
import { check } from '../src/compat/check.js';
import { buildModule, kernelBuildDir } from './harness/kbuild.js';

const x86 = getAbi('x86_64');
const compats = [getAbi('i386'), getAbi('x32')];

describe('generated compat code builds as a kernel module (linux-headers-amd64)', () => {
  test('every UAPI header with ioctls that need work on x86_64 <- i386 or <- x32, DRM included', () => {
    const kdir = kernelBuildDir();
    if (!kdir)
      throw new Error('no /usr/src/linux-headers-*-amd64: install linux-headers-amd64 (scripts/install-toolchains.sh)');
    // the headers check finds work in, on the kernel tree's UAPI set as user space reads it
    const report = check({
      pairs: compats.map((compat) => ({ native: x86, compat })),
      scan: { kernelTree: kdir },
      lint: false,
    });
    const found = [
      ...new Set(compats.flatMap((c) => Object.keys(report.summary.needsWork[`x86_64:${c.name}`] ?? {}))),
    ].sort();
    // a header the tree does not export (glibc's own scsi/sg.h, found in the libc's tree) is no kernel view's
    const uapi = kernelTreeIncludeDirs(kdir, x86);
    const headers = found.filter((h) => uapi.some((d) => existsSync(join(d, h))));
    const libcOnly = found.filter((h) => !headers.includes(h));
    expect(libcOnly.every((h) => existsSync(join('/usr/include', h)))).toBe(true);
    expect(headers.filter((h) => h.startsWith('drm/')).length).toBeGreaterThan(3);
    const gens = new Map<string, { file: string; g: GeneratedC }>();
    for (const h of headers) {
      const id = h.replace(/[^A-Za-z0-9]/g, '_');
      // distinct names per header: they share one module; the kernel's own headers define compat_* twins of some
      // UAPI structs
      const g = generateCompatC({
        pair: { native: x86, compat: compats },
        scan: { headers: [h], kernelTree: kdir },
        prefix: `g_${id}`,
        twinPrefix: `g32_${id}_`,
      });
      expect(g.kernelTree).toBe(kdir);
      gens.set(h, { file: `g_${id}.c`, g });
    }
    const stubs = [...gens.values()].map(({ file }) => {
      const fn = `long ${file.replace(/\.c$/, '')}_ioctl_kernel(struct file *file, unsigned int cmd, void *karg)`;
      return `${fn};\n${fn} { return -ENOTTY; }`;
    });
    const files: Record<string, string> = Object.fromEntries([...gens.values()].map(({ file, g }) => [file, g.source]));
    files['stub.c'] = `#include <linux/module.h>\n#include <linux/fs.h>\n${stubs.join('\n')}\nMODULE_LICENSE("GPL");\n`;
    const full = buildModule(kdir, mkdtempSync(join(tmpdir(), 'ioctl32-kbuild-')), files);
    const all = [...gens.values()].map(({ g }) => g);
    const count = (abi: string, handling: string) =>
      all.reduce((k, g) => k + g.ioctls.filter((x) => x.abi === abi && x.handling === handling).length, 0);
    const records = all.reduce((k, g) => k + g.records.length, 0);
    console.log(
      `gen c x86_64 <- i386 + x32 over ${kdir}: ${gens.size} headers ` +
        `(${headers.filter((h) => h.startsWith('drm/')).length} DRM), built as one module with W=1 -Werror ` +
        `(${records} compat records asserted); ` +
        compats
          .map(
            (c) =>
              `${c.name}: ${count(c.name, 'converted')} converted, ${count(c.name, 'passed')} passed, ` +
              `${count(c.name, 'value')} values, ${count(c.name, 'skipped')} left out (named)`,
          )
          .join('; '),
    );
    const failures = [...gens]
      .filter(([, { file }]) => !full.built.has(file))
      .map(([h, { file }]) => `${h}: ${(full.diagnostics.get(file) ?? []).slice(0, 3).join(' | ')}`);
    expect(failures, full.output.slice(-3000)).toEqual([]);
    // not a warning in the generated code either
    expect([...full.diagnostics].filter(([f]) => f.endsWith('.c'))).toEqual([]);
    // the headers whose kernel view differs from user space's are among them
    for (const h of ['linux/videodev2.h', 'sound/asound.h', 'linux/omap3isp.h', 'linux/dma-buf.h'])
      expect(gens.has(h), h).toBe(true);
    // every ioctl left out says why
    for (const g of all) for (const x of g.ioctls) if (x.handling === 'skipped') expect(x.why, x.name).toBeTruthy();
  }, 900_000);
});
