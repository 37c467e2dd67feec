/**
 * `ioctl32 layout --svg` and the web viewer: a record's layouts on several ABIs as one byte
 * diagram. One lane per ABI on a shared byte ruler; members are blocks (bitfields at bit
 * resolution), holes and tail padding hatched, members whose place differs between the ABIs
 * highlighted and joined lane to lane, pointer and long members marked. The model is built from
 * the same layouts `ioctl32 layout` prints; the SVG is standalone (no script, generic fonts).
 */
import { declare } from '../cfront/print.js';
import { stripTypedefs, type CType, type RecordDecl } from '../cfront/types.js';
import { flattenFields } from '../layout/fields.js';
import type { Layouter } from '../layout/layout.js';
import type { RecordLayout } from '../layout/types.js';
import { dumpHeaders } from '../scan/dump.js';
import type { ScanOptions } from '../scan/scan.js';

export type BlockKind = 'member' | 'hole' | 'padding';
/** Why a member is marked: its size follows the ABI's pointer or long size. */
export type BlockMark = 'pointer' | 'long';

export interface DiagramBlock {
  kind: BlockKind;
  /** The member's dotted path (as `ioctl32 layout` and dump's fields name it); '' for holes and padding. */
  path: string;
  /** `type name[N]` as C declares the member; '' for holes and padding. */
  declaration: string;
  /** Nesting depth of the member (0: a member of the record itself, or of an anonymous record in it). */
  depth: number;
  /** Byte offset and size as layoutRecord gives them (a bitfield: the byte of its first bit, sizeof its type). */
  offset: number;
  size: number;
  /** The bits drawn: from bitStart, bitCount of them (a bitfield's own bits; holes may be bits too). */
  bitStart: number;
  bitCount: number;
  /** A bitfield's width in bits. */
  bitWidth?: number;
  /** Its offset or size differs between the ABIs drawn (or an ABI lacks it). */
  differs: boolean;
  marks: BlockMark[];
}

export interface DiagramLane {
  abi: string;
  size: number;
  align: number;
  blocks: DiagramBlock[];
}

export interface RecordDiagram {
  name: string;
  header: string;
  abis: string[];
  /** Per ABI, null where its headers lack the record. */
  lanes: Array<DiagramLane | null>;
  /** Paths of the members whose offset or size differs between the ABIs. */
  differing: string[];
}

/** One ABI's layout of the record, as a Dumped gives it. */
export interface LaneInput {
  abi: string;
  decl: RecordDecl;
  layouter: Layouter;
}

/** What a member's type makes it: a pointer, a long, or an array of them. */
function marksOf(t: CType): BlockMark[] {
  let s = stripTypedefs(t);
  while (s.kind === 'array') s = stripTypedefs(s.of);
  if (s.kind === 'pointer') return ['pointer'];
  if (s.kind === 'int' && (s.name === 'long' || s.name === 'unsigned long')) return ['long'];
  return [];
}

/** Holes and tail padding of a record and of the records nested in it (not of array elements). */
function gaps(layout: RecordLayout, layouter: Layouter, baseBits: number, depth: number): DiagramBlock[] {
  const gap = (kind: BlockKind, bitStart: number, bitCount: number): DiagramBlock => ({
    kind,
    path: '',
    declaration: '',
    depth,
    offset: Math.floor(bitStart / 8),
    size: Math.ceil((bitStart + bitCount) / 8) - Math.floor(bitStart / 8),
    bitStart,
    bitCount,
    differs: false,
    marks: [],
  });
  const out = layout.holes.map((h) => gap('hole', baseBits + h.bitOffset, h.bits));
  if (layout.tailPaddingBits > 0) {
    out.push(gap('padding', baseBits + layout.size * 8 - layout.tailPaddingBits, layout.tailPaddingBits));
  }
  for (const m of layout.members) {
    const t = stripTypedefs(m.member.type);
    if (t.kind !== 'record' || m.member.bitWidth !== undefined) continue;
    const inner = m.member.name === undefined ? depth : depth + 1;
    out.push(...gaps(layouter.layout(t.decl), layouter, baseBits + m.bitOffset, inner));
  }
  return out;
}

