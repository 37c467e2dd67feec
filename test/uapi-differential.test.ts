/**
 * Truth for the C front end: the whole UAPI header set of every ABI (Debian's cross headers),
 * ingested by ioctl32 and by the ABI's reference compiler. Every header the compiler accepts
 * on its own must be ingested (and every one it rejects reported in `failed`); every record's
 * size, alignment and member offsets, and every ioctl number, must equal the compiler's.
 */
import { describe, expect, test } from 'vitest';
import { ABIS } from '../src/abi/index.js';
import type { CType } from '../src/cfront/types.js';
import { flattenFields } from '../src/layout/fields.js';
import { Layouter } from '../src/layout/layout.js';
import { dumpHeaders } from '../src/scan/dump.js';
import { FileCache } from '../src/cfront/preprocess.js';
import { BUILTIN_INCLUDE_DIR, includeDirsFor, parseHeader } from '../src/cfront/index.js';
import { compilerTruth, headerAcceptance, uapiHeaders, uapiIncludeDir, type OracleItem } from './harness/uapi.js';

function isBool(t: CType): boolean {
  while (t.kind === 'typedef') t = t.decl.type;
  return t.kind === 'int' && t.name === '_Bool';
}

/**
 * Every plain ABI, and the time64 flavours of the ABIs whose programs are built that way (glibc's
 * _TIME_BITS=64: Debian's armhf from trixie on, i386, and the others issue 14 names); s390+t64,
 * sparc+t64 and parisc+t64 read the same headers with the same libc switch and cost a minute each
 * on a cold cache (test/time64.test.ts checks every flavour is its base plus the -D flags).
 */
const TIME64_CHECKED = new Set(['i386+t64', 'arm+t64', 'ppc+t64', 'mips+t64', 'mipsn32+t64']);

