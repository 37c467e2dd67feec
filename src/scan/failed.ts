/**
 * Headers that could not be read: each distinct error once, with the ABIs it happened on (the
 * same missing libc file fails dozens of headers on one ABI), and the rule that a header named
 * on the command line that cannot be read is an input error, not a line at the end of a report.
 * Their text for a report is report/failed.ts.
 */
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';

/** Per ABI, header → its first error (CheckReport.failed, LayoutReport.failed). */
export type FailedHeaders = Record<string, Record<string, string>>;

/** One distinct error: the headers it stopped and the ABIs it happened on. */
export interface FailureGroup {
  error: string;
  headers: string[];
  abis: string[];
}

/** Groups the failures by error and ABIs, in the order they were found. */
export function groupFailures(failed: FailedHeaders): FailureGroup[] {
  const byError = new Map<string, { headers: string[]; abis: Map<string, string[]> }>();
  for (const [abi, list] of Object.entries(failed)) {
    for (const [header, error] of Object.entries(list)) {
      let e = byError.get(error);
      if (!e) byError.set(error, (e = { headers: [], abis: new Map() }));
      if (!e.headers.includes(header)) e.headers.push(header);
      const abis = e.abis.get(header) ?? [];
      e.abis.set(header, [...abis, abi]);
    }
  }
  // headers with the same error on the same ABIs form one group
  const groups: FailureGroup[] = [];
  for (const [error, e] of byError) {
    const sets = new Map<string, FailureGroup>();
    for (const header of e.headers) {
      const abis = e.abis.get(header)!;
      const key = abis.join(',');
      const g = sets.get(key);
      if (g) g.headers.push(header);
      else {
        const fresh = { error, headers: [header], abis };
        sets.set(key, fresh);
        groups.push(fresh);
      }
    }
  }
  return groups;
}

/** How many distinct headers failed on any ABI. */
export function countFailed(failed: FailedHeaders): number {
  return new Set(Object.values(failed).flatMap((l) => Object.keys(l))).size;
}

/** The file an error is located in (`linux/foo.h:3:1: error: ...` → `linux/foo.h`). */
function errorFile(error: string): string | undefined {
  return /^(.*?)(?::\d+:\d+)?: error: /.exec(error)?.[1];
}

/** Whether the error is located in the header itself (not in a file it includes). */
export function inHeader(error: string, header: string): boolean {
  const file = errorFile(error);
  if (file === undefined) return false;
  // an include name found in the user's -I or --sysroot directory is located as found (inc/my.h)
  const includeName = !header.startsWith('/') && !header.startsWith('.');
  return file === header || resolve(file) === resolve(header) || (includeName && file.endsWith(`/${header}`));
}

/** A header named on the command line could not be read (exit 2; the message is the located errors). */
export class HeaderReadError extends UsageError {
  constructor(
    message: string,
    readonly groups: FailureGroup[],
  ) {
    super(message);
  }
}

/**
 * Throws a HeaderReadError when any of `headers` (what the user named) failed on any of `abis`:
 * one line per distinct error, located (`file:line:col: error: ...`), saying which named header
 * it stopped and on which ABIs when that is not plain.
 */
export function assertHeadersRead(
  failed: FailedHeaders,
  headers: readonly string[],
  abis: readonly string[],
  /** ABIs the headers are read for as the kernel compiles them (gen c's native side): none of them may be left out. */
  kernelView: readonly string[] = [],
): void {
  const named = new Set(headers);
  const mine: FailedHeaders = {};
  for (const [abi, list] of Object.entries(failed)) {
    const own = Object.entries(list).filter(([h]) => named.has(h));
    if (own.length) mine[abi] = Object.fromEntries(own);
  }
  const groups = groupFailures(mine);
  if (!groups.length) return;
  const lines: string[] = [];
  const partial = new Set<string>();
  for (const g of groups) {
    const everywhere = abis.every((a) => g.abis.includes(a));
    if (!everywhere) for (const a of g.abis) partial.add(a);
    for (const h of g.headers) {
      const notes = [];
      if (!inHeader(g.error, h)) notes.push(`reading ${h}`);
      if (!everywhere) notes.push(`on ${g.abis.join(', ')}`);
      lines.push(notes.length ? `${g.error} (${notes.join(', ')})` : g.error);
    }
  }
  if (partial.size) {
    const read = abis.filter((a) => !partial.has(a));
    const which = [...partial].join(', ');
    const where = read.length ? `read on ${read.join(', ')} but not on ${which}` : `do not read on ${which}`;
    const them = partial.size > 1 ? 'them' : 'it';
    const out = `leave ${them} out (--pair, --arch, --abi)`;
    // headers they lack: the include options may give them; another error is the header's own on those ABIs
    const missing = groups.some((g) => !abis.every((a) => g.abis.includes(a)) && / file not found$/.test(g.error));
    const fix = missing ? `give ${which} what they include (-I, --sysroot) or ${out}` : out;
    const kernel = [...partial].filter((a) => kernelView.includes(a));
    lines.push(
      kernel.length
        ? `the headers ${where}, which ${kernel.length > 1 ? 'are' : 'is'} read as the kernel compiles them ` +
            "(__KERNEL__, the kernel tree's UAPI): the header may use only what the kernel declares there " +
            '(not __kernel_time_t or time_t, which user space alone has)'
        : `the headers ${where}: ${fix}`,
    );
  }
  throw new HeaderReadError(lines.join('\n'), groups);
}