function lane(input: LaneInput): DiagramLane {
  const layout = input.layouter.layout(input.decl);
  const members = flattenFields(layout, input.layouter).map((f): DiagramBlock => {
    const name = f.path.split('.').pop()!;
    const declaration =
      f.ctype.kind === 'record' && f.ctype.decl.tag === undefined ? `${f.type} ${name}` : declare(f.ctype, name);
    const bitStart = f.bitOffset ?? f.offset * 8;
    const block: DiagramBlock = {
      kind: 'member',
      path: f.path,
      declaration,
      depth: f.path.split('.').length - 1,
      offset: f.offset,
      size: f.size,
      bitStart,
      bitCount: f.bitWidth ?? f.size * 8,
      differs: false,
      marks: marksOf(f.ctype),
    };
    if (f.bitWidth !== undefined) block.bitWidth = f.bitWidth;
    return block;
  });
  return {
    abi: input.abi,
    size: layout.size,
    align: layout.align,
    blocks: [...members, ...gaps(layout, input.layouter, 0, 0)],
  };
}

/** The diagram's model: one lane per ABI (null where the record is missing), differing members marked. */
export function recordDiagram(
  name: string,
  header: string,
  abis: string[],
  inputs: Array<LaneInput | null>,
): RecordDiagram {
  const lanes = inputs.map((i) => (i ? lane(i) : null));
  const place = (b: DiagramBlock | undefined) =>
    b ? `${b.offset}/${b.size}/${b.bitStart}/${b.bitWidth ?? ''}` : 'none';
  const paths = new Set(
    lanes.flatMap((l) => (l ? l.blocks.filter((b) => b.kind === 'member').map((b) => b.path) : [])),
  );
  const differing: string[] = [];
  for (const path of paths) {
    const found = lanes.map((l) => l?.blocks.find((b) => b.kind === 'member' && b.path === path));
    if (new Set(found.map(place)).size <= 1) continue;
    differing.push(path);
    for (const b of found) if (b) b.differs = true;
  }
  return { name, header, abis, lanes, differing };
}

export interface DiagramsResult {
  abis: string[];
  diagrams: RecordDiagram[];
  /** Requested records no ABI has. */
  missing: string[];
  /** Headers that failed, per ABI. */
  failed: Record<string, Record<string, string>>;
}

/** Candidate names for a record the user typed: `struct x`, `union x`, or a typedef name (as `ioctl32 layout`). */
function candidates(name: string): string[] {
  return /^(struct|union) /.test(name) ? [name] : [`struct ${name}`, `union ${name}`, name];
}

/** The diagrams of the named records, each ABI's headers scanned as `scans` say (one per ABI). */
export function layoutDiagrams(scans: ScanOptions[], names: string[]): DiagramsResult {
  const perAbi = scans.map((s) => ({ abi: s.abi.name, ...dumpHeaders(s) }));
  const result: DiagramsResult = { abis: perAbi.map((p) => p.abi), diagrams: [], missing: [], failed: {} };
  for (const p of perAbi) if (Object.keys(p.result.failed).length) result.failed[p.abi] = p.result.failed;
  for (const n of names) {
    const found = candidates(n).find((c) => perAbi.some((p) => p.decls.has(c)));
    if (!found) {
      result.missing.push(n);
      continue;
    }
    const header = perAbi.map((p) => p.result.records[found]?.header).find((h) => h !== undefined) ?? '';
    const inputs = perAbi.map((p) => {
      const decl = p.decls.get(found);
      return decl ? { abi: p.abi, decl, layouter: p.layouter } : null;
    });
    result.diagrams.push(recordDiagram(found, header, result.abis, inputs));
  }
  return result;
}

// ---- drawing ----

