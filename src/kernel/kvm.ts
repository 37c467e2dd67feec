/**
 * KVM in the model (virt/kvm/kvm_main.c): /dev/kvm, VM and vCPU descriptors, and its compat
 * story. CONFIG_KVM_COMPAT is `depends on KVM && COMPAT && !(S390 || ARM64 || RISCV)`
 * (virt/kvm/Kconfig). Without it, the "double line of defense": kvm_no_compat_open() refuses a
 * compat task's open with -ENODEV, and kvm_no_compat_ioctl() fails every ioctl a compat task
 * issues on a descriptor a 64-bit task handed it with -EINVAL.
 */
import type { Abi } from '../abi/types.js';
import { compatPtr } from '../abi/index.js';
import type { IncludeOptions } from '../cfront/index.js';
import { ERRNO } from '../thunk/errors.js';
import { compileConverter, type Converter } from '../thunk/compile.js';
import { dumpHeaders } from '../report/dump.js';
import { PAGE_SIZE, type Device, type FileOperations, type KFile, type Kernel, type Task } from './kernel.js';
import { macroNumbers, recordOf } from './numbers.js';

/** Kernel architectures that build KVM (arch/<arch>/kvm). */
const KVM_ARCHES = new Set(['x86', 'arm64', 'powerpc', 's390', 'mips', 'riscv']);
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

const NUMBERS = ['KVM_GET_API_VERSION', 'KVM_CREATE_VM', 'KVM_CHECK_EXTENSION', 'KVM_GET_VCPU_MMAP_SIZE', 'KVM_CREATE_VCPU', 'KVM_SET_USER_MEMORY_REGION', 'KVM_GET_DIRTY_LOG', 'KVM_GET_REGS', 'KVM_SET_REGS'] as const;
type KvmNumber = (typeof NUMBERS)[number];

interface Vm {
  slots: Map<number, { base: bigint; size: bigint; flags: number; dirty: Set<number> }>;
  vcpus: number;
}

