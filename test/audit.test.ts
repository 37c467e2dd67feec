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
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { getAbi } from '../src/abi/index.js';
import { audit, auditHasErrors, auditPairs, type AuditReport } from '../src/audit/index.js';
import { auditReadNothing, undispatchedHooks } from '../src/audit/audit.js';
import { autoconfOf } from '../src/audit/unit.js';
import { defaultKernelTree } from '../src/cfront/kernel-tree.js';
import { UsageError } from '../src/errors.js';
import { formatAudit } from '../src/report/audit.js';
import { Preprocessor } from '../src/cfront/preprocess.js';
import {
  BTRFS_AUDIT_FILES,
  KERNEL_SOURCE_HEADERS,
  linuxSourceFiles,
  linuxSourceTarball,
} from './harness/linux-source.js';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { compareFields, type CompatStruct } from '../src/audit/compat-structs.js';
import { auditToSarif } from '../src/report/audit.js';
import { buildModule, kernelBuildDir } from './harness/kbuild.js';
import { inDependencyOrder, recordDefinitions } from './harness/linux-source.js';

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
    'drivers/misc/cond_lock.c',
    // `cmd = MEMREADOOB` after comparing the compat number: the native comparison after it is live
    'drivers/misc/rewrite.c',
    // a line discipline without compat_ioctl: tty_compat_ioctl passes the command unchanged to its ioctl
    'drivers/misc/ldisc.c',
    // a call through a local pointer named `ioctl` does not reach static_b.c's static ioctl()
    'drivers/misc/static_a.c',
    'drivers/misc/static_b.c',
    // `cmd >= A && cmd <= B`: the compat handler's own code serves the range
    'drivers/misc/ranged.c',
    // nr_helper's MEMREAD case: nr_ioctl calls it for MEMGETINFO only, so no task's MEMREAD reaches it
    'drivers/misc/narrow.c',
    // hwdep ops assigned at run time (`hw->ops.ioctl = rt_ioctl;`), the native handler as compat hook
    'drivers/misc/runtime_hooks.c',
    // arrays of file_operations: each element's hooks (sound/core/pcm_native.c's snd_pcm_f_ops[2])
    'drivers/misc/ops_array.c',
    // FIONREAD without a compat hook: do_vfs_ioctl() hands it to .unlocked_ioctl (fs/pipe.c)
    'drivers/misc/fionread.c',
  ];

  test('every file is read, every label evaluated', () => {
    expect(report.files).toEqual({ read: files.length, failed: {} });
    expect(report.hooks.map((h) => `${h.ops} ${h.compat}`).sort()).toEqual([
      'cl_fops compat_ptr_ioctl',
      'cv_fops cv_compat_ioctl',
      'dc_fops dc_compat_ioctl',
      'dy_fops dy_compat_ioctl',
      'fr_fops none',
      'fr_pipe_fops none',
      'hb_fops compat_ptr_ioctl',
      'ld_ops none',
      'nc_fops none',
      'nr_fops compat_ptr_ioctl',
      'oa_fops[0] compat_ptr_ioctl',
      'oa_fops[1] none',
      'oa_more_fops[OA_WRITE] compat_ptr_ioctl',
      'pt_fops compat_ptr_ioctl',
      'rg_fops rg_compat_ioctl',
      'rt_new: hw->ops rt_ioctl',
      'rw_fops rw_compat_ioctl',
      'sa_fops compat_ptr_ioctl',
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
    // struct mtd_oob_buf holds a pointer: 16 bytes natively, 12 on i386 and on x32
    const dead = by('dead-compat-code', 'dead_compat.c');
    expect(dead).toMatchObject({ ioctl: 'MEMREADOOB', level: 'error' });
    expect(dead.fix).toContain('0xc00c4d04');
    expect(dead.message).toContain('nor does any other compat task of x86_64 (i386+t64, x32)');
    expect(by('unknown', 'dynamic.c')).toMatchObject({ level: 'note', ioctl: 'MEMREAD' });
    expect(by('unknown', 'dynamic.c').message).toContain('ops->ioctl');
    expect(by('no-compat-hook', 'no_compat.c')).toMatchObject({ level: 'note', ioctl: 'MEMGETINFO' });
    expect(by('no-compat-hook', 'fionread.c')).toMatchObject({ level: 'note', ioctl: 'MEMGETINFO' });
    expect(auditHasErrors(report)).toBe(true);
    expect(formatAudit(report)).toContain('drivers/misc/dead_compat.c:23: error: dead-compat-code: MEMREADOOB:');
  });

  test("what the configuration does not build is not read (the directory's Makefile, a composite's part)", () => {
    const r = audit({ tree: FIXTURES, paths: ['drivers/kbuild'], build: buildTree(), native, compat });
    expect(r.files.read).toBe(1);
    expect(r.hooks.map((h) => h.ops)).toEqual(['built_fops']);
    expect(found(r, 'drivers/kbuild/built.c')).toEqual(expected('drivers/kbuild/built.c'));
    expect(r.files.notBuilt).toEqual({
      'drivers/kbuild/unbuilt.c':
        'drivers/kbuild/Makefile obj-$(CONFIG_IOCTL32_NEVER): CONFIG_IOCTL32_NEVER is not set',
      'drivers/kbuild/part.c':
        'part of composite.o, drivers/kbuild/Makefile obj-$(CONFIG_IOCTL32_NEVER): CONFIG_IOCTL32_NEVER is not set',
    });
    expect(formatAudit(r)).toContain('1 files read, 2 not built in this configuration');
    // another architecture's directory, and one only another architecture's Makefile adds
    const other = audit({
      tree: FIXTURES,
      paths: ['arch', 'drivers/s390', 'tools'],
      build: buildTree(),
      native,
      compat,
    });
    expect(other.files.read).toBe(0);
    expect(other.files.notBuilt).toEqual({
      'tools/usb/tool.c': 'the top Kbuild does not descend into tools/',
      'arch/arm64/kernel/other_arch.c': 'Kbuild obj-y += arch/$(SRCARCH)/: SRCARCH is x86',
      'drivers/s390/other_arch.c': 'only arch/s390/Makefile adds drivers/s390/: SRCARCH is x86',
    });
    // nothing built is nothing judged: no clean audit (the CLI exits 2 and says why)
    expect(auditReadNothing(other)).toBe(
      `no file of ${FIXTURES} that sets an ioctl hook is built for x86_64 in this configuration: ` +
        'arch/arm64/kernel/other_arch.c: Kbuild obj-y += arch/$(SRCARCH)/: SRCARCH is x86 ' +
        '(and 2 more: --verbose lists them)',
    );
    expect(auditReadNothing(r)).toBeNull();
    const cli = spawnSync('node', ['dist/cli/main.cjs', 'audit', FIXTURES, 'tools'], { encoding: 'utf8' });
    expect(cli.status).toBe(2);
    expect(cli.stderr).toContain('tools/usb/tool.c: the top Kbuild does not descend into tools/');
  });

  test('no file under the paths sets an ioctl hook: nothing judged, no clean audit', () => {
    const tree = mkdtempSync(join(tmpdir(), 'ioctl32-no-hook-'));
    cpSync(FIXTURES, tree, { recursive: true });
    mkdirSync(join(tree, 'drivers/plain'));
    writeFileSync(join(tree, 'drivers/plain/plain.c'), 'static int plain(void) { return 0; }\n');
    const r = audit({ tree, paths: ['drivers/plain'], build: buildTree(), native, compat });
    expect(r.files).toEqual({ read: 0, failed: {} });
    expect(auditReadNothing(r)).toMatch(
      /under the paths given sets an ioctl hook \(\.unlocked_ioctl, .*nothing to audit$/,
    );
    const cli = spawnSync('node', ['dist/cli/main.cjs', 'audit', tree, 'drivers/plain'], { encoding: 'utf8' });
    expect(cli.status).toBe(2);
    expect(cli.stderr).toContain('sets an ioctl hook');
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
  // timer.c #includes timer_compat.c: one unit, whose compat handler is the included file's
  'sound/core/timer.c',
  'sound/core/timer_compat.c',
  'sound/core/control.c',
  'sound/core/control_compat.c',
  'sound/core/oss/pcm_oss.c',
  'sound/core/oss/pcm_plugin.h',
  ...BTRFS_AUDIT_FILES,
  // KVM: hooks set by KVM_COMPAT(); x86.c's kvm_arch_vm_compat_ioctl over kvm_main.c's __weak one
  'virt/kvm/kvm_main.c',
  'virt/kvm/kvm_mm.h',
  'virt/kvm/async_pf.h',
  'virt/kvm/vfio.h',
  'virt/kvm/coalesced_mmio.h',
  'arch/x86/kvm/x86.c',
  'arch/x86/kvm/',
  ...KERNEL_SOURCE_HEADERS,
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
  const timer = files.get('sound/core/timer_compat.c')!;
  const report = audit({ tree: root, paths, build: buildTree(), native, compat });
  const errors = report.findings.filter((f) => f.level === 'error').map((f) => `${f.kind} ${f.ioctl} ${f.file}`);

  test('every file read, the hooks found, every label evaluated', () => {
    // timer_compat.c is read within timer.c, which #includes it
    expect(report.files).toEqual({ read: 12, failed: {} });
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

  test('KVM: KVM_COMPAT() sets the hooks; kvm_vm_compat_ioctl converts KVM_GET_DIRTY_LOG', () => {
    const hooks = report.hooks.map((h) => `${h.ops} ${h.native} ${h.compat}`);
    expect(hooks).toEqual(
      expect.arrayContaining([
        'kvm_vm_fops kvm_vm_ioctl kvm_vm_compat_ioctl',
        'kvm_vcpu_fops kvm_vcpu_ioctl kvm_vcpu_compat_ioctl',
        'kvm_chardev_ops kvm_dev_ioctl kvm_dev_ioctl',
      ]),
    );
    const vm = report.hooks.find((h) => h.ops === 'kvm_vm_fops')!;
    // kvm_vm_ioctl's cases and x86.c's kvm_arch_vm_ioctl's, through its default
    expect(vm.joined).toBeGreaterThan(30);
    const named = report.findings.map((f) => f.ioctl);
    expect(named).not.toContain('KVM_GET_DIRTY_LOG');
    expect(named).not.toContain('KVM_SET_SIGNAL_MASK');
    // kvm_arch_vm_compat_ioctl (x86.c) converts it as KVM_X86_SET_MSR_FILTER_COMPAT; kvm_main.c's __weak
    // kvm_arch_vm_compat_ioctl, which answers -ENOTTY, is not the one linked
    expect(named).not.toContain('KVM_X86_SET_MSR_FILTER');
    // _IOWR(KVMIO, 0xba, unsigned long): an i386 task's number has size 4; kvm_arch_vm_ioctl knows size 8 only
    const sev = report.findings.find((f) => f.ioctl === 'KVM_MEMORY_ENCRYPT_OP')!;
    expect(sev).toMatchObject({ kind: 'unreachable', level: 'error', file: 'arch/x86/kvm/x86.c' });
    expect(sev.evidence).toContain('x86_64 0xc008aeba (size 8), i386 0xc004aeba (size 4)');
  });

  test('SNDRV_CTL_IOCTL_ELEM_LIST and the other control ioctls: snd_ctl_ioctl_compat converts them', () => {
    const ctl = report.hooks.find((h) => h.ops === 'snd_ctl_f_ops')!;
    expect(ctl).toMatchObject({ native: 'snd_ctl_ioctl', compat: 'snd_ctl_ioctl_compat' });
    expect(ctl.joined).toBeGreaterThan(15);
    expect(report.findings.filter((f) => f.file.startsWith('sound/core/control'))).toEqual([]);
  });

  test('SNDCTL_DSP_MAPINBUF: unreachable, but the native code only answers -EINVAL: a note', () => {
    const pcm = files.get('sound/core/oss/pcm_oss.c')!;
    const f = report.findings.find((x) => x.ioctl === 'SNDCTL_DSP_MAPINBUF')!;
    expect(f).toMatchObject({ kind: 'unreachable', level: 'note', line: lineOf(pcm, 'case SNDCTL_DSP_MAPINBUF:') });
    expect(f.message).toContain('the native code only answers -EINVAL');
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
        // the long-known ALSA timer ones: __snd_timer_user_ioctl_compat lists the native GINFO and GSTATUS
        // numbers (their structs hold longs), and STATUS_COMPAT32 is _IOW where the UAPI's STATUS is _IOR
        'dead-compat-code SNDRV_TIMER_IOCTL_GINFO sound/core/timer_compat.c',
        'dead-compat-code SNDRV_TIMER_IOCTL_GSTATUS sound/core/timer_compat.c',
        'unreachable SNDRV_TIMER_IOCTL_GINFO sound/core/timer.c',
        'unreachable SNDRV_TIMER_IOCTL_GSTATUS sound/core/timer.c',
        'unreachable SNDRV_TIMER_IOCTL_STATUS sound/core/timer.c',
        'unreachable KVM_MEMORY_ENCRYPT_OP arch/x86/kvm/x86.c',
      ].sort(),
    );
    const ginfo = report.findings.find((f) => f.kind === 'dead-compat-code' && f.ioctl === 'SNDRV_TIMER_IOCTL_GINFO')!;
    expect(ginfo.line).toBe(lineOf(timer, 'case SNDRV_TIMER_IOCTL_GINFO:'));
    expect(report.findings.filter((f) => f.file === 'drivers/block/loop.c')).toEqual([]);
    // identical layouts passed through rightly: USBTMC_IOCTL_CLEAR, MEMGETINFO are handled and not reported
    expect(report.findings.map((f) => f.ioctl)).not.toContain('MEMGETINFO');
    expect(report.findings.map((f) => f.ioctl)).not.toContain('USBTMC_IOCTL_CLEAR');
    const loop = report.hooks.find((h) => h.ops === 'lo_fops')!;
    expect(loop.joined).toBeGreaterThanOrEqual(10);
  });
});

/**
 * DRM (drm.ts): tables indexed by nr, not switches. drm_compat_ioctl (drm_ioc32.c) converts the
 * nrs of drm_compat_ioctls[] and passes every other number to drm_ioctl (drm_ioctl.c), which
 * copies the caller's size. Read in the tree: drm_ioc32.c converts VERSION, ADDFB2, WAIT_VBLANK ...
 * but not GETFB2, whose struct drm_mode_fb_cmd2 is 104 bytes natively and 100 on i386.
 * vgem's fops come from DEFINE_DRM_GEM_FOPS (.compat_ioctl = drm_compat_ioctl); radeon's
 * radeon_kms_compat_ioctl passes cmd to drm_compat_ioctl or, through radeon_drm_ioctl, drm_ioctl.
 */
const DRM_FILES = [
  ...['drm_ioc32.c', 'drm_ioctl.c', 'drm_crtc_internal.h', 'drm_internal.h', 'drm_legacy.h'],
  ...['vgem/vgem_drv.c', 'vgem/vgem_drv.h'],
  ...['radeon_drv.c', 'radeon.h', 'radeon_device.h', 'radeon_drv.h', 'radeon_family.h', 'radeon_kms.h'],
  ...['radeon_mode.h', 'radeon_object.h', 'radeon_prime.h', 'radeon_reg.h', 'radeon_ttm.h', 'cik_reg.h'],
  ...['clearstate_defs.h', 'evergreen_reg.h', 'ni_reg.h', 'r300_reg.h', 'r500_reg.h', 'r600_reg.h', 'si_reg.h'],
  // vmwgfx defines its DRM_IOCTL_VMW_* in vmwgfx_drv.c, numbered as radeon's and qxl's are
  'vmwgfx/',
].map((f) => `drivers/gpu/drm/${/^(drm_|vgem|vmwgfx)/.test(f) ? f : `radeon/${f}`}`);

describe('handlers that dispatch by a table or by _IOC_NR(cmd): said to be not judged', () => {
  const tarball = linuxSourceTarball();
  if (tarball === null) {
    test('the tarball is installed', () => {
      throw new Error('no /usr/src/linux-source-*.tar.xz: install linux-source-6.1');
    });
    return;
  }
  // snd_seq_ioctl looks cmd up in ioctl_handlers[]; snd_compr_ioctl switches on _IOC_NR(cmd)
  const FILES = ['sound/core/seq/', 'sound/core/compress_offload.c'];
  const { root } = linuxSourceFiles(tarball, [...FILES, ...KERNEL_SOURCE_HEADERS]);
  const report = audit({
    tree: root,
    paths: ['sound/core/seq/seq_clientmgr.c', 'sound/core/compress_offload.c'],
    build: buildTree(),
    native,
    compat,
  });
  test('the hooks are named in the text, not passed over as clean', () => {
    expect(report.files.read).toBe(2);
    expect(undispatchedHooks(report).map((h) => `${h.ops} ${h.native}`)).toEqual([
      'snd_seq_f_ops snd_seq_ioctl',
      'snd_compr_file_ops snd_compr_ioctl',
    ]);
    expect(formatAudit(report)).toContain(
      '2 ops structure(s) whose native handler dispatches no case this audit reads (a table, _IOC_NR(cmd)): ' +
        'their ioctls are not judged: snd_seq_f_ops (snd_seq_ioctl), snd_compr_file_ops (snd_compr_ioctl)',
    );
  });
});

describe('audit of linux-source-6.1 DRM', () => {
  const tarball = linuxSourceTarball();
  if (tarball === null) {
    test('the tarball is installed', () => {
      throw new Error('no /usr/src/linux-source-*.tar.xz: install linux-source-6.1');
    });
    return;
  }
  const { root, files } = linuxSourceFiles(tarball, [...DRM_FILES, ...KERNEL_SOURCE_HEADERS]);
  const paths = [...DRM_FILES.filter((f) => f.endsWith('.c')), 'drivers/gpu/drm/vmwgfx/vmwgfx_drv.c'];
  const report = audit({ tree: root, paths, build: buildTree(), native, compat });
  const drm = report.findings.filter((f) => f.file.startsWith('drivers/gpu/drm/'));
  const ioctl = files.get('drivers/gpu/drm/drm_ioctl.c')!;

  test('every file read; the tables of the core, vgem and radeon judged', () => {
    expect(report.files).toEqual({ read: 5, failed: {} });
    // 106 core entries, 2 of vgem, 42 of radeon, 33 of vmwgfx; those whose handler is drm_invalid_op or
    // drm_noop (the legacy ones without CONFIG_DRM_LEGACY) are not judged, nor vmwgfx's, whose macros are its own
    expect(report.drm).toEqual({ ioctls: 183, judged: 82 });
    expect(report.headers).toEqual(expect.arrayContaining(['drm/drm.h', 'drm/radeon_drm.h', 'drm/vgem_drm.h']));
  });

  test("the hooks that reach drm_ioctl are judged by its tables; vmwgfx's is said to go unjudged", () => {
    expect(report.hooks.filter((h) => h.table !== undefined).length).toBeGreaterThan(0);
    // vmw_unlocked_ioctl: `return vmw_generic_ioctl(filp, cmd, arg, &drm_ioctl);` (a function pointer, not a call),
    // and vmwgfx's own DRM_IOCTL_VMW_* are macros of its .c file: none of its ioctls is judged, and the text says so
    expect(undispatchedHooks(report).map((h) => `${h.ops} ${h.native}`)).toEqual([
      'vmwgfx_driver_fops vmw_unlocked_ioctl',
    ]);
  });

  test('DRM_IOCTL_MODE_GETFB2: drm_ioctl reads an i386 struct drm_mode_fb_cmd2 unconverted', () => {
    const f = drm.find((x) => x.ioctl === 'DRM_IOCTL_MODE_GETFB2')!;
    expect(f).toMatchObject({
      kind: 'unconverted',
      level: 'error',
      file: 'drivers/gpu/drm/drm_ioctl.c',
      line: lineOf(ioctl, 'DRM_IOCTL_DEF(DRM_IOCTL_MODE_GETFB2,'),
      hook: 'drm_compat_ioctl',
    });
    expect(f.evidence).toContain('x86_64 0xc06864ce (size 104), i386 0xc06464ce (size 100)');
    expect(f.evidence).toContain('offset modifier: offset 72 size 32 vs offset 68 size 32');
    expect(f.fix).toContain('drm_compat_ioctls[]');
    expect(drm.filter((x) => x.level === 'error').map((x) => x.ioctl)).toEqual(['DRM_IOCTL_MODE_GETFB2']);
    expect(auditHasErrors(report)).toBe(true);
  });

  test('converted ones, and the legacy ones answering EINVAL, are not reported', () => {
    const reported = drm.map((x) => x.ioctl);
    // drm_compat_ioctls[] converts these (their layouts differ: an unconverted one would be an error)
    for (const name of ['DRM_IOCTL_VERSION', 'DRM_IOCTL_MODE_ADDFB2', 'DRM_IOCTL_WAIT_VBLANK', 'DRM_IOCTL_GET_CLIENT'])
      expect(reported).not.toContain(name);
    // DRM_LEGACY_IOCTL_DEF names drm_invalid_op without CONFIG_DRM_LEGACY: struct drm_map is never read
    expect(reported).not.toContain('DRM_IOCTL_ADD_MAP');
  });

  test('tail-only notes: drm_ioctl copies the caller size of a struct that differs only in its padding', () => {
    const tail = drm.filter((x) => x.kind === 'tail-only');
    expect(tail.map((x) => x.ioctl).sort()).toEqual([
      'DRM_IOCTL_MODE_GETPLANERESOURCES',
      'DRM_IOCTL_MODE_OBJ_GETPROPERTIES',
      'DRM_IOCTL_MODE_OBJ_SETPROPERTY',
      'DRM_IOCTL_RADEON_GEM_CREATE',
    ]);
    expect(tail.every((x) => x.level === 'note')).toBe(true);
    const gem = tail.find((x) => x.ioctl === 'DRM_IOCTL_RADEON_GEM_CREATE')!;
    expect(gem.file).toBe('drivers/gpu/drm/radeon/radeon_drv.c');
    expect(gem.ops).toBe('file_operations radeon_driver_kms_fops');
    expect(gem.evidence).toContain('x86_64 0xc020645d (size 32), i386 0xc01c645d (size 28)');
    // vgem's two ioctls have the same layouts: nothing to say
    expect(drm.filter((x) => x.file.startsWith('drivers/gpu/drm/vgem/'))).toEqual([]);
    expect(drm.filter((x) => x.kind === 'unknown')).toEqual([]);
  });

  test("a driver's own command macros are not another driver's ioctl of the same number", () => {
    // vmwgfx_drv.c:170's DRM_IOCTL_VMW_UNREF_DMABUF has DRM_IOCTL_RADEON_CP_STOP's number; its macros are in no UAPI
    // header, so the catalogue has nothing to judge them by
    expect(drm.filter((x) => x.file.startsWith('drivers/gpu/drm/vmwgfx/'))).toEqual([]);
  });
});

/** The static_asserts of a struct's layout as ioctl32 computed it: its size, each member's offset and size. */
function layoutAsserts(
  tag: string,
  layout: { size: number; fields: CompatStruct['kernelLayout']['fields'] },
): string[] {
  const a = (cond: string) => `_Static_assert(${cond}, "${tag}: ${cond.replace(/"/g, '')}");`;
  return [
    a(`sizeof(${tag}) == ${layout.size}`),
    ...layout.fields
      .filter((f) => f.bitWidth === undefined)
      .flatMap((f) => [
        a(`offsetof(${tag}, ${f.path}) == ${f.offset}`),
        a(`sizeof(((${tag} *)0)->${f.path}) == ${f.size}`),
      ]),
  ];
}

describe("compat-struct-differs: the kernel's compat structs against the compat layout of the UAPI struct", () => {
  test('made-up: a renamed member is found; a struct matched by its ioctl number agrees', () => {
    const r = audit({ tree: FIXTURES, paths: ['drivers/compat'], build: buildTree(), native, compat });
    const rel = 'drivers/compat/renamed.c';
    expect(found(r, rel).sort()).toEqual(expected(rel).sort());
    const byName = r.compatStructs.find((s) => s.kernel === 'struct compat_mtd_oob_buf')!;
    expect(byName).toMatchObject({ uapi: 'struct mtd_oob_buf', header: 'mtd/mtd-abi.h', matchedBy: 'name' });
    expect(byName.differences).toEqual([
      { kind: 'missing', member: 'length', uapi: { offset: 4, size: 4 } },
      { kind: 'extra', member: 'len', kernel: { offset: 4, size: 4 } },
    ]);
    const byIoctl = r.compatStructs.find((s) => s.kernel === 'struct oob_request32')!;
    expect(byIoctl).toMatchObject({ uapi: 'struct mtd_oob_buf', matchedBy: 'ioctl', differences: [] });
    const f = r.findings.find((x) => x.kind === 'compat-struct-differs')!;
    expect(f).toMatchObject({ level: 'error', ioctl: 'MEMREADOOB MEMWRITEOOB', ops: 'file_operations rn_fops' });
    expect(auditHasErrors(r)).toBe(true);
  });

  const tarball = linuxSourceTarball();
  if (tarball === null) {
    test('the tarball is installed', () => {
      throw new Error('no /usr/src/linux-source-*.tar.xz: install linux-source-6.1');
    });
    return;
  }
  const fbmem = 'drivers/video/fbdev/core/fbmem.c';
  const { root, files } = linuxSourceFiles(tarball, [fbmem, ...REAL_FILES]);
  const paths = [fbmem, ...REAL_FILES.filter((f) => f.endsWith('.c'))];
  const report = audit({ tree: root, paths, build: buildTree(), native, compat });

  test('FBIOGET_FSCREENINFO: fb_fix_screeninfo32 has reserved[3] where the UAPI has capabilities, reserved[2]', () => {
    const f = report.findings.filter((x) => x.kind === 'compat-struct-differs');
    expect(f.map((x) => `${x.file}:${x.line} ${x.ioctl}`)).toEqual([
      `${fbmem}:${lineOf(files.get(fbmem)!, 'struct fb_fix_screeninfo32 {')} FBIOGET_FSCREENINFO`,
    ]);
    expect(f[0]!.evidence).toBe(
      "both 68 bytes; capabilities: i386's at offset 60 size 2, not in the kernel's struct; " +
        'reserved: kernel offset 60 size 6 vs i386 offset 62 size 4',
    );
    expect(f[0]!.message).toContain('the copy never fills capabilities');
  });

  test("the kernel's other compat structs of these files agree with the UAPI's i386 layout", () => {
    const agree = report.compatStructs.filter((s) => !s.differences.length).map((s) => `${s.kernel} ${s.uapi}`);
    expect(agree.sort()).toEqual(
      [
        'struct fb_cmap32 struct fb_cmap',
        'struct compat_loop_info struct loop_info',
        'struct mtd_oob_buf32 struct mtd_oob_buf',
        'struct btrfs_ioctl_timespec_32 struct btrfs_ioctl_timespec',
        'struct btrfs_ioctl_received_subvol_args_32 struct btrfs_ioctl_received_subvol_args',
        'struct btrfs_ioctl_send_args_32 struct btrfs_ioctl_send_args',
        'struct btrfs_ioctl_encoded_io_args_32 struct btrfs_ioctl_encoded_io_args',
        'struct snd_timer_gparams32 struct snd_timer_gparams',
        'struct snd_timer_info32 struct snd_timer_info',
        'struct compat_kvm_dirty_log struct kvm_dirty_log',
        'struct compat_kvm_clear_dirty_log struct kvm_clear_dirty_log',
        'struct snd_ctl_elem_info32 struct snd_ctl_elem_info',
        'struct snd_ctl_elem_list32 struct snd_ctl_elem_list',
        'struct snd_ctl_elem_value32 struct snd_ctl_elem_value',
      ].sort(),
    );
  });

  test('kbuild compiles each compat struct found with the layout ioctl32 read; gcc -m32 lays out the UAPI one so', () => {
    const kdir = kernelBuildDir();
    if (kdir === null)
      throw new Error('no /usr/src/linux-headers-*-amd64 with a Makefile: install linux-headers-amd64');
    expect(report.compatStructs.length).toBeGreaterThanOrEqual(8);
    const sources: Record<string, string> = {};
    report.compatStructs.forEach((s, i) => {
      const defs = recordDefinitions(files.get(s.file)!);
      const own = defs.get(s.kernel);
      if (!own) throw new Error(`${s.file} defines no ${s.kernel}`);
      sources[`cs_${i}.c`] = [
        '#include <linux/build_bug.h>',
        '#include <linux/compat.h>',
        '#include <linux/stddef.h>',
        '#include <linux/types.h>',
        `#include <${s.header}>`,
        ...inDependencyOrder(defs, [own]).map((d) => d.text),
        ...layoutAsserts(s.kernel, s.kernelLayout),
      ].join('\n');
    });
    const built = buildModule(kdir, mkdtempSync(join(tmpdir(), 'ioctl32-audit-cs-')), sources, { strict: false });
    expect([...built.diagnostics.entries()].filter(([, d]) => d.some((l) => l.includes(' error: ')))).toEqual([]);
    expect([...built.built].sort()).toEqual(Object.keys(sources).sort());
    // the UAPI side: an i386 compiler over the installed UAPI headers (Debian's linux-libc-dev, the same 6.1
    // sources as the build tree's, headers_install'ed: the tree's own still need the kernel's includes)
    const dir = mkdtempSync(join(tmpdir(), 'ioctl32-audit-uapi-'));
    report.compatStructs.forEach((s, i) => {
      const file = join(dir, `u_${i}.c`);
      const text = ['#include <stddef.h>', `#include <${s.header}>`, ...layoutAsserts(s.uapi, s.compatLayout)];
      writeFileSync(file, `${text.join('\n')}\n`);
      const r = spawnSync('gcc', ['-m32', '-fsyntax-only', file], { encoding: 'utf8' });
      expect(r.stderr, `${s.uapi} (${s.header}) on i386`).toBe('');
      expect(r.status).toBe(0);
    });
  });

  test('SARIF validates against the 2.1.0 schema; each finding at its file:line', () => {
    const schema = JSON.parse(readFileSync('test/fixtures/sarif-2.1.0.schema.json', 'utf8'));
    const validate = new Ajv2020({ strict: false, validateFormats: false }).compile(schema);
    const sarif = auditToSarif(report, '0.1.0');
    expect(validate(sarif), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const results = sarif.runs[0]!.results;
    expect(results).toHaveLength(report.findings.length);
    const cs = results.find((r) => r.ruleId === 'audit-compat-struct-differs')!;
    expect(JSON.stringify(cs.locations)).toContain(`"uri":"${fbmem}"`);
    expect(JSON.stringify(cs.locations)).toContain(
      `"startLine":${lineOf(files.get(fbmem)!, 'struct fb_fix_screeninfo32 {')}`,
    );
  });
});

describe('compat-struct-differs: what a hand-written compat struct may do otherwise', () => {
  const f = (path: string, offset: number, size: number, type = 'unsigned int', bits?: [number, number]) =>
    bits ? { path, offset, size, type, bitOffset: bits[0], bitWidth: bits[1] } : { path, offset, size, type };
  test('an integer holding a bitfield of the UAPI (rawmidi: no_active_sensing, "avoid bit-field")', () => {
    expect(compareFields([f('a', 0, 4), f('b', 4, 4)], [f('a', 0, 4), f('b', 4, 4, 'unsigned int', [32, 1])])).toEqual(
      [],
    );
    // the bits elsewhere than the integer: moved
    expect(
      compareFields([f('a', 0, 4), f('b', 4, 4)], [f('a', 0, 4), f('b', 8, 4, 'unsigned int', [64, 1])]).map(
        (d) => d.kind,
      ),
    ).toEqual(['moved']);
  });
  test("a union's members under the kernel's own names, and another name in an anonymous union", () => {
    const kernel = [f('value', 0, 512, 'union {...}'), f('value.integer', 0, 512, 'int [128]'), f('x', 512, 4)];
    const uapi = [f('value', 0, 512, 'union {...}'), f('value.integer.value', 0, 512, 'long [128]'), f('x', 512, 4)];
    expect(compareFields(kernel, uapi)).toEqual([]);
    // p_u8 over `value` (an anonymous union): covered by a member both have in place
    expect(compareFields([f('value', 8, 4)], [f('value', 8, 4), f('p_u8', 8, 4, 'char *')])).toEqual([]);
    // an explicit pad where the UAPI has implicit padding (compat_cdrom_generic_command's pad[3])
    expect(compareFields([f('c', 0, 1), f('pad', 1, 3), f('q', 4, 4)], [f('c', 0, 1), f('q', 4, 4)])).toEqual([]);
    // wider over the member and its padding: benign on a little-endian task only (v4l2_event32's tv_nsec)
    const ts = [f('ts', 0, 16, 'struct timespec'), f('ts.tv_sec', 0, 8), f('ts.tv_nsec', 8, 4, 'long')];
    const k64 = [f('ts', 0, 16, 'struct {...}'), f('ts.tv_sec', 0, 8), f('ts.tv_nsec', 8, 8)];
    expect(compareFields(k64, ts, true)).toEqual([]);
    expect(compareFields(k64, ts, false).map((d) => `${d.member} ${d.kind}`)).toEqual(['ts.tv_nsec resized']);
    // a UAPI member no agreed member covers is missing (fb_fix_screeninfo32's capabilities)
    const lacks = compareFields([f('reserved', 60, 6, 'u16 [3]')], [f('capabilities', 60, 2), f('reserved', 62, 4)]);
    expect(lacks.map((d) => `${d.member} ${d.kind}`)).toEqual(['capabilities missing', 'reserved moved']);
  });
});

/**
 * --config: a .config read as kconfig writes autoconf.h from it; and every compat task of x86_64
 * (auditPairs, `--arch x86_64`): one compat hook serves i386, i386+t64 and x32 tasks.
 */
describe('audit --config FILE and --arch: the configuration, and each compat ABI of the native one', () => {
  const build = buildTree();
  test("a .config becomes the autoconf.h kconfig wrote beside it (Debian's build tree)", () => {
    const ours = autoconfOf(join(build, '.config')).trim().split('\n');
    const real = readFileSync(join(build, 'include/generated/autoconf.h'), 'latin1')
      .split('\n')
      .filter((l) => l.startsWith('#define'));
    // kconfig knows a hex symbol's type and writes `0x0` where the .config has `0`: compare numbers as numbers
    const norm = (l: string) => l.replace(/ (0x[0-9a-fA-F]+|\d+)$/, (_, n: string) => ` ${BigInt(n)}`);
    expect(real.length).toBeGreaterThan(5000);
    expect(ours.map(norm).sort()).toEqual(real.map(norm).sort());
    const bad = join(mkdtempSync(join(tmpdir(), 'ioctl32-config-')), '.config');
    writeFileSync(bad, 'CONFIG_A=y\nnot a line\n');
    expect(() => autoconfOf(bad)).toThrow(/\.config:2:1: not a \.config line/);
  });

  const tarball = linuxSourceTarball();
  if (tarball === null) {
    test('the tarball is installed', () => {
      throw new Error('no /usr/src/linux-source-*.tar.xz: install linux-source-6.1');
    });
    return;
  }
  const { root } = linuxSourceFiles(tarball, REAL_FILES);

  test('without CONFIG_KVM_COMPAT, KVM_COMPAT() sets kvm_no_compat_ioctl: every KVM ioctl refused, by design', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ioctl32-config-'));
    const config = join(dir, '.config');
    const text = readFileSync(join(build, '.config'), 'latin1');
    expect(text).toMatch(/^CONFIG_KVM_COMPAT=y$/m);
    writeFileSync(config, text.replace(/^CONFIG_KVM_COMPAT=y$/m, '# CONFIG_KVM_COMPAT is not set'));
    const paths = ['virt/kvm/kvm_main.c', 'arch/x86/kvm/x86.c'];
    const r = audit({ tree: root, paths, build, native, compat, config });
    expect(r.hooks.map((h) => `${h.ops} ${h.compat}`).sort()).toEqual([
      'kvm_chardev_ops kvm_no_compat_ioctl',
      'kvm_device_fops kvm_no_compat_ioctl',
      'kvm_vcpu_fops kvm_no_compat_ioctl',
      'kvm_vm_fops kvm_no_compat_ioctl',
    ]);
    expect(r.findings.filter((f) => f.level !== 'note')).toEqual([]);
    const vm = r.findings.find((f) => f.ops === 'file_operations kvm_vm_fops')!;
    expect(vm).toMatchObject({ kind: 'compat-refused', level: 'note' });
    expect(vm.ioctl.split(' ')).toContain('KVM_GET_DIRTY_LOG');
    expect(vm.message).toContain('kvm_no_compat_ioctl answers -EINVAL to every i386 task');
    // the .config as it is: the build tree's own autoconf.h, the same findings
    const same = audit({ tree: root, paths, build, native, compat, config: join(build, '.config') });
    const plain = audit({ tree: root, paths, build, native, compat });
    expect(same.findings).toEqual(plain.findings);
    expect(plain.hooks.find((h) => h.ops === 'kvm_vm_fops')!.compat).toBe('kvm_vm_compat_ioctl');
  });

  test('auditPairs over x86_64: i386, i386+t64 and x32 tasks each judged; x32 sends native numbers', () => {
    const pairs = ['i386', 'i386+t64', 'x32'].map((c) => ({ native, compat: getAbi(c) }));
    const paths = ['drivers/block/loop.c', ...BTRFS_AUDIT_FILES.filter((f) => f.endsWith('.c'))];
    const reports = auditPairs({ tree: root, paths, build: () => build }, pairs);
    expect(reports.map((r) => r.compat)).toEqual(['i386', 'i386+t64', 'x32']);
    const errors = (r: AuditReport) => r.findings.filter((f) => f.level === 'error').map((f) => `${f.kind} ${f.ioctl}`);
    expect(errors(reports[0]!)).toContain('unreachable BTRFS_IOC_DEV_REPLACE');
    const x32 = errors(reports[2]!);
    // struct btrfs_ioctl_dev_replace_args: x32 lays its __u64s out 8-aligned, as x86_64 does: the same number
    expect(x32).not.toContain('unreachable BTRFS_IOC_DEV_REPLACE');
    // lo_compat_ioctl converts every compat task's LOOP_GET_STATUS (0x4c03, no size field) with the i386
    // layout: an x32 task's __kernel_old_dev_t is an unsigned long (4 bytes), compat_dev_t a u16
    const loop = reports[2]!.findings.find(
      (f) => f.kind === 'compat-struct-differs' && f.file === 'drivers/block/loop.c',
    );
    expect(loop?.message).toContain('struct compat_loop_info is not struct loop_info (linux/loop.h) as an x32 task');
    expect(loop?.message).toContain('lo_device resized');
    // btrfs_ioctl_send_args_32 serves BTRFS_IOC_SEND_32 (68 bytes); an x32 task sends BTRFS_IOC_SEND (72): the
    // struct is not x32's, and x32's pointer-in-a-u64-slot reaches the native case
    expect(reports[2]!.findings.filter((f) => f.kind === 'compat-struct-differs').map((f) => f.file)).toEqual([
      'drivers/block/loop.c',
    ]);
    expect(x32).toContain('unconverted BTRFS_IOC_SEND');
  });

  test('the CLI: --arch x86_64 prints a report per compat ABI; --arch all names the natives it cannot read', () => {
    const args = ['dist/cli/main.cjs', 'audit', root, 'drivers/block/loop.c', '--arch'];
    const one = spawnSync('node', [...args, 'x86_64', '--format', 'json'], { encoding: 'utf8' });
    expect(one.status).toBe(1);
    expect((JSON.parse(one.stdout) as AuditReport[]).map((r) => r.compat)).toEqual(['i386', 'i386+t64', 'x32']);
    const all = spawnSync('node', [...args, 'all'], { encoding: 'utf8' });
    // only amd64's linux-headers are installed: the other native ABIs are named on stderr, x86_64's pairs read
    expect(all.stderr).toMatch(/ioctl32 audit: arm64 not audited: .*linux-headers/);
    expect(all.stdout).toContain('x86_64 <- x32:');
    const both = spawnSync('node', [...args, 'x86_64', '--pair', 'x86_64:i386'], { encoding: 'utf8' });
    expect(both.status).toBe(2);
  });
});

describe("a whole source tree's own UAPI headers are the catalogue's; nothing read is no clean audit", () => {
  const tarball = linuxSourceTarball();
  if (tarball === null) {
    test('the tarball is installed', () => {
      throw new Error('no /usr/src/linux-source-*.tar.xz: install linux-source-6.1');
    });
    return;
  }
  // linux-source-6.1's headers copied, with an ioctl of its own that Debian's build tree does not have: its
  // struct is 16 bytes on x86_64 and 12 on i386, and compat_ptr_ioctl passes the i386 number to a switch that
  // knows the native one only
  const { root } = linuxSourceFiles(tarball, KERNEL_SOURCE_HEADERS);
  const tree = mkdtempSync(join(tmpdir(), 'ioctl32-own-uapi-'));
  const cp = spawnSync('cp', ['-r', join(root, 'Makefile'), join(root, 'include'), join(root, 'arch'), tree]);
  if (cp.status !== 0) throw new Error(`cp: ${String(cp.stderr)}`);
  const put = (rel: string, text: string) => {
    mkdirSync(dirname(join(tree, rel)), { recursive: true });
    writeFileSync(join(tree, rel), text);
  };
  put(
    'include/uapi/linux/ioctl32-demo.h',
    '#ifndef _UAPI_LINUX_IOCTL32_DEMO_H\n#define _UAPI_LINUX_IOCTL32_DEMO_H\n#include <linux/ioctl.h>\n' +
      '#include <linux/types.h>\nstruct demo_req { __u32 flags; __u64 len; };\n' +
      "#define DEMO_SET _IOW('f', 1, struct demo_req)\n" +
      '#endif\n',
  );
  const driver = (include: string) =>
    `#include <linux/fs.h>\n#include <linux/module.h>\n#include <${include}>\n\n` +
    'static long demo_ioctl(struct file *f, unsigned int cmd, unsigned long arg)\n{\n\tswitch (cmd) {\n' +
    '\tcase DEMO_SET:\n\t\treturn 0;\n\tdefault:\n\t\treturn -ENOTTY;\n\t}\n}\n\n' +
    'static const struct file_operations demo_fops = {\n\t.owner = THIS_MODULE,\n' +
    '\t.unlocked_ioctl = demo_ioctl,\n\t.compat_ioctl = compat_ptr_ioctl,\n};\n';
  put('drivers/misc/demo.c', driver('uapi/linux/ioctl32-demo.h'));
  put('drivers/misc/broken.c', driver('uapi/linux/ioctl32-nope.h'));

  test("DEMO_SET, defined in the tree's include/uapi only: judged (its i386 number reaches no case)", () => {
    const r = audit({ tree, paths: ['drivers/misc/demo.c'], build: buildTree(), native, compat });
    expect(r.files).toEqual({ read: 1, failed: {} });
    expect(r.headers).toEqual(['linux/ioctl32-demo.h']);
    expect(r.headersFailed).toEqual({});
    expect(r.findings.map((f) => `${f.kind} ${f.level} ${f.ioctl}`)).toEqual(['unreachable error DEMO_SET']);
    expect(r.findings[0]!.evidence).toContain('x86_64 0x40106601 (size 16), i386 0x400c6601 (size 12)');
    expect(auditReadNothing(r)).toBeNull();
  });

  test('no file read: said without --verbose, and the audit is no clean one (the CLI exits 2)', () => {
    const r = audit({ tree, paths: ['drivers/misc/broken.c'], build: buildTree(), native, compat });
    expect(r.files.read).toBe(0);
    const why = "drivers/misc/broken.c:3:10: error: 'uapi/linux/ioctl32-nope.h' file not found";
    expect(r.files.failed['drivers/misc/broken.c']).toContain(why);
    expect(formatAudit(r)).toContain(`  not read: drivers/misc/broken.c: ${r.files.failed['drivers/misc/broken.c']}`);
    expect(auditReadNothing(r)).toBe(
      `no file of ${tree} could be read for x86_64: drivers/misc/broken.c: ${r.files.failed['drivers/misc/broken.c']}`,
    );
    const cli = spawnSync('node', ['dist/cli/main.cjs', 'audit', tree, 'drivers/misc/broken.c'], { encoding: 'utf8' });
    expect(cli.status).toBe(2);
    expect(cli.stderr).toContain(`ioctl32 audit: no file of ${tree} could be read for x86_64: drivers/misc/broken.c:`);
  });
});