export interface SvgOptions {
  /** Prefix of the ids inside the SVG, distinct per SVG when several share a page. */
  idPrefix?: string;
  /** Blocks reachable with Tab (the web page); a standalone file has no focus. */
  focusable?: boolean;
}

const LABEL_W = 150;
const RULER_H = 34;
const ROW_H = 24;
const LANE_GAP = 40;
const MARGIN = 12;
const LEGEND_H = 28;
const CHAR_W = 6.6;
/** The legend's width: no SVG is narrower. */
const LEGEND_W = 640;

const COLOURS = {
  member: '#dbe8f6',
  memberStroke: '#4a6b8a',
  differs: '#ffd27a',
  differsStroke: '#b35c00',
  link: '#b35c00',
  hatch: '#8a8a8a',
  text: '#1d1d1d',
  ruler: '#666666',
};

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Pixels per byte: the widest lane fits about 960 pixels, no byte thinner than 4 or wider than 48. */
function scaleFor(maxBytes: number): number {
  return Math.max(4, Math.min(48, Math.floor(960 / Math.max(1, maxBytes))));
}

/** Rows within a lane: each block in the first row where it overlaps nothing (unions and nesting go down). */
function rowsOf(blocks: DiagramBlock[]): number[] {
  const rows: Array<Array<[number, number]>> = [];
  return blocks.map((b) => {
    const start = b.bitStart;
    const end = b.bitStart + Math.max(1, b.bitCount);
    let r = 0;
    while (rows[r]?.some(([s, e]) => start < e && s < end)) r++;
    (rows[r] ??= []).push([start, end]);
    return r;
  });
}

function blockTitle(b: DiagramBlock, abi: string): string {
  const where = `offset ${b.offset}, size ${b.size}`;
  const bits = b.bitWidth !== undefined ? `, bits ${b.bitStart - b.offset * 8}..+${b.bitWidth}` : '';
  if (b.kind !== 'member') {
    const amount = b.bitCount % 8 ? `${b.bitCount} bits` : `${b.bitCount / 8} bytes`;
    return `${b.kind === 'hole' ? 'hole' : 'tail padding'} (${abi}): ${amount} at bit ${b.bitStart}`;
  }
  const marks = b.marks.length ? ` [${b.marks.join(', ')}]` : '';
  const differs = b.differs ? ' — differs between the ABIs' : '';
  return `${b.declaration} (${abi}): ${where}${bits}${marks}${differs}`;
}

function fit(text: string, width: number): string {
  const n = Math.floor((width - 6) / CHAR_W);
  if (n >= text.length) return text;
  return n >= 3 ? `${text.slice(0, n - 1)}…` : '';
}

