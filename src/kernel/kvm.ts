/**
 * KVM in the model (virt/kvm/kvm_main.c): /dev/kvm, VM and vCPU descriptors, and its compat
 * story. CONFIG_KVM_COMPAT is `depends on KVM && COMPAT && !(S390 || ARM64 || RISCV)`
 * (virt/kvm/Kconfig). Without it, the "double line of defense": kvm_no_compat_open() refuses a
 * compat task's open with -ENODEV, and kvm_no_compat_ioctl() fails every ioctl a compat task
 * issues on a descriptor a 64-bit task handed it with -EINVAL.
 */
import type { Abi } from '../abi/types.js';
import type { ErrnoName } from '../abi/errno.js';
import { compatPtr } from '../abi/index.js';
import type { IncludeOptions } from '../cfront/index.js';
import type { CType } from '../cfront/types.js';
import { compileConverter, type Converter } from '../thunk/compile.js';
import { dumpHeaders, type Dumped } from '../scan/dump.js';
import { byNumber, type IoctlTable } from './dispatch.js';
import { PAGE_SIZE, type Device, type FileOperations, type KFile, type Kernel, type Task } from './kernel.js';
import { macroNumbers, recordOf } from './numbers.js';

/** Kernel architectures that build KVM (arch/<arch>/kvm). */
const KVM_ARCHES = new Set(['x86', 'arm64', 'powerpc', 's390', 'mips', 'riscv']);
/**
 * What a command no switch knows answers on each descriptor: kvm_dev_ioctl(), kvm_vm_ioctl() and
 * kvm_vcpu_ioctl() (virt/kvm/kvm_main.c) end in kvm_arch_dev_ioctl(), kvm_arch_vm_ioctl() and
 * kvm_arch_vcpu_ioctl(), whose defaults are each architecture's (arch/x86/kvm/x86.c, arch/arm64/kvm/arm.c,
 * arch/powerpc/kvm/powerpc.c with book3s_hv.c and book3s_pr.c, arch/s390/kvm/kvm-s390.c,
 * arch/mips/kvm/mips.c, arch/riscv/kvm/main.c, vm.c and vcpu.c); mips's -ENOIOCTLCMD is -ENOTTY by the time
 * it reaches the task (fs/ioctl.c vfs_ioctl, compat_sys_ioctl).
 */
const KVM_UNKNOWN_COMMAND: Readonly<Record<string, { dev: ErrnoName; vm: ErrnoName; vcpu: ErrnoName }>> = {
  x86: { dev: 'EINVAL', vm: 'ENOTTY', vcpu: 'EINVAL' },
  arm64: { dev: 'EINVAL', vm: 'EINVAL', vcpu: 'EINVAL' },
  powerpc: { dev: 'EINVAL', vm: 'ENOTTY', vcpu: 'EINVAL' },
  s390: { dev: 'EINVAL', vm: 'ENOTTY', vcpu: 'ENOTTY' },
  mips: { dev: 'ENOTTY', vm: 'ENOTTY', vcpu: 'ENOTTY' },
  riscv: { dev: 'EINVAL', vm: 'EINVAL', vcpu: 'EINVAL' },
};
/** virt/kvm/Kconfig: KVM_COMPAT excludes these even where COMPAT is on. */
const NO_KVM_COMPAT = new Set(['s390', 'arm64', 'riscv']);
/**
 * arch/<arch>/kvm/Kconfig `select KVM_MMIO` (the coalesced MMIO ring): every KVM but s390's;
 * powerpc's book3s_64 through KVM_BOOK3S_PR_POSSIBLE, which distributions build (Debian:
 * KVM_BOOK3S_64_PR=m).
 */
const KVM_MMIO = new Set(['x86', 'arm64', 'powerpc', 'mips', 'riscv']);

export function kvmConfig(native: Abi): { KVM: boolean; KVM_COMPAT: boolean } {
  const KVM = KVM_ARCHES.has(native.kernelArch);
  return { KVM, KVM_COMPAT: KVM && native.compat.length > 0 && !NO_KVM_COMPAT.has(native.kernelArch) };
}

