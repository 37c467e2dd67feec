/**
 * Peers' tables as independent witnesses of the catalogue: every ioctl name that strace 6.1
 * (its i386 list) or QEMU 7.2 linux-user (linux-user/ioctls.h) knows, and that the i386 UAPI
 * header set (Debian's /usr/i686-linux-gnu/include, as dumpHeaders scans it) defines as a
 * macro, is in ioctl32's i386 catalogue with the number the i386 reference compiler computes.
 * The rest is counted by rule, each with its reason: the name is no macro of the UAPI (a kernel
 * header's, an enum constant, another architecture's); the UAPI leaves its number without a
 * value for the compiler too (a struct only the kernel defines); its header fails as a whole for
 * the compiler too, with nothing a program includes first to mend it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { getAbi } from '../src/abi/index.js';
import { dumpHeaders, type Dumped } from '../src/scan/dump.js';
import { compileObject } from './harness/compile.js';
import { u32Array } from './harness/elf.js';
import { qemuLinuxUser, straceI386, type PeerEntry } from './harness/peers.js';
import {
  compilerIncludeArgs,
  compilerTruth,
  headerAcceptance,
  uapiHeaders,
  uapiIncludeDir,
  type Acceptance,
  type OracleItem,
  type OracleResult,
} from './harness/uapi.js';

const abi = getAbi('i386');
const includeDir = uapiIncludeDir(abi);
const DEFINE = /^[ \t]*#[ \t]*define[ \t]+(\w+)/gm;

/** What the UAPI and the compiler say about one name, by the rule that applies to it. */
type Finding =
  | { rule: 'catalogued'; cmd: number; truth: number | undefined }
  | { rule: 'not a macro of the i386 UAPI'; why: string }
  | { rule: 'no value for the compiler either'; why: string }
  | { rule: 'header rejected by the compiler too'; why: string }
  | { rule: 'missing from the catalogue' };

interface World {
  dumped: Dumped;
  headers: string[];
  /** Every header's own #define names, by name: the first header (sorted) that defines it. */
  definedIn: Map<string, string>;
  acceptance: Map<string, Acceptance>;
  truth: OracleResult;
  /** Unresolved names the compiler evaluates nevertheless (should be none). */
  compilerEvaluates: string[];
}

let world: World;

beforeAll(async () => {
  const headers = uapiHeaders(includeDir);
  const dumped = dumpHeaders({ abi, headers, sysroot: `/usr/${abi.headerTriple}`, collectMacroNames: true });
  const definedIn = new Map<string, string>();
  // asm-generic/ too: the headers of asm/ include it (asm-generic/ioctls.h's TIOCSER*)
  const generic = readdirSync(join(includeDir, 'asm-generic')).map((f) => `asm-generic/${f}`);
  for (const h of [...headers, ...generic.filter((f) => f.endsWith('.h'))]) {
    for (const m of readFileSync(join(includeDir, h), 'utf8').matchAll(DEFINE))
      if (!definedIn.has(m[1]!)) definedIn.set(m[1]!, h);
  }
  const peerNames = new Set([...straceI386(), ...qemuLinuxUser()].map((e) => e.name));
  // the numbers of the catalogued names, probed as uapi-differential does: in the header where
  // the scan found them, after what a program includes first
  const items = new Map<string, OracleItem>();
  for (const name of peerNames) {
    const e = dumped.ioctls.get(name);
    if (!e) continue;
    const header = dumped.foundIn.get(name)!;
    const before = [...(e.needsIoctlHeader ? ['linux/ioctl.h'] : []), ...(e.prerequisites ?? [])];
    const key = [...before, header].join('+');
    if (!items.has(key))
      items.set(key, before.length ? { header, before, records: [], ioctls: [] } : { header, records: [], ioctls: [] });
    items.get(key)!.ioctls.push(name);
  }
  // the names without a value: the compiler must find none either, each alone, with what the
  // catalogue tried first
  const unresolved = [...peerNames].filter((n) => dumped.unresolved.has(n));
  const alone = unresolved.map((name) => ({
    header: dumped.foundIn.get(name)!,
    before: ['linux/ioctl.h', ...(dumped.unresolved.get(name)!.prerequisites ?? [])],
    records: [],
    ioctls: [name],
  }));
  const acceptance = await headerAcceptance(abi, [
    ...new Set([...Object.keys(dumped.result.failed), ...[...items.values()].map((i) => i.header)]),
  ]);
  // compilerTruth answers nothing for a header the compiler rejects alone, even after `before`
  // (linux/omapfb.h without size_t): those units are compiled here, one per header and list
  const rejected = [...items.values()].filter((i) => acceptance.get(i.header)?.ok === false);
  const [truth, without, ...direct] = await Promise.all([
    compilerTruth(
      abi,
      [...items.values()].filter((i) => !rejected.includes(i)),
    ),
    compilerTruth(abi, alone, { alone: true }),
    ...rejected.map((i) => numbersWith(i)),
  ]);
  direct.forEach((numbers, k) => {
    for (const [name, cmd] of numbers) truth.ioctls.set(name, { header: rejected[k]!.header, cmd });
  });
  world = { dumped, headers, definedIn, acceptance, truth, compilerEvaluates: [...without.ioctls.keys()] };
});

