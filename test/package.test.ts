/**
 * The package as a user gets it: `npm pack` of this checkout installed into a temporary prefix.
 * The installed bin must answer --version and check a header that includes <stddef.h> (the
 * compiler stand-ins in include/ have to be in the package), and the README's library example
 * must run there as it is and print what the README says.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { getAbi } from '../src/abi/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
const run = promisify(execFile);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function runIn(cwd: string, file: string, args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await run(file, args, { cwd, env: userEnv(), maxBuffer: 1 << 28 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** The environment without what `npm test` adds (its prefix and package): as in a user's shell. */
function userEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) {
    if (/^npm_(package_|lifecycle_|config_(local_)?prefix$)/i.test(k)) delete env[k];
  }
  return env;
}

function filesBelow(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? filesBelow(p) : [p];
  });
}

/** dist/ is older than a source file (or lacks its output): the package would ship stale code. */
function distIsStale(): boolean {
  return filesBelow(join(ROOT, 'src'))
    .filter((f) => f.endsWith('.ts'))
    .some((f) => {
      const out = join(ROOT, 'dist', relative(join(ROOT, 'src'), f).replace(/\.ts$/, '.js'));
      try {
        return statSync(out).mtimeMs < statSync(f).mtimeMs;
      } catch {
        return true;
      }
    });
}

/** The README's library example (the js block that imports the package) and the output it promises. */
function readmeExample(): { code: string; prints: string } {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const code = /```js\n((?:(?!```)[\s\S])*?from 'ioctl32'[\s\S]*?)```/.exec(readme);
  if (!code) throw new Error("README.md has no ```js block that imports 'ioctl32'");
  const after = readme.slice(code.index + code[0].length);
  const prints = /^\s*It prints:\s*```\n([\s\S]*?)```/.exec(after);
  if (!prints) throw new Error('README.md: the example is not followed by "It prints:" and a block');
  return { code: code[1]!, prints: prints[1]! };
}

let work = '';
let prefix = '';
let bin = '';
let packed: string[] = [];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ioctl32-package-'));
  prefix = join(work, 'prefix');
  // `npm pack` would run `prepare` (tsc) and rewrite dist/ under the other test files' feet:
  // build only when dist/ is behind the sources, then pack what is there
  if (distIsStale()) {
    try {
      execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string };
      throw new Error(`npm run build failed:\n${err.stdout ?? ''}${err.stderr ?? ''}`);
    }
  }
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], {
    cwd: ROOT,
    encoding: 'utf8',
    env: userEnv(),
  });
  const info = JSON.parse(out) as Array<{ filename: string; files: Array<{ path: string }> }>;
  packed = info[0]!.files.map((f) => f.path);
  // an absolute path: npm reads a relative "dir/x.tgz" as a GitHub repository
  const tarball = join(work, info[0]!.filename);
  await run('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', tarball], { cwd: work, env: userEnv() });
  bin = join(prefix, 'node_modules', '.bin', 'ioctl32');
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('npm package', () => {
  test('holds the compiler stand-ins, the licence and the contract', () => {
    const stand = readdirSync(join(ROOT, 'include')).map((f) => `include/${f}`);
    expect(stand.length).toBeGreaterThan(0);
    for (const f of [...stand, 'LICENSE', 'README.md', 'docs/CONTRACT.md', 'dist/cli/main.cjs', 'dist/index.d.ts']) {
      expect(packed, f).toContain(f);
    }
  });

  test("ioctl32 --version prints package.json's version", async () => {
    const r = await runIn(work, bin, ['--version']);
    expect(r).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });

  test('installed check reads a header that includes <stddef.h>', async () => {
    const header = join(work, 'sized.h');
    writeFileSync(
      header,
      [
        '#include <stddef.h>',
        '#include <linux/ioctl.h>',
        'struct sized_req { size_t len; unsigned int flags; };',
        "#define SIZED_SET _IOW('s', 1, struct sized_req)",
        '',
      ].join('\n'),
    );
    const r = await runIn(work, bin, ['check', '--pair', 'x86_64:i386', '--format', 'json', './sized.h']);
    // size_t is unsigned long on both ABIs: whether the struct converts follows from their longs
    const differs = getAbi('x86_64').sizes.long !== getAbi('i386').sizes.long;
    expect(r.stderr).not.toMatch(/not found|could not be read/);
    expect(r.code, r.stderr).toBe(differs ? 1 : 0);
    const report = JSON.parse(r.stdout) as { pairs: Array<{ ioctls: Array<{ name: string; verdict: string }> }> };
    const row = report.pairs[0]!.ioctls.find((i) => i.name === 'SIZED_SET');
    expect(row, r.stdout).toBeDefined();
    expect(row!.verdict).toBe(differs ? 'convert' : 'identical');
  });

  test("installed check of the UAPI set answers as the checkout's", async () => {
    const args = ['check', '--pair', 'x86_64:i386', '--format', 'json'];
    const installed = await runIn(work, bin, args);
    const checkout = await runIn(work, 'node', [join(ROOT, 'dist', 'cli', 'main.cjs'), ...args]);
    expect(installed.code).toBe(checkout.code);
    const rows = (r: Run) => JSON.parse(r.stdout) as { pairs: Array<{ ioctls: unknown[] }>; failed: unknown };
    expect(rows(checkout).pairs[0]!.ioctls.length).toBeGreaterThan(1000);
    expect(rows(installed).failed).toEqual(rows(checkout).failed);
    expect(rows(installed).pairs).toEqual(rows(checkout).pairs);
  });

  test("the README's library example runs against the installed package and prints what the README says", async () => {
    const { code, prints } = readmeExample();
    const dir = mkdtempSync(join(prefix, 'example-'));
    writeFileSync(join(dir, 'example.mjs'), code);
    const r = await runIn(dir, 'node', ['example.mjs']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(prints);
    // and the verdicts it prints are the installed CLI's for the header it wrote
    const cli = await runIn(dir, bin, ['check', '--pair', 'x86_64:i386', '--format', 'json', './mydrv.h']);
    const report = JSON.parse(cli.stdout) as { pairs: Array<{ ioctls: Array<{ name: string; verdict: string }> }> };
    const verdicts = report.pairs[0]!.ioctls.map((i) => `${i.name} ${i.verdict}`);
    expect(verdicts.length).toBeGreaterThan(0);
    expect(
      prints
        .split('\n')
        .filter(Boolean)
        .map((l) => /: (\S+ \S+)/.exec(l)?.[1]),
    ).toEqual(verdicts);
  });

  test("the entry point exports what the README's library section names", async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const para = /Every command is a function of the package `ioctl32`:([\s\S]*?)`src\/index\.ts`/.exec(readme);
    expect(para).not.toBeNull();
    const names = [...para![1]!.matchAll(/`([A-Za-z_]\w*)`/g)].map((m) => m[1]!);
    expect(names.length).toBeGreaterThan(10);
    const probe = `const m = await import('${pkg.name}'); console.log(JSON.stringify(Object.keys(m)));`;
    const r = await runIn(prefix, 'node', ['--input-type=module', '-e', probe]);
    expect(r.code, r.stderr).toBe(0);
    const exported = JSON.parse(r.stdout) as string[];
    for (const n of names) expect(exported, n).toContain(n);
  });
});