const NUMBERS = [
  'KVM_GET_API_VERSION',
  'KVM_CREATE_VM',
  'KVM_CHECK_EXTENSION',
  'KVM_GET_VCPU_MMAP_SIZE',
  'KVM_CREATE_VCPU',
  'KVM_SET_USER_MEMORY_REGION',
  'KVM_GET_DIRTY_LOG',
  'KVM_GET_REGS',
  'KVM_SET_REGS',
] as const;
type KvmNumber = (typeof NUMBERS)[number];

interface Vm {
  slots: Map<number, { base: bigint; size: bigint; flags: number; dirty: Set<number> }>;
  vcpus: number;
}

/** What installKvm() read of the headers and the configuration, shared by every KVM file. */
interface Kvm {
  kernel: Kernel;
  config: { KVM: boolean; KVM_COMPAT: boolean };
  /** linux/kvm.h of the native ABI. */
  nd: Dumped;
  le: boolean;
  capUserMemory: number;
  vcpuMmapSize: number;
  /** struct kvm_dirty_log from a compat task's layout (struct compat_kvm_dirty_log) to the native one. */
  dirtyLogConverter(compat: Abi): Converter;
  devIoctls: ReadonlyMap<number, KvmDevIoctl>;
  vmIoctls: ReadonlyMap<number, KvmVmIoctl>;
  vmCompatIoctls: ReadonlyMap<number, KvmVmCompatIoctl>;
  vcpuIoctls: ReadonlyMap<number, KvmVcpuIoctl>;
  /** What an unknown command answers on /dev/kvm, a VM and a vCPU (KVM_UNKNOWN_COMMAND). */
  unknown: { dev: ErrnoName; vm: ErrnoName; vcpu: ErrnoName };
}

/** A command of kvm_dev_ioctl() on /dev/kvm. */
type KvmDevIoctl = (kvm: Kvm, arg: bigint, task: Task) => number;
/** A command of kvm_vm_ioctl() on a VM's descriptor. */
type KvmVmIoctl = (kvm: Kvm, vm: Vm, arg: bigint, task: Task) => number;
/** A command of kvm_vm_compat_ioctl(): the compat task's raw argument. */
type KvmVmCompatIoctl = (kvm: Kvm, vm: Vm, arg: number, task: Task) => number;
/** A command of kvm_vcpu_ioctl() on a vCPU's descriptor (its registers). */
type KvmVcpuIoctl = (regs: Uint8Array, arg: bigint, task: Task) => number;

/** kvm_no_compat_ioctl(): every ioctl of a compat task, without KVM_COMPAT. */
const kvmNoCompatIoctl = (_file: KFile, _cmd: number, _arg: number, task: Task) => -task.errno.EINVAL;

/** kvm_no_compat_open(): a compat task's open, without KVM_COMPAT. */
const kvmNoCompatOpen = (_file: KFile, task: Task) => (task.compat ? -task.errno.ENODEV : 0);

/**
 * The file operations' compat half: the file's compat handler with KVM_COMPAT, the "double line
 * of defense" without (kvm_no_compat_open() where `open`: the model's VM files have no open).
 */
function kvmCompat(kvm: Kvm, compat: NonNullable<FileOperations['compat_ioctl']>, open: boolean): FileOperations {
  if (kvm.config.KVM_COMPAT) return { compat_ioctl: compat };
  return open ? { compat_ioctl: kvmNoCompatIoctl, open: kvmNoCompatOpen } : { compat_ioctl: kvmNoCompatIoctl };
}

/** kvm_dev_ioctl() KVM_GET_API_VERSION: KVM_API_VERSION, 12; an argument is -EINVAL. */
const kvmGetApiVersion: KvmDevIoctl = (_kvm, arg, task) => (arg === 0n ? 12 : -task.errno.EINVAL);

/** kvm_vm_ioctl_check_extension_generic(): the model has KVM_CAP_USER_MEMORY alone. */
const kvmCheckExtension: KvmDevIoctl = (kvm, arg) => (Number(arg) === kvm.capUserMemory ? 1 : 0);

