/**
 * Truth for the layout engine: random records laid out by ioctl32 and by the ABI's reference
 * compiler (clang-16 --target, gcc for m68k/parisc/s390/sparc/alpha) must agree exactly.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ABIS } from '../src/abi/index.js';
import { withOneFlavour } from './harness/flavours.js';
import { programArbitrary } from './harness/gen.js';
import { compareWithCompiler, printProgram, type Disagreement } from './harness/probe.js';
import { referenceCompiler } from './harness/compile.js';
import { printRecord } from '../src/cfront/print.js';

const RECORDS_PER_ABI = Number(process.env.IOCTL32_RECORDS ?? 2000);
const BATCH = 250;
const SEED = Number(process.env.IOCTL32_SEED ?? Date.now() % 2 ** 31);

describe.concurrent('layout agrees with the compiler on random records', () => {
  withOneFlavour(ABIS).forEach((abi, abiIndex) => {
    const cc = referenceCompiler(abi);
    test(`${abi.name} (${cc.command} ${cc.args.join(' ')}, seed ${SEED})`, async () => {
      const batches = fc.sample(programArbitrary({ int128: abi.sizes.int128 !== undefined, records: BATCH }), {
        numRuns: Math.ceil(RECORDS_PER_ABI / BATCH),
        seed: SEED + abiIndex,
      });
      const failures: Disagreement[] = [];
      const sources: string[] = [];
      let records = 0;
      let members = 0;
      for (const b of batches) {
        const r = await compareWithCompiler(abi, b.program, b.records, false);
        records += b.records.length;
        members += r.members;
        for (const d of r.disagreements) {
          failures.push(d);
          const decl = b.records.find((x) => `${x.union ? 'union' : 'struct'} ${x.tag}` === d.record);
          if (sources.length < 3 && decl) sources.push(printRecord(decl));
        }
        if (failures.length && !process.env.IOCTL32_ALL) {
          const file = join('.cache', 'failures', `${abi.name}-${SEED}.c`);
          mkdirSync(dirname(file), { recursive: true });
          writeFileSync(file, printProgram(b.program));
          console.error(
            `${abi.name}: first disagreements (seed ${SEED}, program in ${file}):\n` +
              `${JSON.stringify(failures.slice(0, 5), null, 1)}\n${sources.join('\n\n')}`,
          );
          break;
        }
      }
      console.log(`${abi.name}: ${records} records, ${members} members compared, ${failures.length} disagreements`);
      expect(failures.slice(0, 5)).toEqual([]);
      expect(records).toBeGreaterThanOrEqual(RECORDS_PER_ABI);
    });
  });
});
