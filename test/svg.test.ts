/**
 * `ioctl32 layout --svg`: the standalone SVG parses as XML (strictly), has the SVG 1.1 structure
 * (root in the SVG namespace, a viewBox, no script, no external reference), and its blocks' offsets
 * and sizes are layoutRecord's for every ABI drawn — and the compiler's, over the same headers.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DOMParser, type Element } from '@xmldom/xmldom';
import { describe, expect, test } from 'vitest';
import { getAbi } from '../src/abi/index.js';
import type { Abi } from '../src/abi/types.js';
import { flattenFields } from '../src/layout/fields.js';
import { layoutRecord, layouter } from '../src/layout/layout.js';
import { dumpHeaders } from '../src/scan/dump.js';
import { recordDiagram, renderSvg } from '../src/report/svg.js';
import { compilerTruth } from './harness/uapi.js';

const run = promisify(execFile);
const BIN = 'dist/cli/main.cjs';
const SVG_NS = 'http://www.w3.org/2000/svg';
const ABIS = ['x86_64', 'i386', 'x32'].map(getAbi);
/** Each ABI's Debian cross headers: the ones the compiler reads. */
const sysroot = (abi: Abi) => `/usr/${abi.headerTriple}`;

/** Strict XML: any warning or error of the parser fails. */
function parseXml(text: string): Element {
  const doc = new DOMParser({
    onError: (level, message) => {
      throw new Error(`XML ${level}: ${message}`);
    },
  }).parseFromString(text, 'image/svg+xml');
  return doc.documentElement!;
}

function all(e: Element): Element[] {
  const out: Element[] = [e];
  for (let i = 0; i < e.childNodes.length; i++) {
    const c = e.childNodes[i]!;
    if (c.nodeType === 1) out.push(...all(c as Element));
  }
  return out;
}

