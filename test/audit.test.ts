/**
 * `ioctl32 audit`: made-up drivers (test/fixtures/audit, each line that must be reported marked
 * `/* expect: KIND *\/`) and the kernel's own: Debian's linux-source-6.1, a fixed list of driver
 * files extracted from the tarball, compiled against Debian's linux-headers-6.1 build tree (the
 * amd64 one and, through its Makefile, -common: the same 6.1 sources as kbuild would build them
 * with; the tarball's include/ is not extracted). The real cases are those of issue 16, each read
 * in the driver: capi_compat_ioctl compares cmd with the native CAPI_MANUFACTURER_CMD; mtdchar's
 * compat handler passes MEMREAD's i386 number on to mtdchar_ioctl, whose case has the native one;
 * usbtmc sets compat_ptr_ioctl over USBTMC_IOCTL_{CTRL_REQUEST,WRITE,READ}, whose structs hold a
 * pointer; loop converts LOOP_GET_STATUS in lo_compat_ioctl and must not be reported;
 * btrfs_compat_ioctl (fs/btrfs/ioctl.c) passes every number but FS_IOC32_GETVERSION on to
 * btrfs_ioctl, which has `*_32` cases for SEND, SET_RECEIVED_SUBVOL and ENCODED_READ/WRITE only:
 * DEV_REPLACE and GET_SUBVOL_INFO (sizes differ) reach no case, the *_V2 ioctls'
 * btrfs_ioctl_vol_args_v2 holds a pointer read as 8 bytes; tun_chr_compat_ioctl passes
 * TUNATTACHFILTER/TUNDETACHFILTER/TUNGETFILTER (struct sock_fprog, 16 bytes natively, 8 on
 * i386) on unconverted to __tun_chr_ioctl, whose switch answers the i386 numbers with EINVAL.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { getAbi } from '../src/abi/index.js';
import { audit, auditHasErrors, type AuditReport } from '../src/audit/index.js';
import { defaultKernelTree } from '../src/cfront/kernel-tree.js';
import { UsageError } from '../src/errors.js';
import { formatAudit } from '../src/report/audit.js';
import { Preprocessor } from '../src/cfront/preprocess.js';
import { linuxSourceFiles, linuxSourceTarball } from './harness/linux-source.js';

const native = getAbi('x86_64');
const compat = getAbi('i386');
const FIXTURES = fileURLToPath(new URL('./fixtures/audit', import.meta.url));

/** Debian's linux-headers build tree for amd64 (scripts/install-toolchains.sh installs it). */
function buildTree(): string {
  const tree = defaultKernelTree(native);
  if (tree === null) throw new Error('no /usr/src/linux-headers-*-amd64: install linux-headers-amd64');
  return tree;
}

/** The `/* expect: KIND *\/` marks of a fixture: `KIND line`. */
function expected(rel: string): string[] {
  const lines = readFileSync(join(FIXTURES, rel), 'utf8').split('\n');
  return lines.flatMap((l, i) => [...l.matchAll(/expect: ([a-z-]+)/g)].map((m) => `${m[1]} ${i + 1}`));
}

function found(report: AuditReport, rel: string): string[] {
  return report.findings.filter((f) => f.file === rel).map((f) => `${f.kind} ${f.line}`);
}

/** The 1-based line of the first line of `text` that contains `needle`. */
function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`no line with ${needle}`);
  return i + 1;
}

