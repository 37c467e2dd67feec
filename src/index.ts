/**
 * ioctl32: the Linux compat-ioctl system as a library. This is the public API; the modules
 * behind it (the C front end, the layout engine, the catalogue) are internal and may change.
 * The JSON shapes the reports share with the CLI are described in docs/CONTRACT.md.
 */

/** Errors: every error ioctl32 raises on bad input is an Ioctl32Error (UsageError: a usage or input mistake). */
export { Ioctl32Error, UsageError } from './errors.js';
export { CFrontError } from './cfront/token.js';
export { LayoutError } from './layout/types.js';
export { IocError } from './ioctl/ioc.js';
export { AnnotationError } from './compat/annotations.js';
export { CodegenError } from './codegen/c.js';
export { ErrnoError, ERRNO, type ErrnoName } from './thunk/errors.js';

/** ABIs: the facts of every Linux ABI (sizes, alignments, `_IOC` encoding) and the 64/32-bit compat pairs. */
export { ABIS, getAbi, compatPairs, compatPtr } from './abi/index.js';
export {
  ABI_NAMES,
  BASE_ABI_NAMES,
  TIME64_BASES,
  type Abi,
  type AbiName,
  type BaseAbiName,
  type FlavourName,
  type ScalarKey,
  type ScalarTable,
  type CTypeNames,
  type IocEncoding,
  type BitfieldRules,
} from './abi/types.js';
export { abiFacts, abisReport, type AbiFacts } from './report/abis.js';

/** Headers: which include directories an ABI reads, and the UAPI set a scan covers when no header is named. */
export {
  BUILTIN_INCLUDE_DIR,
  KERNEL_STUB_DIR,
  includeDirsFor,
  includeConfigFor,
  defaultKernelTree,
  kernelIncludeName,
  kernelTreeIncludeDirs,
  type IncludeOptions,
  type IncludeConfig,
  type KernelView,
} from './cfront/index.js';
export { UAPI_DIRS, uapiHeaders, type ScanOptions } from './scan/scan.js';

/** Command numbers: `_IOC` encoding and decoding per ABI, and the legacy ioctls' argument types. */
export { encodeIoc, decodeIoc, parseCmd, type IocDir, type IocFields, type DecodedIoc } from './ioctl/ioc.js';
export { LEGACY_IOCTLS, type LegacyAccess, type LegacyFamily, type LegacyIoctl } from './ioctl/legacy.js';
export { PREREQUISITES, type Prerequisite } from './ioctl/prerequisites.js';

/** dump: every record (layout, fields) and ioctl of the headers for one ABI (`ioctl32 dump`). */
export { dump, dumpHeaders, type DumpResult, type DumpRecord, type DumpIoctl, type Dumped } from './scan/dump.js';
/** Several ABIs' dumps in worker threads, the same bytes as one thread (IOCTL32_THREADS=1: one). */
export {
  boundHeapGrowth,
  dumpEach,
  dumpedEach,
  forEachDump,
  HEAP_GROWING_PERCENT,
  threadsFor,
  type ThreadOptions,
} from './scan/parallel.js';
export type { FlatField } from './layout/fields.js';

/** layout: records side by side on several ABIs, pahole-style (`ioctl32 layout`). */
export {
  layoutReport,
  formatLayouts,
  type LayoutReport,
  type RecordView,
  type LayoutRow,
  type LayoutCell,
} from './report/layout.js';
/** The layouts as one byte diagram, an SVG (`ioctl32 layout --svg`, the viewer's picture). */
export {
  layoutDiagrams,
  recordDiagram,
  renderSvg,
  type RecordDiagram,
  type DiagramLane,
  type DiagramBlock,
  type BlockKind,
  type BlockMark,
  type LaneInput,
  type DiagramsResult,
  type SvgOptions,
} from './report/svg.js';

/** check: a verdict (VERDICTS, in order) per ioctl and pair, reasons, action, lint findings (`ioctl32 check`). */
export {
  check,
  needsWork,
  NEEDS_WORK,
  type CheckOptions,
  type CheckReport,
  type CheckSummary,
  type PairReport,
  type IoctlVerdict,
} from './compat/check.js';
export { VERDICTS, type Verdict, type Reason, type ReasonRule, type Place } from './compat/compare.js';
export { formatCheck } from './report/check.js';