/**
 * kvm_dev_ioctl() KVM_GET_VCPU_MMAP_SIZE: struct kvm_run's page, x86's PIO data page, the
 * coalesced MMIO ring's page.
 */
const kvmGetVcpuMmapSize: KvmDevIoctl = (kvm, arg, task) => (arg === 0n ? kvm.vcpuMmapSize : -task.errno.EINVAL);

/** kvm_dev_ioctl_create_vm(): a new VM's descriptor. */
const kvmDevIoctlCreateVm: KvmDevIoctl = (kvm, _arg, task) => {
  const dev: Device = { name: 'kvm-vm', kind: 'anon', major: 0, minor: 0, fops: kvmVmFops(kvm) };
  return kvm.kernel.openDevice(task, dev, { slots: new Map(), vcpus: 0 } satisfies Vm);
};

/** kvm_dev_ioctl()'s switch; the rest is kvm_arch_dev_ioctl()'s (KVM_UNKNOWN_COMMAND). */
const KVM_DEV_IOCTLS: IoctlTable<KvmNumber, KvmDevIoctl> = {
  KVM_GET_API_VERSION: kvmGetApiVersion,
  KVM_CHECK_EXTENSION: kvmCheckExtension,
  KVM_GET_VCPU_MMAP_SIZE: kvmGetVcpuMmapSize,
  KVM_CREATE_VM: kvmDevIoctlCreateVm,
};

/** kvm_vm_ioctl_create_vcpu(): a new vCPU's descriptor, with its own registers. */
const kvmVmIoctlCreateVcpu: KvmVmIoctl = (kvm, vm, _arg, task) => {
  const regs = new Uint8Array(kvm.nd.result.records['struct kvm_regs']?.size ?? 144);
  const dev: Device = { name: 'kvm-vcpu', kind: 'anon', major: 0, minor: 0, fops: kvmVcpuFops(kvm, regs) };
  vm.vcpus++;
  return kvm.kernel.openDevice(task, dev);
};

/** kvm_vm_ioctl_set_memory_region(): a struct kvm_userspace_memory_region, its slot replaced. */
const kvmVmIoctlSetMemoryRegion: KvmVmIoctl = (kvm, vm, arg, task) => {
  const b = task.memory.read(arg, kvm.nd.result.records['struct kvm_userspace_memory_region']!.size);
  if (!b) return -task.errno.EFAULT;
  const dv = new DataView(b.buffer);
  const at = (p: string) => recordOf(kvm.nd, 'struct kvm_userspace_memory_region').field(p).offset;
  const slot = dv.getUint32(at('slot'), kvm.le);
  const size = dv.getBigUint64(at('memory_size'), kvm.le);
  vm.slots.set(slot, {
    base: dv.getBigUint64(at('guest_phys_addr'), kvm.le),
    size,
    flags: dv.getUint32(at('flags'), kvm.le),
    dirty: new Set(),
  });
  return 0;
};

/** kvm_vm_ioctl_get_dirty_log() on the kernel's struct kvm_dirty_log: the slot's bitmap out, then cleared. */
function kvmGetDirtyLog(kvm: Kvm, vm: Vm, task: Task, log: Uint8Array): number {
  const dv = new DataView(log.buffer, log.byteOffset, log.byteLength);
  const slotId = dv.getUint32(recordOf(kvm.nd, 'struct kvm_dirty_log').field('slot').offset, kvm.le);
  const bitmap = dv.getBigUint64(recordOf(kvm.nd, 'struct kvm_dirty_log').field('dirty_bitmap').offset, kvm.le);
  const slot = vm.slots.get(slotId);
  if (!slot) return -task.errno.ENOENT;
  const pages = Number(slot.size / BigInt(PAGE_SIZE));
  const bytes = new Uint8Array(Math.ceil(pages / 64) * 8);
  for (const p of slot.dirty) bytes[p >> 3]! |= 1 << (p & 7);
  slot.dirty.clear();
  return task.copyToUser(bitmap, bytes);
}

