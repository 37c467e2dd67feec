/** `ioctl32 audit` as text: one block per finding, compiler style, then what was read. */
import type { AuditReport } from '../audit/audit.js';

export function formatAudit(report: AuditReport, opts: { verbose?: boolean } = {}): string {
  const lines: string[] = [];
  for (const f of report.findings) {
    lines.push(`${f.file}:${f.line}: ${f.level}: ${f.kind}: ${f.ioctl}: ${f.message}`);
    lines.push(`  ${f.ops}, compat hook ${f.hook}`);
    lines.push(`  evidence: ${f.evidence}`);
    lines.push(`  fix: ${f.fix}`);
  }
  const count = (level: string) => report.findings.filter((f) => f.level === level).length;
  const failed = Object.keys(report.files.failed).length;
  lines.push(
    `${report.native} <- ${report.compat}: ${report.files.read} files read` +
      (failed ? ` (${failed} failed)` : '') +
      `, ${report.hooks.length} ops structures, ${report.handlers} handlers, ` +
      `${report.evaluated}/${report.labels} labels evaluated; ` +
      `${count('error')} errors, ${count('warning')} warnings, ${count('note')} notes`,
  );
  if (opts.verbose) {
    for (const h of report.hooks) {
      lines.push(
        `  ${h.file}:${h.line}: ${h.struct} ${h.ops}: ${h.native}, compat ${h.compat}; ` +
          `${h.nativeLabels} commands, ${h.joined} in the catalogue`,
      );
    }
    for (const [file, why] of Object.entries(report.files.failed)) lines.push(`  not read: ${file}: ${why}`);
    for (const [header, why] of Object.entries(report.headersFailed))
      lines.push(`  header not read: ${header}: ${why}`);
  }
  return lines.join('\n');
}
