/** `ioctl32 audit` as text: one block per finding, compiler style, then what was read. */
import { pathToFileURL } from 'node:url';
import { undispatchedHooks, type AuditFindingKind, type AuditReport } from '../audit/audit.js';
import { sarifLog, type SarifLog } from './sarif.js';

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
  const notBuilt = Object.keys(report.files.notBuilt ?? {}).length;
  lines.push(
    `${report.native} <- ${report.compat}: ${report.files.read} files read` +
      (failed ? ` (${failed} failed)` : '') +
      (notBuilt ? `, ${notBuilt} not built in this configuration` : '') +
      `, ${report.hooks.length} ops structures, ${report.handlers} handlers, ` +
      `${report.evaluated}/${report.labels} labels evaluated; ` +
      `${count('error')} errors, ${count('warning')} warnings, ${count('note')} notes`,
  );
  const notJoined = report.hooks.reduce((n, h) => n + h.nativeLabels - h.joined, 0);
  if (notJoined) {
    lines.push(
      `  ${notJoined} command(s) the handlers dispatch are not in the catalogue (not defined in a UAPI header ` +
        'read, or their number has no value there): not judged',
    );
  }
  // handlers whose commands no case label shows: said, so that none passes for a clean one
  const undispatched = undispatchedHooks(report);
  if (undispatched.length) {
    lines.push(
      `  ${undispatched.length} ops structure(s) whose native handler dispatches no case this audit reads (a table, ` +
        `_IOC_NR(cmd)): their ioctls are not judged: ${undispatched.map((h) => `${h.ops} (${h.native})`).join(', ')}`,
    );
  }
  if (!opts.verbose) {
    // the first of what could not be read, so that nothing fails unseen
    const first = (what: string, entries: Array<[string, string]>) => {
      if (!entries.length) return;
      const [name, why] = entries[0]!;
      const more = entries.length > 1 ? ` (and ${entries.length - 1} more: --verbose lists them)` : '';
      lines.push(`  ${what}: ${located(name, why)}${more}`);
    };
    first('not read', Object.entries(report.files.failed));
    first('header not read', Object.entries(report.headersFailed));
  } else {
    for (const h of report.hooks) {
      lines.push(
        `  ${h.file}:${h.line}: ${h.struct} ${h.ops}: ${h.native}, compat ${h.compat}; ` +
          `${h.nativeLabels} commands, ${h.joined} in the catalogue`,
      );
    }
    for (const [file, why] of Object.entries(report.files.failed)) lines.push(`  not read: ${file}: ${why}`);
    for (const [file, why] of Object.entries(report.files.notBuilt ?? {})) lines.push(`  not built: ${file}: ${why}`);
    for (const [header, why] of Object.entries(report.headersFailed))
      lines.push(`  header not read: ${located(header, why)}`);
  }
  return lines.join('\n');
}

/** A file's error, with the file's name once (an error located in it starts with it). */
const located = (name: string, why: string) => (why.startsWith(`${name}:`) ? why : `${name}: ${why}`);

/** One SARIF rule per finding kind: what it means, in a sentence. */
const AUDIT_RULES: Record<AuditFindingKind, string> = {
  unconverted: 'a compat task reaches the native case with an argument laid out differently: it reads wrong bytes',
  unreachable: "a compat task's command number reaches no case: the ioctl answers ENOTTY or EINVAL to it",
  'dead-compat-code': 'the compat handler compares a number no compat task sends: its conversion never runs',
  'compat-struct-differs':
    "a hand-written compat struct's members sit elsewhere than in the compat ABI's layout of the UAPI struct",
  'no-compat-hook': 'the ops structure has no compat hook: compat tasks reach none of its ioctls',
  'compat-refused': 'the compat hook answers an error to every command: compat tasks are refused by design',
  'tail-only': 'the layouts differ only where a dispatcher that copies by size tolerates it: a note',
  unknown: "where a compat task's command goes could not be read",
};

/** The audit as SARIF 2.1.0 (the shape of toSarif's for check): each finding at its file:line in the tree. */
export function auditToSarif(report: AuditReport, version: string): SarifLog {
  const kinds = Object.keys(AUDIT_RULES) as AuditFindingKind[];
  const level = (k: AuditFindingKind) => report.findings.find((f) => f.kind === k)?.level;
  const rules = kinds.map((k) => ({
    id: `audit-${k}`,
    shortDescription: { text: AUDIT_RULES[k] },
    helpUri: 'https://docs.kernel.org/driver-api/ioctl.html#bit-compat-mode',
    defaultConfiguration: {
      level: level(k) ?? (k === 'unknown' || k === 'no-compat-hook' || k === 'tail-only' ? 'note' : 'error'),
    },
  }));
  const results = report.findings.map((f) => ({
    ruleId: `audit-${f.kind}`,
    level: f.level,
    message: { text: `${f.ioctl}: ${f.message}. Evidence: ${f.evidence}. Fix: ${f.fix}.` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: f.file, uriBaseId: 'KERNEL_TREE' },
          region: { startLine: Math.max(1, f.line) },
        },
      },
    ],
  }));
  return sarifLog(version, rules, results, {
    originalUriBaseIds: { KERNEL_TREE: { uri: pathToFileURL(`${report.tree}/`).href } },
  });
}
