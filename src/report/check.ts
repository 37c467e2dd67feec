/** `ioctl32 check` as text: a summary table per pair, what needs work, and the findings. */
import type { CheckReport } from '../compat/check.js';
import { VERDICTS, type Reason, type Verdict } from '../compat/compare.js';
import { table } from './abis.js';
import { formatFailures } from './failed.js';

/** `verbose`: every header that could not be read, not only the first of each error. */
export function formatCheck(report: CheckReport, opts: { color: boolean; detail: boolean; verbose?: boolean }): string {
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
    if (opts.detail) {
      const rows = [['  ioctl', 'verdict', 'native', 'compat', 'why']];
      for (const v of pair.ioctls) {
        const why = v.reasons.slice(0, 3).map(reasonText);
        // the same layout under another number: the numbers say why
        if (v.verdict === 'renumber' && !why.length) why.push('the command number differs, the layout does not');
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
  // each distinct error once, with the ABIs it happened on
  const failures = formatFailures(report.failed, { verbose: opts.verbose === true, moreHint: '--verbose' });
  if (failures.length) out.push('', ...failures);
  return out.join('\n');
}

function reasonText(r: Reason): string {
  const where =
    r.native && r.compat ? ` (${r.native.offset}+${r.native.size} vs ${r.compat.offset}+${r.compat.size})` : '';
  return `${r.rule}${r.path ? ` ${r.path}` : ''}${where || (r.message ? `: ${r.message}` : '')}`;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