/** kvm_vm_ioctl() KVM_GET_DIRTY_LOG: the native struct kvm_dirty_log from the task. */
const kvmVmIoctlGetDirtyLog: KvmVmIoctl = (kvm, vm, arg, task) => {
  const b = task.memory.read(arg, kvm.nd.result.records['struct kvm_dirty_log']!.size);
  return b ? kvmGetDirtyLog(kvm, vm, task, b) : -task.errno.EFAULT;
};

/** kvm_vm_ioctl()'s switch; the rest is kvm_arch_vm_ioctl()'s (KVM_UNKNOWN_COMMAND). */
const KVM_VM_IOCTLS: IoctlTable<KvmNumber, KvmVmIoctl> = {
  KVM_CREATE_VCPU: kvmVmIoctlCreateVcpu,
  KVM_SET_USER_MEMORY_REGION: kvmVmIoctlSetMemoryRegion,
  KVM_GET_DIRTY_LOG: kvmVmIoctlGetDirtyLog,
};

/** kvm_vm_compat_ioctl() KVM_GET_DIRTY_LOG: struct compat_kvm_dirty_log, then compat_ptr(dirty_bitmap). */
const kvmVmCompatGetDirtyLog: KvmVmCompatIoctl = (kvm, vm, arg, task) => {
  const conv = kvm.dirtyLogConverter(task.abi);
  const b = task.memory.read(BigInt(compatPtr(task.abi, arg)), conv.compatSize);
  if (!b) return -task.errno.EFAULT;
  return kvmGetDirtyLog(kvm, vm, task, conv.compatToNative(b));
};

/** kvm_vm_compat_ioctl()'s switch; the rest goes to kvm_vm_ioctl() with compat_ptr(arg). */
const KVM_VM_COMPAT_IOCTLS: IoctlTable<KvmNumber, KvmVmCompatIoctl> = {
  KVM_GET_DIRTY_LOG: kvmVmCompatGetDirtyLog,
};

/** kvm_vcpu_ioctl() KVM_GET_REGS. */
const kvmVcpuGetRegs: KvmVcpuIoctl = (regs, arg, task) => task.copyToUser(arg, regs);

/** kvm_vcpu_ioctl() KVM_SET_REGS: memdup_user() of the whole struct kvm_regs. */
const kvmVcpuSetRegs: KvmVcpuIoctl = (regs, arg, task) => {
  const b = task.memory.read(arg, regs.length);
  if (!b) return -task.errno.EFAULT;
  regs.set(b);
  return 0;
};

/** kvm_vcpu_ioctl()'s switch; the rest is kvm_arch_vcpu_ioctl()'s (KVM_UNKNOWN_COMMAND). */
const KVM_VCPU_IOCTLS: IoctlTable<KvmNumber, KvmVcpuIoctl> = {
  KVM_GET_REGS: kvmVcpuGetRegs,
  KVM_SET_REGS: kvmVcpuSetRegs,
};

/** kvm_dev_ioctl(). */
function kvmDevIoctl(kvm: Kvm, cmd: number, arg: bigint, task: Task): number {
  return kvm.devIoctls.get(cmd)?.(kvm, arg, task) ?? -task.errno[kvm.unknown.dev];
}

/** kvm_vm_ioctl(). */
function kvmVmIoctl(kvm: Kvm, file: KFile, cmd: number, arg: bigint, task: Task): number {
  return kvm.vmIoctls.get(cmd)?.(kvm, file.privateData as Vm, arg, task) ?? -task.errno[kvm.unknown.vm];
}

/** kvm_chardev_ops: .compat_ioctl = kvm_dev_ioctl when KVM_COMPAT, with the raw argument. */
function kvmChardevFops(kvm: Kvm): FileOperations {
  return {
    unlocked_ioctl: (_file, cmd, arg, task) => kvmDevIoctl(kvm, cmd, arg, task),
    ...kvmCompat(kvm, (_file, cmd, arg, task) => kvmDevIoctl(kvm, cmd, BigInt(arg), task), true),
  };
}

