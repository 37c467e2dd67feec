/** SARIF 2.1.0 for GitHub code scanning: lint findings and the ioctls that need compat work. */
import { assertCheckReport, NEEDS_WORK, type CheckReport } from '../compat/check.js';
import { RULES } from '../compat/lint.js';

const VERDICT_RULES = [
  {
    id: 'compat-renumber',
    level: 'warning',
    summary: 'the layout is the same but the compat command number differs: the handler must map it',
  },
  {
    id: 'compat-convert',
    level: 'warning',
    summary: 'the argument is laid out differently for 32-bit tasks: a .compat_ioctl handler must convert it',
  },
  {
    id: 'compat-pointer-inside',
    level: 'warning',
    summary: 'the argument stores a pointer or long: the value needs compat_ptr() or widening',
  },
  { id: 'compat-unknown', level: 'note', summary: 'the argument type could not be resolved on both ABIs' },
] as const;

/** The SARIF log as JSON (its full schema is in test/fixtures/sarif-2.1.0.schema.json). */
export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: Array<{ tool: { driver: Record<string, unknown> }; results: Array<Record<string, unknown>> }>;
}

/** One run of ioctl32 as a SARIF log: its rules and results, and what else the run says (its base URIs). */
export function sarifLog(
  version: string,
  rules: ReadonlyArray<Record<string, unknown>>,
  results: Array<Record<string, unknown>>,
  more: Record<string, unknown> = {},
): SarifLog {
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: { name: 'ioctl32', informationUri: 'https://docs.kernel.org/driver-api/ioctl.html', version, rules },
        },
        results,
        ...more,
      },
    ],
  };
}

export function toSarif(report: CheckReport, version: string): SarifLog {
  assertCheckReport(report, 'toSarif');
  const rules = [
    ...Object.values(RULES).map((r) => ({
      id: r.id,
      shortDescription: { text: r.summary },
      fullDescription: { text: `${r.summary} (${r.source})` },
      helpUri: r.helpUri,
      defaultConfiguration: { level: r.level },
    })),
    ...VERDICT_RULES.map((r) => ({
      id: r.id,
      shortDescription: { text: r.summary },
      helpUri: 'https://docs.kernel.org/driver-api/ioctl.html#bit-compat-mode',
      defaultConfiguration: { level: r.level },
    })),
  ];
  const location = (file: string, line: number, column: number) => ({
    physicalLocation: {
      artifactLocation: { uri: file },
      region: { startLine: Math.max(1, line), startColumn: Math.max(1, column) },
    },
  });
  const results = report.findings.map((f) => ({
    ruleId: f.rule,
    level: f.level,
    message: { text: `${f.message}. Fix: ${f.fix}.` },
    locations: [location(f.file, f.line, f.column)],
  }));
  for (const pair of report.pairs) {
    for (const v of pair.ioctls) {
      if (!NEEDS_WORK.has(v.verdict)) continue;
      const rule = `compat-${v.verdict}`;
      const why = v.reasons
        .slice(0, 3)
        .map((r) => `${r.rule}${r.path ? ` ${r.path}` : ''}`)
        .join(', ');
      results.push({
        ruleId: rule,
        level: v.verdict === 'unknown' ? 'note' : 'warning',
        message: {
          text:
            `${v.name} (${pair.native} <- ${pair.compat}): ${v.verdict}${why ? ` (${why})` : ''}. ` +
            `Handler: ${v.action}.`,
        },
        // the macro's #define (a legacy number without one: the top of the header)
        locations: [location(v.header, v.line ?? 1, v.column ?? 1)],
      });
    }
  }
  return sarifLog(version, rules, results);
}