/** The diagram as a standalone SVG 1.1 document. */
export function renderSvg(d: RecordDiagram, opts: SvgOptions = {}): string {
  const id = (s: string) => `${opts.idPrefix ?? 'ioctl32'}-${s}`;
  const maxBytes = Math.max(1, ...d.lanes.map((l) => l?.size ?? 0));
  const px = scaleFor(maxBytes);
  const x0 = MARGIN + LABEL_W;
  const bx = (bits: number) => x0 + (bits / 8) * px;
  const width = Math.ceil(Math.max(x0 + maxBytes * px + MARGIN + 8, LEGEND_W));
  const laneRows = d.lanes.map((l) => (l ? rowsOf(l.blocks) : []));
  const laneTop: number[] = [];
  let y = MARGIN + RULER_H;
  d.lanes.forEach((_, i) => {
    laneTop.push(y);
    y += Math.max(1, ...laneRows[i]!.map((r) => r + 1)) * ROW_H + LANE_GAP;
  });
  const height = Math.ceil(y - LANE_GAP + 12 + LEGEND_H + MARGIN);
  const out: string[] = [];
  const tab = opts.focusable ? ' tabindex="0"' : '';
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" viewBox="0 0 ${width} ${height}" ` +
      `width="${width}" height="${height}" role="img" aria-labelledby="${id('title')}" ` +
      `font-family="sans-serif" font-size="11" data-record="${escapeXml(d.name)}" ` +
      `data-abis="${escapeXml(d.abis.join(','))}">`,
    `<title id="${id('title')}">${escapeXml(`${d.name} (${d.header}) on ${d.abis.join(', ')}`)}</title>`,
    `<desc>${escapeXml(
      d.differing.length
        ? `Members that differ between the ABIs: ${d.differing.join(', ')}`
        : 'Every member has the same offset and size on these ABIs',
    )}</desc>`,
    '<defs>',
    `<pattern id="${id('hatch')}" patternUnits="userSpaceOnUse" width="6" height="6" ` +
      'patternTransform="rotate(45)">',
    `<rect width="6" height="6" fill="#f2f2f2"/><line x1="0" y1="0" x2="0" y2="6" stroke="${COLOURS.hatch}" ` +
      'stroke-width="2"/>',
    '</pattern>',
    '</defs>',
    '<style>g.block:focus rect, g.block:hover rect { stroke: #000; stroke-width: 2.5 } ' +
      'g.block:focus { outline: none }</style>',
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${MARGIN}" y="${MARGIN + 10}" font-weight="bold" fill="${COLOURS.text}">${escapeXml(d.name)}</text>`,
  );
  // the byte ruler: a tick per byte where bytes are wide enough, labels at least 40 pixels apart
  const tickEvery = px >= 6 ? 1 : px >= 2 ? 4 : 8;
  const labelEvery = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024].find((n) => n * px >= 40) ?? 2048;
  const rulerY = MARGIN + RULER_H - 6;
  out.push(
    `<g class="ruler" stroke="${COLOURS.ruler}" fill="${COLOURS.ruler}">`,
    `<line x1="${x0}" y1="${rulerY}" x2="${bx(maxBytes * 8)}" y2="${rulerY}"/>`,
  );
  for (let b = 0; b <= maxBytes; b += tickEvery) {
    const major = b % labelEvery === 0;
    out.push(`<line x1="${bx(b * 8)}" y1="${rulerY - (major ? 7 : 3)}" x2="${bx(b * 8)}" y2="${rulerY}"/>`);
    if (major) {
      out.push(`<text x="${bx(b * 8)}" y="${rulerY - 10}" stroke="none" text-anchor="middle">${b}</text>`);
    }
  }
  out.push('</g>');
  // where each differing member sits, lane by lane, for the links
  const centres = new Map<string, Array<{ x: number; top: number; bottom: number } | undefined>>();
  d.lanes.forEach((l, i) => {
    const top = laneTop[i]!;
    const facts = l ? ` data-size="${l.size}" data-align="${l.align}"` : ' data-missing="true"';
    out.push(`<g class="lane" data-abi="${escapeXml(d.abis[i] ?? '')}"${facts}>`);
    out.push(
      `<text x="${MARGIN}" y="${top + 15}" font-weight="bold" fill="${COLOURS.text}">${escapeXml(d.abis[i] ?? '')}` +
        '</text>',
    );
    if (!l) {
      out.push(`<text x="${x0}" y="${top + 15}" fill="${COLOURS.text}">no such record on this ABI</text></g>`);
      return;
    }
    out.push(
      `<text x="${MARGIN}" y="${top + 29}" fill="${COLOURS.text}" font-size="10">size ${l.size}, align ${l.align}` +
        '</text>',
    );
    l.blocks.forEach((b, j) => {
      const row = laneRows[i]![j]!;
      const x = bx(b.bitStart);
      const w = Math.max(2, (b.bitCount / 8) * px);
      const by = top + row * ROW_H;
      const h = ROW_H - 4;
      const attrs = [
        `class="block ${b.kind}${b.differs ? ' differs' : ''}"`,
        `data-abi="${escapeXml(l.abi)}"`,
        `data-kind="${b.kind}"`,
        ...(b.path ? [`data-path="${escapeXml(b.path)}"`] : []),
        `data-offset="${b.offset}"`,
        `data-size="${b.size}"`,
        `data-bit-start="${b.bitStart}"`,
        `data-bits="${b.bitCount}"`,
        ...(b.bitWidth !== undefined ? [`data-bit-width="${b.bitWidth}"`] : []),
        ...(b.marks.length ? [`data-marks="${b.marks.join(' ')}"`] : []),
        ...(b.differs ? ['data-differs="true"'] : []),
      ];
      out.push(`<g ${attrs.join(' ')}${tab}>`, `<title>${escapeXml(blockTitle(b, l.abi))}</title>`);
      if (b.kind === 'member') {
        const fill = b.differs ? COLOURS.differs : COLOURS.member;
        const stroke = b.differs ? COLOURS.differsStroke : COLOURS.memberStroke;
        const dash = b.marks.includes('pointer') ? ' stroke-dasharray="4 2"' : '';
        out.push(
          `<rect x="${x}" y="${by}" width="${w}" height="${h}" fill="${fill}" stroke="${stroke}" ` +
            `stroke-width="${b.differs ? 2 : 1}"${dash}/>`,
        );
        const mark = b.marks.includes('pointer') ? '*' : b.marks.includes('long') ? 'L' : '';
        const label = fit(`${mark ? `${mark} ` : ''}${b.path.split('.').pop()!}`, w);
        if (label) out.push(`<text x="${x + 3}" y="${by + 14}" fill="${COLOURS.text}">${escapeXml(label)}</text>`);
        if (b.differs) {
          const list = centres.get(b.path) ?? d.lanes.map(() => undefined);
          list[i] = { x: x + w / 2, top: by, bottom: by + h };
          centres.set(b.path, list);
        }
      } else {
        out.push(
          `<rect x="${x}" y="${by}" width="${w}" height="${h}" fill="url(#${id('hatch')})" stroke="${COLOURS.hatch}"/>`,
        );
      }
      out.push('</g>');
    });
    out.push('</g>');
  });
  // links: a differing member from its block in one lane to its block in the next lane that has it
  out.push(`<g class="links" stroke="${COLOURS.link}" stroke-width="1.5" fill="none">`);
  for (const [path, list] of centres) {
    const present = list.flatMap((c, i) => (c ? [{ c, i }] : []));
    for (let k = 0; k + 1 < present.length; k++) {
      const a = present[k]!;
      const b = present[k + 1]!;
      out.push(
        `<line class="link" data-path="${escapeXml(path)}" data-from="${escapeXml(d.abis[a.i] ?? '')}" ` +
          `data-to="${escapeXml(d.abis[b.i] ?? '')}" x1="${a.c.x}" y1="${a.c.bottom}" x2="${b.c.x}" y2="${b.c.top}"/>`,
      );
    }
  }
  out.push('</g>');
  // legend
  const ly = height - MARGIN - LEGEND_H + 8;
  const legend: Array<[string, string]> = [
    [`fill="${COLOURS.member}" stroke="${COLOURS.memberStroke}"`, 'member'],
    [`fill="${COLOURS.differs}" stroke="${COLOURS.differsStroke}" stroke-width="2"`, 'differs between ABIs'],
    [`fill="url(#${id('hatch')})" stroke="${COLOURS.hatch}"`, 'hole / tail padding'],
    [`fill="${COLOURS.member}" stroke="${COLOURS.memberStroke}" stroke-dasharray="4 2"`, '* pointer'],
    [`fill="${COLOURS.member}" stroke="${COLOURS.memberStroke}"`, 'L long'],
  ];
  out.push('<g class="legend">');
  let lx = MARGIN;
  for (const [style, text] of legend) {
    out.push(`<rect x="${lx}" y="${ly}" width="14" height="12" ${style}/>`);
    out.push(`<text x="${lx + 18}" y="${ly + 10}" fill="${COLOURS.text}">${escapeXml(text)}</text>`);
    lx += 18 + text.length * CHAR_W + 16;
  }
  out.push('</g>', '</svg>');
  return `${out.join('\n')}\n`;
}
