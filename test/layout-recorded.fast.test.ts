/**
 * Layout against recorded compiler answers, with no compiler: ioctl32 parses the random programs
 * of test/fixtures/layouts/ and lays every record out for every ABI; size, alignment, member
 * offsets and bitfield bits must equal what the ABI's reference compiler answered when they were
 * recorded (harness/recorded.ts). layout-differential.test.ts asks the compilers afresh.
 * IOCTL32_RECORD=1 records again first (needs the toolchains).
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { ABIS } from '../src/abi/index.js';
import { parseHeader } from '../src/cfront/index.js';
import { Layouter } from '../src/layout/layout.js';
import { compareLayouts, type Disagreement } from './harness/probe.js';
import { readRecording, recordedLayouts, recordLayouts, RECORDED_DIR, type Recording } from './harness/recorded.js';

let recording: Recording;

beforeAll(async () => {
  if (process.env.IOCTL32_RECORD) await recordLayouts();
  recording = readRecording();
});

describe('layout agrees with recorded compiler answers', () => {
  test.each(ABIS.map((abi) => [abi.name, abi] as const))('%s', (_, abi) => {
    // the programs include nothing, so a flavour's macros change nothing: its base's answers hold
    const entry = recording.abis[abi.flavourOf ?? abi.name];
    expect(entry, `no answers for ${abi.name}: re-record`).toBeDefined();
    const failures: Disagreement[] = [];
    let records = 0;
    let members = 0;
    for (const [name, answers] of Object.entries(entry!.layouts)) {
      const program = recording.programs[name]!;
      // no include directories: the programs include nothing
      const header = join(RECORDED_DIR, program.header);
      const unit = parseHeader(header, { abi, includeDirs: [], sizes: new Layouter(abi) }).unit;
      const decls = program.records.map((r) => {
        const decl = unit.records.get(r.ref);
        if (!decl) throw new Error(`${program.header}: no ${r.ref}`);
        return decl;
      });
      const r = compareLayouts(abi, decls, recordedLayouts(program, answers));
      failures.push(...r.disagreements);
      records += decls.length;
      members += r.members;
    }
    expect(failures.slice(0, 5), `${entry!.compiler}: ${failures.length} disagreements`).toEqual([]);
    expect(records).toBeGreaterThanOrEqual(300);
    expect(members).toBeGreaterThan(records);
  });
});
