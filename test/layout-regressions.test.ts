/**
 * Records that once disagreed with a compiler, or that the ABI notes single out, checked on
 * every ABI against its reference compiler. The expected numbers come from the compiler.
 */
import { describe, expect, test } from 'vitest';
import { ABIS, getAbi } from '../src/abi/index.js';
import type { RecordDecl } from '../src/cfront/types.js';
import { alignedU64, arr, m, ptr, rec, struct, t, td, u32, u64, union } from './harness/dsl.js';
import { compareWithCompiler, type Program } from './harness/probe.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseHeader } from '../src/cfront/index.js';
import { Layouter } from '../src/layout/layout.js';
import { compileObject } from './harness/compile.js';
import { u32Array } from './harness/elf.js';
import { recordAlign } from '../src/scan/dump.js';

const bf = (name: string | undefined, type: ReturnType<typeof t>, bitWidth: number, packed?: boolean) =>
  m(name, type, packed ? { bitWidth, packed } : { bitWidth });

const char = t('char');
const short = t('short');
const int = t('int');
const ll = t('long long');

const u64a2 = td('u64_a2', u64, 2);
const typedefs = [u32, u64, alignedU64, u64a2].map((x) => {
  if (x.kind !== 'typedef') throw new Error('not a typedef');
  return { kind: 'typedef' as const, decl: x.decl };
});

const records: RecordDecl[] = [
  // ABI-NOTES: the _IOWR('T',4,...) test vector's argument
  struct('vector', [m('c', char), m('x', ll)]),
  // KVM_GET_DIRTY_LOG's argument: a pointer in a union with a __u64
  struct('kvm_dirty_log', [
    m('slot', u32),
    m('padding1', u32),
    m(undefined, rec(union(undefined, [m('dirty_bitmap', ptr()), m('padding2', u64)]))),
  ]),
  // __aligned_u64 keeps 8 on i386 and m68k, also one record down
  struct('aligned_u64_user', [m('a', int), m('b', alignedU64)]),
  struct('aligned_u64_nested', [m('a', int), m('inner', rec(struct(undefined, [m('x', alignedU64)])))]),
  // i386: a long long bitfield may straddle 8 bytes inside a 4-aligned unit
  struct('i386_ll_bitfield', [bf('a', int, 8), bf('b', ll, 60), bf('c', ll, 30)]),
  // m68k: no PCC_BITFIELD_TYPE_MATTERS: fields pack bit by bit; :0 aligns to 2
  struct('m68k_pack', [bf('c', char, 3), bf('x', int, 30)]),
  struct('m68k_zero_char', [m('c', char), bf(undefined, char, 0), m('d', char)]),
  struct('m68k_zero_packed', [m('c', char), bf(undefined, char, 0)], { packed: true }),
  // m68k: a bitfield as wide as a mode at an aligned position becomes a plain integer
  struct('m68k_mode_field', [bf('b', short, 16), m('a', char)]),
  struct('m68k_mode_field_unaligned', [m('a', char), bf('b', short, 16)]),
  struct('m68k_unnamed_mode_field', [bf(undefined, short, 16), m('a', char)]),
  struct('m68k_ll32', [m('a', char), m('b', char), m('c', char), m('d', char), bf('x', ll, 32)]),
  union('m68k_union_mode', [m('a', char), bf('b', int, 16)]),
  union('m68k_union_odd', [m('a', char), bf('b', int, 17)]),
  // #pragma pack beats packed for a bitfield's contribution to the record's alignment
  union('pack_beats_packed', [bf('f', ll, 2)], { packed: true, maxFieldAlign: 4 }),
  struct('pack_no_straddle', [m('c', char), bf('b', int, 31)], { maxFieldAlign: 4 }),
  // :0 keeps its type's alignment under #pragma pack
  struct('pack_zero_width', [m('c', char), bf(undefined, int, 0), m('d', char)], { maxFieldAlign: 1 }),
  // ARM: unnamed and zero-width bitfields raise the record's alignment
  struct('anon_bitfield_align', [m('c', char), bf(undefined, int, 3)]),
  struct('zero_width_align', [m('c', char), bf(undefined, ll, 0)]),
  // sparc: 16-byte long double aligned to 8 (gcc; clang says 8/8)
  struct('long_double', [m('c', char), m('x', { kind: 'float', name: 'long double' })]),
  // aligned(N) on a member lower than its type is ignored unless packed
  struct('member_align_lower', [m('c', char), m('x', ll, { align: 2 })]),
  struct('member_align_lower_packed', [m('c', char), m('x', ll, { align: 2 })], { packed: true }),
  // a typedef may lower alignment
  struct('typedef_lowered', [m('c', char), m('x', u64a2)]),
  // aligned(N) on a bit-field (GCC and clang take it): its position rounds up to N, the record takes N
  struct('bitfield_aligned', [m('a', char), m('b', char, { bitWidth: 2, align: 8 }), bf('c', int, 4)]),
  struct('bitfield_aligned_packed', [m('a', char), m('b', int, { bitWidth: 3, align: 4 }), bf('c', char, 2)], {
    packed: true,
  }),
  struct('bitfield_aligned_unnamed', [m('a', char), m(undefined, int, { bitWidth: 3, align: 8 }), m('c', char)]),
  union('bitfield_aligned_union', [m('a', char), m('b', int, { bitWidth: 3, align: 16 })]),
  // flexible and zero-length arrays
  struct('flexible', [m('n', u32), m('data', arr(u64, null))]),
  struct('zero_length', [m('c', char), m('z', arr(u64, 0))]),
];

