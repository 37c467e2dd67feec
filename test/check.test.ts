/**
 * `ioctl32 check`: lint rules on a fixture header each, verdicts of real ioctls against the
 * kernel's own compat handlers (cited), verdicts recomputed from the compiler's layouts, SARIF
 * against the official 2.1.0 schema, annotations and bad input.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, test } from 'vitest';
import { compatPairs, getAbi } from '../src/abi/index.js';
import { AnnotationError, parseAnnotations } from '../src/compat/annotations.js';
import { check, needsWork, type CheckReport } from '../src/compat/check.js';
import { compareShapes, verdictOf, type ArgShape } from '../src/compat/compare.js';
import { toSarif } from '../src/report/sarif.js';
import { formatCheck } from '../src/report/check.js';
import type { CType } from '../src/cfront/types.js';
import { flattenFields } from '../src/layout/fields.js';
import { dumpHeaders } from '../src/scan/dump.js';
import { compilerTruth, type OracleItem } from './harness/uapi.js';
import { memberClass } from '../src/compat/compare.js';
import { BUILTIN_MEMBERS } from '../src/compat/builtin-annotations.js';
import { includeConfigFor } from '../src/cfront/index.js';
import { ioctlThunk } from '../src/thunk/ioctl.js';
import { uapiHeaders } from '../src/scan/scan.js';
import { pairsWithOneFlavour } from './harness/flavours.js';

const run = promisify(execFile);
const LINT = resolve('test/fixtures/lint');
const x86Pair = [{ native: getAbi('x86_64'), compat: getAbi('i386') }];
const crossTree = (abi: { headerTriple: string }) => ({ sysroot: `/usr/${abi.headerTriple}` });

function checkHeaders(headers: string[], extra: Partial<Parameters<typeof check>[0]> = {}): CheckReport {
  return check({ pairs: x86Pair, scan: { headers }, scanFor: crossTree, ...extra });
}

describe('lint rules: a fixture header per rule', () => {
  const cases: Array<[string, string[], string[]]> = [
    // rule, subjects that must be flagged, subjects that must not
    ['long-or-pointer', ['struct lp_bad.len', 'struct lp_bad.buf'], ['struct lp_good']],
    ['unaligned-u64', ['struct ua_bad.b'], ['struct ua_good']],
    ['implicit-padding', ['struct ip_hole', 'struct ip_tail'], ['struct ip_good']],
    ['bitfield', ['struct bf_bad.mode', 'struct bf_bad.rest'], ['struct bf_good']],
    ['enum', ['struct en_bad.mode'], ['struct en_good']],
    ['plain-char', ['struct pc_bad.c'], ['struct pc_good']],
    ['too-large', ['TL_BAD'], ['TL_GOOD']],
    ['sizeof-size', ['SS_BAD'], ['SS_GOOD']],
    ['kernel-typecheck', ['KT_BAD'], ['KT_GOOD']],
    ['duplicate-nr', ['DN_SECOND'], ['DN_FIRST', 'DN_OTHER']],
    ['size-differs', ['struct sd_bad'], ['struct sd_good']],
  ];
  test.each(cases)('%s', (rule, bad, good) => {
    const file = join(LINT, `${rule}.h`);
    const report = checkHeaders([file]);
    expect(report.failed).toEqual({});
    const subjects = report.findings
      .filter((f) => f.rule === rule)
      .map((f) => (f.ioctl ? f.ioctl : `${f.record}${f.path ? `.${f.path}` : ''}`));
    for (const b of bad)
      expect(
        subjects.some((s) => s === b || s.startsWith(`${b}.`)),
        `${rule} must flag ${b}: ${subjects.join(', ')}`,
      ).toBe(true);
    for (const g of good)
      expect(
        subjects.filter((s) => s === g || s.startsWith(`${g}.`)),
        `${rule} must not flag ${g}`,
      ).toEqual([]);
    for (const f of report.findings.filter((x) => x.rule === rule)) {
      expect(f.file).toMatch(new RegExp(`${rule}\\.h$`));
      expect(f.line).toBeGreaterThan(0);
      expect(f.fix.length).toBeGreaterThan(10);
    }
  });

  test('a hole after an anonymous union is said to follow it, not the named member before it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ioctl32-anon-'));
    const file = join(dir, 'zx.h');
    writeFileSync(
      file,
      [
        '#include <linux/ioctl.h>',
        '#include <linux/types.h>',
        'typedef __u64 u64a __attribute__((aligned(8)));',
        'struct zx { __u32 op; union { void *buf; __u64 buf64; }; u64a handle; };',
        "#define ZX _IOW('z', 3, struct zx)",
        '',
      ].join('\n'),
    );
    const holes = checkHeaders([file]).findings.filter((f) => f.rule === 'implicit-padding');
    // i386 (gcc -m32, clang): the union at 4..12, handle at 16
    const i386 = holes.find((f) => /on i386/.test(f.message))!;
    expect(i386.message).toBe('4-byte hole on i386 after the anonymous union');
    expect(i386.claims).toEqual([{ what: 'hole', abi: 'i386', before: 'handle', offset: 12, size: 4 }]);
  });

  test('a hole inside one declaration of bit-fields: no edit into it, no claim that calls it tail padding', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ioctl32-bf-'));
    const file = join(dir, 'zb.h');
    writeFileSync(
      file,
      [
        '#include <linux/ioctl.h>',
        '#include <linux/types.h>',
        'struct zb { __u8 x; __u32 ctl : 3, prio : 5, : 0, stride : 7; };',
        "#define ZB _IOW('z', 4, struct zb)",
        '',
      ].join('\n'),
    );
    const hole = checkHeaders([file]).findings.find((f) => f.rule === 'implicit-padding' && /hole/.test(f.message))!;
    // gcc -m32 and gcc: ctl and prio in byte 1, `: 0` moves stride to byte 4
    expect(hole.message).toBe("2-byte hole on x86_64, i386 after 'prio'");
    expect(hole.fix).toBe("end the declaration after 'prio', then add `__u16 pad0;` before the rest");
    expect(hole.edit).toBeUndefined();
    expect(hole.claims).toEqual([]);
  });

  test("the enum fix names the enum's own integer type: the layout stays; a pointer's fix names the struct", () => {
    const dir = mkdtempSync(join(tmpdir(), 'ioctl32-enumfix-'));
    const text = [
      '#include <linux/ioctl.h>',
      'enum __attribute__((packed)) zs { ZS_A, ZS_B };',
      'enum neg { NEG_A = -1, NEG_B };',
      'struct zi { unsigned int v; enum zs small; unsigned char pad; enum neg n; };',
      "#define ZI_SET _IOW('z', 1, struct zi *)",
      "#define ZI_GET _IOR('z', 2, struct zi)",
      '',
    ].join('\n');
    const file = join(dir, 'zi.h');
    writeFileSync(file, text);
    const findings = checkHeaders([file]).findings;
    const fixes = findings.filter((f) => f.rule === 'enum').map((f) => [f.path, f.fix]);
    expect(fixes).toEqual([
      ['small', "use __u8 for 'small' and keep the enum for its values"],
      ['n', "use __s32 for 'n' and keep the enum for its values"],
    ]);
    expect(findings.find((f) => f.rule === 'long-or-pointer' && f.ioctl === 'ZI_SET')!.fix).toBe(
      'name the struct the handler copies, not a pointer to it: _IOW(..., struct zi)',
    );
    // the edits applied: every member where it was (the enum's own type), as the compiler lays it out
    const lines = text.split('\n');
    // from the last column back: the earlier ones stay where they are
    const edits = findings.filter((x) => x.rule === 'enum').map((f) => f.edit!);
    edits.sort((a, b) => b.line - a.line || b.column - a.column);
    for (const e of edits) {
      expect(e.op === 'replace' && e.line === e.endLine).toBe(true);
      if (e.op !== 'replace') continue;
      const l = lines[e.line - 1]!;
      lines[e.line - 1] = l.slice(0, e.column - 1) + e.text + l.slice(e.endColumn - 1);
    }
    const fixed = join(dir, 'zi-fixed.h');
    writeFileSync(fixed, `#include <linux/types.h>\n${lines.join('\n')}`);
    const layoutOf = (h: string) => {
      const d = dumpHeaders({ abi: getAbi('x86_64'), headers: [h], ...crossTree(getAbi('x86_64')) });
      expect(d.result.failed).toEqual({});
      return JSON.stringify(d.result.records['struct zi']!.fields.map((x) => [x.path, x.offset, x.size]));
    };
    expect(layoutOf(fixed)).toBe(layoutOf(file));
  });

  test('each finding points at the line and column of what it is about', () => {
    // where the fixture's text has it: a member's name, a record's `struct` keyword, a macro's name
    const position = (text: string, index: number) => {
      const before = text.slice(0, index).split('\n');
      return { line: before.length, column: before[before.length - 1]!.length + 1 };
    };
    let pinned = 0;
    for (const [rule] of cases) {
      const file = join(LINT, `${rule}.h`);
      const text = readFileSync(file, 'utf8');
      for (const f of checkHeaders([file]).findings.filter((x) => x.rule === rule)) {
        let index: number;
        if (f.ioctl) index = text.indexOf(`#define ${f.ioctl} `) + '#define '.length;
        else {
          const start = text.indexOf(`${f.record} {`);
          const name = f.path?.split('.').pop();
          // a finding on a member names it; one on the record (its size, its tail) points at the record
          const tail = rule === 'implicit-padding' && /tail padding/.test(f.message);
          index = name && !tail ? start + text.slice(start).search(new RegExp(`\\b${name}\\b`)) : start;
        }
        expect({ rule, line: f.line, column: f.column }).toEqual({ rule, ...position(text, index) });
        pinned++;
      }
    }
    expect(pinned).toBeGreaterThanOrEqual(cases.length);
  });

  test('fixes are concrete', () => {
    const pad = checkHeaders([join(LINT, 'implicit-padding.h')]).findings.find((f) => f.record === 'struct ip_hole')!;
    expect(pad.fix).toBe("add `__u8 pad0[3];` after 'a'");
    const ptr = checkHeaders([join(LINT, 'long-or-pointer.h')]).findings.find((f) => f.path === 'buf')!;
    expect(ptr.fix).toMatch(/__u64 and u64_to_user_ptr\(\)/);
  });
});

describe('verdicts of real ioctls, checked against the kernel compat handlers', () => {
  // each ABI reads its own headers: Debian's cross trees
  const report = check({
    pairs: x86Pair,
    scan: {
      headers: [
        'linux/kvm.h',
        'linux/loop.h',
        'linux/fs.h',
        'linux/videodev2.h',
        'sound/asound.h',
        'asm/ioctls.h',
        'linux/termios.h',
      ],
    },
    scanFor: crossTree,
    lint: false,
  });
  const v = (name: string) => {
    const found = report.pairs[0]!.ioctls.find((x) => x.name === name);
    if (!found) throw new Error(`${name} not catalogued`);
    return found;
  };
  test.each([
    // virt/kvm/kvm_main.c kvm_vm_compat_ioctl:
    // struct compat_kvm_dirty_log { __u32 slot; __u32 padding1;
    //   union { compat_uptr_t dirty_bitmap; __u64 padding2; }; }
    ['KVM_GET_DIRTY_LOG', 'pointer-inside', false],
    ['KVM_CLEAR_DIRTY_LOG', 'pointer-inside', false],
    // drivers/block/loop.c lo_compat_ioctl: LOOP_GET_STATUS goes through struct compat_loop_info
    // (loop_get_status_compat)
    ['LOOP_GET_STATUS', 'convert', false],
    // drivers/block/loop.c lo_compat_ioctl: LOOP_GET_STATUS64 is passed to lo_ioctl with compat_ptr(arg)
    ['LOOP_GET_STATUS64', 'identical', false],
    // block/ioctl.c compat_blkdev_ioctl: BLKGETSIZE writes a compat_ulong_t
    ['BLKGETSIZE', 'convert', false],
    // fs/ioctl.c compat_sys_ioctl: FS_IOC32_GETFLAGS becomes FS_IOC_GETFLAGS; the argument is an int:
    // the same layout under another number
    ['FS_IOC_GETFLAGS', 'renumber', true],
    // drivers/media/v4l2-core/v4l2-compat-ioctl32.c: VIDIOC_QUERYBUF32 with struct v4l2_buffer32
    ['VIDIOC_QUERYBUF', 'convert', true],
    // v4l2-compat-ioctl32.c passes VIDIOC_QUERYCAP through (no 32-bit variant)
    ['VIDIOC_QUERYCAP', 'identical', false],
    // sound/core/control_compat.c: SNDRV_CTL_IOCTL_ELEM_LIST32 with struct snd_ctl_elem_list32
    ['SNDRV_CTL_IOCTL_ELEM_LIST', 'convert', true],
    // drivers/tty/tty_io.c tty_compat_ioctl: TIOCGWINSZ is handled by tty_ioctl unchanged
    ['TIOCGWINSZ', 'identical', false],
  ])('%s is %s', (name, verdict, cmdDiffers) => {
    expect(v(name).verdict).toBe(verdict);
    expect(v(name).cmdDiffers).toBe(cmdDiffers);
  });
  test('KVM_GET_DIRTY_LOG reasons name the pointer with both sides', () => {
    expect(v('KVM_GET_DIRTY_LOG').reasons).toEqual([
      { rule: 'pointer', path: 'dirty_bitmap', native: { offset: 8, size: 8 }, compat: { offset: 8, size: 4 } },
    ]);
  });
});

describe('verdicts recomputed from the compiler layouts agree', () => {
  for (const [native, compat] of [
    ['x86_64', 'i386'],
    ['arm64', 'arm'],
    ['ppc64', 'ppc'],
    ['mips64', 'mipsn32'],
  ] as const) {
    test(`${native}:${compat}`, async () => {
      const pair = { native: getAbi(native), compat: getAbi(compat) };
      const headers = [
        'linux/kvm.h',
        'linux/videodev2.h',
        'sound/asound.h',
        'drm/drm.h',
        'linux/input.h',
        'linux/fs.h',
        'linux/loop.h',
        'linux/if_tun.h',
      ];
      const ours = check({ pairs: [pair], scan: { headers }, scanFor: crossTree, lint: false }).pairs[0]!;
      // the compiler's layouts of every record argument, for both ABIs
      const shapes = async (abiName: string) => {
        const abi = getAbi(abiName);
        const d = dumpHeaders({ abi, headers, sysroot: `/usr/${abi.headerTriple}` });
        const items = new Map<string, OracleItem>();
        const classes = new Map<string, Map<string, ReturnType<typeof memberClass>>>();
        for (const e of d.ioctls.values()) {
          let t: CType | undefined = e.argType;
          while (t?.kind === 'typedef') t = t.decl.type;
          if (t?.kind !== 'record' || !t.decl.tag) continue;
          const name = `${t.decl.union ? 'union' : 'struct'} ${t.decl.tag}`;
          if (classes.has(name) || !d.decls.has(name)) continue;
          const fields = flattenFields(d.layouter.layout(t.decl), d.layouter);
          classes.set(name, new Map(fields.map((f) => [f.path, memberClass(f.ctype)])));
          const header = d.foundIn.get(name)!;
          if (!items.has(header)) items.set(header, { header, records: [], ioctls: [] });
          items.get(header)!.records.push({
            name,
            paths: fields.map((f) => {
              if (f.bitWidth !== undefined) return { path: f.path, bitfield: 'other' as const };
              return { path: f.path, size: !(f.ctype.kind === 'array' && f.ctype.length === null) };
            }),
          });
        }
        const truth = await compilerTruth(abi, [...items.values()]);
        expect(truth.failed).toEqual([]);
        const out = new Map<string, ArgShape>();
        for (const [name, r] of truth.records) {
          const cls = classes.get(name)!;
          out.set(name, {
            size: r.size,
            fields: [...r.fields].map(([path, f]) =>
              'bitOffset' in f
                ? {
                    path,
                    offset: f.bitOffset >> 3,
                    size: 0,
                    bitOffset: f.bitOffset,
                    bitWidth: f.bitWidth,
                    cls: cls.get(path)!,
                  }
                : { path, offset: f.offset, size: f.size ?? 0, cls: cls.get(path)! },
            ),
          });
        }
        return out;
      };
      const [n, c] = await Promise.all([shapes(native), shapes(compat)]);
      let compared = 0;
      for (const v of ours.ioctls) {
        if (v.arg === undefined || !n.has(v.arg) || !c.has(v.arg) || v.verdict === 'no-arg') continue;
        // arrays of records are compared element by element by ioctl32; the oracle stops at members
        if (v.reasons.some((r) => r.path.includes('[]'))) continue;
        // the compilers' layouts with the built-in annotations' facts (the kernel's, cited there)
        const builtin = (kind: string) =>
          new Set(BUILTIN_MEMBERS.filter((b) => b.record === v.arg && b.kind === kind).map((b) => b.member));
        const [ups, sigsets] = [builtin('user-pointer'), builtin('sigset')];
        const big = pair.native.endian === 'big';
        const reasons = compareShapes(n.get(v.arg)!, c.get(v.arg)!, ups, sigsets, big).map((r) => r.rule);
        const layoutVerdict = verdictOf(compareShapes(n.get(v.arg)!, c.get(v.arg)!, ups, sigsets, big));
        const expected = layoutVerdict === 'identical' && v.nativeCmd !== v.compatCmd ? 'renumber' : layoutVerdict;
        expect({ name: v.name, verdict: expected }).toEqual({ name: v.name, verdict: v.verdict });
        expect(new Set(reasons)).toEqual(new Set(v.reasons.map((r) => r.rule)));
        compared++;
      }
      console.log(`${native}:${compat}: ${compared} ioctl verdicts recomputed from compiler layouts`);
      expect(compared).toBeGreaterThan(100);
    });
  }
});

describe('outputs', () => {
  test('SARIF validates against the official 2.1.0 schema', async () => {
    const schema = JSON.parse(readFileSync('test/fixtures/sarif-2.1.0.schema.json', 'utf8'));
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    const validate = ajv.compile(schema);
    const report = checkHeaders([join(LINT, 'implicit-padding.h'), join(LINT, 'long-or-pointer.h')]);
    const sarif = toSarif(report, '0.1.0');
    expect(validate(sarif), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(sarif.runs[0]!.results.length).toBeGreaterThan(3);
    // and the CLI prints the same shape
    const { stdout } = await run('node', [
      'dist/cli/main.cjs',
      'check',
      '--pair',
      'x86_64:i386',
      '--format',
      'sarif',
      join(LINT, 'bitfield.h'),
    ]).catch((e: { stdout: string }) => e);
    expect(validate(JSON.parse(stdout))).toBe(true);
  });

  test('SARIF results for ioctls point at the #define of the macro in the fixture header', () => {
    const file = join(LINT, 'long-or-pointer.h');
    const lines = readFileSync(file, 'utf8').split('\n');
    const sarif = toSarif(checkHeaders([file], { lint: false }), '0.1.0');
    const ioctls = sarif.runs[0]!.results.filter((r) => String(r.ruleId).startsWith('compat-'));
    expect(ioctls.length).toBeGreaterThan(0);
    for (const r of ioctls) {
      const name = /^(\w+) /.exec((r.message as { text: string }).text)![1]!;
      const line = lines.findIndex((l) => new RegExp(`^#\\s*define\\s+${name}\\b`).test(l));
      expect(line, name).toBeGreaterThanOrEqual(0);
      const { physicalLocation: at } = (r.locations as Array<{ physicalLocation: Record<string, any> }>)[0]!;
      expect(at.region).toEqual({ startLine: line + 1, startColumn: lines[line]!.indexOf(name) + 1 });
      expect(resolve(at.artifactLocation.uri)).toBe(file);
    }
  });

  test('JSON has CONTRACT.md shape; exit codes 0, 1, 2', async () => {
    const cli = async (...args: string[]) =>
      run('node', ['dist/cli/main.cjs', ...args]).then(
        (r) => ({ code: 0, ...r }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
    const mixed = await cli(
      'check',
      '--pair',
      'x86_64:i386',
      '--format',
      'json',
      '--no-lint',
      join(LINT, 'sizeof-size.h'),
    );
    const json = JSON.parse(mixed.stdout);
    expect(Object.keys(json)).toEqual(expect.arrayContaining(['pairs', 'findings']));
    expect(json.pairs[0]).toMatchObject({ native: 'x86_64', compat: 'i386' });
    const row = json.pairs[0].ioctls.find((x: { name: string }) => x.name === 'SS_GOOD');
    expect(row).toMatchObject({
      name: 'SS_GOOD',
      arg: 'struct ss_arg',
      verdict: 'identical',
      nativeCmd: 0x40087802,
      compatCmd: 0x40087802,
      cmdDiffers: false,
      reasons: [],
    });
    // SS_BAD names no type (sizeof(...) instead): its number encodes a size_t, 8 bytes against 4
    expect(json.pairs[0].ioctls.find((x: { name: string }) => x.name === 'SS_BAD')).toMatchObject({
      verdict: 'unknown',
      cmdDiffers: true,
      reasons: [{ rule: 'unresolved', message: expect.stringMatching(/sizeof\(struct ss_arg\)/) }],
    });
    expect(mixed.code).toBe(1);
    // nothing to do: exit 0 (the bitfields are laid out alike on x86_64 and i386; lint is off)
    expect((await cli('check', '--pair', 'x86_64:i386', '--no-lint', join(LINT, 'bitfield.h'))).code).toBe(0);
    expect((await cli('check', '--pair', 'x86_64:i386', join(LINT, 'too-large.h'))).code).toBe(1);
    expect((await cli('check', '--pair', 'x86_64:arm')).code).toBe(2);
    expect((await cli('check', '--format', 'xml')).code).toBe(2);
  });
});

describe('annotations', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ioctl32-ann-'));
  const header = join(dir, 'mydrv.h');
  writeFileSync(
    header,
    '#include <linux/types.h>\n#include <linux/ioctl.h>\n' +
      'struct my_req {\n\t__u32 type;\n\t__u32 n;\n\t__u64 buf;\n' +
      '\tunion { __u32 a; __u64 b; } u;\n\t__u32 data[];\n};\n' +
      "#define MY_IOCTL _IOW('m', 1, struct my_req)\n#define MY_RAW _IOW('m', 2, int)\n",
  );
  const ann = (json: unknown) => parseAnnotations(JSON.stringify(json), 'ann.json');
  test('a user pointer in a __u64 makes an identical struct pointer-inside; an argument type can be named', () => {
    const plain = checkHeaders([header], { lint: false }).pairs[0]!.ioctls.find((x) => x.name === 'MY_IOCTL')!;
    expect(plain.verdict).toBe('identical');
    const a = ann({
      records: {
        'struct my_req': {
          buf: { kind: 'user-pointer' },
          data: { kind: 'flex-array', count: 'n' },
          u: { kind: 'union', selector: 'type', cases: { '1': 'a', '2': 'b' } },
        },
      },
      ioctls: { MY_RAW: { arg: 'struct my_req' } },
    });
    const r = checkHeaders([header], { lint: false, annotations: a }).pairs[0]!.ioctls;
    expect(r.find((x) => x.name === 'MY_IOCTL')!.verdict).toBe('pointer-inside');
    expect(r.find((x) => x.name === 'MY_IOCTL')!.reasons).toEqual([
      { rule: 'user-pointer', path: 'buf', native: { offset: 8, size: 8 }, compat: { offset: 8, size: 8 } },
    ]);
    expect(r.find((x) => x.name === 'MY_RAW')!.arg).toBe('struct my_req');
  });
  test('a pointer to an annotated array whose elements differ: convert, each element (the pointee reason)', () => {
    const d = mkdtempSync(join(tmpdir(), 'ioctl32-pointee-'));
    const h = join(d, 'arr.h');
    writeFileSync(
      h,
      '#include <linux/types.h>\n#include <linux/ioctl.h>\n' +
        'struct el_long { long v; __u32 k; };\nstruct el_u32 { __u32 v; };\n' +
        'struct al { __u32 len; __u32 pad; union { struct el_long *p; __u64 p64; }; };\n' +
        'struct au { __u32 n; __u32 pad; union { struct el_u32 *p; __u64 p64; }; };\n' +
        "#define AL_IOC _IOW('a', 1, struct al)\n#define AU_IOC _IOW('a', 2, struct au)\n" +
        "struct wrap { __u32 tag; __u32 pad; struct al in; };\n#define WRAP_IOC _IOW('a', 3, struct wrap)\n",
    );
    const row = (annotations?: ReturnType<typeof ann>) => (name: string) =>
      checkHeaders([h], { lint: false, ...(annotations ? { annotations } : {}) }).pairs[0]!.ioctls.find(
        (x) => x.name === name,
      )!;
    const plain = row();
    expect([plain('AL_IOC').verdict, plain('AU_IOC').verdict]).toEqual(['pointer-inside', 'pointer-inside']);
    const a = ann({
      records: {
        'struct al': { p: { kind: 'array-pointer', count: 'len', unit: 'bytes' } },
        'struct au': { p: { kind: 'array-pointer', count: 'n' } },
      },
    });
    const al = row(a)('AL_IOC');
    expect(al.verdict).toBe('convert');
    // struct el_long: 8 bytes for an i386 task, 16 native (gcc -m32 and gcc lay it out so: layout-differential)
    expect(al.reasons.find((r) => r.rule === 'pointee')).toMatchObject({
      path: 'p',
      native: { offset: 8, size: 16 },
      compat: { offset: 8, size: 8 },
    });
    expect(al.action).toContain(
      'p: each struct el_long of the array it points at (len bytes): 8 bytes for the task, 16 native, converted; ' +
        'len, in bytes, rescaled',
    );
    // struct al's annotation holds where struct al is a member (struct wrap's `in`), by the path from struct wrap
    expect(row(a)('WRAP_IOC').reasons.find((r) => r.rule === 'pointee')).toMatchObject({
      path: 'in.p',
      native: { offset: 16, size: 16 },
      compat: { offset: 16, size: 8 },
    });
    // elements of the same bytes: the pointer alone
    const au = row(a)('AU_IOC');
    expect(au.verdict).toBe('pointer-inside');
    expect(au.reasons.map((r) => r.rule)).toEqual(['pointer']);
  });
  test.each([
    [{ records: { 'struct nope': {} } }, /ann\.json: struct nope: no such record/],
    [{ records: { 'struct my_req': { nope: { kind: 'user-pointer' } } } }, /struct my_req\.nope: no such member/],
    [{ records: { 'struct my_req': { buf: { kind: 'magic' } } } }, /struct my_req\.buf: unknown kind "magic"/],
    [{ records: { 'struct my_req': { data: { kind: 'flex-array', count: 'zz' } } } }, /count member 'zz'/],
    [
      { records: { 'struct my_req': { u: { kind: 'union', selector: 'type', cases: { '1': 'zz' } } } } },
      /case member 'zz'/,
    ],
    [
      { records: { 'struct my_req': { u: { kind: 'union', selector: 'type', cases: { '1': 'a' }, default: 'zz' } } } },
      /struct my_req\.u: default member 'zz' is not a member of the union/,
    ],
    [
      { records: { 'struct my_req': { u: { kind: 'union', selector: 'type', cases: {}, default: 1 } } } },
      /union "default" is the member for other values, or "" for none/,
    ],
    // a selector asked first is a selector too: its member and its cases' members are checked alike
    [
      { records: { 'struct my_req': { u: { kind: 'union', selector: 'type', cases: {}, first: { selector: 'n' } } } } },
      /union "first" is \{ "selector": MEMBER, "cases": \{ value: member \} \}/,
    ],
    [
      {
        records: {
          'struct my_req': { u: { kind: 'union', selector: 'type', cases: {}, first: { selector: 'zz', cases: {} } } },
        },
      },
      /struct my_req\.u: selector 'zz' is not an integer member of struct my_req/,
    ],
    [
      {
        records: {
          'struct my_req': {
            u: { kind: 'union', selector: 'type', cases: {}, first: { selector: 'n', cases: { '1': 'zz' } } },
          },
        },
      },
      /case member 'zz'/,
    ],
    [{ ioctls: { MY_IOCTL: { membersBack: { u: null, n: null } } } }, /membersBack: .*'n' is __u32, not a union/],
    [{ bogus: {} }, /bogus: unknown section/],
    // an argument type that names nothing is an error, not an unknown verdict
    [{ ioctls: { MY_RAW: { arg: 'nosuch_t' } } }, /ioctls\.MY_RAW: "arg" "nosuch_t" is not a type .*'nosuch_t'/],
    [{ ioctls: { MY_RAW: { arg: 'garbage type (' } } }, /ioctls\.MY_RAW: "arg" "garbage type \(" is not a type/],
    [
      { ioctls: { MY_RAW: { arg: 'const struct nosuch' } } },
      /ioctls\.MY_RAW: no such record in the headers: struct nosuch/,
    ],
    [{ ioctls: { MY_RAW: { arg: 'void' } } }, /ioctls\.MY_RAW: "arg" "void" has no layout on x86_64/],
    // a user pointer travels in a __u64: not in a __u32, nor in a union member that is one
    [
      { records: { 'struct my_req': { n: { kind: 'user-pointer' } } } },
      /struct my_req\.n: user-pointer applies to a 64-bit integer member .*4 bytes on x86_64/,
    ],
    [
      { records: { 'struct my_req': { 'u.a': { kind: 'user-pointer' } } } },
      /struct my_req\.u\.a: user-pointer applies to a 64-bit/,
    ],
  ])('%j is an error that names it', (json, message) => {
    expect(() => checkHeaders([header], { lint: false, annotations: ann(json) })).toThrow(message);
    expect(() => checkHeaders([header], { lint: false, annotations: ann(json) })).toThrow(AnnotationError);
  });
  test('a union annotation may ask a selector first (struct v4l2_buffer: planes for a multiplanar type)', () => {
    const first = { selector: 'n', cases: { '7': 'b' } };
    const a = ann({
      records: { 'struct my_req': { u: { kind: 'union', selector: 'type', cases: { '1': 'a' }, first } } },
    });
    expect(a.records.get('struct my_req')!.get('u')).toEqual({
      kind: 'union',
      selector: 'type',
      cases: { '1': 'a' },
      first,
    });
    // n 7 takes b whatever the type; else the type decides (2: none named, EINVAL)
    const [n, c] = [getAbi('x86_64'), getAbi('i386')].map((abi) =>
      dumpHeaders({ abi, headers: [header], sysroot: `/usr/${abi.headerTriple}` }),
    );
    const thunk = ioctlThunk('MY_IOCTL', n!, c!, a);
    const task = (type: number, count: number) => {
      const b = new Uint8Array(c!.result.records['struct my_req']!.size);
      const v = new DataView(b.buffer);
      v.setUint32(0, type, true);
      v.setUint32(4, count, true);
      v.setUint32(16, 0xdeadbeef, true);
      v.setUint32(20, 0x1234, true);
      return b;
    };
    const u = (b: Uint8Array) => Buffer.from(b.subarray(16, 24)).toString('hex');
    expect(u(thunk.enter(task(2, 7)))).toBe('efbeadde34120000');
    expect(u(thunk.enter(task(1, 0)))).toBe('efbeadde00000000');
    expect(() => thunk.enter(task(2, 0))).toThrow(/EINVAL: selector value 2 names no member of union u/);
  });
  test("a record's annotations hold where it is a member of the argument, as the thunk reads them", () => {
    // struct inner's `p` carries a pointer wherever struct inner is: in struct outer's `in`, and in its array `arr`
    const h = join(dir, 'nested.h');
    writeFileSync(
      h,
      '#include <linux/types.h>\n#include <linux/ioctl.h>\n' +
        'struct inner { __u32 k; __u32 pad; __u64 p; };\n' +
        'struct outer { __u32 n; __u32 pad; struct inner in; struct inner arr[2]; };\n' +
        "#define OUT_SET _IOWR('o', 1, struct outer)\n",
    );
    const a = ann({ records: { 'struct inner': { p: { kind: 'user-pointer' } } } });
    const v = checkHeaders([h], { lint: false, annotations: a }).pairs[0]!.ioctls.find((x) => x.name === 'OUT_SET')!;
    expect(v.verdict).toBe('pointer-inside');
    expect(v.reasons.map((r) => `${r.rule} ${r.path}`)).toEqual(['user-pointer in.p', 'user-pointer arr[].p']);
    const [n, c] = [getAbi('x86_64'), getAbi('i386')].map((abi) =>
      dumpHeaders({ abi, headers: [h], sysroot: `/usr/${abi.headerTriple}` }),
    );
    const thunk = ioctlThunk('OUT_SET', n!, c!, a);
    // a native pointer past 4 GiB has no 32-bit form: each annotated one is refused by its path, a plain __u64 is not
    const back = (at: number) => {
      const native = new Uint8Array(56);
      new DataView(native.buffer).setUint32(at, 1, true);
      return () => thunk.leave(native);
    };
    expect(back(20)).toThrow(/EOVERFLOW: 'in\.p' = 4294967296 does not fit a 32-bit user pointer/);
    expect(back(52)).toThrow(/EOVERFLOW: 'arr\[\]\.p' = 4294967296 does not fit a 32-bit user pointer/);
    expect(back(4)).not.toThrow();
  });
  test('user-pointer on a member that is 8 bytes natively but not on the compat ABI (a long) names that ABI', () => {
    const longs = join(dir, 'longs.h');
    writeFileSync(
      longs,
      "#include <linux/ioctl.h>\nstruct lreq { unsigned long addr; };\n#define L_SET _IOW('l', 1, struct lreq)\n",
    );
    const a = ann({ records: { 'struct lreq': { addr: { kind: 'user-pointer' } } } });
    expect(() => checkHeaders([longs], { lint: false, annotations: a })).toThrow(
      /struct lreq\.addr: .*4 bytes on i386/,
    );
  });
  test("an argument type spelled otherwise than the record key is the headers' record", () => {
    const a = ann({ ioctls: { MY_RAW: { arg: 'const struct my_req' } } });
    const raw = checkHeaders([header], { lint: false, annotations: a }).pairs[0]!.ioctls.find(
      (x) => x.name === 'MY_RAW',
    )!;
    expect(raw.verdict).not.toBe('unknown');
  });
  test('malformed JSON names the file', () => {
    expect(() => parseAnnotations('{', 'x.json')).toThrow(/x\.json: not JSON/);
  });
});

test('a header that does not parse is reported and the rest is still checked', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ioctl32-bad-'));
  const broken = join(dir, 'broken.h');
  writeFileSync(broken, '#include <linux/types.h>\nstruct broken { __u32 a\nb; };\n');
  const report = checkHeaders([broken, join(LINT, 'bitfield.h')], { lint: false });
  expect(Object.values(report.failed.x86_64 ?? {})[0]).toMatch(/broken\.h:3:1: error: expected ';' before 'b'/);
  expect(report.pairs[0]!.ioctls.map((x) => x.name)).toEqual(expect.arrayContaining(['BF_BAD', 'BF_GOOD']));
});

test('a driver header given as a path: its own ioctls only, not those of what it includes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ioctl32-drv-'));
  const header = join(dir, 'mydrv.h');
  writeFileSync(
    header,
    '#include <linux/kvm.h>\n#include <linux/ioctl.h>\nstruct my_arg { __u32 a; __u32 b; };\n' +
      '#define MY_IOC _IOW(0x99, 1, struct my_arg)\n',
  );
  const report = checkHeaders([header]);
  expect(report.pairs[0]!.ioctls.map((v) => v.name)).toEqual(['MY_IOC']);
  expect(report.pairs[0]!.ioctls[0]!.verdict).toBe('identical');
  // by include name, a system header's whole unit is checked
  expect(checkHeaders(['linux/kvm.h'], { lint: false }).pairs[0]!.ioctls.length).toBeGreaterThan(100);
});

describe('a clean header is clean on every pair', () => {
  // fixed-size types, naturally aligned, explicit padding, a __u64 argument: nothing to do anywhere
  // (on ppc64, mips64 and sparc64 user space spells __u64 `unsigned long`; that must not matter)
  const dir = mkdtempSync(join(tmpdir(), 'ioctl32-clean-'));
  const header = join(dir, 'clean.h');
  writeFileSync(
    header,
    '#include <linux/types.h>\n#include <linux/ioctl.h>\n' +
      'struct drv_req {\n\t__u32 flags;\n\t__u32 count;\n\t__u64 addr;\n\t__u64 mask[2];\n\t__u8 name[8];\n};\n' +
      "#define DRV_GET _IOR('x', 1, __u64)\n#define DRV_SET _IOW('x', 2, struct drv_req)\n" +
      "#define DRV_RESET _IO('x', 3)\n",
  );
  test.each(compatPairs().map((p) => [`${p.native.name}:${p.compat.name}`, p] as const))('%s', (_, pair) => {
    const report = check({ pairs: [pair], scan: { headers: [header] }, scanFor: crossTree });
    expect(report.failed).toEqual({});
    expect(report.findings).toEqual([]);
    expect(report.pairs[0]!.ioctls.map((v) => [v.name, v.verdict])).toEqual([
      ['DRV_GET', 'identical'],
      ['DRV_SET', 'identical'],
      ['DRV_RESET', 'no-arg'],
    ]);
    expect(needsWork(report)).toBe(false);
  });
  test('the CLI exits 0 on ppc64:ppc with no finding', async () => {
    const r = await run('node', ['dist/cli/main.cjs', 'check', '--pair', 'ppc64:ppc', header]);
    expect(r.stdout).not.toMatch(/findings:/);
    expect(r.stdout).toMatch(/2 identical, 0 renumber, 0 pointer-inside, 0 convert, 0 unknown/);
  });
});

describe('renumber: the same layout under another number needs work', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ioctl32-renumber-'));
  const header = join(dir, 'renum.h');
  writeFileSync(header, "#include <linux/ioctl.h>\n#define DRV_GETFLAGS _IOR('x', 1, long)\n");
  const annotations = parseAnnotations(JSON.stringify({ ioctls: { DRV_GETFLAGS: { arg: 'int' } } }), 'ann.json');
  test('an int declared long: renumber, with the numbers to map in the action', () => {
    const v = checkHeaders([header], { annotations }).pairs[0]!.ioctls[0]!;
    expect(v).toMatchObject({
      name: 'DRV_GETFLAGS',
      verdict: 'renumber',
      nativeCmd: 0x80087801,
      compatCmd: 0x80047801,
      cmdDiffers: true,
    });
    expect(v.action).toMatch(/^map 0x80047801 to 0x80087801/);
    // without the annotation the long itself is copied: 8 bytes against 4
    expect(checkHeaders([header]).pairs[0]!.ioctls[0]!.verdict).toBe('convert');
  });
  test('the CLI counts it as work (exit 1), in text, JSON and SARIF', async () => {
    const ann = join(dir, 'ann.json');
    writeFileSync(ann, JSON.stringify({ ioctls: { DRV_GETFLAGS: { arg: 'int' } } }));
    const cli = (...a: string[]) =>
      run('node', ['dist/cli/main.cjs', 'check', '--pair', 'x86_64:i386', '--annotations', ann, ...a, header]).then(
        () => ({ code: 0, stdout: '' }),
        (e: { code: number; stdout: string }) => e,
      );
    const text = await cli();
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/1 renumber/);
    const json = JSON.parse((await cli('--format', 'json')).stdout);
    expect(json.pairs[0].ioctls[0]).toMatchObject({
      verdict: 'renumber',
      action: expect.stringMatching(/map 0x80047801 to 0x80087801/),
    });
    const sarif = JSON.parse((await cli('--format', 'sarif')).stdout);
    expect(sarif.runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'compat-renumber').message.text).toMatch(
      /Handler: map 0x80047801/,
    );
  });
});

describe('lint and actions as a driver author meets them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ioctl32-lint-cases-'));
  const write = (name: string, body: string) => {
    const file = join(dir, name);
    writeFileSync(file, `#include <linux/types.h>\n#include <linux/ioctl.h>\n${body}`);
    return file;
  };
  const onPair = (pair: string, file: string) => {
    const [n, c] = pair.split(':');
    return check({
      pairs: [{ native: getAbi(n!), compat: getAbi(c!) }],
      scan: { headers: [file] },
      scanFor: crossTree,
    });
  };
  test('too-large where the size spills into the direction bits (ppc, mips: 13-bit sizes)', () => {
    const file = write('big.h', "struct big { __u8 data[10000]; };\n#define BIG _IOW('r', 1, struct big)\n");
    for (const pair of ['ppc64:ppc', 'mips64:mips', 'x86_64:i386']) {
      const f = onPair(pair, file).findings.filter((x) => x.rule === 'too-large');
      const limit = getAbi(pair.split(':')[0]!).ioc.sizeBits;
      expect(f.length, pair).toBe(limit < 14 ? 2 : 0);
    }
  });
  test('a hole inside a nested struct is found, with the pad in that struct', () => {
    const file = write(
      'nest.h',
      'struct n_hole { __u8 a; __u32 b; };\nstruct n_outer { __u64 x; struct n_hole in; };\n' +
        "#define NEST _IOW('n', 1, struct n_outer)\n",
    );
    const f = onPair('arm64:arm', file).findings.filter((x) => x.rule === 'implicit-padding');
    expect(f.map((x) => [x.path, x.message])).toEqual([['in.b', "3-byte hole on arm64, arm after 'a' in 'in'"]]);
    expect(f[0]!.edit).toMatchObject({ op: 'insert', line: 3, text: '__u8 pad0[3]; ' });
  });
  test('a declaration of several members gets no replace edit; pad names do not clash', () => {
    const file = write(
      'multi.h',
      "struct m { long a, b; __u32 pad0; __u64 c; };\n#define MULTI _IOW('m', 1, struct m)\n" +
        "struct p { __u32 pad0; __u8 x; __u64 y; };\n#define PADS _IOW('m', 2, struct p)\n",
    );
    const f = onPair('x86_64:i386', file).findings;
    const longs = f.filter((x) => x.rule === 'long-or-pointer' && x.record === 'struct m');
    expect(longs.map((x) => x.path)).toEqual(['a', 'b']);
    for (const x of longs) expect(x.edit).toBeUndefined();
    const pad = f.find((x) => x.rule === 'implicit-padding' && x.record === 'struct p')!;
    expect(pad.edit?.text).toBe('__u8 pad1[3]; ');
  });
  test('a duplicate member name is an error, as the compiler says', () => {
    const file = write(
      'dup.h',
      "struct d { __u32 a; union { __u32 a; __u64 b; }; };\n#define DUP _IOW('d', 1, struct d)\n",
    );
    expect(Object.values(onPair('x86_64:i386', file).failed.x86_64 ?? {})[0]).toMatch(
      /dup\.h:3:35: error: duplicate member 'a'/,
    );
  });
  test('actions follow the direction; an _IO argument is a value', () => {
    const file = write(
      'dirs.h',
      'struct lp { __u32 a; long v; };\n' +
        "#define W_LP _IOW('d', 1, struct lp)\n#define R_LP _IOR('d', 2, struct lp)\n" +
        "#define RW_LP _IOWR('d', 3, struct lp)\n" +
        "#define RESET _IO('d', 4)\n",
    );
    const rows = new Map(onPair('s390x:s390', file).pairs[0]!.ioctls.map((v) => [v.name, v.action]));
    expect(rows.get('W_LP')).toMatch(/in \(the kernel only reads it\)/);
    expect(rows.get('R_LP')).toMatch(/back \(the kernel only writes it\)/);
    expect(rows.get('RW_LP')).toMatch(/both ways/);
    expect(rows.get('RESET')).toMatch(/^pass arg on as it came/);
  });
});

describe('lint over the whole UAPI set', () => {
  // the ABIs may declare a record differently (kvm.h's arch-dependent structs): lint must not assume they match
  test.each(pairsWithOneFlavour(compatPairs()).map((p) => [`${p.native.name}:${p.compat.name}`, p] as const))(
    '%s: every header linted without an exception',
    (_name, pair) => {
      const headers = uapiHeaders(includeConfigFor(pair.native, crossTree(pair.native)).includeDirs);
      const report = check({ pairs: [pair], scan: { headers }, scanFor: crossTree, lint: true });
      expect(headers.length).toBeGreaterThan(800);
      expect(report.findings.length).toBeGreaterThan(500);
    },
    120_000,
  );
});

describe('a member that holds no byte converts nothing: two versions of a header (__DECLARE_FLEX_ARRAY)', () => {
  // newer headers declare a flexible array through __DECLARE_FLEX_ARRAY, which adds an empty struct before it;
  // a compat ABI may read an older copy of the header without it
  const version = (members: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'ioctl32-flex-'));
    writeFileSync(
      join(dir, 'flex.h'),
      '#include <linux/ioctl.h>\n#include <linux/types.h>\n' +
        `struct fx { __u32 n; __u32 pad; ${members} };\n#define FX_GET _IOR('f', 1, struct fx)\n`,
    );
    return dir;
  };
  const newer = version('struct { } __empty_e; __u64 e[];');
  const older = version('__u64 e[];');
  const none = version('');
  // each -I directory says its kernel version, as linux-libc-dev's linux/version.h does
  const stamp = (dir: string, code: number, sublevel?: number) => {
    mkdirSync(join(dir, 'linux'));
    const sub = sublevel === undefined ? '' : `#define LINUX_VERSION_SUBLEVEL ${sublevel}\n`;
    writeFileSync(join(dir, 'linux/version.h'), `#define LINUX_VERSION_CODE ${code}\n${sub}`);
  };
  stamp(newer, 393664, 192);
  stamp(older, 393476);
  stamp(none, 393476);
  const pairOf = (nativeDir: string, compatDir: string) => {
    const r = check({
      pairs: [{ native: getAbi('x86_64'), compat: getAbi('x32') }],
      scan: { headers: ['flex.h'] },
      scanFor: (abi) => ({ includeDirs: [abi.name === 'x86_64' ? nativeDir : compatDir] }),
      lint: false,
    });
    return r;
  };
  const verdict = (nativeDir: string, compatDir: string) =>
    pairOf(nativeDir, compatDir).pairs[0]!.ioctls.find((v) => v.name === 'FX_GET')!;

  test("the empty struct on one side only: identical (kvm_msrs' case, host 6.1.192 headers against x32's)", () => {
    expect(verdict(newer, older)).toMatchObject({ verdict: 'identical', reasons: [] });
    expect(verdict(older, newer)).toMatchObject({ verdict: 'identical', reasons: [] });
  });
  test('headers of two kernel versions: said, in the JSON and under the pair in the text', () => {
    const r = pairOf(newer, older);
    expect(r.pairs[0]!.headerVersions).toEqual({ native: '6.1.192', compat: '6.1.4' });
    expect(formatCheck(r, { color: false, detail: false })).toContain(
      '  note: the headers are of two kernel versions (x86_64 6.1.192, x32 6.1.4): what one added or declares ' +
        'otherwise differs too',
    );
    expect(pairOf(older, none).pairs[0]).not.toHaveProperty('headerVersions');
  });
  test('a flexible array on one side only is no empty member: the data after the record differs', () => {
    const v = verdict(older, none);
    expect(v.verdict).toBe('convert');
    expect(v.reasons).toEqual([{ rule: 'missing', path: 'e', native: { offset: 8, size: 0 } }]);
  });
});

describe('a header named alone judges its ioctls as the whole UAPI set does', () => {
  // the legacy table's types that other headers declare (struct ifreq of <linux/if.h> for linux/sockios.h's
  // SIOC*, struct termios for asm/ioctls.h's TCGETS) are read with what its `needs` says a program includes
  const whole = check({ pairs: x86Pair, scan: {}, scanFor: crossTree, lint: false }).pairs[0]!.ioctls;
  const byName = new Map(whole.map((v) => [v.name, v]));
  test.each(['linux/sockios.h', 'asm/ioctls.h', 'linux/if_tun.h'])('%s', (header) => {
    const alone = check({ pairs: x86Pair, scan: { headers: [header] }, scanFor: crossTree, lint: false }).pairs[0]!;
    expect(alone.ioctls.length).toBeGreaterThan(20);
    expect(alone.ioctls.filter((v) => v.verdict === 'unknown').map((v) => v.name)).toEqual([]);
    for (const v of alone.ioctls) {
      const w = byName.get(v.name);
      expect([v.name, v.verdict, v.nativeCmd, v.compatCmd]).toEqual([v.name, w?.verdict, w?.nativeCmd, w?.compatCmd]);
    }
  });
});

describe('a whole UAPI check drops each dump after its last pair', () => {
  test('and reports what holding every dump reports: pairs in order, summary, failed headers by ABI', () => {
    // the pairs out of the ABIs' order, a native ABI in several, two threads (the dumps come in any order): each pair
    // is checked when both its dumps are in
    const pairs = [...compatPairs().filter((p) => p.native.name === 'arm64'), ...compatPairs().slice(0, 2)];
    const streamed = check({ pairs, scan: {}, lint: false, threads: 2 });
    // lint asked for (no header named: nothing to lint) keeps every dump until the end
    const held = check({ pairs, scan: {}, lint: true });
    expect(held.findings).toEqual([]);
    expect(streamed.pairs.map((p) => `${p.native}:${p.compat}`)).toEqual(
      pairs.map((p) => `${p.native.name}:${p.compat.name}`),
    );
    expect(JSON.stringify(streamed)).toBe(JSON.stringify(held));
  }, 120_000);
});
