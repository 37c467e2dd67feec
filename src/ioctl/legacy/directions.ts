import { family } from './table.js';

/**
 * Numbers of other families whose _IOR/_IOW says the opposite of what the handler copies, found by looking at the
 * copy calls under each `case NAME:` of an _IOR/_IOW macro in Linux 6.1 and confirmed in the function cited; and an
 * _IOWR whose handler only reads (native and compat alike), so that nothing is copied back.
 */
export const DIRECTIONS = family('other', { header: 'linux/kvm.h' }, [
  [
    'WDIOC_SETOPTIONS',
    'w',
    'int',
    'drivers/watchdog/watchdog_dev.c:watchdog_ioctl',
    { header: 'linux/watchdog.h', misdeclared: true, note: '_IOR but the kernel reads the WDIOS_* options (get_user)' },
  ],
  [
    'EVIOCGMASK',
    'w',
    'struct input_mask',
    'drivers/input/evdev.c:evdev_do_ioctl',
    {
      header: 'linux/input.h',
      misdeclared: true,
      note: '_IOR but the struct is only read; the kernel writes the bitmap its codes_ptr names',
    },
  ],
  [
    'EVIOCSFF',
    'rw',
    'struct ff_effect',
    'drivers/input/evdev.c:evdev_do_ioctl',
    {
      header: 'linux/input.h',
      misdeclared: true,
      note: '_IOW but the kernel writes the effect id back (put_user(effect.id, ...))',
      // a compat task's effect is its bytes, custom_data made a pointer (the periodic member holds it)
      member: {
        union: 'u',
        member: 'periodic',
        source: 'drivers/input/input-compat.c:input_ff_effect_from_user',
        shows: 'effect->u.periodic.custom_data = compat_ptr(compat_effect->u.periodic.custom_data)',
      },
    },
  ],
  [
    'BTRFS_IOC_ENCODED_READ',
    'rw',
    'struct btrfs_ioctl_encoded_io_args',
    'fs/btrfs/ioctl.c:btrfs_ioctl_encoded_read',
    {
      header: 'linux/btrfs.h',
      misdeclared: true,
      note: '_IOR but the kernel reads iov, iovcnt, offset and flags (copy_from_user) and writes the rest back',
    },
  ],
  [
    'KVM_SET_IRQCHIP',
    'w',
    'struct kvm_irqchip',
    'arch/x86/kvm/x86.c:kvm_arch_vm_ioctl',
    { misdeclared: true, note: '_IOR but the kernel reads the irqchip state (memdup_user)' },
  ],
  [
    'KVM_SET_PIT',
    'w',
    'struct kvm_pit_state',
    'arch/x86/kvm/x86.c:kvm_arch_vm_ioctl',
    { misdeclared: true, note: '_IOR but the kernel reads the PIT state (copy_from_user)' },
  ],
  [
    'KVM_MEMORY_ENCRYPT_REG_REGION',
    'w',
    'struct kvm_enc_region',
    'arch/x86/kvm/x86.c:kvm_arch_vm_ioctl',
    { misdeclared: true, note: '_IOR but the kernel reads the region (copy_from_user)' },
  ],
  [
    'KVM_MEMORY_ENCRYPT_UNREG_REGION',
    'w',
    'struct kvm_enc_region',
    'arch/x86/kvm/x86.c:kvm_arch_vm_ioctl',
    { misdeclared: true, note: '_IOR but the kernel reads the region (copy_from_user)' },
  ],
  [
    'KVM_CLEAR_DIRTY_LOG',
    'w',
    'struct kvm_clear_dirty_log',
    'virt/kvm/kvm_main.c:kvm_vm_ioctl',
    {
      misdeclared: true,
      note: '_IOWR but the kernel only reads the struct (copy_from_user, kvm_vm_compat_ioctl too), never writes it',
    },
  ],
  [
    'VHOST_SCSI_GET_ABI_VERSION',
    'r',
    'int',
    'drivers/vhost/scsi.c:vhost_scsi_ioctl',
    { header: 'linux/vhost.h', misdeclared: true, note: '_IOW but the kernel writes the version (copy_to_user)' },
  ],
  [
    'VHOST_SCSI_GET_EVENTS_MISSED',
    'r',
    '__u32',
    'drivers/vhost/scsi.c:vhost_scsi_ioctl',
    { header: 'linux/vhost.h', misdeclared: true, note: '_IOW but the kernel writes the count (put_user)' },
  ],
  [
    'SNAPSHOT_CREATE_IMAGE',
    'r',
    'int',
    'kernel/power/user.c:snapshot_ioctl',
    {
      header: 'linux/suspend_ioctls.h',
      needs: ['linux/ioctl.h'],
      misdeclared: true,
      note: '_IOW but the kernel writes in_suspend back (put_user)',
    },
  ],
]);