describe('audit of made-up drivers', () => {
  const report = audit({ tree: FIXTURES, paths: ['drivers/misc'], build: buildTree(), native, compat });
  const files = [
    'drivers/misc/ptr_passthrough.c',
    'drivers/misc/converting.c',
    'drivers/misc/dead_compat.c',
    'drivers/misc/no_compat.c',
    'drivers/misc/dynamic.c',
    'drivers/misc/huge_body.c',
  ];

  test('every file is read, every label evaluated', () => {
    expect(report.files).toEqual({ read: files.length, failed: {} });
    expect(report.hooks.map((h) => `${h.ops} ${h.compat}`).sort()).toEqual([
      'cv_fops cv_compat_ioctl',
      'dc_fops dc_compat_ioctl',
      'dy_fops dy_compat_ioctl',
      'hb_fops compat_ptr_ioctl',
      'nc_fops none',
      'pt_fops compat_ptr_ioctl',
    ]);
    expect(report.labels).toBeGreaterThan(0);
    expect(report.evaluated).toBe(report.labels);
  });

  test.each(files)('%s: the marked findings, and no others', (rel) => {
    expect(found(report, rel).sort()).toEqual(expected(rel).sort());
  });

  test('what the findings say', () => {
    const by = (kind: string, file: string) => report.findings.find((f) => f.kind === kind && f.file.endsWith(file))!;
    const unconverted = by('unconverted', 'ptr_passthrough.c');
    expect(unconverted).toMatchObject({ ioctl: 'LOOP_GET_STATUS', level: 'error', hook: 'compat_ptr_ioctl' });
    expect(unconverted.evidence).toContain('x86_64 0x00004c03, i386 0x00004c03, argument struct loop_info');
    const unreachable = by('unreachable', 'ptr_passthrough.c');
    // struct mtd_read_req: 64 bytes natively, 60 on i386 (five __u64 4-aligned there)
    expect(unreachable).toMatchObject({ ioctl: 'MEMREAD', level: 'error' });
    expect(unreachable.evidence).toContain('x86_64 0xc0404d1a (size 64), i386 0xc03c4d1a (size 60)');
    const dead = by('dead-compat-code', 'dead_compat.c');
    expect(dead).toMatchObject({ ioctl: 'MEMREAD', level: 'error' });
    expect(dead.fix).toContain('0xc03c4d1a');
    expect(by('unknown', 'dynamic.c')).toMatchObject({ level: 'note', ioctl: 'MEMREAD' });
    expect(by('unknown', 'dynamic.c').message).toContain('ops->ioctl');
    expect(by('no-compat-hook', 'no_compat.c')).toMatchObject({ level: 'note', ioctl: 'MEMGETINFO' });
    expect(auditHasErrors(report)).toBe(true);
    expect(formatAudit(report)).toContain('drivers/misc/dead_compat.c:21: error: dead-compat-code: MEMREAD:');
  });

  test('a converting handler alone: no error', () => {
    const one = audit({ tree: FIXTURES, paths: ['drivers/misc/converting.c'], build: buildTree(), native, compat });
    expect(one.findings).toEqual([]);
    expect(auditHasErrors(one)).toBe(false);
  });

  test('text is kept unexpanded, expansions on demand are bounded one by one', () => {
    const source = [
      '#define HB1(x) ((x) + (x) + (x) + (x))',
      '#define HB2(x) HB1(HB1(HB1(x)))',
      '#define HUGE(x) HB2(HB2(HB2(HB1(x))))',
      '#define SMALL(x) HB1(x)',
      'HUGE(v) SMALL(w)',
    ].join('\n');
    const expanding = new Preprocessor({ abi: native, includeDirs: [] });
    expect(() => expanding.preprocessSource(source)).toThrow(/exceeds 1000000 tokens/);
    const pp = new Preprocessor({ abi: native, includeDirs: [], keepText: true });
    const raw = pp.preprocessSource(source);
    expect(raw.map((t) => t.text).join(' ')).toBe('HUGE ( v ) SMALL ( w )');
    expect(pp.expand(raw.slice(4), undefined, 1000).filter((t) => t.text === 'w')).toHaveLength(4);
    expect(() => pp.expand(raw.slice(0, 4), undefined, 1000)).toThrow(/exceeds 1000 tokens/);
  });

  test('a path that is not a kernel tree, or not in it', () => {
    const build = buildTree();
    expect(() => audit({ tree: '/nonexistent', build, native, compat })).toThrow(UsageError);
    expect(() => audit({ tree: join(FIXTURES, 'drivers/misc'), build, native, compat })).toThrow(/not a kernel tree/);
    expect(() => audit({ tree: FIXTURES, paths: ['../..'], build, native, compat })).toThrow(/outside the kernel tree/);
    // a sibling whose name starts with the tree's is outside it too
    expect(() => audit({ tree: FIXTURES, paths: [`${FIXTURES}-x`], build, native, compat })).toThrow(/outside/);
    expect(() => audit({ tree: FIXTURES, build: FIXTURES, native, compat })).toThrow(/autoconf\.h/);
  });
});

