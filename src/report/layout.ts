/**
 * `ioctl32 layout`: records side by side for several ABIs, in pahole's vocabulary (offsets,
 * sizes, `XXX N bytes hole`, padding), marking the members whose offset or size differs.
 */
import { declare } from '../cfront/print.js';
import type { RecordDecl } from '../cfront/types.js';
import { flattenFields, type TypedField } from '../layout/fields.js';
import type { Layouter } from '../layout/layout.js';
import type { RecordLayout } from '../layout/types.js';
import { table } from './abis.js';
import { dumpHeaders } from '../scan/dump.js';
import { formatFailures } from './failed.js';
import type { ScanOptions } from '../scan/scan.js';

export interface LayoutCell {
  offset: number;
  size: number;
  bitOffset?: number;
  bitWidth?: number;
}

export type LayoutRow =
  | {
      kind: 'member';
      path: string;
      /** `type name[N]` as C declares it */ declaration: string;
      depth: number;
      cells: Array<LayoutCell | null>;
      differs: boolean;
    }
  | { kind: 'hole'; depth: number; cells: Array<number | null> };

export interface RecordView {
  name: string;
  header: string;
  rows: LayoutRow[];
  /** Per ABI (null where the ABI's headers lack the record). */
  totals: Array<{ size: number; align: number; holes: number; holeBytes: number; padding: number } | null>;
  differs: boolean;
}

export interface LayoutReport {
  abis: string[];
  records: RecordView[];
  /** Requested records no ABI has. */
  missing: string[];
  /** Headers that failed, per ABI. */
  failed: Record<string, Record<string, string>>;
}

/** Candidate names for a record the user typed: `struct x`, `union x`, or a typedef name. */
function candidates(name: string): string[] {
  return /^(struct|union) /.test(name) ? [name] : [`struct ${name}`, `union ${name}`, name];
}

export function layoutReport(scans: ScanOptions[], names: string[]): LayoutReport {
  const perAbi = scans.map((s) => ({ abi: s.abi.name, ...dumpHeaders(s) }));
  const report: LayoutReport = { abis: perAbi.map((p) => p.abi), records: [], missing: [], failed: {} };
  for (const p of perAbi) if (Object.keys(p.result.failed).length) report.failed[p.abi] = p.result.failed;
  let wanted: string[];
  if (names.length) {
    wanted = [];
    for (const n of names) {
      const found = candidates(n).find((c) => perAbi.some((p) => p.decls.has(c)));
      if (found) wanted.push(found);
      else report.missing.push(n);
    }
  } else {
    // every record defined in the scanned headers themselves (not in what they include), by
    // the file it was read from: the names shown depend on the include directories
    const first = perAbi[0]!;
    const own = new Set((scans[0]?.headers ?? []).map((h) => first.scan.files.canonical(first.scan.resolve(h))));
    const ownRecord = (d: RecordDecl) => !own.size || (d.loc !== undefined && own.has(d.loc.file));
    wanted = [...first.decls].filter(([, d]) => ownRecord(d)).map(([n]) => n);
  }
  for (const name of wanted) {
    const layouts = perAbi.map((p) => {
      const decl = p.decls.get(name);
      if (!decl) return null;
      const layout = p.layouter.layout(decl);
      // a typedef's aligned(N) is the record's alignment under that name (dump's recordAlign)
      return { decl, layout, layouter: p.layouter, align: p.result.records[name]?.align ?? layout.align };
    });
    const header = perAbi.map((p) => p.result.records[name]?.header).find((h) => h !== undefined) ?? '';
    report.records.push(recordView(name, header, layouts));
  }
  return report;
}