/** The compiler's numbers for an item's ioctls, its `before` headers included first. */
async function numbersWith(item: OracleItem): Promise<Map<string, number>> {
  const source =
    [...(item.before ?? []), item.header].map((h) => `#include <${h}>\n`).join('') +
    `const unsigned int ioctl32_v[] = { ${item.ioctls.join(', ')} };\n`;
  const obj = await compileObject(abi, source, await compilerIncludeArgs(abi));
  const cmds = u32Array(obj, 'ioctl32_v');
  return new Map(item.ioctls.map((name, i) => [name, cmds[i]!]));
}

/** Which rule applies to a name, checked against the compiler where the rule claims something of it. */
function classify(name: string, entry: PeerEntry): Finding {
  const { dumped, definedIn, acceptance, truth } = world;
  const e = dumped.ioctls.get(name);
  if (e) return { rule: 'catalogued', cmd: e.cmd, truth: truth.ioctls.get(name)?.cmd };
  const u = dumped.unresolved.get(name);
  if (u) return { rule: 'no value for the compiler either', why: reasonClass(u.reason) };
  const header = definedIn.get(name);
  if (dumped.macroNames.has(name)) return { rule: 'missing from the catalogue' };
  if (header !== undefined && dumped.result.failed[header] !== undefined) {
    const a = acceptance.get(header);
    // a header ioctl32 fails on but the compiler accepts is a front-end bug: missing
    if (a?.ok !== false) return { rule: 'missing from the catalogue' };
    return { rule: 'header rejected by the compiler too', why: `${header}: ${firstWords(a.error)}` };
  }
  // a #define of the UAPI that the front end did not see as a macro is its loss, not a rule
  if (header !== undefined) return { rule: 'missing from the catalogue' };
  return { rule: 'not a macro of the i386 UAPI', why: notUapiReason(name, entry) };
}

/** The reason an unresolved number has no value, without the names that vary (per struct, per type). */
function reasonClass(reason: string): string {
  if (/incomplete type 'struct \w+'/.test(reason)) return 'names a struct the UAPI never defines';
  if (/'\w+' undeclared/.test(reason)) return 'names a type or constant no UAPI header declares';
  return reason;
}

/** Why a name is no macro of the i386 UAPI, from where the peer found it. */
function notUapiReason(name: string, entry: PeerEntry): string {
  if (entry.condition?.includes('#if 0')) return 'compiled out of QEMU (#if 0)';
  if (entry.header !== undefined && !world.headers.includes(entry.header)) {
    return 'strace found it in a header outside the i386 UAPI (a kernel header, another architecture)';
  }
  if (entry.header !== undefined) {
    const text = readFileSync(join(includeDir, entry.header), 'utf8');
    return new RegExp(`\\b${name}\\b`).test(text)
      ? "strace's header names it, but not as a macro (an enum constant: binder's BC_/BR_ codes)"
      : "strace's header of the i386 tree does not name it (the C library's copy: glibc's scsi/sg.h)";
  }
  return "no header of the i386 UAPI defines it (QEMU's TARGET_TIOCSTART targets')";
}