/** Driver files of linux-source-6.1 the audit reads, with what they include by "...". */
const REAL_FILES = [
  'drivers/isdn/capi/capi.c',
  'drivers/isdn/capi/kcapi.h',
  'drivers/mtd/mtdchar.c',
  'drivers/mtd/mtdcore.h',
  'drivers/usb/class/usbtmc.c',
  'drivers/block/loop.c',
  'drivers/net/tun.c',
  ...[
    'file.c',
    'ioctl.c',
    ...['async-thread', 'backref', 'block-group', 'block-rsv', 'btrfs_inode', 'compression', 'ctree'],
    ...['delalloc-space', 'delayed-inode', 'delayed-ref', 'dev-replace', 'disk-io', 'export', 'extent-io-tree'],
    ...['extent_io', 'extent_map', 'free-space-cache', 'locking', 'ordered-data', 'print-tree', 'props'],
    ...['qgroup', 'rcu-string', 'reflink', 'send', 'space-info', 'subpage', 'sysfs', 'transaction', 'tree-log'],
    ...['ulist', 'volumes'],
  ].map((f) => `fs/btrfs/${f.endsWith('.c') ? f : `${f}.h`}`),
];

describe('audit of linux-source-6.1 drivers', () => {
  const tarball = linuxSourceTarball();
  if (tarball === null) {
    test('the tarball is installed', () => {
      throw new Error('no /usr/src/linux-source-*.tar.xz: install linux-source-6.1');
    });
    return;
  }
  const { root, files } = linuxSourceFiles(tarball, REAL_FILES);
  // ioctl.c has no ops structure: it is read for btrfs_ioctl, which file.c's names
  const paths = REAL_FILES.filter((f) => f.endsWith('.c'));
  const report = audit({ tree: root, paths, build: buildTree(), native, compat });
  const errors = report.findings.filter((f) => f.level === 'error').map((f) => `${f.kind} ${f.ioctl} ${f.file}`);

  test('every file read, the hooks found, every label evaluated', () => {
    expect(report.files).toEqual({ read: 7, failed: {} });
    const hooks = report.hooks.map((h) => `${h.file} ${h.struct} ${h.ops} ${h.native} ${h.compat}`);
    expect(hooks).toEqual(
      expect.arrayContaining([
        'drivers/isdn/capi/capi.c file_operations capi_fops capi_unlocked_ioctl capi_compat_ioctl',
        'drivers/mtd/mtdchar.c file_operations mtd_fops mtdchar_unlocked_ioctl mtdchar_compat_ioctl',
        'drivers/usb/class/usbtmc.c file_operations fops usbtmc_ioctl compat_ptr_ioctl',
        'drivers/block/loop.c block_device_operations lo_fops lo_ioctl lo_compat_ioctl',
        'drivers/block/loop.c file_operations loop_ctl_fops loop_control_ioctl loop_control_ioctl',
        'drivers/net/tun.c file_operations tun_fops tun_chr_ioctl tun_chr_compat_ioctl',
        'fs/btrfs/file.c file_operations btrfs_file_operations btrfs_ioctl btrfs_compat_ioctl',
      ]),
    );
    expect(report.evaluated).toBe(report.labels);
    expect(report.labels).toBeGreaterThan(200);
  });

  test('CAPI_MANUFACTURER_CMD: capi_compat_ioctl compares the native number (dead compat code)', () => {
    const capi = files.get('drivers/isdn/capi/capi.c')!;
    const dead = report.findings.find((f) => f.kind === 'dead-compat-code' && f.ioctl === 'CAPI_MANUFACTURER_CMD');
    expect(dead).toMatchObject({
      file: 'drivers/isdn/capi/capi.c',
      line: lineOf(capi, 'if (cmd == CAPI_MANUFACTURER_CMD)'),
    });
    // struct capi_manufacturer_cmd { unsigned long cmd; __u8 *data; }: 16 bytes natively, 8 on i386
    expect(dead!.evidence).toContain('x86_64 0xc0104320 (size 16), i386 0xc0084320 (size 8)');
    expect(errors).toContain('unreachable CAPI_MANUFACTURER_CMD drivers/isdn/capi/capi.c');
  });

  test('MEMREAD: mtdchar_compat_ioctl passes the i386 number to mtdchar_ioctl, which has no case for it', () => {
    const mtd = files.get('drivers/mtd/mtdchar.c')!;
    const f = report.findings.find((x) => x.ioctl === 'MEMREAD');
    expect(f).toMatchObject({ kind: 'unreachable', file: 'drivers/mtd/mtdchar.c', line: lineOf(mtd, 'case MEMREAD:') });
  });

  test('USBTMC_IOCTL_*: compat_ptr_ioctl over structs holding a pointer', () => {
    for (const name of ['USBTMC_IOCTL_CTRL_REQUEST', 'USBTMC_IOCTL_WRITE', 'USBTMC_IOCTL_READ']) {
      expect(errors).toContain(`unreachable ${name} drivers/usb/class/usbtmc.c`);
    }
  });

  test('BTRFS_IOC_DEV_REPLACE, GET_SUBVOL_INFO: btrfs_compat_ioctl passes the i386 numbers on', () => {
    const ioctl = files.get('fs/btrfs/ioctl.c')!;
    const f = report.findings.find((x) => x.ioctl === 'BTRFS_IOC_DEV_REPLACE')!;
    expect(f).toMatchObject({ kind: 'unreachable', line: lineOf(ioctl, 'case BTRFS_IOC_DEV_REPLACE:') });
    // struct btrfs_ioctl_dev_replace_args: 2600 bytes natively, 2596 on i386 (its __u64s 4-aligned there)
    expect(f.evidence).toContain('x86_64 0xca289435 (size 2600), i386 0xca249435 (size 2596)');
    const info = report.findings.find((x) => x.ioctl === 'BTRFS_IOC_GET_SUBVOL_INFO')!;
    expect(info.evidence).toContain('(size 504), i386 0x81e8943c (size 488)');
    // the *_32 cases of btrfs_ioctl convert SEND and SET_RECEIVED_SUBVOL: not reported
    expect(report.findings.map((x) => x.ioctl)).not.toContain('BTRFS_IOC_SEND');
    expect(report.findings.map((x) => x.ioctl)).not.toContain('BTRFS_IOC_SET_RECEIVED_SUBVOL');
    const v2 = report.findings.find((x) => x.ioctl === 'BTRFS_IOC_SNAP_CREATE_V2')!;
    expect(v2.kind).toBe('unconverted');
    expect(v2.evidence).toContain('pointer qgroup_inherit: offset 32 size 8 vs offset 32 size 4');
  });

  test('TUNATTACHFILTER: tun_chr_compat_ioctl does not convert struct sock_fprog', () => {
    const tun = files.get('drivers/net/tun.c')!;
    const f = report.findings.find((x) => x.ioctl === 'TUNATTACHFILTER')!;
    expect(f).toMatchObject({ kind: 'unreachable', line: lineOf(tun, 'case TUNATTACHFILTER:') });
    expect(f.evidence).toContain('x86_64 0x401054d5 (size 16), i386 0x400854d5 (size 8)');
    // TUNSETIFF's int argument: the same number and layout, passed through rightly
    expect(report.findings.map((x) => x.ioctl)).not.toContain('TUNSETIFF');
  });

  test('the errors are those, and nothing of loop.c (LOOP_GET_STATUS is converted in lo_compat_ioctl)', () => {
    expect(errors.sort()).toEqual(
      [
        'unconverted BTRFS_IOC_RM_DEV_V2 fs/btrfs/ioctl.c',
        'unconverted BTRFS_IOC_SNAP_CREATE_V2 fs/btrfs/ioctl.c',
        'unconverted BTRFS_IOC_SNAP_DESTROY_V2 fs/btrfs/ioctl.c',
        'unconverted BTRFS_IOC_SUBVOL_CREATE_V2 fs/btrfs/ioctl.c',
        'unreachable BTRFS_IOC_DEV_REPLACE fs/btrfs/ioctl.c',
        'unreachable BTRFS_IOC_GET_SUBVOL_INFO fs/btrfs/ioctl.c',
        'unreachable TUNATTACHFILTER drivers/net/tun.c',
        'unreachable TUNDETACHFILTER drivers/net/tun.c',
        'unreachable TUNGETFILTER drivers/net/tun.c',
        'dead-compat-code CAPI_MANUFACTURER_CMD drivers/isdn/capi/capi.c',
        'unreachable CAPI_MANUFACTURER_CMD drivers/isdn/capi/capi.c',
        'unreachable MEMREAD drivers/mtd/mtdchar.c',
        'unreachable USBTMC_IOCTL_CTRL_REQUEST drivers/usb/class/usbtmc.c',
        'unreachable USBTMC_IOCTL_READ drivers/usb/class/usbtmc.c',
        'unreachable USBTMC_IOCTL_WRITE drivers/usb/class/usbtmc.c',
      ].sort(),
    );
    expect(report.findings.filter((f) => f.file === 'drivers/block/loop.c')).toEqual([]);
    // identical layouts passed through rightly: USBTMC_IOCTL_CLEAR, MEMGETINFO are handled and not reported
    expect(report.findings.map((f) => f.ioctl)).not.toContain('MEMGETINFO');
    expect(report.findings.map((f) => f.ioctl)).not.toContain('USBTMC_IOCTL_CLEAR');
    const loop = report.hooks.find((h) => h.ops === 'lo_fops')!;
    expect(loop.joined).toBeGreaterThanOrEqual(10);
  });
});
