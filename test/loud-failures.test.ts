/**
 * Failures that must be loud (issue 11, items 5, 6 and 8), each reproduced with the built CLI in
 * a temporary directory: a header named on the command line that is missing, a directory or
 * does not parse exits 2 with the located error (check, layout, gen c, convert), a header with
 * no ioctl is nothing to check; relative -I and --sysroot are the working directory's; the
 * headers that could not be read are listed once per distinct error with the ABIs it happened
 * on; annotations, --member and --prefix that name nothing exit 2 naming them; convert's stdin;
 * layout's unknown record; NO_COLOR, and colour codes that take no column.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { getAbi } from '../src/abi/index.js';
import { includeDirsFor } from '../src/cfront/index.js';
import { colorFor, table, visibleWidth } from '../src/report/abis.js';

const BIN = resolve('dist/cli/main.cjs');
const ANSI = /\x1b\[[0-9;]*m/;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], opts: { cwd: string; input?: string | Buffer; env?: Record<string, string> }): Run {
  const env = { ...process.env, ...opts.env };
  const input = opts.input ?? '';
  const r = spawnSync('node', [BIN, ...args], { cwd: opts.cwd, input, env, encoding: 'utf8', maxBuffer: 1 << 28 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A shell line (redirections), in `cwd`. */