describe.concurrent('the whole UAPI set agrees with the compiler', () => {
  for (const abi of ABIS.filter((a) => a.flavourOf === undefined || TIME64_CHECKED.has(a.name))) {
    test(abi.name, async () => {
      const includeDir = uapiIncludeDir(abi);
      const headers = uapiHeaders(includeDir);
      const acceptance = await headerAcceptance(abi, headers);
      const files = new FileCache();
      const dumped = dumpHeaders({ abi, headers, sysroot: `/usr/${abi.headerTriple}`, files, collectMacroNames: true });
      const { result } = dumped;

      // 1. the same headers fail, each with a located first error; the only exception is an
      // error the compiler finds inside a function body, which ioctl32 skips unparsed
      const compilerRejects = headers.filter((h) => !acceptance.get(h)!.ok);
      const weReject = Object.keys(result.failed).sort();
      expect(weReject.filter((h) => !compilerRejects.includes(h))).toEqual([]);
      const inBodies = compilerRejects.filter((h) => !weReject.includes(h));
      for (const h of inBodies) {
        const error = (acceptance.get(h) as { error: string }).error;
        const [, file, line] = /^(.*?):(\d+):\d+: /.exec(error) ?? [];
        const bodies = parseHeader(h, {
          abi,
          includeDirs: includeDirsFor(abi, { sysroot: `/usr/${abi.headerTriple}` }),
          files,
          sizes: new Layouter(abi),
        }).unit.functionBodies;
        expect(
          bodies.some((b) => b.file === file && b.from <= Number(line) && Number(line) <= b.to),
          `${h}: ${error}`,
        ).toBe(true);
      }
      for (const [h, e] of Object.entries(result.failed)) expect(e, h).toMatch(/^[^:]+:\d+:\d+: error: /);

      // 2. records and ioctls, probed in the header where ioctl32 found them
      const items = new Map<string, OracleItem>();
      const item = (header: string, before: string[] = []) => {
        const key = [...before, header].join('+');
        let i = items.get(key);
        if (!i)
          items.set(
            key,
            (i = before.length ? { header, before, records: [], ioctls: [] } : { header, records: [], ioctls: [] }),
          );
        return i;
      };
      // only what the compiler can answer: records and ioctls found in headers it accepts,
      // not the compiler's own headers (stddef.h's max_align_t differs between compilers)
      const comparable = (name: string) => acceptance.get(dumped.foundIn.get(name)!)?.ok === true;
      for (const [name, decl] of dumped.decls) {
        if (!comparable(name) || decl.loc?.file.startsWith(BUILTIN_INCLUDE_DIR)) continue;
        const fields = flattenFields(dumped.layouter.layout(decl), dumped.layouter);
        const hide = [...new Set(fields.flatMap((f) => f.path.split('.')))].filter((n) => dumped.macroNames.has(n));
        item(dumped.foundIn.get(name)!).records.push({
          name,
          paths: fields.map((f) =>
            f.bitWidth !== undefined
              ? { path: f.path, bitfield: isBool(f.ctype) ? 'bool' : 'other' }
              : { path: f.path },
          ),
          hide,
        });
      }
      // numbers of headers that use _IOR without including <linux/ioctl.h>, or name what they do
      // not declare (size_t), are probed the way a program gets them: with what it includes first
      for (const name of Object.keys(result.ioctls)) {
        if (!comparable(name)) continue;
        const e = dumped.ioctls.get(name)!;
        item(dumped.foundIn.get(name)!, [
          ...(e.needsIoctlHeader ? ['linux/ioctl.h'] : []),
          ...(e.prerequisites ?? []),
        ]).ioctls.push(name);
      }
      const truth = await compilerTruth(abi, [...items.values()]);
      expect(truth.failed).toEqual([]);

      const disagreements: string[] = [];
      let members = 0;
      const probedRecords = new Set([...items.values()].flatMap((i) => i.records.map((r) => r.name)));
      for (const [name, r] of Object.entries(result.records)) {
        if (!probedRecords.has(name)) continue;
        const t = truth.records.get(name);
        if (!t) {
          disagreements.push(`${name}: no answer from the compiler`);
          continue;
        }
        if (t.size !== r.size || t.align !== r.align)
          disagreements.push(`${name}: size/align ours ${r.size}/${r.align}, compiler ${t.size}/${t.align}`);
        for (const f of r.fields) {
          members++;
          const tf = t.fields.get(f.path);
          const ours =
            f.bitOffset !== undefined ? { bitOffset: f.bitOffset, bitWidth: f.bitWidth } : { offset: f.offset };
          if (JSON.stringify(ours) !== JSON.stringify(tf))
            disagreements.push(`${name}.${f.path}: ours ${JSON.stringify(ours)}, compiler ${JSON.stringify(tf)}`);
        }
      }
      let ioctls = 0;
      for (const [name, io] of Object.entries(result.ioctls)) {
        if (!comparable(name)) continue;
        ioctls++;
        const t = truth.ioctls.get(name);
        if (t?.cmd !== io.cmd)
          disagreements.push(
            `${name}: ours 0x${io.cmd.toString(16)}, compiler ${t ? `0x${t.cmd.toString(16)}` : 'none'}`,
          );
      }
      console.log(
        `${abi.name}: ${headers.length} headers (${weReject.length} rejected by both, ` +
          `${inBodies.length} by the compiler in a function body), ${probedRecords.size} records, ` +
          `${members} members, ${ioctls} ioctls compared; ` +
          `${Object.keys(result.unresolved).length} ioctl macros without a value; ` +
          `${disagreements.length} disagreements`,
      );
      expect(disagreements.slice(0, 20)).toEqual([]);
      expect(ioctls).toBeGreaterThan(1000);

      // the ioctl macros ioctl32 reports without a value have none for the compiler either
      const unresolved = Object.keys(result.unresolved)
        .filter((name) => comparable(name))
        .slice(0, 8);
      const probes = unresolved.map((name) => ({
        header: dumped.foundIn.get(name)!,
        before: ['linux/ioctl.h'],
        records: [],
        ioctls: [name],
      }));
      const compiled = await compilerTruth(abi, probes, { alone: true });
      expect(compiled.failed.length, `compiler evaluated: ${[...compiled.ioctls.keys()].join(' ')}`).toBe(
        probes.length,
      );
    });
  }
});