describe.concurrent('regression records agree with the compiler', () => {
  for (const abi of ABIS) {
    test(abi.name, async () => {
      const program: Program = { decls: [...typedefs, ...records.map((decl) => ({ kind: 'record' as const, decl }))] };
      const r = await compareWithCompiler(abi, program, records);
      expect(r.disagreements).toEqual([]);
      expect(r.members).toBeGreaterThan(50);
    });
  }
});

/** Header text the DSL cannot say (#pragma pack's labelled pushes), with the records to compare. */
const TEXT_CASES = [
  {
    // a record's last member without its ';': gcc and clang warn and lay it out
    text: ['struct ns { char c; long l };', 'struct nu { union { int i; char b[5] } u; short s };'],
    records: ['struct ns', 'struct nu'],
  },
  {
    // pop with a label drops every entry above the push it names (gcc c-pragma.cc pop_alignment)
    text: [
      '#pragma pack(push, 2)',
      '#pragma pack(push, r1, 1)',
      '#pragma pack(push, 4)',
      '#pragma pack(pop, r1)',
      'struct pd { char c; int i; };',
      '#pragma pack(pop)',
      'struct pe { char c; int i; };',
      '#pragma pack(push, r2)',
      '#pragma pack(1)',
      'struct pf { char c; int i; };',
      '#pragma pack(pop, r2)',
      'struct pg { char c; int i; };',
    ],
    records: ['struct pd', 'struct pe', 'struct pf', 'struct pg'],
  },
  {
    // aligned(N) after the last '*' is the declared pointer's: a member's raises it, a typedef's raises or
    // lowers
    text: [
      'struct a1 { int f; void * __attribute__((aligned(8))) p; };',
      'typedef void * __attribute__((aligned(8))) up8;',
      'typedef void * __attribute__((aligned(2))) up2;',
      'struct a3 { int f; up8 p; };',
      'struct a4 { char f; up2 p; };',
    ],
    records: ['struct a1', 'struct a3', 'struct a4'],
  },
  {
    // an alignment other than 1, 2, 4, 8, 16: both compilers warn and ignore the pragma, a push too;
    // __has_builtin of a builtin the parser evaluates is 1
    text: [
      '#pragma pack(push, 2)',
      '#pragma pack(3)',
      'struct k1 { char c; int i; };',
      '#pragma pack(push, 32)',
      'struct k2 { char c; int i; };',
      '#pragma pack(pop)',
      'struct k3 { char c; int i; };',
      '#if __has_builtin(__builtin_offsetof)',
      'struct k4 { char c; int i[__builtin_offsetof(struct k3, i)]; };',
      '#endif',
    ],
    records: ['struct k1', 'struct k2', 'struct k3', 'struct k4'],
  },
  {
    // a pop of an empty stack changes nothing (an ignored push leaves it empty): both compilers warn
    text: [
      '#pragma pack(1)',
      '#pragma pack(push, 3)',
      '#pragma pack(pop)',
      'struct m1 { char c; long long i; };',
      '#pragma pack(push, r1, 3)',
      '#pragma pack(2)',
      '#pragma pack(pop, r1)',
      'struct m2 { char c; long long i; };',
      '#pragma pack(4)',
      '#pragma pack(pop)',
      'struct m3 { char c; long long i; };',
    ],
    records: ['struct m1', 'struct m2', 'struct m3'],
  },
  {
    // the alignment is an integer constant (0x2, 2u, 0b10); a form both compilers ignore changes nothing: a
    // parenthesized or floating alignment, an unknown action, too many arguments
    text: [
      '#pragma pack(0x2)',
      'struct n1 { char c; long long i; };',
      '#pragma pack(push, 4u)',
      'struct n2 { char c; long long i; };',
      '#pragma pack(push, r1, 0b1)',
      'struct n3 { char c; long long i; };',
      '#pragma pack(pop, r1)',
      '#pragma pack((2))',
      '#pragma pack(2.)',
      '#pragma pack(shove)',
      '#pragma pack(push, r2, 2, 2)',
      '#pragma pack(1, 1)',
      'struct n4 { char c; long long i; };',
      '#pragma pack()',
      'struct n5 { char c; long long i; };',
    ],
    records: ['struct n1', 'struct n2', 'struct n3', 'struct n4', 'struct n5'],
  },
  {
    // an attribute before a later declarator of a typedef list is that typedef's (gcc and clang)
    text: [
      'typedef int i4, __attribute__((aligned(8))) i8;',
      'struct l1 { char c; i8 y; };',
      'struct l2 { char c; i4 y; };',
    ],
    records: ['struct l1', 'struct l2'],
  },
  {
    // floating constants as the operands of casts to integers and of sizeof (C11 6.6), folded as the compilers do
    text: [
      'struct f1 { char c[(int)2.9]; };',
      'struct f2 { char c[sizeof(1.0f)]; char d[sizeof(2.0)]; char e[sizeof 1.0L]; };',
      'struct f3 { char c[(unsigned char)(1e2)]; char d[(int)0x1.8p3]; char e[(_Bool)0.5 + 1]; };',
      'enum fe { FA = (int)-0.0 + 3, FB = (long)2.5e1 + (short)-1.5 };',
      'struct f4 { char c[FB]; char d[FA]; };',
      // rounded to float (an f constant, a cast to float); an infinity is a _Bool's 1; a hex mantissa of 53 bits
      'struct f5 { char a[(_Bool)1e400 + 1]; char b[(int)1.99999999f]; char c[(int)(float)16777217.0 - 16777210]; };',
      'struct f6 { char e[(int)0x10000000000001p-52]; char f[(long long)9007199254740993.0 - 9007199254740990LL]; };',
    ],
    records: ['struct f1', 'struct f2', 'struct f3', 'struct f4', 'struct f5', 'struct f6'],
  },
  {
    // _Complex T: an array of two T (C11 6.2.5p13), alignment and all; _Complex alone is double, _Complex int gcc's
    text: [
      'struct c1 { char c; float _Complex f; };',
      'struct c2 { char c; double _Complex d; };',
      'struct c3 { char c; long double _Complex l; };',
      'struct c4 { char c; _Complex x; __complex__ short s; };',
      'typedef _Complex float cf_t;',
      'struct c5 { char c; cf_t a[3]; _Complex int i; };',
    ],
    records: ['struct c1', 'struct c2', 'struct c3', 'struct c4', 'struct c5'],
  },
  {
    // __VA_OPT__(x): x where the variable arguments expand to something (a macro that expands to nothing is none)
    text: [
      '#define F(a, ...) struct a { int x; __VA_OPT__(int y;) }',
      '#define E',
      '#define N(n, ...) n __VA_OPT__(+ __VA_ARGS__)',
      '#define P(a, ...) a ## __VA_OPT__(__VA_ARGS__)',
      'F(v1); F(v2, 1); F(v3, ); F(v4, E);',
      'enum { P(k, 9) = 3, P(j) = 5 };',
      'struct v5 { char c[N(1)]; char d[N(1, 2)]; char e[k9]; char f[j]; };',
      // no content is a placemarker: ## pastes onto nothing, z stays a token of its own
      '#define H3(t, ...) t ## __VA_OPT__() z',
      'struct w1 { H3(int, 1); };',
    ],
    records: ['struct v1', 'struct v2', 'struct v3', 'struct v4', 'struct v5', 'struct w1'],
  },
  {
    // a cast to an enum converts to the enum's integer type: a packed one's is a char, a non-negative one's unsigned
    text: [
      'enum __attribute__((packed)) pe { PA = 1, PB = 200 };',
      'enum ne { NA = 1 };',
      'enum se { SA = -1 };',
      'struct e1 { char a[(enum pe)300]; char b[(enum ne)-1 > 0 ? 3 : 5]; char c[(enum se)-1 > 0 ? 3 : 5]; };',
      'struct e2 { char a[sizeof((enum pe)300)]; char b[(enum pe)300 + 1]; };',
      'struct e3 { char a[(enum pe)30.5]; };',
    ],
    records: ['struct e1', 'struct e2', 'struct e3'],
  },
  {
    // _Atomic T: aligned to its size where the ABI's compiler promotes it (clang: up to atomicPromote bytes; gcc:
    // 1 to 16 bytes, capped by the biggest alignment); a pointer to one is a pointer
    text: [
      'struct b8 { char c[8]; };',
      'struct b16 { char c[16]; };',
      'typedef _Atomic double adbl;',
      'struct at1 { char c; _Atomic long long x; };',
      'struct at2 { char c; _Atomic(long long) x; short s; };',
      'struct at3 { char c; long long _Atomic x[2]; };',
      'struct at4 { char c; adbl x; };',
      'struct at5 { char c; _Atomic long long *p; };',
      'struct at6 { char c; _Atomic struct b8 x; };',
      'struct at7 { char c; _Atomic(struct b16) x; };',
      'struct at8 { char c; _Atomic int i; _Atomic short s; };',
      'struct at9 { char c; int * _Atomic p; _Atomic(char *) q; };',
    ],
    records: [
      'struct at1',
      'struct at2',
      'struct at3',
      'struct at4',
      'struct at5',
      'struct at6',
      'struct at7',
      'struct at8',
      'struct at9',
    ],
  },
  {
    // ?: converts its operands as arithmetic does, the integer promotions first: (char) and (short) make an int
    text: [
      'struct c1 { char a[sizeof(1 ? (char)1 : (short)2)]; char b[sizeof(1 ? (char)1 : (char)1)];',
      '  char c[sizeof(1 ? 1u : (char)1)]; char d[sizeof(0 ? 1L : (short)1)]; };',
    ],
    records: ['struct c1'],
  },
  {
    // a string literal's size counts an escape as one element; L, u and U make wider elements
    text: [
      'struct s2 { char a[sizeof("\\x41\\n")]; char b[sizeof(L"ab")]; char c[sizeof(u"ab")];',
      '  char d[sizeof(u8"ab")]; char e[sizeof("a" "bc")]; char f[sizeof("\\0\\123x")]; };',
    ],
    records: ['struct s2'],
  },
  {
    // a typedef of an untagged struct, aligned: _Alignof(t) and a member of type t take the typedef's 8
    text: ['typedef struct { char c; int i; } ta1 __attribute__((aligned(8)));', 'struct tu { char x; ta1 t; };'],
    records: ['ta1', 'struct tu'],
  },
];