function recordView(
  name: string,
  header: string,
  layouts: Array<{ decl: RecordDecl; layout: RecordLayout; layouter: Layouter; align: number } | null>,
): RecordView {
  const flats = layouts.map((l) => (l ? new Map(flattenFields(l.layout, l.layouter).map((f) => [f.path, f])) : null));
  const order: TypedField[] = [];
  const seen = new Set<string>();
  for (const f of flats) {
    for (const [path, field] of f ?? []) {
      if (seen.has(path)) continue;
      seen.add(path);
      order.push(field);
    }
  }
  // holes of the top-level record, keyed by the path of the first field after them
  const holesBefore = layouts.map((l) => {
    const m = new Map<string, number>();
    if (!l) return m;
    const topFields = flattenFields(l.layout, l.layouter);
    for (const h of l.layout.holes) {
      const next = topFields.find((f) => (f.bitOffset ?? f.offset * 8) >= h.bitOffset + h.bits);
      if (next) m.set(next.path, (m.get(next.path) ?? 0) + h.bits);
    }
    return m;
  });
  const rows: LayoutRow[] = [];
  let differs = false;
  for (const f of order) {
    const depth = f.path.split('.').length - 1;
    const holes = holesBefore.map((m) => m.get(f.path) ?? null);
    if (holes.some((h) => h !== null)) rows.push({ kind: 'hole', depth, cells: holes });
    const cells = flats.map((m) => {
      const x = m?.get(f.path);
      if (!x) return null;
      const c: LayoutCell = { offset: x.offset, size: x.size };
      if (x.bitOffset !== undefined) {
        c.bitOffset = x.bitOffset;
        c.bitWidth = x.bitWidth!;
      }
      return c;
    });
    const keys = new Set(cells.map((c) => JSON.stringify(c)));
    const rowDiffers = keys.size > 1;
    differs ||= rowDiffers;
    const name = f.path.split('.').pop()!;
    const declaration =
      f.ctype.kind === 'record' && f.ctype.decl.tag === undefined ? `${f.type} ${name}` : declare(f.ctype, name);
    rows.push({ kind: 'member', path: f.path, declaration, depth, cells, differs: rowDiffers });
  }
  const totals = layouts.map((l) => {
    if (!l) return null;
    const holeBits = l.layout.holes.reduce((n, h) => n + h.bits, 0);
    return {
      size: l.layout.size,
      align: l.align,
      holes: l.layout.holes.length,
      holeBytes: Math.floor(holeBits / 8),
      padding: Math.floor(l.layout.tailPaddingBits / 8),
    };
  });
  const sizes = new Set(totals.map((t) => (t ? `${t.size}/${t.align}` : 'none')));
  return { name, header, rows, totals, differs: differs || sizes.size > 1 };
}

function cellText(c: LayoutCell | null): string {
  if (!c) return '-';
  if (c.bitOffset === undefined) return `/* ${String(c.offset).padStart(4)} ${String(c.size).padStart(4)} */`;
  return `/* ${String(c.offset).padStart(4)}:${c.bitOffset - c.offset * 8} ${c.bitWidth} bits */`;
}

/** The report as text; `color` marks differing rows in yellow; `verbose` lists every header that failed. */
export function formatLayouts(report: LayoutReport, opts: { color: boolean; verbose?: boolean }): string {
  const mark = (s: string) => (opts.color ? `\x1b[33m${s}\x1b[0m` : s);
  const out: string[] = [];
  for (const r of report.records) {
    const grid: string[][] = [[`${r.name} {`, ...report.abis.map((a) => `/* ${a} */`), '']];
    for (const row of r.rows) {
      const indent = '\t'.repeat(row.depth + 1);
      if (row.kind === 'hole') {
        const amount = (bits: number) =>
          bits % 8 ? `${bits} bit${bits === 1 ? '' : 's'}` : `${bits / 8} byte${bits === 8 ? '' : 's'}`;
        grid.push([
          `${indent}/* XXX hole */`,
          ...row.cells.map((h) => (h === null ? '' : `/* XXX ${amount(h)} hole */`)),
          '',
        ]);
      } else {
        grid.push([`${indent}${row.declaration};`, ...row.cells.map(cellText), row.differs ? mark('<-- differs') : '']);
      }
    }
    const sizes = r.totals.map((t) => (t ? `/* size: ${t.size}, align: ${t.align} */` : '-'));
    grid.push(['\t/* size, align */', ...sizes, new Set(sizes).size > 1 ? mark('<-- differs') : '']);
    grid.push([
      '\t/* holes, padding */',
      ...r.totals.map((t) => (t ? `/* ${t.holes} holes: ${t.holeBytes} bytes, padding: ${t.padding} */` : '-')),
      '',
    ]);
    grid.push([`}; /* ${r.header} */`, ...report.abis.map(() => ''), '']);
    out.push(table(grid).replace(/[ \t]+$/gm, ''));
  }
  const failures = formatFailures(report.failed, { verbose: opts.verbose === true, moreHint: '--verbose' });
  if (failures.length) out.push(failures.join('\n'));
  return out.join('\n\n');
}
