/**
 * Truth for check's verdicts, on every compat pair: random driver headers (test/harness/driver.ts)
 * are compiled by both ABIs' reference compilers, and the verdict each ioctl should get is
 * computed from what the compilers say alone — sizeof the argument, the offset and sizeof of
 * every member, both command numbers — and what each member is by construction (pointer,
 * integer, aggregate). No type name is read: `__u64` is `unsigned long` on ppc64, mips64 and
 * sparc64 and must not look like a long there. ioctl32's verdict must be the same.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { compatPairs } from '../src/abi/index.js';
import { pairsWithOneFlavour } from './harness/flavours.js';
import type { Abi } from '../src/abi/types.js';
import { parseAnnotations } from '../src/compat/annotations.js';
import { check } from '../src/compat/check.js';
import type { Verdict } from '../src/compat/compare.js';
import { compileObject } from './harness/compile.js';
import { driverHeader, driverSeeds, type DriverHeader } from './harness/driver.js';
import { u32Array } from './harness/elf.js';
import { compilerIncludeArgs } from './harness/uapi.js';

const SEED = Number(process.env.IOCTL32_SEED ?? Date.now() % 2 ** 31);
const HEADERS_PER_PAIR = 2;
const IOCTLS_PER_HEADER = 270;
const DIR = mkdtempSync(join(tmpdir(), 'ioctl32-verdicts-'));

/** The compiler's numbers for one header on one ABI. */
export interface HeaderTruth {
  records: Map<string, { size: number; members: Map<string, { offset: number; size: number }> }>;
  /** sizeof each scalar argument type. */
  scalars: Map<string, number>;
  cmds: Map<string, number>;
}

/** One probe per ABI: sizeof and offsetof of everything, and every macro's value. */
export async function headerTruth(abi: Abi, file: string, h: DriverHeader): Promise<HeaderTruth> {
  const lines = [`#include "${file}"`];
  h.records.forEach((r, i) => {
    const words = [`sizeof(${r.name})`];
    for (const m of r.members)
      words.push(`__builtin_offsetof(${r.name}, ${m.path})`, `sizeof(((${r.name} *)0)->${m.path})`);
    lines.push(`const unsigned int ioctl32_r${i}[] = { ${words.join(', ')} };`);
  });
  const scalars = [
    ...new Set(h.ioctls.flatMap((x) => (x.arg !== null && x.argRecord === null ? [copied(h, x)!] : []))),
  ];
  if (scalars.length)
    lines.push(`const unsigned int ioctl32_s[] = { ${scalars.map((s) => `sizeof(${s})`).join(', ')} };`);
  lines.push(`const unsigned int ioctl32_ioc[] = { ${h.ioctls.map((x) => x.name).join(', ')} };`);
  const obj = await compileObject(abi, `${lines.join('\n')}\n`, await compilerIncludeArgs(abi), { cache: false });
  const truth: HeaderTruth = { records: new Map(), scalars: new Map(), cmds: new Map() };
  h.records.forEach((r, i) => {
    const w = u32Array(obj, `ioctl32_r${i}`);
    const members = new Map(r.members.map((m, j) => [m.path, { offset: w[1 + 2 * j]!, size: w[2 + 2 * j]! }]));
    truth.records.set(r.name, { size: w[0]!, members });
  });
  const s = scalars.length ? u32Array(obj, 'ioctl32_s') : [];
  scalars.forEach((x, i) => truth.scalars.set(x, s[i]!));
  const ioc = u32Array(obj, 'ioctl32_ioc');
  h.ioctls.forEach((x, i) => truth.cmds.set(x.name, ioc[i]!));
  return truth;
}

/**
 * The type the handler copies: the macro's own, or what a macro's `T *` points at (the number encodes a
 * pointer's size, the handler copies the T; `void *` is a pointer in user memory).
 */