/** `text` as a header of its own (case.h in a fresh directory) parsed for `abi`: a thunk, to expect a throw of. */
function parseText(text: string, abi = getAbi('x86_64')) {
  const header = join(mkdtempSync(join(tmpdir(), 'ioctl32-text-')), 'case.h');
  writeFileSync(header, `${text}\n`);
  return () => parseHeader(header, { abi, includeDirs: [], sizes: new Layouter(abi) });
}

describe.concurrent('header text agrees with the compiler', () => {
  for (const abi of ABIS.filter((a) => !a.flavourOf)) {
    test(abi.name, async () => {
      for (const c of TEXT_CASES) {
        const dir = mkdtempSync(join(tmpdir(), 'ioctl32-text-'));
        const header = join(dir, 'case.h');
        writeFileSync(header, `${c.text.join('\n')}\n`);
        const facts = c.records.flatMap((r) => [`sizeof(${r})`, `_Alignof(${r})`]);
        const src = `#include "${header}"\nconst unsigned int facts[] = { ${facts.join(', ')} };\n`;
        const cc = [...u32Array(await compileObject(abi, src, ['-Wno-pragmas']), 'facts')];
        const unit = parseHeader(header, { abi, includeDirs: [], sizes: new Layouter(abi) }).unit;
        const layouter = new Layouter(abi);
        const ours = c.records.flatMap((r) => {
          const l = layouter.layout(unit.records.get(r)!);
          return [l.size, recordAlign(r, l.align, layouter, unit.typedefs)];
        });
        expect(ours, `${abi.name}: ${c.records.join(' ')}`).toEqual(cc);
      }
    });
  }
});

