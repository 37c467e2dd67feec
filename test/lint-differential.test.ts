/**
 * Truth for the lint rules, on every compat pair: over random driver headers, every layout fact
 * a finding states (a member's offset and size, a hole, a record's or argument's size, per ABI)
 * is asked of both ABIs' reference compilers and must be theirs; and applying every fix a rule
 * gives as an edit must leave a header on which that rule has nothing left to fix.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { compatPairs, getAbi } from '../src/abi/index.js';
import { pairsWithOneFlavour } from './harness/flavours.js';
import { check } from '../src/compat/check.js';
import type { Claim, Finding, FixEdit } from '../src/compat/lint.js';
import { compileObject } from './harness/compile.js';
import { driverHeader, driverSeeds, type DriverHeader } from './harness/driver.js';
import { u32Array } from './harness/elf.js';
import { compilerIncludeArgs } from './harness/uapi.js';

const SEED = Number(process.env.IOCTL32_SEED ?? Date.now() % 2 ** 31);
const DIR = mkdtempSync(join(tmpdir(), 'ioctl32-lint-'));
const FIXED_RULES = ['implicit-padding', 'unaligned-u64', 'long-or-pointer', 'enum', 'plain-char'];

function lintFile(
  file: string,
  pair: { native: ReturnType<typeof getAbi>; compat: ReturnType<typeof getAbi> },
): Finding[] {
  const report = check({
    pairs: [pair],
    scan: { headers: [file] },
    scanFor: (abi) => ({ sysroot: `/usr/${abi.headerTriple}` }),
    lint: true,
  });
  expect(report.failed).toEqual({});
  return report.findings;
}

/** A claim as a C expression and the value the finding says it has. */
function claimProbe(f: Finding, c: Claim, h: DriverHeader): { expr: string; value: number } | undefined {
  const r = f.record;
  switch (c.what) {
    case 'member':
      return {
        expr: `__builtin_offsetof(${r}, ${c.path}) << 16 | sizeof(((${r} *)0)->${c.path})`,
        value: (c.offset << 16) | c.size,
      };
    case 'hole':
      return { expr: c.before ? `__builtin_offsetof(${r}, ${c.before})` : `sizeof(${r})`, value: c.offset + c.size };
    case 'record':
      return { expr: `sizeof(${r})`, value: c.size };
    case 'argument': {
      const type = h.ioctls.find((x) => x.name === f.ioctl)?.macroType;
      return type ? { expr: `sizeof(${type})`, value: c.size } : undefined;
    }
  }
}

/** Applies edits to the text, from the last position back so the earlier ones stay put. */
function applyEdits(text: string, edits: FixEdit[]): string {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const at = (line: number, column: number) => lineStarts[line - 1]! + column - 1;
  const placed = edits.map((e) => ({
    e,
    start: at(e.line, e.column),
    end: e.op === 'replace' ? at(e.endLine, e.endColumn) : at(e.line, e.column),
  }));
  placed.sort((a, b) => b.start - a.start);
  let out = text;
  for (const { e, start, end } of placed) out = `${out.slice(0, start)}${e.text}${out.slice(end)}`;
  return out;
}

describe.concurrent(`lint findings are true and their fixes work on every pair (seed ${SEED})`, () => {
  pairsWithOneFlavour(compatPairs()).forEach((pair, pairIndex) => {
    test(`${pair.native.name}:${pair.compat.name}`, async () => {
      const [seed] = driverSeeds(1, SEED + 100 + pairIndex);
      const prefix = `l${pairIndex}`;
      const h = driverHeader(seed!, { records: 50, ioctls: 80, prefix });
      const file = join(DIR, `${prefix}.h`);
      writeFileSync(file, h.text);
      const findings = lintFile(file, pair);

      // every claim, asked of the compiler of the ABI it is about
      const byAbi = new Map<string, Array<{ expr: string; value: number; what: string }>>();
      for (const f of findings) {
        for (const c of f.claims ?? []) {
          const p = claimProbe(f, c, h);
          if (!p) continue;
          byAbi.set(c.abi, [
            ...(byAbi.get(c.abi) ?? []),
            { ...p, what: `${f.rule} ${f.record ?? f.ioctl} ${JSON.stringify(c)}` },
          ]);
        }
      }
      let claims = 0;
      for (const [abiName, probes] of byAbi) {
        const abi = getAbi(abiName);
        const exprs = probes.map((p) => p.expr).join(',\n');
        const src = `#include "${file}"\nconst unsigned int ioctl32_c[] = {\n${exprs} };\n`;
        const words = u32Array(
          await compileObject(abi, src, await compilerIncludeArgs(abi), { cache: false }),
          'ioctl32_c',
        );
        const wrong = probes
          .map((p, i) => ({ p, got: words[i] }))
          .filter(({ p, got }) => got !== p.value)
          .map(({ p, got }) => `${abiName}: ${p.what}: compiler ${got! >> 16}+${got! & 0xffff} (${p.expr})`);
        expect(wrong.slice(0, 5)).toEqual([]);
        claims += probes.length;
      }
      expect(claims).toBeGreaterThan(20);

      // each rule's edits applied together: what they fix is gone, and applying the edits of what
      // becomes fixable next (a record fixed makes the one holding it agree) ends within a few rounds
      const applied: string[] = [];
      // the place a finding is about: a fixed place has no finding of the rule any more
      // (edits go inside lines, so a member keeps its line: anonymous members have no path)
      const key = (f: Finding) => `${f.record ?? f.ioctl}|${f.path ?? ''}|${f.line}|${/tail/.test(f.message)}`;
      for (const rule of FIXED_RULES) {
        let text = h.text;
        let current = findings.filter((f) => f.rule === rule);
        const first = current.filter((f) => f.edit).length;
        if (!first) continue;
        for (let round = 1; ; round++) {
          const edits = current.filter((f) => f.edit).map((f) => f.edit!);
          if (!edits.length) break;
          expect(round, `${rule}: still fixable after ${round - 1} rounds`).toBeLessThanOrEqual(4);
          text = applyEdits(text, edits);
          const fixedFile = join(DIR, `${prefix}-${rule}-${round}.h`);
          writeFileSync(fixedFile, text);
          // the fixed header is C both compilers accept (no duplicate pad names, no broken declarations)
          for (const abi of [pair.native, pair.compat]) {
            await compileObject(abi, `#include "${fixedFile}"\n`, await compilerIncludeArgs(abi), { cache: false });
          }
          const after = lintFile(fixedFile, pair).filter((f) => f.rule === rule);
          const fixed = new Set(current.filter((f) => f.edit).map(key));
          const stayed = after.filter((f) => fixed.has(key(f)));
          expect(stayed.map((f) => `${f.file}:${f.line}:${f.column}: ${f.message}; ${f.fix}`)).toEqual([]);
          current = after;
        }
        applied.push(`${rule} ${first}`);
      }
      console.log(
        `${pair.native.name}:${pair.compat.name}: ${findings.length} findings, ` +
          `${claims} claims equal the compilers'; ` +
          `fixes applied: ${applied.join(', ')}`,
      );
      expect(applied.length).toBeGreaterThanOrEqual(2);
    }, 240_000);
  });
});
