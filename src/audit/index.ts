/** audit: a kernel tree's drivers read from their C sources and joined with compat's verdicts. */
export {
  audit,
  auditPairs,
  auditHasErrors,
  type AuditFinding,
  type AuditFindingKind,
  type AuditHook,
  type AuditLevel,
  type AuditOptions,
  type AuditReport,
} from './audit.js';