test('an attribute before a later member declarator (clang applies it, gcc rejects it): a located error', () => {
  expect(parseText('struct s { char c; int x, __attribute__((aligned(8))) y; };')).toThrow(
    /case\.h:1:27: error: an attribute before a member's declarator: clang applies it, gcc rejects it/,
  );
});

test('what gcc and clang reject or read apart, located: pack(pop, label), casts, _Atomic, __VA_OPT__', () => {
  const parse = parseText;
  // gcc pops every entry, clang none
  expect(parse('#pragma pack(push, 2)\n#pragma pack(1)\n#pragma pack(pop, r1)\nstruct q { char c; int i; };')).toThrow(
    /case\.h:3:2: error: #pragma pack\(pop, r1\) with no push of r1: gcc pops every entry, clang none/,
  );
  // clang expands a macro in #pragma pack, gcc does not; gcc ignores pop with an alignment, clang pops and sets it;
  // gcc takes a label after the alignment, clang ignores the pragma; neither takes 2x
  const packed = (pragma: string) =>
    parse(`#define N 2\n#pragma pack(push, 4)\n${pragma}\nstruct q { char c; int i; };`);
  expect(packed('#pragma pack(N)')).toThrow(/case\.h:3:14: error: macro 'N' in #pragma pack: clang expands it/);
  expect(packed('#pragma pack(push, r, N)')).toThrow(/case\.h:3:23: error: macro 'N' in #pragma pack/);
  for (const args of ['pop, 2', 'pop, r, 2', 'push, 2, r'])
    expect(packed(`#pragma pack(${args})`), args).toThrow(
      /case\.h:3:2: error: .* is read otherwise by gcc and by clang/,
    );
  expect(packed('#pragma pack(2x)')).toThrow(/case\.h:3:14: error: invalid constant '2x' in #pragma pack/);
  // mips o32: clang aligns a bare aligned to 16, gcc to __BIGGEST_ALIGNMENT__, 8
  expect(parse('struct ba { char c; int x __attribute__((aligned)); };', getAbi('mips'))).toThrow(
    /case\.h:1:42: error: a bare aligned on mips: clang aligns to 16, gcc to 8/,
  );
  expect(parse('enum f;\nstruct h { char a[(enum f)1]; };')).toThrow(/cast to incomplete type 'enum f'/);
  expect(parse('enum __attribute__((packed)) p { A = 1, B = (enum p)300 };')).toThrow(
    /cast to incomplete type 'enum p'/,
  );
  expect(parse('struct b { _Atomic int x : 3; };')).toThrow(/case\.h:1:12: error: a bit-field of an _Atomic type/);
  expect(parse('typedef int A2[2];\nstruct b { _Atomic A2 x; };')).toThrow(/_Atomic of an array type/);
  expect(parse('struct b { _Atomic(int[2]) x; };')).toThrow(/_Atomic of an array type/);
  // C11 6.7.2.4p3: _Atomic(T) takes no qualified or atomic T, whether a typedef or a pointer declarator says so
  const decls = 'typedef const int ci;\ntypedef ci ci2;\ntypedef _Atomic int ai;\n';
  for (const [member, what] of [
    ['_Atomic(const int) x;', 'qualified'],
    ['_Atomic(ci2) x;', 'qualified'],
    ['_Atomic(int * volatile) x;', 'qualified'],
    ['_Atomic(ai) x;', 'atomic'],
    ['_Atomic(int * _Atomic) x;', 'atomic'],
  ])
    expect(parse(`${decls}struct b { ${member} };`), member).toThrow(
      new RegExp(`case\\.h:4:12: error: _Atomic\\(T\\) of an? ${what} type`),
    );
  // ... which the qualifier _Atomic and a pointer to a qualified type may be
  for (const member of ['_Atomic ci x;', '_Atomic ai x;', '_Atomic(const int *) x;', 'int * _Atomic const x;'])
    expect(parse(`${decls}struct b { ${member} };`), member).not.toThrow();
  // clang: "used type '_Atomic(int)' where arithmetic or pointer type is required"
  expect(parse(`${decls}struct b { char c[(ai)3]; };`)).toThrow(/a cast to the atomic type 'ai': clang rejects it/);
  expect(parse('struct e0 {};\nstruct u { char c; _Atomic struct e0 e; };')).toThrow(
    /_Atomic of an empty type: clang makes it 1 byte on x86_64, not modelled/,
  );
  // gcc keeps an empty type's size
  expect(parse('struct e0 {};\nstruct u { char c; _Atomic struct e0 e; };', getAbi('m68k'))).not.toThrow();
  for (const t of ['_Complex _Bool', '_Complex __int128', '_Complex _Complex double'])
    expect(parse(`struct c { ${t} x; };`), t).toThrow(/_Complex/);
  expect(parse('#define J(...) <__VA_OPT__(a __VA_OPT__(b) c)>\nJ(1)')).toThrow(
    /'__VA_OPT__' may not appear inside '__VA_OPT__'/,
  );
});

test('a floating constant no type holds, or one that needs a long double wider than double: located errors', () => {
  const parse = parseText;
  expect(parse('struct h { char a[(int)1e400]; };')).toThrow(
    /case\.h:1:24: error: Infinity is out of the range of int/,
  );
  expect(parse('struct h { char a[(int)0x1p2000]; };')).toThrow(/out of the range of int/);
  expect(parse('struct h { char a[(long long)9007199254740993.0L - 9007199254740990LL]; };')).toThrow(
    /case\.h:1:30: error: '9007199254740993\.0L' needs the precision of x86_64's long double, not modelled/,
  );
  // arm's long double is a double: the constant is one
  expect(
    parse('struct h { char a[(long long)9007199254740993.0L - 9007199254740990LL]; };', getAbi('arm')),
  ).not.toThrow();
});

test('an _Atomic type keeps its name where its alignment is its own (a typedef, _Atomic(T))', () => {
  const text = 'typedef unsigned int seq_t;\nstruct za { _Atomic seq_t seq; _Atomic(short) s; int * _Atomic p; };';
  const unit = parseText(text, getAbi('i386'))().unit;
  const names = unit.records.get('struct za')!.members!.map((m) => (m.type.kind === 'typedef' ? m.type.decl.name : ''));
  // an atomic pointer is no pointer to an atomic int
  expect(names).toEqual(['_Atomic seq_t', '_Atomic short', '_Atomic(int *)']);
});

test('_Atomic of a size clang rounds up (a 3-byte record on x86_64): a located error', () => {
  const b3 = 'struct b3 { char c[3]; };\nstruct at { char c; _Atomic struct b3 x; };';
  expect(parseText(b3)).toThrow(
    /case\.h:2:21: error: _Atomic of a 3-byte type: clang makes it 4 bytes on x86_64, which ioctl32 does not model/,
  );
  // an incomplete type: clang rejects it, gcc takes it
  expect(parseText('struct fwd;\nstruct at9 { char c; _Atomic struct fwd *p; };')).toThrow(
    /case\.h:2:22: error: _Atomic of an incomplete type: clang rejects it/,
  );
  // gcc keeps the size and the alignment (m68k's reference): no error there
  const m68k = getAbi('m68k');
  const unit = parseText(b3, m68k)().unit;
  expect(new Layouter(m68k).layout(unit.records.get('struct at')!).size).toBe(4);
});

test("where gcc and clang part on aligned after '*', a located error says so", () => {
  const parse = (text: string) => parseText(text, ABIS[0]!);
  // gcc lowers a member's pointer to 2, clang keeps 8: 10 bytes against 16 on x86_64
  expect(parse('struct a2 { char f; void * __attribute__((aligned(2))) p; };')).toThrow(
    /case\.h:1:26: error: aligned\(2\) after '\*' lowers the pointer's alignment: gcc lowers it, clang does not/,
  );
  // clang aligns p, gcc does not: 16 bytes against 8 on i386
  expect(parse('struct a5 { char f; void * __attribute__((aligned(8))) *p; };')).toThrow(
    /aligned after an inner '\*': gcc ignores it, clang aligns the declared pointer/,
  );
});

test('an attribute that changes a layout in a way not modelled is a located error, not another layout', () => {
  const cases = [
    // gcc: 16 bytes (v at 8); read without the attribute it would be 8
    ['typedef int v2si __attribute__((vector_size(8)));', 'vector_size'],
    ['struct __attribute__((ms_struct)) m { char a: 3; short b: 3; };', 'ms_struct'],
    ['struct __attribute__((scalar_storage_order("big-endian"))) s { int a: 3; };', 'scalar_storage_order'],
  ];
  for (const [text, attribute] of cases) {
    expect(parseText(text!, ABIS[0]!)).toThrow(
      new RegExp(`case\\.h:1:\\d+: error: __attribute__\\(\\(${attribute}\\)\\) changes the layout`),
    );
  }
});

test("type specifiers: every combination of up to three words, accepted or refused as gcc's C11 6.7.2p2 reading", () => {
  const words = ['int', 'long', 'short', 'char', 'signed', 'unsigned', 'double', 'float', '_Bool', '__int128'];
  const combos: string[][] = [];
  for (const a of words) {
    combos.push([a]);
    for (const b of words) {
      combos.push([a, b]);
      for (const c of words) combos.push([a, b, c]);
    }
  }
  // one struct per line: gcc's errors by line, warnings off
  const dir = mkdtempSync(join(tmpdir(), 'ioctl32-specs-'));
  const file = join(dir, 'specs.c');
  writeFileSync(file, combos.map((w, i) => `struct s${i} { ${w.join(' ')} x; };`).join('\n') + '\n');
  const gcc = spawnSync('gcc', ['-fsyntax-only', '-w', '-std=gnu11', file], { encoding: 'utf8' });
  const refused = new Set([...gcc.stderr.matchAll(/specs\.c:(\d+):\d+: error:/g)].map((m) => Number(m[1]) - 1));
  expect(refused.size).toBeGreaterThan(500);
  const disagree: string[] = [];
  combos.forEach((w, i) => {
    let ours = false;
    try {
      parseText(`struct s { ${w.join(' ')} x; };`)();
    } catch {
      ours = true;
    }
    if (ours !== refused.has(i)) disagree.push(`${w.join(' ')}: gcc ${refused.has(i) ? 'refuses' : 'takes'} it`);
  });
  expect(disagree).toEqual([]);
  // the message is gcc's, located at the first specifier
  expect(parseText('struct a { long long long x; };')).toThrow(/case\.h:1:12: error: 'long long long' is too long/);
}, 120_000);