/** Adds /dev/kvm to a model kernel; headers for the native ABI (and its compat ABIs) come from `include`. */
export function installKvm(kernel: Kernel, include: IncludeOptions = {}): { KVM: boolean; KVM_COMPAT: boolean } {
  const config = kvmConfig(kernel.native);
  if (!config.KVM) return config;
  const nd = dumpHeaders({ abi: kernel.native, headers: ['linux/kvm.h'], ...include });
  const n = Object.fromEntries(NUMBERS.map((name) => [name, nd.ioctls.get(name)?.cmd ?? -1])) as Record<KvmNumber, number>;
  const { KVM_CAP_USER_MEMORY: capUserMemory } = macroNumbers(kernel.native, ['linux/kvm.h'], ['KVM_CAP_USER_MEMORY'], include);
  const le = kernel.native.endian === 'little';
  const arch = kernel.native.kernelArch;
  const vcpuMmapSize = PAGE_SIZE * (1 + (arch === 'x86' ? 1 : 0) + (KVM_MMIO.has(arch) ? 1 : 0));
  const compatConverters = new Map<string, Converter>();
  const dirtyLogConverter = (compat: Abi): Converter => {
    let c = compatConverters.get(compat.name);
    if (!c) {
      const cd = dumpHeaders({ abi: compat, headers: ['linux/kvm.h'], ...include });
      c = compileConverter({ kind: 'record', decl: nd.decls.get('struct kvm_dirty_log')! }, { kind: 'record', decl: cd.decls.get('struct kvm_dirty_log')! }, kernel.native, compat, { choose: ['dirty_bitmap'] });
      compatConverters.set(compat.name, c);
    }
    return c;
  };
  const noCompatIoctl = () => -ERRNO.EINVAL;
  const noCompatOpen = (_f: KFile, task: Task) => (task.compat ? -ERRNO.ENODEV : 0);

  const getDirtyLog = (vm: Vm, task: Task, log: Uint8Array): number => {
    const dv = new DataView(log.buffer, log.byteOffset, log.byteLength);
    const slotId = dv.getUint32(recordOf(nd, 'struct kvm_dirty_log').field('slot').offset, le);
    const bitmap = dv.getBigUint64(recordOf(nd, 'struct kvm_dirty_log').field('dirty_bitmap').offset, le);
    const slot = vm.slots.get(slotId);
    if (!slot) return -ERRNO.ENOENT;
    const pages = Number(slot.size / BigInt(PAGE_SIZE));
    const bytes = new Uint8Array(Math.ceil(pages / 64) * 8);
    for (const p of slot.dirty) bytes[p >> 3]! |= 1 << (p & 7);
    slot.dirty.clear();
    return task.copyToUser(bitmap, bytes);
  };

  const vcpuFops = (regs: Uint8Array): FileOperations => ({
    unlocked_ioctl(_file, cmd, arg, task) {
      if (cmd === n.KVM_GET_REGS) return task.copyToUser(arg, regs);
      if (cmd === n.KVM_SET_REGS) {
        const b = task.memory.read(arg, regs.length);
        if (!b) return -ERRNO.EFAULT;
        regs.set(b);
        return 0;
      }
      return -ERRNO.ENOTTY;
    },
    // kvm_vcpu_compat_ioctl passes the rest to kvm_vcpu_ioctl with compat_ptr(arg)
    compat_ioctl: config.KVM_COMPAT ? (file, cmd, arg, task) => vcpuFops(regs).unlocked_ioctl!(file, cmd, BigInt(compatPtr(task.abi, arg)), task) : noCompatIoctl,
    ...(config.KVM_COMPAT ? {} : { open: noCompatOpen }),
  });

  const vmIoctl = (file: KFile, cmd: number, arg: bigint, task: Task): number => {
    const vm = file.privateData as Vm;
    if (cmd === n.KVM_CREATE_VCPU) {
      const regs = new Uint8Array(nd.result.records['struct kvm_regs']?.size ?? 144);
      const dev: Device = { name: 'kvm-vcpu', kind: 'anon', major: 0, minor: 0, fops: vcpuFops(regs) };
      vm.vcpus++;
      return kernel.openDevice(task, dev);
    }
    if (cmd === n.KVM_SET_USER_MEMORY_REGION) {
      const size = nd.result.records['struct kvm_userspace_memory_region']!.size;
      const b = task.memory.read(arg, size);
      if (!b) return -ERRNO.EFAULT;
      const dv = new DataView(b.buffer);
      const get = (p: string) => recordOf(nd, 'struct kvm_userspace_memory_region').field(p);
      const slot = dv.getUint32(get('slot').offset, le);
      const memSize = dv.getBigUint64(get('memory_size').offset, le);
      vm.slots.set(slot, { base: dv.getBigUint64(get('guest_phys_addr').offset, le), size: memSize, flags: dv.getUint32(get('flags').offset, le), dirty: new Set() });
      return 0;
    }
    if (cmd === n.KVM_GET_DIRTY_LOG) {
      const b = task.memory.read(arg, nd.result.records['struct kvm_dirty_log']!.size);
      return b ? getDirtyLog(vm, task, b) : -ERRNO.EFAULT;
    }
    return -ERRNO.ENOTTY;
  };

  const vmFops: FileOperations = {
    unlocked_ioctl: vmIoctl,
    compat_ioctl: config.KVM_COMPAT
      ? (file, cmd, arg, task) => {
          // kvm_vm_compat_ioctl: struct compat_kvm_dirty_log, then compat_ptr(dirty_bitmap)
          if (cmd === n.KVM_GET_DIRTY_LOG) {
            const conv = dirtyLogConverter(task.abi);
            const b = task.memory.read(BigInt(compatPtr(task.abi, arg)), conv.compatSize);
            if (!b) return -ERRNO.EFAULT;
            return getDirtyLog(file.privateData as Vm, task, conv.compatToNative(b));
          }
          return vmIoctl(file, cmd, BigInt(compatPtr(task.abi, arg)), task);
        }
      : noCompatIoctl,
  };

  const devIoctl = (_file: KFile, cmd: number, arg: bigint, task: Task): number => {
    if (cmd === n.KVM_GET_API_VERSION) return arg === 0n ? 12 : -ERRNO.EINVAL;
    if (cmd === n.KVM_CHECK_EXTENSION) return Number(arg) === capUserMemory ? 1 : 0;
    // kvm_dev_ioctl: struct kvm_run's page, x86's PIO data page, the coalesced MMIO ring's page
    if (cmd === n.KVM_GET_VCPU_MMAP_SIZE) return arg === 0n ? vcpuMmapSize : -ERRNO.EINVAL;
    if (cmd === n.KVM_CREATE_VM) {
      const dev: Device = { name: 'kvm-vm', kind: 'anon', major: 0, minor: 0, fops: vmFops };
      return kernel.openDevice(task, dev, { slots: new Map(), vcpus: 0 } satisfies Vm);
    }
    return -ERRNO.ENOTTY;
  };

  kernel.addDevice('/dev/kvm', {
    name: 'kvm',
    kind: 'chr',
    major: 10,
    minor: 232,
    fops: {
      unlocked_ioctl: devIoctl,
      // kvm_chardev_ops: .compat_ioctl = kvm_dev_ioctl when KVM_COMPAT
      compat_ioctl: config.KVM_COMPAT ? (file, cmd, arg, task) => devIoctl(file, cmd, BigInt(arg), task) : noCompatIoctl,
      ...(config.KVM_COMPAT ? {} : { open: noCompatOpen }),
    },
  });
  return config;
}