/** The SVG 1.1 structure the viewer promises; the blocks, per ABI, by member path. */
function readSvg(text: string) {
  const root = parseXml(text);
  expect(root.localName).toBe('svg');
  expect(root.namespaceURI).toBe(SVG_NS);
  expect(root.getAttribute('version')).toBe('1.1');
  expect(root.getAttribute('viewBox')).toMatch(/^0 0 [1-9]\d* [1-9]\d*$/);
  const elements = all(root);
  expect(elements.filter((e) => e.localName === 'script')).toEqual([]);
  for (const e of elements) {
    for (let i = 0; i < e.attributes.length; i++) {
      const a = e.attributes[i]!;
      expect(a.name, `${e.localName} ${a.name}`).not.toMatch(/^on/i);
      if (/href$/i.test(a.name)) expect(a.value).toMatch(/^#/);
      if (a.name === 'font-family') expect(a.value).toMatch(/^(sans-serif|serif|monospace)$/);
    }
    if (e.localName !== 'svg' && e.namespaceURI !== SVG_NS) throw new Error(`${e.localName} outside the SVG namespace`);
  }
  expect(text).not.toMatch(/@import|url\((?!#)/);
  // a <title> in every block: its hover text
  const blocks = elements.filter((e) => (e.getAttribute('class') ?? '').split(' ').includes('block'));
  for (const b of blocks) expect(all(b).some((c) => c.localName === 'title')).toBe(true);
  const lanes = new Map<string, { size: number; align: number }>();
  for (const l of elements.filter((e) => e.getAttribute('class') === 'lane')) {
    lanes.set(l.getAttribute('data-abi')!, {
      size: Number(l.getAttribute('data-size')),
      align: Number(l.getAttribute('data-align')),
    });
  }
  const members = new Map<string, Map<string, Record<string, number>>>();
  for (const b of blocks.filter((x) => x.getAttribute('data-kind') === 'member')) {
    const abi = b.getAttribute('data-abi')!;
    const row: Record<string, number> = {
      offset: Number(b.getAttribute('data-offset')),
      size: Number(b.getAttribute('data-size')),
    };
    if (b.hasAttribute('data-bit-width')) {
      row.bitOffset = Number(b.getAttribute('data-bit-start'));
      row.bitWidth = Number(b.getAttribute('data-bit-width'));
    }
    const m = members.get(abi) ?? new Map<string, Record<string, number>>();
    m.set(b.getAttribute('data-path')!, row);
    members.set(abi, m);
  }
  const links = elements.filter((e) => e.getAttribute('class') === 'link').map((e) => e.getAttribute('data-path'));
  const holes = blocks.filter((x) => x.getAttribute('data-kind') !== 'member');
  return { lanes, members, links, holes };
}

/** What layoutRecord gives for the record on the ABI, read from the ABI's cross headers. */
function libraryLayout(abi: Abi, header: string, record: string) {
  const d = dumpHeaders({ abi, headers: [header], sysroot: sysroot(abi) });
  const decl = d.decls.get(record);
  if (!decl) throw new Error(`${record} not in ${header} on ${abi.name}`);
  const layout = layoutRecord(decl, abi);
  const fields = new Map(
    flattenFields(layout, layouter(abi)).map((f) => {
      const row: Record<string, number> = { offset: f.offset, size: f.size };
      if (f.bitWidth !== undefined) {
        row.bitOffset = f.bitOffset!;
        row.bitWidth = f.bitWidth;
      }
      return [f.path, row] as const;
    }),
  );
  return { decl, layout, fields };
}

async function svgOf(header: string, record: string): Promise<string> {
  const args = ['layout', '--svg', '--abi', ABIS.map((a) => a.name).join(','), header, record];
  for (const a of ABIS) args.push('--sysroot', `${a.name}=${sysroot(a)}`);
  const { stdout } = await run('node', [BIN, ...args], { maxBuffer: 16 << 20 });
  return stdout;
}

const CASES: Array<{ header: string; record: string; differs: string[] }> = [
  // KVM_GET_DIRTY_LOG's argument: the pointer in the union is 4 bytes on i386 and x32
  { header: 'linux/kvm.h', record: 'struct kvm_dirty_log', differs: ['dirty_bitmap'] },
  // every snd_pcm_uframes_t (unsigned long) moves on i386 and x32
  { header: 'sound/asound.h', record: 'struct snd_pcm_sw_params', differs: ['avail_min', 'boundary'] },
  // bitfields, drawn at bit resolution
  { header: 'linux/ip.h', record: 'struct iphdr', differs: [] },
];

describe.concurrent('layout --svg', () => {
  for (const c of CASES) {
    test(`${c.record}: XML, SVG structure, blocks = layoutRecord = the compiler`, async () => {
      const svg = readSvg(await svgOf(c.header, c.record));
      expect([...svg.members.keys()]).toEqual(ABIS.map((a) => a.name));
      for (const abi of ABIS) {
        const lib = libraryLayout(abi, c.header, c.record);
        expect(svg.members.get(abi.name)).toEqual(lib.fields);
        expect(svg.lanes.get(abi.name)).toEqual({ size: lib.layout.size, align: lib.layout.align });
        // the compiler over the same headers: offsets, sizes and bitfields' bits
        const truth = await compilerTruth(abi, [
          {
            header: c.header,
            records: [
              {
                name: c.record,
                paths: [...lib.fields].map(([path, f]) =>
                  f.bitWidth !== undefined ? { path, bitfield: 'other' as const } : { path, size: (f.size ?? 0) > 0 },
                ),
              },
            ],
            ioctls: [],
          },
        ]);
        expect(truth.failed).toEqual([]);
        const rec = truth.records.get(c.record)!;
        expect({ size: rec.size, align: rec.align }).toEqual(svg.lanes.get(abi.name));
        for (const [path, t] of rec.fields) {
          const drawn = svg.members.get(abi.name)!.get(path)!;
          if ('bitWidth' in t) expect({ bitOffset: drawn.bitOffset, bitWidth: drawn.bitWidth }, path).toEqual(t);
          else
            expect(
              t.size === undefined ? { offset: drawn.offset } : { offset: drawn.offset, size: drawn.size },
            ).toEqual(t);
        }
      }
      // differing members: highlighted and joined lane to lane (x86_64 → i386 → x32)
      expect([...new Set(svg.links)].sort()).toEqual(expect.arrayContaining(c.differs));
      if (!c.differs.length) expect(svg.links).toEqual([]);
    });
  }

  test('holes and tail padding are hatched blocks; pointers and longs are marked', () => {
    const x86 = getAbi('x86_64');
    const i386 = getAbi('i386');
    const lane = (abi: Abi, header: string, record: string) => ({
      abi: abi.name,
      decl: libraryLayout(abi, header, record).decl,
      layouter: layouter(abi),
    });
    const kvm = recordDiagram(
      'struct kvm_dirty_log',
      'linux/kvm.h',
      ['x86_64', 'i386'],
      [lane(x86, 'linux/kvm.h', 'struct kvm_dirty_log'), lane(i386, 'linux/kvm.h', 'struct kvm_dirty_log')],
    );
    expect(kvm.differing).toEqual(['dirty_bitmap']);
    expect(kvm.lanes[1]!.blocks.find((b) => b.path === 'dirty_bitmap')).toMatchObject({
      marks: ['pointer'],
      differs: true,
      offset: 8,
      size: 4,
    });
    expect(renderSvg(kvm)).toContain('data-marks="pointer"');
    // x86_64: 4 bytes hole before the first unsigned long (avail_min at 16), marked long
    const sw = recordDiagram(
      'struct snd_pcm_sw_params',
      'sound/asound.h',
      ['x86_64'],
      [lane(x86, 'sound/asound.h', 'struct snd_pcm_sw_params')],
    );
    const blocks = sw.lanes[0]!.blocks;
    expect(blocks.filter((b) => b.kind === 'hole')).toMatchObject([{ offset: 12, size: 4, bitCount: 32 }]);
    expect(blocks.find((b) => b.path === 'avail_min')).toMatchObject({ marks: ['long'], offset: 16, size: 8 });
    // tail padding: struct ip_tail { __u32 a; __u16 b; } is 8 bytes
    const fixture = 'test/fixtures/lint/implicit-padding.h';
    const tail = recordDiagram('struct ip_tail', fixture, ['x86_64'], [lane(x86, fixture, 'struct ip_tail')]);
    expect(tail.lanes[0]!.blocks.filter((b) => b.kind !== 'member')).toMatchObject([
      { kind: 'padding', offset: 6, size: 2, bitStart: 48, bitCount: 16 },
    ]);
    const text = renderSvg(tail);
    expect(text).toMatch(/<g class="block padding"[^>]*data-offset="6" data-size="2"/);
    expect(text).toContain('fill="url(#ioctl32-hatch)"');
    // names are escaped: a record name with markup stays text
    expect(() => parseXml(renderSvg({ ...kvm, name: '<x & "y">' }))).not.toThrow();
  });
});