function sh(line: string, cwd: string): Run {
  const r = spawnSync('sh', ['-c', line], { cwd, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A temporary directory with the files given (path → text). */
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ioctl32-loud-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const MY = "#include <linux/ioctl.h>\nstruct my { int a; long b; };\n#define MY_IOC _IOR('x', 1, struct my)\n";
const BAD = "#include <linux/ioctl.h>\nstruct foo { int a; int b c; };\n#define FOO _IOR('x', 1, struct foo)\n";
const UNION =
  '#include <linux/ioctl.h>\n#include <linux/types.h>\n' +
  'struct ureq {\n\t__u32 type;\n\tunion { long l; void *p; } u;\n\t__u32 flags;\n};\n' +
  "#define U_GET _IOR('u', 1, struct ureq)\n";
const PAIR = ['--pair', 'x86_64:i386'];
const CONVERT = ['convert', '--from', 'i386', '--to', 'x86_64', '--type', 'struct ureq'];

/** No stack trace, whatever went wrong. */
function noTrace(r: Run): void {
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toMatch(/node:internal|Error: E[A-Z]+/);
}

describe('5: a header named on the command line that cannot be read is an input error', () => {
  const dir = tree({ 'bad.h': BAD, 'none.h': 'struct foo { int a; };\n', 'adir/x': '', 'my.h': MY });
  const commands: Array<[string, string[]]> = [
    ['check', ['check', ...PAIR]],
    ['layout', ['layout', '--abi', 'x86_64,i386']],
    ['gen c', ['gen', 'c', ...PAIR]],
  ];
  test.each(commands)('%s: missing, a directory, or not parsing: exit 2 with the located error', (_, args) => {
    const missing = cli([...args, './nosuch.h'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^\.\/nosuch\.h: error: file not found$/m);
    expect(missing.stdout).not.toMatch(/0 ioctls/);
    const directory = cli([...args, './adir'], { cwd: dir });
    expect(directory.code).toBe(2);
    expect(directory.stderr).toMatch(/^\.\/adir: error: a directory, not a header file$/m);
    const bad = cli([...args, './bad.h'], { cwd: dir });
    expect(bad.code).toBe(2);
    // relative to where the user is, as they named it; line and column of the missing ';'
    expect(bad.stderr).toMatch(/^bad\.h:2:27: error: expected ';' before 'c'$/m);
    expect(bad.stdout).toBe('');
    for (const r of [missing, directory, bad]) noTrace(r);
  });
  test('dump: the header under `failed` in the JSON, its located error on stderr, exit 1', () => {
    const bad = cli(['dump', '--abi', 'x86_64', './bad.h', './my.h'], { cwd: dir });
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).failed).toEqual({ './bad.h': "bad.h:2:27: error: expected ';' before 'c'" });
    expect(bad.stderr).toMatch(/^bad\.h:2:27: error: expected ';' before 'c'$/m);
    const missing = cli(['dump', '--abi', 'x86_64', './nosuch.h'], { cwd: dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^\.\/nosuch\.h: error: file not found$/m);
    const good = cli(['dump', '--abi', 'x86_64', './my.h'], { cwd: dir });
    expect([good.code, good.stderr]).toEqual([0, '']);
    expect(JSON.parse(good.stdout).ioctls.MY_IOC.size).toBe(16);
    for (const r of [bad, missing]) noTrace(r);
  });
  test('a good header next to a broken one is still an input error', () => {
    const r = cli(['check', ...PAIR, './my.h', './bad.h'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^bad\.h:2:27: error:/m);
  });
  test('check of a header with no ioctl says there is nothing to check (exit 2); layout shows its records', () => {
    const r = cli(['check', ...PAIR, './none.h'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no ioctl in \.\/none\.h: nothing to check/);
    const layout = cli(['layout', '--abi', 'x86_64', './none.h'], { cwd: dir });
    expect(layout.code).toBe(0);
    expect(layout.stdout).toMatch(/^struct foo \{/);
  });
  test('a header that fails on one ABI of the run only: exit 2 naming that ABI and what to do', () => {
    const only64 = ['#include <linux/ioctl.h>', '#ifdef __i386__', '#error no i386 here', '#endif'];
    only64.push("#define OK_IOC _IO('x', 1)", '');
    const d = tree({ 'only64.h': only64.join('\n') });
    const r = cli(['check', ...PAIR, './only64.h'], { cwd: d });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^only64\.h:3:2: error: #error no i386 here \(on i386\)$/m);
    // its own #error on i386: no include option would mend it, so none is advised
    expect(r.stderr).toMatch(/read on x86_64 but not on i386: leave it out \(--pair, --arch, --abi\)$/m);
    expect(cli(['check', '--pair', 'x86_64:x32', './only64.h'], { cwd: d }).code).toBe(0);
    // a header the i386 side lacks: the include options may give it
    const lacks = ['#include <linux/ioctl.h>', '#ifdef __i386__', '#include <only32/nowhere.h>', '#endif'];
    lacks.push("#define OK_IOC _IO('x', 1)", '');
    const e = tree({ 'lacks.h': lacks.join('\n') });
    const l = cli(['check', ...PAIR, './lacks.h'], { cwd: e });
    expect(l.code).toBe(2);
    expect(l.stderr).toMatch(/not on i386: give i386 what they include \(-I, --sysroot\) or leave it out/);
  });
  test('gen c: a header that fails on the native side, read as the kernel compiles it, is not to be left out', () => {
    // __kernel_time_t is #ifndef __KERNEL__ (asm-generic/posix_types.h): x32's user space has it, the kernel not
    const kt = ['#include <linux/types.h>', '#include <linux/ioctl.h>', 'struct kt { __kernel_time_t t; };'];
    kt.push("#define KT_IOC _IOW('t', 1, struct kt)", '');
    const d = tree({ 'kt.h': kt.join('\n') });
    const r = cli(['gen', 'c', '--pair', 'x86_64:x32', './kt.h'], { cwd: d });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^kt\.h:3:13: error: unknown type name '__kernel_time_t' \(on x86_64\)$/m);
    expect(r.stderr).toContain('read on x32 but not on x86_64, which is read as the kernel compiles them (__KERNEL__');
    expect(r.stderr).not.toContain('leave it out');
  });
  test('the whole-UAPI run (no header named) lists what it could not read and does not exit 2', () => {
    const r = cli(['check', ...PAIR, '--format', 'json'], { cwd: dir });
    expect([0, 1]).toContain(r.code);
    expect(typeof JSON.parse(r.stdout).failed).toBe('object');
  });
});

describe("6: relative -I and --sysroot are the working directory's", () => {
  // the native ABI's own directories for linux/ and asm/, found as ioctl32 finds them
  const system = includeDirsFor(getAbi('x86_64')).slice(1);
  const holding = (name: string) => system.find((d) => existsSync(join(d, name)))!;
  const dir = tree({
    'inc/my.h': MY,
    'inc/top.h': '#include "broken.h"\n',
    'inc/broken.h': BAD,
    'sr/usr/include/mine.h': MY,
    'sr/usr/include/sbad.h': BAD,
  });
  for (const name of ['linux', 'asm', 'asm-generic']) {
    symlinkSync(join(holding(name), name), join(dir, 'sr/usr/include', name));
  }

  test('-I inc: check names the header as it opens from here (inc/my.h), and lints it', () => {
    const r = cli(['check', ...PAIR, '--format', 'json', '-I', 'inc', 'my.h'], { cwd: dir });
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout) as {
      pairs: Array<{ ioctls: Array<{ name: string; header: string }> }>;
      findings: Array<{ file: string }>;
    };
    expect(json.pairs[0]!.ioctls).toEqual([expect.objectContaining({ name: 'MY_IOC', header: 'inc/my.h' })]);
    expect(json.findings.length).toBeGreaterThan(0);
    expect(new Set(json.findings.map((f) => f.file))).toEqual(new Set(['inc/my.h']));
  });
  test("-I inc: layout shows the header's records (not nothing)", () => {
    const r = cli(['layout', '--abi', 'x86_64,i386', '-I', 'inc', 'my.h'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^struct my \{/);
    expect(r.stdout).toMatch(/^\}; \/\* inc\/my\.h \*\/$/m);
  });
  test('-I inc: an error in an included file is located in it, named as it opens from here', () => {
    const r = cli(['check', ...PAIR, '-I', 'inc', 'top.h'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^inc\/broken\.h:2:27: error: expected ';' before 'c' \(reading top\.h\)$/m);
  });
  test('a file found through -I: named as it opens from here (text, JSON, SARIF); system ones by include name', () => {
    const d = tree({
      'usesinc.h': "#include <linux/fs.h>\n#include <mydrv/types.h>\n#define U_SET _IOW('u', 1, struct mt)\n",
      'inc/mydrv/types.h': '#include <linux/types.h>\nstruct mt { __u32 a; unsigned long b; };\n',
      'sub/.keep': '',
    });
    const text = cli(['check', ...PAIR, '-I', 'inc', './usesinc.h'], { cwd: d });
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^inc\/mydrv\/types\.h:2:\d+: warning \[long-or-pointer\] 'b'/m);
    const sarifRun = cli(['check', ...PAIR, '-I', 'inc', '--format', 'sarif', './usesinc.h'], { cwd: d });
    const sarif = JSON.parse(sarifRun.stdout);
    const uris = (sarif.runs[0].results as Array<{ ruleId: string; locations: Array<{ physicalLocation: any }> }>)
      .filter((r) => !r.ruleId.startsWith('compat-'))
      .map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri);
    expect(uris.length).toBeGreaterThan(0);
    expect(new Set(uris)).toEqual(new Set(['inc/mydrv/types.h']));
    for (const uri of uris) expect(existsSync(join(d, uri))).toBe(true);
    const records = (cwd: string, inc: string) =>
      JSON.parse(cli(['dump', '--abi', 'x86_64', '-I', inc, join(d, 'usesinc.h')], { cwd }).stdout).records;
    const here = records(d, 'inc');
    expect(here['struct mt'].header).toBe('inc/mydrv/types.h');
    expect(here['struct fstrim_range'].header).toBe('linux/fs.h');
    // outside the working directory: the path as found
    expect(records(join(d, 'sub'), '../inc')['struct mt'].header).toBe(join(d, 'inc/mydrv/types.h'));
    // a header named by its path outside the working directory: absolute too, in JSON and in SARIF
    const dumped = JSON.parse(cli(['dump', '--abi', 'x86_64', '-I', 'inc', join(d, 'usesinc.h')], { cwd: d }).stdout);
    expect(dumped.ioctls.U_SET.header).toBe('usesinc.h');
    const outside = cli(['dump', '--abi', 'x86_64', '-I', '../inc', join(d, 'usesinc.h')], { cwd: join(d, 'sub') });
    expect(JSON.parse(outside.stdout).ioctls.U_SET.header).toBe(join(d, 'usesinc.h'));
    const sarifOut = cli(['check', ...PAIR, '-I', '../inc', '--format', 'sarif', join(d, 'usesinc.h')], {
      cwd: join(d, 'sub'),
    });
    const all = JSON.parse(sarifOut.stdout).runs[0].results as Array<{ locations: Array<{ physicalLocation: any }> }>;
    const files = new Set(all.map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri as string));
    expect([...files].every((f) => f.startsWith('/') && existsSync(f))).toBe(true);
  });
  test('--sysroot sr: the headers below sr/usr/include, errors located there', () => {
    const ok = cli(['check', ...PAIR, '--format', 'json', '--sysroot', 'sr', 'mine.h'], { cwd: dir });
    expect(ok.code).toBe(1);
    expect(JSON.parse(ok.stdout).pairs[0].ioctls[0]).toMatchObject({ name: 'MY_IOC', header: 'sr/usr/include/mine.h' });
    const bad = cli(['check', ...PAIR, '--sysroot', 'sr', 'sbad.h'], { cwd: dir });
    expect(bad.code).toBe(2);
    // the error is in the header named: no "(reading sbad.h)"
    expect(bad.stderr).toMatch(/^sr\/usr\/include\/sbad\.h:2:27: error: expected ';' before 'c'$/m);
  });
});

describe('8: the headers that could not be read, once per distinct error', () => {
  // a UAPI set of its own (--sysroot): 14 headers with an error each, 6 stopped by one file they
  // include, one that fails on i386 only, and one that reads
  const files: Record<string, string> = {
    'usr/include/common/broken.h': '#error shared breakage\n',
    'usr/include/linux/only64.h': '#ifdef __i386__\n#error not on i386\n#endif\nstruct fine { int a; };\n',
    'usr/include/linux/good.h': 'struct good { int a; };\n',
  };
  const errHeader = (i: number) => `linux/err${String(i).padStart(2, '0')}.h`;
  for (let i = 0; i < 14; i++) files[`usr/include/${errHeader(i)}`] = `#error own error ${i}\n`;
  for (let i = 0; i < 6; i++) files[`usr/include/linux/shared${i}.h`] = '#include <common/broken.h>\n';
  const dir = tree(files);
  const listing = (r: Run) => r.stdout.slice(r.stdout.indexOf('header(s) could not be read')).split('\n');

  test('each error once, with the ABIs it happened on; the most common first; "and K more"', () => {
    const r = cli(['check', ...PAIR, '--sysroot', '.'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^21 header\(s\) could not be read:$/m);
    const lines = listing(r);
    expect(lines[1]).toBe(
      '  x86_64, i386: usr/include/common/broken.h:1:2: error: #error shared breakage: 6 headers: ' +
        'linux/shared0.h, linux/shared1.h, linux/shared2.h, linux/shared3.h and 2 more (--verbose lists them all)',
    );
    // 16 distinct errors: 12 shown, each once (not once per ABI)
    for (let i = 0; i < 14; i++) expect(r.stdout.split(`#error own error ${i}\n`).length - 1).toBeLessThanOrEqual(1);
    expect(r.stdout).toMatch(/^ {2}and 4 more errors \(--verbose lists them all\)$/m);
  });
  test('--verbose lists every header; an error on one ABI names that ABI only', () => {
    const r = cli(['check', ...PAIR, '--sysroot', '.', '--verbose'], { cwd: dir });
    const lines = listing(r);
    expect(lines[1]).toMatch(/6 headers: linux\/shared0\.h, .*linux\/shared5\.h$/);
    for (let i = 0; i < 14; i++) {
      expect(lines).toContain(`  x86_64, i386: usr/include/${errHeader(i)}:1:2: error: #error own error ${i}`);
    }
    expect(lines).toContain('  i386: usr/include/linux/only64.h:2:2: error: #error not on i386');
    expect(r.stdout).not.toMatch(/more/);
  });
  test('layout lists them the same way', () => {
    const r = cli(['layout', '--abi', 'x86_64,i386', '--sysroot', '.', '--verbose'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^struct good \{/m);
    expect(r.stdout).toMatch(/^21 header\(s\) could not be read:$/m);
    expect(r.stdout).toContain('  i386: usr/include/linux/only64.h:2:2: error: #error not on i386');
  });
});

describe('8: what names nothing exits 2 naming it', () => {
  const dir = tree({
    'u.h': UNION,
    'no-ioctl.json': JSON.stringify({ ioctls: { NO_SUCH_IOCTL: { arg: 'struct ureq' } } }),
    'no-record-arg.json': JSON.stringify({ ioctls: { U_GET: { arg: 'struct nosuch' } } }),
    'no-record.json': JSON.stringify({ records: { 'struct nosuch': { x: { kind: 'user-pointer' } } } }),
    'no-member.json': JSON.stringify({ records: { 'struct ureq': { nomember: { kind: 'user-pointer' } } } }),
    'bad-access.json': JSON.stringify({ ioctls: { U_GET: { access: 'x' } } }),
    'no-access-ioctl.json': JSON.stringify({ ioctls: { NO_SUCH_IOCTL: { access: 'w' } } }),
  });
  test.each([
    ['no-ioctl.json', /no-ioctl\.json: ioctls\.NO_SUCH_IOCTL: no such ioctl in the headers/],
    ['no-record-arg.json', /no-record-arg\.json: ioctls\.U_GET: no such record in the headers: struct nosuch/],
    ['no-record.json', /no-record\.json: struct nosuch: no such record in the headers/],
    ['no-member.json', /no-member\.json: struct ureq\.nomember: no such member/],
    ['bad-access.json', /bad-access\.json: U_GET\.access: "r" \(the kernel writes\), "w" \(the kernel reads\) or "rw"/],
    ['no-access-ioctl.json', /no-access-ioctl\.json: ioctls\.NO_SUCH_IOCTL: no such ioctl in the headers/],
    // a file that cannot be read at all: an input error, not a crash with exit 1 (check read it itself)
    ['nosuch.json', /cannot read annotations file nosuch\.json: ENOENT/],
    ['.', /cannot read annotations file \.: EISDIR/],
  ])('annotations %s: check and gen c', (file, message) => {
    for (const args of [
      ['check', ...PAIR],
      ['gen', 'c', ...PAIR],
    ]) {
      const r = cli([...args, '--annotations', file, './u.h'], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
  test.each([
    ['flags=x', /--member flags=x: 'flags' is __u32, not a union/],
    ['nope=x', /--member nope=x: no member 'nope' in struct ureq/],
    ['u=zz', /--member u=zz: union 'u' has no member 'zz' \(its members: l, p\)/],
    // a bare name is a preference for any union: one that no union has is a typo all the same
    ['zz', /--member zz: no union of struct ureq has a member 'zz' \(union members: l, p\)/],
  ])('--member %s: gen c and convert', (member, message) => {
    const gen = cli(['gen', 'c', ...PAIR, '--member', member, './u.h'], { cwd: dir });
    expect(gen.code).toBe(2);
    expect(gen.stderr).toMatch(message);
    const conv = cli([...CONVERT, '--member', member, './u.h'], { cwd: dir, input: Buffer.alloc(12) });
    expect(conv.code).toBe(2);
    expect(conv.stderr).toMatch(message);
  });
  test('a --member that names a union member is still taken', () => {
    expect(cli(['gen', 'c', ...PAIR, '--member', 'u=p', './u.h'], { cwd: dir }).code).toBe(0);
    expect(cli(['gen', 'c', ...PAIR, '--member', 'p', './u.h'], { cwd: dir }).code).toBe(0);
  });
  test.each(['9drv', 'my-drv', ''])('--prefix %j is not a C identifier', (prefix) => {
    const r = cli(['gen', 'c', ...PAIR, '--prefix', prefix, './u.h'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--prefix '.*' is not a C identifier/);
  });
});

describe('gen c: an ioctl left out fails the run', () => {
  const gone =
    "#include <linux/ioctl.h>\nstruct ok { int a; };\n#define OK_SET _IOW('x', 1, struct ok)\n" +
    "#define GONE _IOW('x', 2, struct missing)\n";
  const dir = tree({ 'u.h': UNION, 'none.h': 'struct foo { int a; };\n', 'gone.h': gone });
  test('a union without a --member choice: the code for the rest, exit 1, the ioctl named with why', () => {
    const r = cli(['gen', 'c', ...PAIR, './u.h'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/u_compat_ioctl/);
    expect(r.stderr).toMatch(/^ioctl32: U_GET \(convert\) not handled for i386 tasks: .*--member u=NAME/m);
    noTrace(r);
  });
  test('a macro whose number has no value is left out too, and named', () => {
    const r = cli(['gen', 'c', ...PAIR, './gone.h'], { cwd: dir });
    expect(r.code).toBe(1);
    const located =
      /^ioctl32: GONE \(unknown\) not handled for i386 tasks: .*gone\.h:4:9: .*incomplete type 'struct missing'/m;
    expect(r.stderr).toMatch(located);
    expect(r.stderr).not.toMatch(/OK_SET/);
  });
  test('a header with no ioctl: nothing to generate (exit 2, nothing on stdout)', () => {
    const r = cli(['gen', 'c', ...PAIR, './none.h'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/no ioctl in \.\/none\.h: nothing to generate/);
  });
});

describe('8: convert, layout', () => {
  const dir = tree({ 'u.h': UNION, 'my.h': MY, 'adir/x': '' });
  const convert = `node ${BIN} convert --from i386 --to x86_64 --type 'struct ureq' --member u=p ./u.h`;
  test('stdin a directory, or empty: a message, exit 2, no stack trace', () => {
    const d = sh(`${convert} < adir`, dir);
    expect(d.code).toBe(2);
    expect(d.stderr).toMatch(/stdin is a directory/);
    noTrace(d);
    const empty = sh(`${convert} < /dev/null`, dir);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/the input is empty: struct ureq is 12 bytes on i386/);
    noTrace(empty);
  });
  test('a pipe whose writer is slow: read to its end, not EAGAIN (convert, explain)', () => {
    const slow = (cmd: string) => sh(`(sleep 1; printf '\\001\\000\\000\\000') | ${cmd}`, dir);
    const conv = slow(`node ${BIN} convert --from i386 --to x86_64 --type long | od -An -tx1`);
    expect(conv.stderr).toBe('');
    expect(conv.stdout.trim()).toBe('01 00 00 00 00 00 00 00');
    const line = sh(`(sleep 1; echo 0x5401) | node ${BIN} explain --arch x86_64`, dir);
    expect(line.code).toBe(0);
    expect(line.stdout).toContain('TCGETS');
  });
  test('stdin that does not end (/dev/zero): refused past 64 MiB, not read until memory ends', () => {
    const r = sh(`${convert} < /dev/zero`, dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/stdin holds more than 64 MiB, more than any argument/);
    noTrace(r);
  });
  test('convert --ioctl: one of it and --type; a name no header defines; a way the kernel does not copy', () => {
    const base = ['convert', '--from', 'i386', '--to', 'x86_64'];
    const both = cli([...base, '--type', 'int', '--ioctl', 'MY_IOC'], { cwd: dir, input: Buffer.alloc(4) });
    expect([both.code, both.stderr]).toEqual([2, 'ioctl32: convert takes one of --type TYPE and --ioctl NAME\n']);
    expect(cli(base, { cwd: dir, input: Buffer.alloc(4) }).code).toBe(2);
    const nosuch = cli([...base, '--ioctl', 'NOPE_IOC', './my.h'], { cwd: dir, input: Buffer.alloc(4) });
    expect(nosuch.code).toBe(2);
    expect(nosuch.stderr).toMatch(/no ioctl NOPE_IOC in the headers of x86_64/);
    // _IOR: the kernel only writes it, so nothing converts in; back, the 8 bytes of an i386 task
    const into = cli([...base, '--ioctl', 'MY_IOC', './my.h'], { cwd: dir, input: Buffer.alloc(8) });
    expect([into.code, into.stdout]).toEqual([1, '']);
    expect(into.stderr).toMatch(/the kernel does not read MY_IOC's argument: nothing to convert/);
    const back = cli(['convert', '--from', 'x86_64', '--to', 'i386', '--ioctl', 'MY_IOC', './my.h'], {
      cwd: dir,
      input: Buffer.alloc(16),
    });
    expect([back.code, back.stdout.length]).toEqual([0, 8]);
    // short or long, the same words: both sizes
    for (const n of [4, 20]) {
      const wrong = cli(['convert', '--from', 'x86_64', '--to', 'i386', '--ioctl', 'MY_IOC', './my.h'], {
        cwd: dir,
        input: Buffer.alloc(n),
      });
      expect([wrong.code, wrong.stderr]).toEqual([
        1,
        `ioctl32: EINVAL: MY_IOC's argument is 16 bytes on x86_64; the input has ${n}\n`,
      ]);
    }
    const member = cli([...base, '--ioctl', 'U_GET', '--member', 'u=nope', './u.h'], {
      cwd: dir,
      input: Buffer.alloc(12),
    });
    expect(member.code).toBe(2);
    expect(member.stderr).toMatch(/--member u=nope: union 'u' has no member 'nope'/);
    for (const r of [both, nosuch, into, back, member]) noTrace(r);
  });
  test('convert ./nosuch.h: file not found', () => {
    const r = cli([...CONVERT, './nosuch.h'], { cwd: dir, input: Buffer.alloc(12) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^\.\/nosuch\.h: error: file not found$/m);
  });
  test('convert --type of a record the headers do not define: a usage error naming it, not an incomplete type', () => {
    const r = cli(['convert', '--from', 'i386', '--to', 'x86_64', '--type', 'struct nope', './u.h'], {
      cwd: dir,
      input: Buffer.alloc(4),
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^ioctl32: unknown type 'struct nope' on x86_64: no struct nope is defined in the headers/m,
    );
  });
  test('layout HEADER nosuch: a usage error (exit 2) naming it', () => {
    const r = cli(['layout', '--abi', 'x86_64', './u.h', 'ureq', 'nosuch'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no such record: nosuch/);
  });
});

describe('8: colour', () => {
  const dir = tree({ 'u.h': UNION, 'my.h': MY });
  /** The command on a terminal (script(1) gives it one); stderr (progress lines) dropped. */
  const onTerminal = (args: string, env: Record<string, string> = {}) => {
    const base = { ...process.env };
    delete base.NO_COLOR;
    const line = `node ${BIN} ${args} 2>/dev/null`;
    const r = spawnSync('script', ['-qec', line, '/dev/null'], { cwd: dir, env: { ...base, ...env } });
    return r.stdout.toString().replace(/\r/g, '');
  };
  const args = 'check --pair x86_64:i386 --no-lint ./u.h ./my.h';

  test('on a terminal, colour; NO_COLOR set and not empty: none', () => {
    expect(onTerminal(args)).toMatch(ANSI);
    expect(onTerminal(args, { NO_COLOR: '1' })).not.toMatch(ANSI);
    expect(onTerminal('layout --abi x86_64,i386 ./u.h', { NO_COLOR: '1' })).not.toMatch(ANSI);
    // no-color.org: an empty NO_COLOR does not count
    expect(onTerminal(args, { NO_COLOR: '' })).toMatch(ANSI);
    expect(colorFor({ isTTY: true }, { NO_COLOR: 'yes' })).toBe(false);
    expect(colorFor({ isTTY: true }, {})).toBe(true);
    expect(colorFor({ isTTY: false }, {})).toBe(false);
  });
  test('colour codes take no column: the table lines up as without them', () => {
    const plain = onTerminal(args, { NO_COLOR: '1' }).split('\n');
    const painted = onTerminal(args).split('\n');
    expect(painted.map((l) => l.replace(new RegExp(ANSI.source, 'g'), ''))).toEqual(plain);
    const header = plain.find((l) => l.includes('verdict') && l.includes('native'))!;
    const at = header.indexOf('native');
    for (const name of ['U_GET', 'MY_IOC']) {
      expect(plain.find((l) => l.startsWith(`  ${name} `))!.slice(at)).toMatch(/^0x[0-9a-f]{8} /);
    }
    const painted3 = table([
      ['a', 'b'],
      ['\x1b[31mconvert\x1b[0m', 'c'],
      ['identical', 'd'],
    ]);
    expect(painted3.split('\n').map(visibleWidth)).toEqual([12, 12, 12]);
  });
});

describe('decode and explain: where a name may be missing, said; include options that name nothing, exit 2', () => {
  const IOC =
    '#define _IOC(d, t, n, s) (((d) << 30) | ((s) << 16) | ((t) << 8) | (n))\n' +
    '#define _IOR(t, n, T) _IOC(2U, (t), (n), sizeof(T))\n';
  // a UAPI set of its own: linux/bad.h would define B_GET (0x80046702 on x86) but includes a file that is not there
  const dir = tree({
    'usr/include/linux/good.h': `${IOC}struct g { int a; };\n#define G_GET _IOR('g', 1, struct g)\n`,
    'usr/include/linux/bad.h':
      `#include <missing/x.h>\n${IOC}struct b { int a; };\n` + "#define B_GET _IOR('g', 2, struct b)\n",
  });
  const sysroot = ['--sysroot', '.'];
  const why = "usr/include/linux/bad.h:1:10: error: 'missing/x.h' file not found";

  test('decode: the header that may define the number and why it cannot be read, in the text and the JSON', () => {
    const r = cli(['decode', '0x80046702', '--abi', 'x86_64,i386', ...sysroot], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `  names may be missing on x86_64, i386: linux/bad.h may define it but cannot be read: ${why}`,
    );
    const json = cli(['decode', '0x80046702', '--abi', 'i386', '--json', ...sysroot], { cwd: dir });
    expect(JSON.parse(json.stdout)).toMatchObject([{ names: [], unread: [{ header: 'linux/bad.h', error: why }] }]);
    // a number only the readable header defines: its name, nothing said missing
    const good = cli(['decode', '0x80046701', '--abi', 'i386', '--json', ...sysroot], { cwd: dir });
    const [row] = JSON.parse(good.stdout) as Array<Record<string, unknown>>;
    expect(row).toMatchObject({ names: ['G_GET'] });
    expect(row).not.toHaveProperty('unread');
  });
  test('explain: with a name found, the headers that may hold another are one line, not each error', () => {
    const both = tree({
      'usr/include/linux/good.h': `${IOC}struct g { int a; };\n#define G_GET _IOR('g', 1, struct g)\n`,
      'usr/include/linux/worse.h': `#include <missing/x.h>\n${IOC}struct w { int a; };\n#define W_GET _IOR('g', 1, struct w)\n`,
    });
    const r = cli(['explain', '0x80046701', '--arch', 'x86_64', ...sysroot], { cwd: both });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('    G_GET: ');
    expect(r.stdout).toContain('    linux/worse.h may define it too but cannot be read (explain --json: why)');
    expect(r.stdout).not.toContain("'missing/x.h' file not found");
  });
  test('explain: not "no ioctl in the catalogue", but what could not be read', () => {
    const r = cli(['explain', '0x80046702', '--arch', 'x86_64', ...sysroot], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('no ioctl in the catalogue');
    expect(r.stdout).toContain('no ioctl in the headers that could be read has this number here');
    expect(r.stdout).toContain(`    linux/bad.h may define it but cannot be read: ${why}`);
  });
  test.each([
    ['decode', '0x5401', '--abi', 'i386'],
    ['explain', '0x4010ae42'],
  ])('%s with --sysroot naming no headers: exit 2, the option named', (...args) => {
    const r = cli([...args, '--sysroot', './nope'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^ioctl32: --sysroot \.\/nope has neither include\/ nor usr\/include\//m);
    expect(r.stdout).toBe('');
  });
});

describe('serve --port: only a port number', () => {
  test.each(['', ' ', 'abc', '70000', '-1', '1.5'])('--port %j: exit 2, the value named', (port) => {
    const r = cli(['serve', '--port', port], { cwd: tmpdir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--port: not a port: '${port}'`);
  });
});

describe('the library: an ABI that is none, a direction that is none: typed errors, not TypeErrors', () => {
  test('encodeIoc, decodeIoc, dump, check, explain', async () => {
    const { encodeIoc, decodeIoc } = await import('../src/ioctl/ioc.js');
    const { dump } = await import('../src/scan/dump.js');
    const { check } = await import('../src/compat/check.js');
    const { explain } = await import('../src/report/explain.js');
    const { UsageError } = await import('../src/errors.js');
    const x86 = getAbi('x86_64');
    const named = /expected an ABI \(getAbi\(name\), or one of ABIS\), got the string 'x86_64'/;
    const asString = 'x86_64' as unknown as typeof x86;
    expect(() => encodeIoc(asString, { dir: 'r', type: 1, nr: 1, size: 4 })).toThrow(named);
    expect(() => decodeIoc(null as unknown as typeof x86, 1)).toThrow(UsageError);
    expect(() => dump({ abi: asString })).toThrow(named);
    expect(() => check({ pairs: [{ native: asString, compat: x86 }], scan: {} })).toThrow(named);
    expect(() => check(undefined as unknown as Parameters<typeof check>[0])).toThrow(UsageError);
    // a pair no kernel has, headers as a string: typed errors, not verdicts of nothing or a TypeError
    const i386 = getAbi('i386');
    expect(() => check({ pairs: [{ native: i386, compat: x86 }], scan: {} })).toThrow(
      'check: x86_64 is not a compat ABI of i386 (its compat ABIs: none)',
    );
    expect(() => check({ pairs: [{ native: x86, compat: x86 }], scan: {} })).toThrow(UsageError);
    const oneString = { headers: './x.h' } as unknown as { headers: string[] };
    expect(() => check({ pairs: [{ native: x86, compat: i386 }], scan: oneString })).toThrow(
      'check: scan.headers is an array of header names or paths, not "./x.h"',
    );
    const { generateCompatC } = await import('../src/codegen/c.js');
    expect(() => generateCompatC(undefined as unknown as Parameters<typeof generateCompatC>[0])).toThrow(UsageError);
    const stringPair = { native: 'x86_64', compat: 'i386' } as unknown as { native: typeof x86; compat: typeof x86 };
    expect(() => generateCompatC({ pair: stringPair, scan: {} })).toThrow(named);
    // the kernel model: a 32-bit native, a task its kernel does not run
    const { Kernel } = await import('../src/kernel/kernel.js');
    expect(() => new Kernel(i386)).toThrow(UsageError);
    expect(() => new Kernel(x86).spawn('a', getAbi('arm'))).toThrow(UsageError);
    expect(() => explain('0x5401', { native: asString })).toThrow(named);
    for (const dir of ['read', 'write', 'W', '']) {
      const bad = { dir, type: 1, nr: 1, size: 4 } as unknown as Parameters<typeof encodeIoc>[1];
      expect(() => encodeIoc(x86, bad)).toThrow(`direction '${dir}' is none of 'none', 'r', 'w', 'rw'`);
    }
    expect(encodeIoc(x86, { dir: 'w', type: 1, nr: 1, size: 4 })).toBe(0x40040101);
  });

  test("compileConverter's union choices, toSarif's and formatCheck's report", async () => {
    const { compileConverter } = await import('../src/thunk/compile.js');
    const { ErrnoError } = await import('../src/thunk/errors.js');
    const { toSarif } = await import('../src/report/sarif.js');
    const { formatCheck } = await import('../src/report/check.js');
    const { UsageError } = await import('../src/errors.js');
    const [x86, i386] = [getAbi('x86_64'), getAbi('i386')];
    const u = { kind: 'record', decl: { union: true, members: [{ name: 'a', type: { kind: 'int', name: 'int' } }] } };
    const s = { kind: 'record', decl: { tag: 'x', union: false, members: [{ name: 'u', type: u }] } } as const;
    const type = s as unknown as Parameters<typeof compileConverter>[0];
    // a path no member has, a member the union lacks: EINVAL, as convertArgument says (`choose` is a preference
    // for any union: one list serves many types)
    for (const [opts, message] of [
      [{ members: { nope: 'a' } }, /no member 'nope' in struct x/],
      [{ members: { u: 'b' } }, /union 'u' has no member 'b' \(its members: a\)/],
    ] as const) {
      expect(() => compileConverter(type, type, x86, i386, opts)).toThrow(ErrnoError);
      expect(() => compileConverter(type, type, x86, i386, opts)).toThrow(message);
    }
    expect(compileConverter(type, type, x86, i386, { members: { u: 'a' }, choose: ['zz'] }).nativeSize).toBe(4);
    const empty = {} as unknown as Parameters<typeof toSarif>[0];
    expect(() => toSarif(empty, '1')).toThrow(UsageError);
    expect(() => toSarif(empty, '1')).toThrow("toSarif: expected check()'s report");
    expect(() => formatCheck(empty, { color: false, detail: false })).toThrow(UsageError);
    // one level down too: what the reports read of a pair, a finding, the summary
    const summary = { verdicts: {}, needsWork: {}, missing: [] };
    for (const [bad, message] of [
      [{ pairs: [], findings: [], failed: {}, summary: {} }, /summary is not \{ verdicts, needsWork, missing \}/],
      [{ pairs: [{}], findings: [], failed: {}, summary }, /pairs\[0\] is not a \{ native, compat, ioctls \} pair/],
      [{ pairs: [], findings: [null], failed: {}, summary }, /findings\[0\] is null/],
      [{ pairs: [{ native: 'a', compat: 'b', ioctls: [] }], findings: [], failed: {}, summary }, /no counts for a:b/],
      [[], /got an empty array/],
    ] as const) {
      const r = bad as unknown as Parameters<typeof toSarif>[0];
      expect(() => toSarif(r, '1')).toThrow(message);
      expect(() => formatCheck(r, { color: false, detail: false })).toThrow(message);
    }
    // members: an object of paths, and only its own entries (a union member may be named toString)
    const str = 'u' as unknown as Record<string, string>;
    expect(() => compileConverter(type, type, x86, i386, { members: str })).toThrow(/members is an object/);
    const v = { kind: 'record', decl: { tag: 'v', union: false, members: [{ name: 'toString', type: u }] } } as const;
    const vt = v as unknown as Parameters<typeof compileConverter>[0];
    expect(compileConverter(vt, vt, x86, i386, { members: {} }).nativeSize).toBe(4);
  });
});

describe('a cache directory that cannot be made is no crash', () => {
  // XDG_CACHE_HOME a file: the host's DRM links cannot be made there (ENOTDIR), with or without --no-cache
  const dir = tree({ 'u.h': UNION, afile: '' });
  test.each([[[]], [['--no-cache']]])('check %j', (before) => {
    const env = { XDG_CACHE_HOME: join(dir, 'afile'), IOCTL32_CACHE: '' };
    const r = cli([...before, 'check', ...PAIR, './u.h'], { cwd: dir, env });
    expect(r.stderr).not.toMatch(/ENOTDIR|\n\s+at /);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/U_GET\s+convert/);
  });
});

describe('options that name nothing, and places that cannot be used: exit 2 with why', () => {
  const dir = tree({ 'u.h': UNION, 'norec.h': '#define NOTHING 1\n', afile: '' });
  test.each([
    [['check', '--pair', '', './u.h'], /--pair takes NATIVE:COMPAT, e\.g\. x86_64:i386 \(got ''\)/],
    [['check', '--arch', '', './u.h'], /unknown ABI ''/],
    [['gen', 'c', ...PAIR, '--out-dir', 'afile', './u.h'], /--out-dir afile: not a directory/],
    [['layout', './norec.h'], /no struct or union in \.\/norec\.h/],
    [['serve', '--sysroot', 'nonexistent'], /--sysroot nonexistent has neither include\/ nor usr\/include\//],
  ])('%j', (args, message) => {
    const r = cli(args, { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
  test('serve on a port in use', async () => {
    const { createServer } = await import('node:net');
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', () => resolve()));
    const port = (busy.address() as { port: number }).port;
    const r = spawnSync('node', [BIN, 'serve', '--port', String(port)], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60_000,
    });
    busy.close();
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`--port ${port}: in use`);
  });
});