/** kvm_vm_fops: kvm_vm_ioctl(), and kvm_vm_compat_ioctl() when KVM_COMPAT. */
function kvmVmFops(kvm: Kvm): FileOperations {
  const compat: FileOperations['compat_ioctl'] = (file, cmd, arg, task) => {
    const h = kvm.vmCompatIoctls.get(cmd);
    if (h) return h(kvm, file.privateData as Vm, arg, task);
    return kvmVmIoctl(kvm, file, cmd, BigInt(compatPtr(task.abi, arg)), task);
  };
  return {
    unlocked_ioctl: (file, cmd, arg, task) => kvmVmIoctl(kvm, file, cmd, arg, task),
    ...kvmCompat(kvm, compat, false),
  };
}

/** kvm_vcpu_fops: kvm_vcpu_ioctl(); kvm_vcpu_compat_ioctl() passes the rest to it with compat_ptr(arg). */
function kvmVcpuFops(kvm: Kvm, regs: Uint8Array): FileOperations {
  const ioctl = (cmd: number, arg: bigint, task: Task) =>
    kvm.vcpuIoctls.get(cmd)?.(regs, arg, task) ?? -task.errno[kvm.unknown.vcpu];
  return {
    unlocked_ioctl: (_file, cmd, arg, task) => ioctl(cmd, arg, task),
    ...kvmCompat(kvm, (_file, cmd, arg, task) => ioctl(cmd, BigInt(compatPtr(task.abi, arg)), task), true),
  };
}

/** Compiled once per compat ABI: struct kvm_dirty_log, compat layout to native. */
function dirtyLogConverters(native: Abi, nd: Dumped, include: IncludeOptions): (compat: Abi) => Converter {
  const converters = new Map<string, Converter>();
  return (compat) => {
    let c = converters.get(compat.name);
    if (!c) {
      const cd = dumpHeaders({ abi: compat, headers: ['linux/kvm.h'], ...include });
      const log = (d: Dumped): CType => ({ kind: 'record', decl: d.decls.get('struct kvm_dirty_log')! });
      c = compileConverter(log(nd), log(cd), native, compat, { choose: ['dirty_bitmap'] });
      converters.set(compat.name, c);
    }
    return c;
  };
}

/** Adds /dev/kvm to a model kernel; headers for the native ABI (and its compat ABIs) come from `include`. */
export function installKvm(kernel: Kernel, include: IncludeOptions = {}): { KVM: boolean; KVM_COMPAT: boolean } {
  const native = kernel.native;
  const config = kvmConfig(native);
  if (!config.KVM) return config;
  const nd = dumpHeaders({ abi: native, headers: ['linux/kvm.h'], ...include });
  // -1 where the ABI has no such ioctl: no number matches it
  const numbers = NUMBERS.map((name) => [name, nd.ioctls.get(name)?.cmd ?? -1]);
  const n = Object.fromEntries(numbers) as Record<KvmNumber, number>;
  const { KVM_CAP_USER_MEMORY } = macroNumbers(native, ['linux/kvm.h'], ['KVM_CAP_USER_MEMORY'], include);
  const arch = native.kernelArch;
  const kvm: Kvm = {
    kernel,
    config,
    nd,
    le: native.endian === 'little',
    capUserMemory: KVM_CAP_USER_MEMORY!,
    vcpuMmapSize: PAGE_SIZE * (1 + (arch === 'x86' ? 1 : 0) + (KVM_MMIO.has(arch) ? 1 : 0)),
    dirtyLogConverter: dirtyLogConverters(native, nd, include),
    devIoctls: byNumber(n, KVM_DEV_IOCTLS),
    vmIoctls: byNumber(n, KVM_VM_IOCTLS),
    vmCompatIoctls: byNumber(n, KVM_VM_COMPAT_IOCTLS),
    vcpuIoctls: byNumber(n, KVM_VCPU_IOCTLS),
    unknown: KVM_UNKNOWN_COMMAND[arch]!,
  };
  kernel.addDevice('/dev/kvm', { name: 'kvm', kind: 'chr', major: 10, minor: 232, fops: kvmChardevFops(kvm) });
  return config;
}
