/**
 * The include memo (an included file preprocessed and parsed once per context, then replayed)
 * must not change any result: every unit scanned with it equals the unit scanned without it.
 * The scenarios are the ways a file's expansion or parse depends on its including context;
 * then the whole UAPI set of three ABIs.
 */
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { getAbi } from '../src/abi/index.js';
import { FileCache } from '../src/cfront/preprocess.js';
import { dump } from '../src/scan/dump.js';
import { scanHeaders } from '../src/scan/scan.js';

const DIR = resolve('/ioctl32-memo-fixture');
const at = (name: string) => `${DIR}/${name}`;

/** Units in scan order; the files they include. */
const FILES: Record<string, string> = {
  // a forward declaration completed by another header: a unit without it must still fail
  'fwd.h': '#pragma once\nstruct s;\ntypedef struct s s_t;\n',
  'def.h': '#include "fwd.h"\nstruct s { int a; };\nstruct holds_s { s_t x; };\n',
  'use.h': '#include "fwd.h"\nstruct u { s_t x; };\n',
  // the including context picks a branch
  'cfg.h': '#ifdef WIDE\ntypedef long n_t;\n#else\ntypedef int n_t;\n#endif\nstruct n { n_t v; };\n',
  'wide.h': '#define WIDE\n#include "cfg.h"\n',
  'narrow.h': '#include "cfg.h"\n',
  // an identifier the includer made a macro
  'ids.h': 'struct v { int count; char c; };\n',
  'renamed.h': '#define count cnt[4]\n#include "ids.h"\n',
  'plain.h': '#include "ids.h"\n',
  // #pragma pack in force at the include
  'rec.h': 'struct r { char c; int i; };\n',
  'packed.h': '#pragma pack(push, 1)\n#include "rec.h"\n#pragma pack(pop)\n',
  'unpacked.h': '#include "rec.h"\n',
  // an enum constant of the includer sizes an array
  'arr.h': 'struct arr { int a[N]; };\n',
  'four.h': 'enum { N = 4 };\n#include "arr.h"\n',
  'six.h': 'enum { N = 6 };\n#include "arr.h"\n',
  // a typedef of the includer
  'td.h': 'struct t { word_t w; };\n',
  'td8.h': 'typedef long long word_t;\n#include "td.h"\n',
  'td2.h': 'typedef short word_t;\n#include "td.h"\n',
  'td-none.h': '#include "td.h"\n',
  // __COUNTER__ differs per use: never replayed
  'counter.h': 'struct c { char x[__COUNTER__ + 1]; };\n',
  'counter1.h': '#include "counter.h"\n',
  'counter2.h': 'enum { burn = __COUNTER__ };\n#include "counter.h"\n',
  // a file ending in a function-like macro's name: the invocation takes its arguments after the file
  'tail.h': '#define MK(n) struct n { int x; };\nMK\n',
  'tail-use.h': '#include "tail.h"\n(mk1)\n',
  'tail-use2.h': '#include "tail.h"\n(mk2)\n',
  // an include among a macro's arguments
  'arg.h': 'int\n',
  'args.h': '#define DECL(t) struct inarg { t v; };\nDECL(\n#include "arg.h"\n)\n',
  'args2.h': '#include "arg.h"\nx;\n',
  // macros defined by an include and read after it
  'defs.h': '#ifndef SZ\n#define SZ 3\n#endif\n',
  'after.h': '#include "defs.h"\nstruct after { char b[SZ]; };\n',
  'redef.h': '#define SZ 5\n#include "defs.h"\nstruct redef { char b[SZ]; };\n',
};
const UNITS = [
  'def.h',
  'use.h',
  'wide.h',
  'narrow.h',
  'renamed.h',
  'plain.h',
  'packed.h',
  'unpacked.h',
  'four.h',
  'six.h',
  'td8.h',
  'td2.h',
  'td-none.h',
  'counter1.h',
  'counter2.h',
  'counter1.h',
  'tail-use.h',
  'tail-use2.h',
  'args.h',
  'args2.h',
  'after.h',
  'redef.h',
  'after.h',
];

