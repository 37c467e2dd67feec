/**
 * The legacy ioctl table (src/ioctl/legacy.ts) against the real x86_64 UAPI headers, read with
 * ioctl32's own front end: every macro is defined where the table says and is a constant, every
 * argument names a complete type, and where the header's number is `_IOR/_IOW/_IOWR` the table
 * agrees with it exactly unless it says the macro is wrong (and then it really differs).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { getAbi } from '../src/abi/index.js';
import {
  FileCache,
  Parser,
  Preprocessor,
  includeDirsFor,
  parseHeader,
  stripTypedefs,
  tokenize,
  type CType,
  type Token,
} from '../src/cfront/index.js';
import { typeName } from '../src/cfront/print.js';
import { Layouter } from '../src/layout/layout.js';
import { decodeIoc } from '../src/ioctl/ioc.js';
import { UNION_BYTES } from '../src/ioctl/catalogue.js';
import { LEGACY_IOCTLS, type LegacyIoctl } from '../src/ioctl/legacy.js';
import { dumpHeaders } from '../src/scan/dump.js';
import { functionText, linuxSourceFiles, linuxSourceTarball } from './harness/linux-source.js';
import { compatPairs } from '../src/abi/index.js';
import { ioctlThunk } from '../src/thunk/ioctl.js';
import { check } from '../src/compat/check.js';

const SYSROOT = '/usr/x86_64-linux-gnu';
const FAMILIES: ReadonlyArray<LegacyIoctl['family']> = [
  'tty',
  'serial',
  'socket',
  'wireless',
  'loop',
  'block',
  'cdrom',
  'fs',
  'hdreg',
  'fb',
  'kd',
  'vt',
  'mtio',
  'scsi',
  'floppy',
  'tun',
  'usb',
  'i2c',
  'other',
];
/** The macros that put a type into the number (as src/ioctl/catalogue.ts reads them). */
const TYPED = new Set(['_IOR', '_IOW', '_IOWR', '_IOR_BAD', '_IOW_BAD', '_IOWR_BAD']);

const abi = getAbi('x86_64');
const files = new FileCache();

interface Unit {
  pp: Preprocessor;
  parser: Parser;
  /** Where the entry's header resolves. */
  headerPath: string;
}

const units = new Map<string, Unit>();
let includeDirs: string[] | undefined;

/** One translation unit per (needs, header): `needs` first, as a user would include them. */
function unitFor(e: LegacyIoctl): Unit {
  const key = [...(e.needs ?? []), e.header].join('|');
  let u = units.get(key);
  if (u) return u;
  includeDirs ??= includeDirsFor(abi, { sysroot: SYSROOT });
  if (e.needs === undefined) {
    const p = parseHeader(e.header, { abi, includeDirs, files, sizes: new Layouter(abi) });
    u = { pp: p.preprocessor, parser: p.parser, headerPath: p.path };
  } else {
    const pp = new Preprocessor({ abi, includeDirs, files });
    const parser = new Parser(abi, new Layouter(abi));
    const source = [...e.needs, e.header].map((h) => `#include <${h}>\n`).join('');
    parser.parse(pp.preprocessSource(source, '<legacy.test>'));
    u = { pp, parser, headerPath: pp.findEntry(e.header) };
  }
  units.set(key, u);
  return u;
}

interface Expansion {
  cmd: number;
  /** The expansion went through _IOC. */
  ioc: boolean;
  /** The type handed to the outermost _IOR/_IOW/_IOWR. */
  declared: CType | null;
}

function expandMacro(u: Unit, name: string): Expansion {
  const seen = { ioc: false, typeArg: null as Token[] | null };
  const tokens = u.pp.expand(tokenize(name, '<legacy.test>'), (callee, args) => {
    if (callee === '_IOC') seen.ioc = true;
    else if (TYPED.has(callee)) seen.typeArg ??= args[2] ?? null;
  });
  const value = u.parser.evaluate(tokens);
  const declared = seen.typeArg ? u.parser.typeName(u.pp.expand(seen.typeArg)) : null;
  return { cmd: Number(BigInt.asUintN(32, value.v)), ioc: seen.ioc, declared };
}

function argType(u: Unit, arg: string): CType {
  return u.parser.typeName(u.pp.expand(tokenize(arg, '<legacy.test>')));
}