function copied(h: DriverHeader, io: DriverHeader['ioctls'][number]): string | null {
  const pointee = io.arg !== null && io.arg === io.macroType ? /^(.*\S)\s*\*$/.exec(io.arg)?.[1] : undefined;
  // a record only declared (`struct drv_opaque;`) has no layout to copy
  const incomplete = /^(struct|union) /.test(pointee ?? '') && !h.records.some((r) => r.name === pointee);
  return pointee !== undefined && pointee !== 'void' && !incomplete ? pointee : io.arg;
}

/** The verdict the compilers' numbers call for (CONTRACT.md's definitions). */
function expectedVerdict(h: DriverHeader, name: string, n: HeaderTruth, c: HeaderTruth): Verdict {
  const io = h.ioctls.find((x) => x.name === name)!;
  const renumber = n.cmds.get(name) !== c.cmds.get(name);
  if (io.arg === null) return renumber ? 'renumber' : 'no-arg';
  if (io.argRecord === null) {
    const arg = copied(h, io)!;
    if (n.scalars.get(arg) !== c.scalars.get(arg)) return 'convert';
    return renumber ? 'renumber' : 'identical';
  }
  const nr = n.records.get(io.argRecord)!;
  const cr = c.records.get(io.argRecord)!;
  const info = h.records.find((r) => r.name === io.argRecord)!;
  let moves = nr.size !== cr.size;
  let values = false;
  for (const m of info.members) {
    const a = nr.members.get(m.path)!;
    const b = cr.members.get(m.path)!;
    if (a.offset !== b.offset) moves = true;
    else if (a.size !== b.size) {
      if (m.kind === 'aggregate') moves = true;
      else values = true;
    }
  }
  if (moves) return 'convert';
  if (values) return 'pointer-inside';
  return renumber ? 'renumber' : 'identical';
}

describe.concurrent(`check's verdicts equal the compilers' on random driver headers (seed ${SEED})`, () => {
  pairsWithOneFlavour(compatPairs()).forEach(({ native, compat }, pairIndex) => {
    test(`${native.name}:${compat.name}`, async () => {
      let compared = 0;
      const tally = new Map<Verdict, number>();
      for (const [k, seed] of driverSeeds(HEADERS_PER_PAIR, SEED + pairIndex).entries()) {
        const prefix = `d${pairIndex}_${k}`;
        const h = driverHeader(seed, { records: 60, ioctls: IOCTLS_PER_HEADER, prefix });
        const file = join(DIR, `${prefix}.h`);
        writeFileSync(file, h.text);
        const [n, c] = await Promise.all([headerTruth(native, file, h), headerTruth(compat, file, h)]);
        const annotations = parseAnnotations(JSON.stringify(h.annotations), `${prefix}.json`);
        const report = check({
          pairs: [{ native, compat }],
          scan: { headers: [file] },
          scanFor: (abi) => ({ sysroot: `/usr/${abi.headerTriple}` }),
          annotations,
          lint: false,
        });
        expect(report.failed).toEqual({});
        const ours = new Map(report.pairs[0]!.ioctls.map((v) => [v.name, v]));
        const wrong: string[] = [];
        for (const io of h.ioctls) {
          const v = ours.get(io.name);
          const want = expectedVerdict(h, io.name, n, c);
          tally.set(want, (tally.get(want) ?? 0) + 1);
          if (!v || v.verdict !== want || v.nativeCmd !== n.cmds.get(io.name) || v.compatCmd !== c.cmds.get(io.name)) {
            wrong.push(
              `${io.name} (${io.arg}): ioctl32 ${v?.verdict} ` +
                `${v?.reasons.map((r) => `${r.rule} ${r.path}`).join(', ')}; compilers ${want}`,
            );
          }
          compared++;
        }
        expect(wrong.slice(0, 10), `${file}\n${wrong.length} disagreements`).toEqual([]);
      }
      console.log(
        `${native.name}:${compat.name}: ${compared} verdicts equal the compilers' ` +
          `(${[...tally].map(([v, k]) => `${k} ${v}`).join(', ')})`,
      );
      expect(compared).toBeGreaterThanOrEqual(500);
    }, 240_000);
  });
});