/** Each unit: its error, or every record's size, alignment and member offsets. */
function scanUnits(memo: boolean): unknown[] {
  const files = new FileCache(new Map(Object.entries(FILES).map(([name, text]) => [at(name), text])));
  const abi = getAbi('x86_64');
  const scan = scanHeaders({ abi, headers: UNITS.map(at), files, memo, includeDirs: [DIR] });
  const out: unknown[] = [];
  for (const s of scan.each()) {
    if (!s.parsed) {
      out.push({ header: s.header, error: s.error });
      continue;
    }
    const records: Record<string, unknown> = {};
    for (const [name, decl] of s.parsed.unit.records) {
      const l = scan.layouter.layout(decl);
      records[name] = { size: l.size, align: l.align, members: l.members.map((m) => [m.member.name, m.offset]) };
    }
    out.push({
      header: s.header,
      records,
      typedefs: [...s.parsed.unit.typedefs.keys()],
      macros: s.parsed.preprocessor.macros.get('SZ')?.body.map((t) => t.text),
    });
  }
  return out;
}

describe('include memo', () => {
  test('every unit equals the unit scanned without the memo', () => {
    const withMemo = scanUnits(true);
    expect(withMemo).toEqual(scanUnits(false));
    // and the scenarios do tell contexts apart
    const rec = (header: string, name: string) =>
      (
        withMemo.find((u) => (u as { header: string }).header === at(header)) as {
          records?: Record<string, { size: number }>;
        }
      ).records?.[name]?.size;
    expect([rec('wide.h', 'struct n'), rec('narrow.h', 'struct n')]).toEqual([8, 4]);
    expect([rec('packed.h', 'struct r'), rec('unpacked.h', 'struct r')]).toEqual([5, 8]);
    expect([rec('four.h', 'struct arr'), rec('six.h', 'struct arr')]).toEqual([16, 24]);
    expect([rec('td8.h', 'struct t'), rec('td2.h', 'struct t')]).toEqual([8, 2]);
    expect([rec('renamed.h', 'struct v'), rec('plain.h', 'struct v')]).toEqual([20, 8]);
    expect([rec('after.h', 'struct after'), rec('redef.h', 'struct redef')]).toEqual([3, 5]);
    expect((withMemo[1] as { error?: string }).error).toMatch(/incomplete type 'struct s'/);
  });

  test('replays: the second unit including the same file does not expand it again', () => {
    const files = new FileCache(new Map(Object.entries(FILES).map(([name, text]) => [at(name), text])));
    const scan = scanHeaders({
      abi: getAbi('x86_64'),
      headers: [at('four.h'), at('four.h')],
      files,
      includeDirs: [DIR],
    });
    const [first, second] = [...scan.each()];
    // a memo segment marks the replayed file's tokens for the parser
    expect(first!.parsed!.preprocessor.segments.length).toBe(1);
    expect(second!.parsed!.preprocessor.segments[0]!.memo).toBe(first!.parsed!.preprocessor.segments[0]!.memo);
    // the parse replayed too: the same declaration object
    expect(second!.parsed!.unit.records.get('struct arr')).toBe(first!.parsed!.unit.records.get('struct arr'));
  });

  test('chunks replayed for another ABI or other include directories only where they agree', () => {
    const text: Record<string, string> = {
      'abi.h': '#ifdef __x86_64__\ntypedef long w_t;\n#else\ntypedef short w_t;\n#endif\nstruct w { w_t v; };\n',
      // a predefined macro both ABIs define, differently
      'ptr.h': 'struct ptr { char c[__SIZEOF_POINTER__]; };\n',
      'sign.h': "#if '\\xff' < 0\nstruct sign { char s[1]; };\n#else\nstruct sign { char u[2]; };\n#endif\n",
      'has.h': '#if __has_include("opt.h")\nstruct has { int yes; };\n#else\nstruct has { char no; };\n#endif\n',
      'a/opt.h': '',
      'all.h':
        '#include "abi.h"\n#include "ptr.h"\n#include "sign.h"\n#include "has.h"\n' +
        'struct all { struct w w; struct sign s; struct has h; };\n',
    };
    const overlay = new Map(Object.entries(text).map(([name, t]) => [at(name), t]));
    const scanOne = (abiName: string, dirs: string[], files: FileCache) => {
      const abi = getAbi(abiName);
      const scan = scanHeaders({ abi, headers: [at('all.h'), at('has.h'), at('abi.h')], files, includeDirs: dirs });
      return [...scan.each()].map(
        (u) =>
          u.error ??
          [...u.parsed!.unit.records].map(([name, d]) => `${name}:${scan.layouter.layout(d).size}`).join(' '),
      );
    };
    const shared = new FileCache(overlay);
    const runs: Array<[string, string[]]> = [
      ['x86_64', [DIR, at('a')]],
      ['arm', [DIR, at('b')]],
      ['i386', [DIR, at('a')]],
      ['x86_64', [DIR, at('b')]],
    ];
    const got = runs.map(([abi, dirs]) => scanOne(abi, dirs, shared));
    expect(got).toEqual(runs.map(([abi, dirs]) => scanOne(abi, dirs, new FileCache(overlay))));
    // x86_64 has char signed, arm not; pointers of 8 and 4 bytes; only the first and third find opt.h
    expect(got.map((units) => units[0])).toEqual([
      'struct w:8 struct ptr:8 struct sign:1 struct has:4 struct all:16',
      'struct w:2 struct ptr:4 struct sign:2 struct has:1 struct all:6',
      'struct w:2 struct ptr:4 struct sign:1 struct has:4 struct all:8',
      'struct w:8 struct ptr:8 struct sign:1 struct has:1 struct all:16',
    ]);
  });

  test('ABIs whose trees share tokens dump as they do alone', () => {
    const files = new FileCache();
    const [arm64, arm] = [getAbi('arm64'), getAbi('arm')];
    dump({ abi: arm64, sysroot: `/usr/${arm64.headerTriple}`, files });
    const shared = dump({ abi: arm, sysroot: `/usr/${arm.headerTriple}`, files });
    // arm read arm64's tokens of the same files...
    const fs = files.get(`/usr/${arm.headerTriple}/include/linux/fs.h`)!;
    expect(fs.canonical).toBe(`/usr/${arm64.headerTriple}/include/linux/fs.h`);
    expect(fs.tokens).toBe(files.get(fs.canonical)!.tokens);
    // ...but not of those that differ
    expect(files.get(`/usr/${arm.headerTriple}/include/asm/bitsperlong.h`)!.canonical).toBe(
      `/usr/${arm.headerTriple}/include/asm/bitsperlong.h`,
    );
    // and reports every name and message as its own tree gives them
    expect(shared).toEqual(dump({ abi: arm, sysroot: `/usr/${arm.headerTriple}`, files: new FileCache() }));
  }, 120_000);

  test("a flavour after its base replays the base's includes where _TIME_BITS does not matter", () => {
    const text: Record<string, string> = {
      'plain.h': 'struct p { long v; };\n',
      't.h': '#if defined _TIME_BITS && _TIME_BITS == 64\ntypedef long long t_t;\n#else\ntypedef long t_t;\n#endif\n',
      'time.h': '#include "t.h"\nstruct tv { t_t s; };\n',
      'both.h': '#include "plain.h"\n#include "time.h"\n',
    };
    const overlay = new Map(Object.entries(text).map(([name, t]) => [at(name), t]));
    const units = (abiName: string, files: FileCache) => {
      const scan = scanHeaders({ abi: getAbi(abiName), headers: [at('both.h')], files, includeDirs: [DIR] });
      const unit = [...scan.each()][0]!.parsed!.unit;
      const sizes = [...unit.records].map(([name, d]) => `${name}:${scan.layouter.layout(d).size}`).join(' ');
      return { unit, sizes };
    };
    const files = new FileCache(overlay);
    const base = units('i386', files);
    const flavour = units('i386+t64', files);
    // the flavour reads what it reads alone, the base's declaration where the file did not test _TIME_BITS
    expect([base.sizes, flavour.sizes]).toEqual(['struct p:4 struct tv:4', 'struct p:4 struct tv:8']);
    expect(flavour.sizes).toBe(units('i386+t64', new FileCache(overlay)).sizes);
    expect(flavour.unit.records.get('struct p')).toBe(base.unit.records.get('struct p'));
    expect(flavour.unit.records.get('struct tv')).not.toBe(base.unit.records.get('struct tv'));
    // another ABI's scan in between drops them: no memo is kept for a configuration that is not next
    units('x86_64', files);
    expect(units('i386+t64', files).unit.records.get('struct p')).not.toBe(base.unit.records.get('struct p'));
  });

  test('i386+t64 after i386 with one FileCache dumps as it does alone', () => {
    const files = new FileCache();
    dump({ abi: getAbi('i386'), files });
    const t64 = getAbi('i386+t64');
    expect(dump({ abi: t64, files })).toEqual(dump({ abi: t64, files: new FileCache() }));
  }, 120_000);

  for (const name of ['x86_64', 'arm', 'm68k']) {
    test(`the whole UAPI set of ${name} dumps the same with and without it`, () => {
      const abi = getAbi(name);
      const opts = { abi, sysroot: `/usr/${abi.headerTriple}` };
      expect(dump({ ...opts, files: new FileCache() })).toEqual(dump({ ...opts, files: new FileCache(), memo: false }));
    }, 120_000);
  }
});