describe.skipIf(!existsSync(`${SYSROOT}/include/linux`))('legacy ioctl table', () => {
  test('has at least 160 entries, unique names, every family', () => {
    expect(LEGACY_IOCTLS.length).toBeGreaterThanOrEqual(160);
    const names = LEGACY_IOCTLS.map((e) => e.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
    const families = new Set(LEGACY_IOCTLS.map((e) => e.family));
    for (const f of FAMILIES) expect(families.has(f), f).toBe(true);
  });

  test('entries are self-consistent', () => {
    for (const e of LEGACY_IOCTLS) {
      const where = e.name;
      expect(e.source, where).toMatch(/^[\w.+-]+(\/[\w.+-]+)*\.c:\w+$/);
      expect(e.header, where).toMatch(/^[\w-]+(\/[\w-]+)*\.h$/);
      for (const h of e.needs ?? []) expect(h, where).toMatch(/^[\w-]+(\/[\w-]+)*\.h$/);
      if (e.needs !== undefined) expect(e.needs.length, where).toBeGreaterThan(0);
      // a value in the third parameter copies nothing; nor does a missing argument
      if (e.byValue) expect([e.arg !== null, e.dir], where).toEqual([true, 'none']);
      if (e.arg === null) expect(e.dir, where).toBe('none');
      if (e.misdeclared) expect(e.note, where).toBeTruthy();
      // a number no code handles reads no argument, and says so
      if (e.unhandled) expect([e.arg, e.dir, Boolean(e.note)], where).toEqual([null, 'none', true]);
    }
  });

  test.each(LEGACY_IOCTLS.map((e) => [e.name, e] as const))(
    '%s: defined in its header, a constant, a complete argument',
    (_name, e) => {
      const u = unitFor(e);
      const macro = u.pp.macros.get(e.name);
      expect(macro, `${e.name} is not defined by ${e.header}`).toBeDefined();
      expect(macro!.params, `${e.name} is a function-like macro`).toBeNull();
      expect(resolve(macro!.def!.file), `${e.name} is defined elsewhere`).toBe(resolve(u.headerPath));

      const x = expandMacro(u, e.name);
      expect(x.cmd).toBeGreaterThan(0);

      let size = 0;
      if (e.arg !== null) {
        const t = argType(u, e.arg);
        size = u.parser.sizes.typeLayout(t).size; // throws when incomplete
        expect(size, `${e.arg} has no size`).toBeGreaterThan(0);
        if (e.byValue) {
          // a value in a register: an integer no wider than unsigned long
          expect(['int', 'enum']).toContain(stripTypedefs(t).kind);
          expect(size).toBeLessThanOrEqual(abi.sizes.long);
        }
      }

      const d = decodeIoc(abi, x.cmd);
      const typed = x.ioc && x.declared !== null;
      // only an _IOR/_IOW/_IOWR number can say the wrong thing about its argument
      if (!typed) expect(e.misdeclared ?? false, `${e.name} carries no type to be wrong`).toBe(false);
      if (!typed) return;
      // a number no code handles reads nothing, whatever its macro encodes
      if (e.unhandled) return;
      const declaredName = typeName(x.declared!);
      const tableName = e.arg === null ? null : typeName(argType(u, e.arg));
      if (e.misdeclared) {
        const differs = e.byValue === true || tableName !== declaredName || d.dir !== e.dir || d.size !== size;
        expect(differs, `${e.name} is marked misdeclared but agrees with its macro`).toBe(true);
      } else {
        expect({ arg: tableName, dir: e.dir, size, byValue: e.byValue ?? false }).toEqual({
          arg: declaredName,
          dir: d.dir,
          size: d.size,
          byValue: false,
        });
      }
    },
  );
});

describe("dump keeps what the legacy table knows beyond the number (CONTRACT.md's access and byValue)", () => {
  test('every legacy ioctl of the host: byValue as the table says, access where the kernel reads otherwise', () => {
    const x86 = getAbi('x86_64');
    const headers = [...new Set(LEGACY_IOCTLS.map((e) => e.header))];
    const { result } = dumpHeaders({ abi: x86, headers });
    let compared = 0;
    for (const e of LEGACY_IOCTLS) {
      const row = result.ioctls[e.name];
      if (!row) continue;
      expect(row.byValue === true, e.name).toBe(e.byValue === true);
      expect(row.access, e.name).toBe(e.dir !== row.dir ? e.dir : undefined);
      compared++;
    }
    expect(compared).toBeGreaterThan(100);
  });

  test("a header read alone gets each legacy argument type from the table's needs, with or without glibc", () => {
    // linux/input.h includes glibc's <sys/ioctl.h>, whose struct termio and winsize asm/termios.h would redefine:
    // the kernel's struct termios comes from asm/termbits.h; asm-generic/ioctls.h alone takes both
    const x86 = getAbi('x86_64');
    for (const header of ['linux/input.h', 'asm-generic/ioctls.h']) {
      const { ioctls } = dumpHeaders({ abi: x86, headers: [header] });
      const untyped = LEGACY_IOCTLS.filter(
        (e) => e.family === 'tty' && e.arg?.startsWith('struct ') && ioctls.has(e.name),
      ).filter((e) => ioctls.get(e.name)!.argType === undefined);
      expect(
        untyped.map((e) => e.name),
        header,
      ).toEqual([]);
      expect(ioctls.get('TCGETS')!.prerequisites, header).toEqual(['asm/termbits.h']);
    }
  });
});

const tarball = linuxSourceTarball();

describe.skipIf(!tarball)('every row cites a function Linux 6.1 defines', () => {
  test('its file is in the 6.1 tree and defines the function (at the start of a line, as kernel style has it)', () => {
    const cited = [...new Set(LEGACY_IOCTLS.map((e) => e.source))];
    const { files } = linuxSourceFiles(tarball!, [...new Set(cited.map((s) => s.split(':')[0]!))]);
    const missing = cited.filter((s) => {
      const [file, fn] = s.split(':') as [string, string];
      // `static long tty_ioctl(...)`, `long\nvt_ioctl(...)`, or compat_sys_ioctl as `COMPAT_SYSCALL_DEFINE3(ioctl, ...)`
      const syscall = /^(?:compat_)?sys_(\w+)$/.exec(fn)?.[1];
      const definition = syscall ? `^\\w*SYSCALL_DEFINE\\d\\(${syscall},` : `^(?:[A-Za-z_][^;=(]*[\\s*])?${fn}\\s*\\(`;
      return !new RegExp(definition, 'm').test(files.get(file)!);
    });
    expect(missing).toEqual([]);
    expect(cited.length).toBeGreaterThan(100);
  }, 120_000);
});

/** The rows that name the union member their handler uses. */
const withMember = LEGACY_IOCTLS.filter((e) => e.member);

/**
 * Whether `shows` names `union.member`: spelled out (`->u.periodic`) or by one of the header's aliases
 * (linux/if.h: `#define ifr_flags ifr_ifru.ifru_flags`), an identifier of the text whose macro expands to
 * exactly that path.
 */
function namesMember(u: Unit, shows: string, union: string, member: string): boolean {
  if (new RegExp(`(->|\\.)${union.replace(/\./g, '\\.')}\\.${member}\\b`).test(shows)) return true;
  return (shows.match(/\b[A-Za-z_]\w*\b/g) ?? []).some((id) => {
    const m = u.pp.macros.get(id);
    return m?.params === null && m.body.map((t) => t.text).join('') === `${union}.${member}`;
  });
}

/**
 * Whether `shows` copies a task's whole record of the type `arg` (or its compat_ twin) in from user memory, in the
 * function `text`: `copy_from_user(&iwr, argp, sizeof(struct iwreq))`, or `sizeof(*ifr32)` of a `struct
 * compat_ifreq *ifr32` the function declares.
 */
function copiesWhole(text: string, shows: string, arg: string): boolean {
  const size = /^copy_from_user\([^,]+, [^,]+, sizeof\((.+)\)\)$/.exec(shows)?.[1];
  if (size === undefined) return false;
  const name = size.startsWith('*') ? size.slice(1) : null;
  const type = name === null ? size : new RegExp(`(struct \\w+) \\*${name}\\b`).exec(text)?.[1];
  return type === arg || type === arg.replace(/^struct /, 'struct compat_');
}

describe.skipIf(!existsSync(`${SYSROOT}/include/linux`))("a row's union member is the one its handler uses", () => {
  test.skipIf(!tarball)("the cited 6.1 function shows it, by the header's alias for the member", () => {
    const { files: sources } = linuxSourceFiles(tarball!, [
      ...new Set(withMember.map((e) => e.member!.source.split(':')[0]!)),
    ]);
    const wrong: string[] = [];
    for (const e of withMember) {
      const { union, member, source, shows } = e.member!;
      const [file, fn] = source.split(':') as [string, string];
      const text = functionText(sources.get(file)!, fn);
      if (text === null) wrong.push(`${e.name}: no function ${fn} in ${file}`);
      else if (!text.includes(shows.replace(/\s+/g, ' '))) wrong.push(`${e.name}: ${fn} lacks '${shows}'`);
      if (member === UNION_BYTES) {
        if (text !== null && !copiesWhole(text, shows, e.arg!)) wrong.push(`${e.name}: '${shows}' copies no ${e.arg}`);
      } else if (!namesMember(unitFor(e), shows, union, member)) wrong.push(`${e.name}: '${shows}' names no ${member}`);
    }
    expect(wrong).toEqual([]);
    expect(withMember.length).toBeGreaterThanOrEqual(30);
  });

  test('the alias check can fail: SIOCGIFMTU claimed as ifru_flags is caught', () => {
    const e = withMember.find((x) => x.name === 'SIOCGIFMTU')!;
    expect(namesMember(unitFor(e), e.member!.shows, 'ifr_ifru', 'ifru_mtu')).toBe(true);
    expect(namesMember(unitFor(e), e.member!.shows, 'ifr_ifru', 'ifru_flags')).toBe(false);
  });

  test('the thunk converts each of them on every pair without being told the member', () => {
    const headers = [...new Set(withMember.flatMap((e) => [...(e.needs ?? []), e.header]))];
    const failures: string[] = [];
    const unknown = new Set<string>();
    let built = 0;
    for (const { native, compat } of compatPairs()) {
      const n = dumpHeaders({ abi: native, headers, sysroot: `/usr/${native.headerTriple}` });
      const c = dumpHeaders({ abi: compat, headers, sysroot: `/usr/${compat.headerTriple}` });
      for (const e of withMember) {
        if (!n.ioctls.has(e.name)) {
          failures.push(`${native.name}: no ${e.name}`);
          continue;
        }
        // riscv32 has no libc headers here: linux/if.h and linux/input.h do not compile (check: unknown)
        if (!c.ioctls.has(e.name) || (e.arg && !c.decls.has(e.arg))) {
          expect(() => ioctlThunk(e.name, n, c), e.name).toThrow(
            new RegExp(`(type ${e.arg} is not known|${e.name} has no value) on ${compat.name}`),
          );
          unknown.add(compat.name);
          continue;
        }
        try {
          ioctlThunk(e.name, n, c);
          built++;
        } catch (err) {
          failures.push(`${native.name} <- ${compat.name} ${e.name}: ${(err as Error).message}`);
        }
      }
      // a row without one still asks (SIOCPROTOPRIVATE: each protocol reads the union as it pleases)
      if (native.name === 'x86_64' && compat.name === 'i386')
        expect(() => ioctlThunk('SIOCPROTOPRIVATE', n, c)).toThrow(/choose one/);
    }
    expect(failures).toEqual([]);
    expect([...unknown]).toEqual(['riscv32']);
    expect(built).toBeGreaterThanOrEqual(30 * (compatPairs().length - 1));
  }, 120_000);
});

describe("check judges a union by the member the handler uses (the row's `members`)", () => {
  test('SIOCGIFFLAGS: ifru_flags only; SIOCGIFMAP: the ifmap; SIOCGMIIPHY: the union as its bytes', () => {
    const pair = { native: getAbi('x86_64'), compat: getAbi('i386') };
    const r = check({ pairs: [pair], scan: { headers: ['linux/sockios.h'] }, lint: false });
    const row = (name: string) => r.pairs[0]!.ioctls.find((v) => v.name === name)!;
    const flags = row('SIOCGIFFLAGS');
    expect(flags.members).toEqual({ ifr_ifru: 'ifru_flags' });
    expect(flags.verdict).toBe('convert');
    // the union is 24 bytes natively and 16 for the task: it is still converted, by that member
    expect(flags.reasons.map((x) => x.path)).toEqual(['', 'ifr_ifru']);
    expect(flags.action).toContain('ifr_ifru as ifru_flags, the member the handler uses');
    const map = row('SIOCGIFMAP');
    expect(map.reasons.map((x) => x.path)).toContain('ifr_ifru.ifru_map.mem_start');
    expect(map.reasons.every((x) => !x.path.includes('ifru_data'))).toBe(true);
    // get_user_ifreq copies the task's 32 bytes: no member of the union is converted, the union is resized
    const mii = row('SIOCGMIIPHY');
    expect(mii.members).toEqual({ ifr_ifru: '*' });
    expect(mii.verdict).toBe('convert');
    expect(mii.reasons.map((x) => x.path)).toEqual(['', 'ifr_ifru']);
    expect(mii.action).toContain('ifr_ifru as its bytes');
  });
});

describe.skipIf(!tarball)("ifreq rows: the union's bytes where the compat path copies struct compat_ifreq", () => {
  test("each struct ifreq row compat_sock_ioctl_trans hands to sock_do_ioctl has '*' unless it names a member", () => {
    // sock_do_ioctl reads the argument with get_user_ifreq (for a compat task a copy of struct compat_ifreq into a
    // zeroed struct ifreq), and the rows' own handlers (dev_ifsioc, inet_ioctl) use get_user_ifreq too
    const file = 'net/socket.c';
    const sources = linuxSourceFiles(tarball!, [file]).files.get(file)!;
    const text = functionText(sources, 'compat_sock_ioctl_trans')!;
    const group = /((?:\s*case \w+:)+)\s*return sock_do_ioctl\(/.exec(text)![1]!;
    const names = new Set([...group.matchAll(/case (\w+):/g)].map((m) => m[1]!));
    // and the driver range it hands to sock_ioctl, whose default case is sock_do_ioctl
    const range = /if \(cmd >= (\w+) && cmd <= \(\1 \+ 15\)\) return sock_ioctl\(/.exec(text)![1]!;
    names.add(range);
    expect(functionText(sources, 'sock_ioctl')).toContain('default: err = sock_do_ioctl(net, sock, cmd, arg);');
    expect(names.size).toBeGreaterThan(40);
    expect(functionText(sources, 'sock_do_ioctl')).toContain('get_user_ifreq(&ifr, &data, argp)');
    const wrong: string[] = [];
    let bytes = 0;
    for (const e of LEGACY_IOCTLS.filter((x) => x.arg === 'struct ifreq')) {
      const isBytes = e.member?.member === UNION_BYTES;
      const inGroup = names.has(e.name);
      if (isBytes) bytes++;
      if (isBytes ? !inGroup : inGroup && e.member === undefined)
        wrong.push(`${e.name}: ${names.has(e.name) ? 'in' : 'not in'} the group, member ${e.member?.member}`);
    }
    expect(wrong).toEqual([]);
    expect(bytes).toBe(9);
  });
});

describe.skipIf(!tarball)(
  "wireless rows: u.data where wext-core.c's standard_ioctl[] says IW_HEADER_TYPE_POINT",
  () => {
    test('each row with a header type in the table has the member exactly when the type is POINT', () => {
      const file = 'net/wireless/wext-core.c';
      const text = linuxSourceFiles(tarball!, [file]).files.get(file)!;
      const types = new Map<string, string>();
      // an entry may hold a comment before its header type (SIOCGIWPRIV's "handled directly by us")
      const entry =
        /\[IW_IOCTL_IDX\((SIOC\w+)\)\]\s*=\s*\{\s*(?:\/\*[^*]*\*\/\s*)?\.header_type\s*=\s*IW_HEADER_TYPE_(\w+)/g;
      for (const m of text.matchAll(entry)) types.set(m[1]!, m[2]!);
      expect(types.size).toBeGreaterThan(40);
      const wrong: string[] = [];
      let point = 0;
      for (const e of LEGACY_IOCTLS.filter((x) => x.family === 'wireless' && types.has(x.name))) {
        const isPoint = types.get(e.name) === 'POINT';
        if (isPoint) point++;
        // the other types' union goes as its bytes: compat_standard_call hands it on unconverted
        if (e.member?.member !== (isPoint ? 'data' : UNION_BYTES))
          wrong.push(`${e.name}: ${types.get(e.name)}, member ${e.member?.member}`);
      }
      expect(wrong).toEqual([]);
      expect(point).toBe(22);
    });
  },
);