/** lint: the rules run on the argument structs of a driver's headers, with sources and fixes. */
export {
  lint,
  RULES,
  type Rule,
  type Finding,
  type Level,
  type LintInput,
  type LintSide,
  type Claim,
  type FixEdit,
} from './compat/lint.js';
export { actionOf } from './compat/action.js';

/** Annotations: what a header cannot say (user pointers in a __u64, array lengths, union selectors). */
export { parseAnnotations, loadAnnotations, type Annotations, type MemberAnnotation } from './compat/annotations.js';

/** SARIF 2.1.0 of a check report, for code scanning. */
export { toSarif, type SarifLog } from './report/sarif.js';

/** gen c: a driver's compat layer in kernel C (`ioctl32 gen c`). */
export { generateCompatC, type GenCOptions, type GeneratedC, type GeneratedIoctl } from './codegen/c.js';

/** Thunk: compiled converters of one argument between its compat and native layouts (`ioctl32 convert`). */
export {
  compileConverter,
  type Converter,
  type CompileOptions,
  type ConvertOptions,
  type Memory,
} from './thunk/compile.js';
export {
  convertArgument,
  convertIoctlArgument,
  resolveTypeName,
  type ConvertIoctlRequest,
  type ConvertRequest,
} from './thunk/convert.js';
export { ioctlThunk, thunkWays, type IoctlThunk, type ThunkWays } from './thunk/ioctl.js';
export type { CType } from './cfront/types.js';

/** decode and explain: command numbers and the kernel's compat log lines taken apart (`ioctl32 decode/explain`). */
export { decodeCommands, formatDecode, type DecodeRow } from './report/decode.js';
export {
  explain,
  explainLines,
  parseLogLine,
  formatExplanation,
  type Explanation,
  type ExplainOptions,
  type LogLine,
  type CandidateAbi,
  type NameExplanation,
  type MemberDifference,
  type KernelRemapHit,
} from './report/explain.js';
/** What the kernel's own compat path answers before a driver's .compat_ioctl (Linux 6.1, cited). */
export { KERNEL_REMAPS, kernelRemapsFor, kernelRemapNumber, type KernelRemap } from './ioctl/kernel-remaps.js';
export {
  ioctlNames,
  ioctlNamesFor,
  indexHeaderTrees,
  namesFromDump,
  IoctlNames,
  type NamesWanted,
  type UnevaluatedName,
} from './scan/names.js';
/** The results cache between runs (off unless turned on; the CLI turns it on, --no-cache off). */
export { cachedResult, setResultCache } from './scan/cache.js';
export { cacheRoot } from './cache-root.cjs';

/** Kernel model: the compat ioctl path of fs/ioctl.c, tasks of both personalities, and model drivers. */
export {
  Kernel,
  Task,
  KFile,
  UserMemory,
  Ioctl32Registry,
  compatPtrIoctl,
  PAGE_SIZE,
  type KernelOptions,
  type Device,
  type FileOperations,
  type FileKind,
  type RegularFileState,
  type Fd,
  type Ioctl32Handler,
} from './kernel/kernel.js';
export { installKvm, kvmConfig } from './kernel/kvm.js';
export { blockDevice, type Gendisk } from './kernel/block.js';
export { installLoop } from './kernel/loop.js';
export { installPty } from './kernel/pty.js';
export { installInet, type InetAddress, type NetDevice, type InetSockets } from './kernel/net.js';
export { installRandom, type EntropyPool } from './kernel/random.js';

/** audit: a kernel tree's drivers read from their C sources, joined with the verdicts (`ioctl32 audit`). */
export {
  audit,
  auditPairs,
  auditHasErrors,
  type AuditReport,
  type AuditFinding,
  type AuditFindingKind,
  type AuditHook,
  type AuditLevel,
  type AuditOptions,
} from './audit/index.js';
export { formatAudit } from './report/audit.js';

/** serve: the local web viewer over the library (`ioctl32 serve`). */
export { serve, Viewer, type ServeOptions, type ViewerOptions } from './web/server.js';
