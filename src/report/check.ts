/** `ioctl32 check` as text: a summary table per pair, what needs work, and the findings. */
import { assertCheckReport, type CheckReport, type CheckSummary } from '../compat/check.js';
import { VERDICTS, type Reason, type Verdict } from '../compat/compare.js';
import { HEADER_FAMILIES, withoutMissing } from '../scan/coverage.js';
import { table } from './abis.js';
import { formatFailures } from './failed.js';

/** `verbose`: every header that could not be read, not only the first of each error. */
export function formatCheck(report: CheckReport, opts: { color: boolean; detail: boolean; verbose?: boolean }): string {
  assertCheckReport(report, 'formatCheck');
  const paint = (code: number, s: string) => (opts.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const verdictText = (v: Verdict) =>
    v === 'convert'
      ? paint(31, v)
      : v === 'pointer-inside' || v === 'renumber'
        ? paint(33, v)
        : v === 'unknown'
          ? paint(35, v)
          : v;
  const out: string[] = [];
  for (const pair of report.pairs) {
    const key = `${pair.native}:${pair.compat}`;
    const counts = report.summary.verdicts[key]!;
    const tally = VERDICTS.map((v) => `${counts[v]} ${v}`).join(', ');
    out.push(`${pair.native} <- ${pair.compat}: ${pair.ioctls.length} ioctls: ${tally}`);
    const versions = pair.headerVersions;
    if (versions) {
      out.push(
        `  note: the headers are of two kernel versions (${pair.native} ${versions.native}, ${pair.compat} ` +
          `${versions.compat}): what one added or declares otherwise differs too`,
      );
    }
    if (opts.detail) {
      const rows = [['  ioctl', 'verdict', 'native', 'compat', 'why']];
      for (const v of pair.ioctls) {
        const why = v.reasons.slice(0, 3).map(reasonText);
        // the same layout under another number: the numbers say why
        if (v.verdict === 'renumber' && !why.length)
          why.push(v.cmdNote ?? 'the command number differs, the layout does not');
        const compat = v.compatCmd === null ? '-' : hex(v.compatCmd) + (v.cmdDiffers ? '*' : '');
        const native = v.nativeCmd === null ? '-' : hex(v.nativeCmd);
        rows.push([`  ${v.name}`, verdictText(v.verdict), native, compat, why.join('; ')]);
      }
      // what the handler must do, under each ioctl
      const lines = table(rows)
        .split('\n')
        .map((l) => l.trimEnd());
      out.push(lines[0]!);
      pair.ioctls.forEach((v, i) => {
        out.push(lines[i + 1]!);
        out.push(`      handler: ${v.action}`);
      });
    } else {
      const needs = Object.entries(report.summary.needsWork[key] ?? {});
      if (needs.length) out.push(`  needs work in ${needs.length} headers:`);
      for (const [header, names] of needs.sort((a, b) => b[1].length - a[1].length)) {
        out.push(`    ${header}: ${names.length}: ${names.slice(0, 6).join(' ')}${names.length > 6 ? ' ...' : ''}`);
      }
    }
  }
  if (report.findings.length) out.push('', 'findings:');
  for (const f of report.findings) {
    const level = f.level === 'error' ? paint(31, f.level) : f.level === 'warning' ? paint(33, f.level) : f.level;
    out.push(`${f.file}:${f.line}:${f.column}: ${level} [${f.rule}] ${f.message}`, `    fix: ${f.fix}`);
  }
  const verbose = opts.verbose === true;
  const coverage = coverageLine(report.summary);
  if (coverage !== null || report.summary.missing.length) out.push('');
  if (coverage !== null) out.push(coverage);
  // a missing libc part once, naming its package, for the dozens of headers it stopped
  for (const m of report.summary.missing) {
    out.push(m.message + (m.headers.length && !verbose ? ' (--verbose lists the headers)' : ''));
  }
  // each distinct error once, with the ABIs it happened on
  const failed = verbose ? report.failed : withoutMissing(report.failed, report.summary.missing);
  const failures = formatFailures(failed, { verbose, moreHint: '--verbose' });
  if (failures.length) out.push('', ...failures);
  return out.join('\n');
}

/** `families read: drm (not on x86_64), input, ...; none of: xen` for a whole-set run, else null. */
function coverageLine(summary: CheckSummary): string | null {
  const coverage = summary.coverage;
  if (!coverage) return null;
  const abis = Object.keys(coverage);
  const read: string[] = [];
  const none: string[] = [];
  for (const { name } of HEADER_FAMILIES) {
    const without = abis.filter((a) => !coverage[a]!.families.includes(name));
    if (without.length === abis.length) none.push(name);
    else read.push(without.length ? `${name} (not on ${without.join(', ')})` : name);
  }
  return `families read: ${read.join(', ') || 'none'}${none.length ? `; none of: ${none.join(', ')}` : ''}`;
}

function reasonText(r: Reason): string {
  const where =
    r.native && r.compat ? ` (${r.native.offset}+${r.native.size} vs ${r.compat.offset}+${r.compat.size})` : '';
  // a sub-reason (tail padding only) says more than the places
  const sub = r.sub
    ? `: ${r.sub === 'tail-padding' && r.dispatcher ? `tail padding, ${r.dispatcher}() copes` : r.sub}`
    : '';
  return `${r.rule}${r.path ? ` ${r.path}` : ''}${where ? where + sub : r.message ? `: ${r.message}` : ''}`;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
