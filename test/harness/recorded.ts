/**
 * Compiler answers recorded once, for the Node-only test tier: random programs (gen.ts, fixed
 * seeds) printed as C headers in test/fixtures/layouts/, and each ABI's reference compiler's
 * layout of every record of them (probe.ts: sizeof, _Alignof, offsetof, bitfield bits) in
 * layouts.json. Recording needs the toolchains (`node scripts/record-layouts.mjs`); reading needs
 * nothing but these files.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import * as prettier from 'prettier';
import { ABIS } from '../../src/abi/index.js';
import type { Abi } from '../../src/abi/types.js';
import type { RecordDecl } from '../../src/cfront/types.js';
import { referenceCompiler } from './compile.js';
import { programArbitrary } from './gen.js';
import { compilerLayouts, memberPaths, printProgram, type CompilerLayout } from './probe.js';

export const RECORDED_DIR = resolve('test/fixtures/layouts');
const RECORDING = join(RECORDED_DIR, 'layouts.json');

/** Tagged records per program: a few hundred per ABI keep the fixture small. */
const RECORDS = 300;

/** The programs: every ABI lays out `plain`; ABIs with __int128 lay out `int128` too. */
const PROGRAMS = [
  { name: 'plain', int128: false, seed: 1201 },
  { name: 'int128', int128: true, seed: 1202 },
] as const;

/** A member's answer: its byte offset, or [bit offset, bit width] for a bitfield. */
type FieldAnswer = number | [number, number];
/** A record's answer: size, alignment, then its members in `paths` order. */
type RecordAnswer = [number, number, ...FieldAnswer[]];

export interface RecordedProgram {
  /** The C text, in RECORDED_DIR. */
  header: string;
  int128: boolean;
  seed: number;
  /** Each record and the members the compiler was asked about (probe.ts memberPaths). */
  records: Array<{ ref: string; paths: string[] }>;
}

export interface Recording {
  about: string;
  programs: Record<string, RecordedProgram>;
  /** Per ABI: its compiler, and per program its answers, one per record. */
  abis: Record<string, { compiler: string; layouts: Record<string, RecordAnswer[]> }>;
}

export function readRecording(): Recording {
  return JSON.parse(readFileSync(RECORDING, 'utf8')) as Recording;
}

/** A program's answers as probe.ts compares them. */
export function recordedLayouts(program: RecordedProgram, answers: RecordAnswer[]): CompilerLayout[] {
  return answers.map(([size, align, ...fields], i) => {
    const paths = program.records[i]!.paths;
    if (paths.length !== fields.length) {
      throw new Error(`${program.records[i]!.ref}: ${fields.length} answers, ${paths.length} members`);
    }
    const map: CompilerLayout['fields'] = new Map();
    paths.forEach((p, j) => {
      const f = fields[j]!;
      map.set(p, typeof f === 'number' ? { offset: f } : { bitOffset: f[0], bitWidth: f[1] });
    });
    return { size, align, fields: map };
  });
}

const refOf = (r: RecordDecl) => `${r.union ? 'union' : 'struct'} ${r.tag}`;
const compilerName = (abi: Abi) => [referenceCompiler(abi).command, ...referenceCompiler(abi).args].join(' ');
const fits = (abi: Abi, p: { int128: boolean }) => !p.int128 || abi.sizes.int128 !== undefined;

/** Asks every ABI's reference compiler and writes the headers and layouts.json. */
export async function recordLayouts(): Promise<void> {
  const recording: Recording = {
    about: "Compiler answers for ioctl32's Node-only tests; re-record with: node scripts/record-layouts.mjs",
    programs: {},
    abis: {},
  };
  const generated = PROGRAMS.map((p) => {
    const [g] = fc.sample(programArbitrary({ int128: p.int128, records: RECORDS }), { numRuns: 1, seed: p.seed });
    const header = `${p.name}.h`;
    const note = `/* gen.ts, seed ${p.seed}: recorded by scripts/record-layouts.mjs */`;
    writeFileSync(join(RECORDED_DIR, header), `${note}\n${printProgram(g!.program)}\n`);
    recording.programs[p.name] = {
      header,
      int128: p.int128,
      seed: p.seed,
      records: g!.records.map((r) => ({ ref: refOf(r), paths: memberPaths(r).map((m) => m.path) })),
    };
    return { ...p, ...g! };
  });
  // a flavour differs from its base only in macros the programs never test: recorded once, for the base
  for (const abi of ABIS.filter((a) => !a.flavourOf)) {
    const layouts: Record<string, RecordAnswer[]> = {};
    for (const p of generated.filter((x) => fits(abi, x))) {
      const theirs = await compilerLayouts(abi, p.program, p.records, false);
      layouts[p.name] = theirs.map((c): RecordAnswer => [
        c.size,
        c.align,
        ...[...c.fields.values()].map((f): FieldAnswer => ('offset' in f ? f.offset : [f.bitOffset, f.bitWidth])),
      ]);
    }
    recording.abis[abi.name] = { compiler: compilerName(abi), layouts };
  }
  // in the repository's format, so that formatting the tree leaves the recording as it is
  const options = await prettier.resolveConfig(RECORDING);
  writeFileSync(RECORDING, await prettier.format(JSON.stringify(recording), { ...options, filepath: RECORDING }));
}
