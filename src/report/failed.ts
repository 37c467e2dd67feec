/** Headers that could not be read, as text: each distinct error once (scan/failed.ts groups them). */
import { countFailed, groupFailures, inHeader, type FailedHeaders } from '../scan/failed.js';

export interface FailureListOptions {
  /** Every error and every header; otherwise at most `limit` errors, `headers` headers each. */
  verbose?: boolean;
  limit?: number;
  headers?: number;
  /** How to ask for all of them (the command's option). */
  moreHint?: string;
}

/**
 * The failures as text: `N header(s) could not be read:`, then one line per distinct error,
 * `x86_64, i386: linux/foo.h:3:1: error: ...`, the header before the error when the error is
 * located in a file it includes, the headers after it when it stopped several.
 */
export function formatFailures(failed: FailedHeaders, opts: FailureListOptions = {}): string[] {
  // the errors that stop the most headers first (a libc file one ABI lacks, say)
  const groups = groupFailures(failed).sort((a, b) => b.headers.length - a.headers.length);
  if (!groups.length) return [];
  const limit = opts.verbose ? Infinity : (opts.limit ?? 12);
  const perGroup = opts.verbose ? Infinity : (opts.headers ?? 4);
  const hint = opts.moreHint ? ` (${opts.moreHint} lists them all)` : '';
  const out = [`${countFailed(failed)} header(s) could not be read:`];
  for (const g of groups.slice(0, limit)) {
    const abis = g.abis.join(', ');
    if (g.headers.length === 1) {
      const h = g.headers[0]!;
      out.push(`  ${abis}: ${inHeader(g.error, h) ? '' : `${h}: `}${g.error}`);
      continue;
    }
    const shown = g.headers.slice(0, perGroup).join(', ');
    const more = g.headers.length > perGroup ? ` and ${g.headers.length - perGroup} more${hint}` : '';
    out.push(`  ${abis}: ${g.error}: ${g.headers.length} headers: ${shown}${more}`);
  }
  if (groups.length > limit) out.push(`  and ${groups.length - limit} more errors${hint}`);
  return out;
}