function firstWords(error: string): string {
  return error.replace(/^.*?error: /, '');
}

interface Coverage {
  names: number;
  defined: number;
  withNumber: number;
  wrongNumber: string[];
  missing: Map<string, string[]>;
  byRule: Map<string, string[]>;
}

function coverage(entries: PeerEntry[]): Coverage {
  const byName = new Map<string, PeerEntry>();
  for (const e of entries) if (!byName.has(e.name)) byName.set(e.name, e);
  const c: Coverage = {
    names: byName.size,
    defined: 0,
    withNumber: 0,
    wrongNumber: [],
    missing: new Map(),
    byRule: new Map(),
  };
  for (const [name, entry] of byName) {
    const f = classify(name, entry);
    if (f.rule === 'catalogued' || f.rule === 'missing from the catalogue') c.defined++;
    if (f.rule === 'catalogued') {
      if (f.cmd === f.truth) c.withNumber++;
      else c.wrongNumber.push(`${name}: ours 0x${f.cmd.toString(16)}, compiler ${f.truth?.toString(16) ?? 'none'}`);
      continue;
    }
    if (f.rule === 'missing from the catalogue') {
      const header = world.definedIn.get(name) ?? '?';
      c.missing.set(header, [...(c.missing.get(header) ?? []), name]);
      continue;
    }
    const key = `${f.rule}: ${f.why}`;
    c.byRule.set(key, [...(c.byRule.get(key) ?? []), name]);
  }
  return c;
}

function report(peer: string, c: Coverage): string {
  const missing = [...c.missing].sort(([a], [b]) => a.localeCompare(b));
  const missed = missing.reduce((n, [, names]) => n + names.length, 0);
  return [
    `${peer}: ${c.names} names, ${c.defined} defined by the UAPI as macros, ${c.withNumber} in the catalogue ` +
      `with the compiler's number (${missed} missing, ${c.wrongNumber.length} with another number)`,
    ...[...c.byRule]
      .sort(([, a], [, b]) => b.length - a.length)
      .map(
        ([rule, names]) =>
          `  ${names.length} ${rule} (${names.slice(0, 4).join(' ')}${names.length > 4 ? ' ...' : ''})`,
      ),
    ...missing.map(([header, names]) => `  missing, ${header} (${names.length}): ${names.sort().join(' ')}`),
  ].join('\n');
}

describe('peers as witnesses (i386)', () => {
  test('the compiler finds no value for the names the catalogue leaves without one', () => {
    expect(world.compilerEvaluates).toEqual([]);
  });

  test("strace's own numbers agree; those that do not are of 64-bit time, as i386+t64 computes them", () => {
    // strace's generator laid struct timeval out with a 64-bit time_t (VIDIOC_QBUF's struct v4l2_buffer)
    const differs = straceI386().filter(
      (e) => world.dumped.ioctls.has(e.name) && e.cmd !== world.truth.ioctls.get(e.name)?.cmd,
    );
    const t64 = getAbi('i386+t64');
    const headers = [...new Set(differs.map((e) => world.dumped.foundIn.get(e.name)!))];
    const d = headers.length ? dumpHeaders({ abi: t64, headers, sysroot: `/usr/${t64.headerTriple}` }) : undefined;
    const neither = differs.filter((e) => d?.ioctls.get(e.name)?.cmd !== e.cmd).map((e) => e.name);
    expect(neither).toEqual([]);
    console.log(`strace i386: ${differs.length} numbers of 64-bit time: ${differs.map((e) => e.name).join(' ')}`);
  });

  for (const [peer, entries] of [
    ['strace 6.1 i386', straceI386()],
    ['QEMU 7.2 linux-user', qemuLinuxUser()],
  ] as const) {
    test(`${peer}: every name the UAPI defines is catalogued with the compiler's number`, () => {
      const c = coverage(entries);
      console.log(report(peer, c));
      expect(c.wrongNumber).toEqual([]);
      expect(Object.fromEntries(c.missing)).toEqual({});
      expect(c.withNumber).toBe(c.defined);
      // the witness is no empty list: most names of each are the UAPI's
      expect(c.defined).toBeGreaterThan(c.names / 2);
    });
  }
});
