/**
 * Out-of-tree kernel module builds against Debian's linux-headers-amd64 (kbuild), for the
 * generated compat code: a file builds, or the compiler says why.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The newest /usr/src/linux-headers-*-amd64 with a kbuild Makefile, or null. */
export function kernelBuildDir(): string | null {
  let dirs: string[];
  try {
    dirs = readdirSync('/usr/src').filter(
      (d) => /^linux-headers-.*-amd64$/.test(d) && existsSync(join('/usr/src', d, 'Makefile')),
    );
  } catch {
    return null;
  }
  dirs.sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  const last = dirs.pop();
  return last ? join('/usr/src', last) : null;
}

export interface ModuleBuild {
  /** The source files whose object was made. */
  built: Set<string>;
  /** The compiler's errors and warnings, by source file. */
  diagnostics: Map<string, string[]>;
  output: string;
}

/**
 * Builds `files` (name → C source) as one module in `dir`, going on past errors (make -k), with
 * kbuild's W=1 warnings (missing prototypes and the like) as errors unless `strict` is false.
 */
export function buildModule(
  kdir: string,
  dir: string,
  files: Record<string, string>,
  { strict = true }: { strict?: boolean } = {},
): ModuleBuild {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const objects = Object.keys(files).map((f) => f.replace(/\.c$/, '.o'));
  const flags = strict ? 'ccflags-y := -Werror\n' : '';
  writeFileSync(join(dir, 'Makefile'), `${flags}obj-m := ioctl32gen.o\nioctl32gen-y := ${objects.join(' ')}\n`);
  const r = spawnSync('make', ['-k', '-j2', '-C', kdir, `M=${dir}`, ...(strict ? ['W=1'] : []), 'modules'], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const output = `${r.stdout}${r.stderr}`;
  const diagnostics = new Map<string, string[]>();
  for (const line of output.split('\n')) {
    const m = /^(\S+?\.[ch]):\d+:\d+: (error|warning): /.exec(line);
    if (!m) continue;
    const file = Object.keys(files).find((f) => m[1]!.endsWith(`/${f}`)) ?? m[1]!;
    (diagnostics.get(file) ?? diagnostics.set(file, []).get(file)!).push(line.replace(`${dir}/`, ''));
  }
  return {
    built: new Set(Object.keys(files).filter((f) => existsSync(join(dir, f.replace(/\.c$/, '.o'))))),
    diagnostics,
    output,
  };
}
