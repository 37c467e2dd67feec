import { family, type LegacyAccess, type LegacyRow } from './table.js';

/** A row of dell-smm-hwmon's i8k_ioctl, whose numbers name size_t (linux/i8k.h). */
const i8k = (name: string, access: LegacyAccess, arg: string, note: string): LegacyRow => [
  name,
  access,
  arg,
  'drivers/hwmon/dell-smm-hwmon.c:i8k_ioctl',
  { header: 'linux/i8k.h', needs: ['linux/ioctl.h', 'stddef.h'], misdeclared: true, note },
];

/** A UI_SET_*BIT of /dev/uinput: _IOW(int), but uinput_ioctl_handler sets the bit the argument itself numbers. */
const uinputBit = (name: string): LegacyRow => [
  name,
  'value',
  'int',
  'drivers/input/misc/uinput.c:uinput_ioctl_handler',
  { header: 'linux/uinput.h', misdeclared: true, note: '_IOW(int) but the bit number is the argument itself' },
];

/** A row of /dev/agpgart, handled by `fn` of drivers/char/agp/frontend.c (linux/agpgart.h). */
const agp = (name: string, access: LegacyAccess, arg: string | null, fn: string, note: string): LegacyRow => [
  name,
  access,
  arg,
  `drivers/char/agp/frontend.c:${fn}`,
  { header: 'linux/agpgart.h', needs: ['linux/ioctl.h'], misdeclared: true, note },
];

export const OTHER = family('other', { header: 'linux/perf_event.h' }, [
  [
    'PERF_EVENT_IOC_ENABLE',
    'value',
    '__u32',
    'kernel/events/core.c:_perf_ioctl',
    { note: 'PERF_IOC_FLAG_GROUP flags' },
  ],
  [
    'PERF_EVENT_IOC_DISABLE',
    'value',
    '__u32',
    'kernel/events/core.c:_perf_ioctl',
    { note: 'PERF_IOC_FLAG_GROUP flags' },
  ],
  ['PERF_EVENT_IOC_RESET', 'value', '__u32', 'kernel/events/core.c:_perf_ioctl', { note: 'PERF_IOC_FLAG_GROUP flags' }],
  ['PERF_EVENT_IOC_REFRESH', 'value', 'int', 'kernel/events/core.c:_perf_event_refresh'],
  ['PERF_EVENT_IOC_PERIOD', 'w', '__u64', 'kernel/events/core.c:_perf_ioctl'],
  [
    'PERF_EVENT_IOC_SET_OUTPUT',
    'value',
    'int',
    'kernel/events/core.c:_perf_ioctl',
    { note: 'the target event fd, or -1' },
  ],
  [
    'PERF_EVENT_IOC_SET_FILTER',
    'w',
    'char',
    'kernel/events/core.c:perf_event_set_filter',
    {
      misdeclared: true,
      note: '_IOW(char *) but the argument points to the NUL-terminated filter string; perf_compat_ioctl fixes the size field',
    },
  ],
  [
    'PERF_EVENT_IOC_ID',
    'r',
    '__u64',
    'kernel/events/core.c:_perf_ioctl',
    {
      misdeclared: true,
      note: "_IOR(__u64 *) so the size is a pointer's; the kernel writes a u64 and perf_compat_ioctl fixes the size field",
    },
  ],
  [
    'PERF_EVENT_IOC_SET_BPF',
    'value',
    '__u32',
    'kernel/events/core.c:_perf_ioctl',
    { misdeclared: true, note: '_IOW(__u32) but the BPF program fd is the argument itself' },
  ],
  [
    'PERF_EVENT_IOC_PAUSE_OUTPUT',
    'value',
    '__u32',
    'kernel/events/core.c:_perf_ioctl',
    { misdeclared: true, note: '_IOW(__u32) but the pause flag is the argument itself' },
  ],
  [
    'PERF_EVENT_IOC_QUERY_BPF',
    'rw',
    'struct perf_event_query_bpf',
    'kernel/trace/bpf_trace.c:perf_event_query_prog_array',
    {
      misdeclared: true,
      note: "_IOWR(struct perf_event_query_bpf *) so the size is a pointer's; perf_compat_ioctl fixes the size field",
    },
  ],
  [
    'PERF_EVENT_IOC_MODIFY_ATTRIBUTES',
    'w',
    'struct perf_event_attr',
    'kernel/events/core.c:perf_copy_attr',
    {
      misdeclared: true,
      note: "_IOW(struct perf_event_attr *) so the size is a pointer's; perf_compat_ioctl fixes the size field",
    },
  ],
  [
    'EVIOCRMFF',
    'value',
    'int',
    'drivers/input/evdev.c:evdev_do_ioctl',
    { header: 'linux/input.h', misdeclared: true, note: '_IOW(int) but the effect id is the argument itself' },
  ],
  [
    'EVIOCGRAB',
    'value',
    'int',
    'drivers/input/evdev.c:evdev_do_ioctl',
    { header: 'linux/input.h', misdeclared: true, note: '_IOW(int) but grab/release is the argument itself' },
  ],
  [
    'EVIOCREVOKE',
    'value',
    'int',
    'drivers/input/evdev.c:evdev_do_ioctl',
    { header: 'linux/input.h', misdeclared: true, note: '_IOW(int) but the argument itself must be 0' },
  ],
  ['EVIOCSCLOCKID', 'w', 'int', 'drivers/input/evdev.c:evdev_do_ioctl', { header: 'linux/input.h' }],
  // uinput_set_bit(arg, ...): the bit number is the argument itself
  uinputBit('UI_SET_EVBIT'),
  uinputBit('UI_SET_KEYBIT'),
  uinputBit('UI_SET_RELBIT'),
  uinputBit('UI_SET_ABSBIT'),
  uinputBit('UI_SET_MSCBIT'),
  uinputBit('UI_SET_LEDBIT'),
  uinputBit('UI_SET_SNDBIT'),
  uinputBit('UI_SET_FFBIT'),
  uinputBit('UI_SET_SWBIT'),
  uinputBit('UI_SET_PROPBIT'),
  [
    'RTC_IRQP_READ',
    'r',
    'unsigned long',
    'drivers/rtc/dev.c:rtc_dev_ioctl',
    { header: 'linux/rtc.h', note: 'rtc_dev_compat_ioctl answers RTC_IRQP_READ32 with a __u32' },
  ],
  [
    'RTC_IRQP_SET',
    'value',
    'unsigned long',
    'drivers/rtc/dev.c:rtc_dev_ioctl',
    {
      header: 'linux/rtc.h',
      misdeclared: true,
      note: '_IOW(unsigned long) but the rate is the argument itself ("arg is a plain integer, not pointer")',
    },
  ],
  [
    'RTC_EPOCH_READ',
    'none',
    null,
    'drivers/rtc/dev.c:rtc_dev_ioctl',
    {
      header: 'linux/rtc.h',
      unhandled: true,
      note: "no 6.1 RTC driver serves it (rtc-vr41xx is gone): rtc_dev_ioctl gives the driver's ENOTTY",
    },
  ],
  [
    'RTC_EPOCH_SET',
    'value',
    'unsigned long',
    'drivers/rtc/dev.c:rtc_dev_compat_ioctl',
    {
      header: 'linux/rtc.h',
      misdeclared: true,
      note:
        '_IOW(unsigned long) but the epoch is the argument itself ("arg is a plain integer, not pointer"); ' +
        'no 6.1 RTC driver serves it: ENOTTY after the CAP_SYS_TIME check',
    },
  ],
  // macros that name a long or size_t where the handler uses a value or another type
  [
    'KCOV_INIT_TRACE',
    'value',
    'unsigned long',
    'kernel/kcov.c:kcov_ioctl',
    {
      header: 'linux/kcov.h',
      needs: ['linux/ioctl.h'],
      misdeclared: true,
      note: '_IOR(unsigned long) but the size is the argument itself (size = arg); .compat_ioctl is kcov_ioctl',
    },
  ],
  [
    'REISERFS_IOC_UNPACK',
    'value',
    'unsigned long',
    'fs/reiserfs/ioctl.c:reiserfs_ioctl',
    {
      header: 'linux/reiserfs_fs.h',
      needs: ['linux/ioctl.h'],
      misdeclared: true,
      note:
        '_IOW(long) but only whether the argument is zero matters; reiserfs_compat_ioctl maps ' +
        'REISERFS_IOC32_UNPACK',
    },
  ],
  [
    'KVM_S390_VCPU_FAULT',
    'value',
    'unsigned long',
    'arch/s390/kvm/kvm-s390.c:kvm_arch_vcpu_ioctl',
    {
      header: 'linux/kvm.h',
      misdeclared: true,
      note: '_IOW(unsigned long) but the guest address is the argument itself (gmap_fault(..., arg, 0))',
    },
  ],
  [
    'KVM_S390_STORE_STATUS',
    'value',
    'unsigned long',
    'arch/s390/kvm/kvm-s390.c:kvm_arch_vcpu_ioctl',
    {
      header: 'linux/kvm.h',
      misdeclared: true,
      note: '_IOW(unsigned long) but the address is the argument itself (kvm_s390_store_status_unloaded(vcpu, arg))',
    },
  ],
  [
    'PPPOEIOCSFWD',
    'w',
    'struct sockaddr_pppox',
    'drivers/net/ppp/pppoe.c:pppoe_ioctl',
    {
      header: 'linux/if_pppox.h',
      needs: ['linux/ioctl.h', 'stddef.h'],
      misdeclared: true,
      note: '_IOW(size_t) but copy_from_user of a struct sockaddr_pppox; pppox_compat_ioctl maps PPPOEIOCSFWD32',
    },
  ],
  ...(['GET_BACKLIGHT', 'GET_MODEL', 'HAS_ADB', 'CAN_SLEEP'] as const).map((n): LegacyRow => [
    `PMU_IOC_${n}`,
    'r',
    '__u32',
    'drivers/macintosh/via-pmu.c:pmu_ioctl',
    {
      header: 'linux/pmu.h',
      needs: ['stddef.h', 'linux/types.h'],
      misdeclared: true,
      note: `_IOR(size_t) but put_user to a __u32 __user *; compat_pmu_ioctl maps PMU_IOC_${n}32`,
    },
  ]),
  [
    'PMU_IOC_SET_BACKLIGHT',
    'w',
    '__u32',
    'drivers/macintosh/via-pmu.c:pmu_ioctl',
    {
      header: 'linux/pmu.h',
      needs: ['stddef.h', 'linux/types.h'],
      misdeclared: true,
      note: '_IOW(size_t) but get_user from a __u32 __user *; compat_pmu_ioctl maps PMU_IOC_SET_BACKLIGHT32',
    },
  ],
  [
    'PMU_IOC_GRAB_BACKLIGHT',
    'none',
    null,
    'drivers/macintosh/via-pmu.c:pmu_ioctl',
    {
      header: 'linux/pmu.h',
      needs: ['stddef.h', 'linux/types.h'],
      misdeclared: true,
      note: '_IOR(size_t) but the argument is not read; compat_pmu_ioctl maps PMU_IOC_GRAB_BACKLIGHT32',
    },
  ],
  [
    'KVM_MEMORY_ENCRYPT_OP',
    'rw',
    'struct kvm_sev_cmd',
    'arch/x86/kvm/svm/sev.c:sev_mem_enc_ioctl',
    {
      header: 'linux/kvm.h',
      misdeclared: true,
      note:
        '_IOWR(unsigned long) but copy_from_user and copy_to_user of a struct kvm_sev_cmd (20 bytes on i386, 24 ' +
        'natively); no compat code converts it',
    },
  ],
  // dell-smm-hwmon's /proc/i8k (i8k_ioctl): its size_t numbers copy ints, the value written from the function's
  // common tail after the switch (no proc_compat_ioctl: a compat task's numbers reach it unknown)
  ...(['I8K_POWER_STATUS', 'I8K_FN_STATUS', 'I8K_GET_TEMP'] as const).map((n) =>
    i8k(n, 'r', 'int', '_IOR(size_t) but copy_to_user of an int'),
  ),
  ...(['I8K_GET_SPEED', 'I8K_GET_FAN'] as const).map((n) =>
    i8k(n, 'rw', 'int', '_IOWR(size_t) but copy_from_user of the fan number, an int, and copy_to_user of an int'),
  ),
  i8k(
    'I8K_SET_FAN',
    'rw',
    'int[2]',
    '_IOWR(size_t) but copy_from_user of two ints (fan, speed) and copy_to_user of the first',
  ),
  [
    'I8K_MACHINE_ID',
    'r',
    'char[16]',
    'drivers/hwmon/dell-smm-hwmon.c:i8k_ioctl',
    {
      header: 'linux/i8k.h',
      needs: ['linux/ioctl.h'],
      misdeclared: true,
      note: '_IOR(int) but copy_to_user of the 16-byte machine id ("broken: meant 16 bytes", the header says)',
    },
  ],
  [
    'XSDFEC_SET_ORDER',
    'w',
    'enum xsdfec_order',
    'drivers/misc/xilinx_sdfec.c:xsdfec_set_order',
    {
      header: 'misc/xilinx_sdfec.h',
      needs: ['linux/ioctl.h'],
      misdeclared: true,
      note: '_IOW(unsigned long) but get_user from an enum xsdfec_order __user *',
    },
  ],
  [
    'HFI1_IOCTL_ACK_EVENT',
    'value',
    'unsigned long',
    'drivers/infiniband/hw/hfi1/file_ops.c:hfi1_file_ioctl',
    {
      header: 'rdma/rdma_user_ioctl.h',
      misdeclared: true,
      note: '_IOW(unsigned long) but the event bits are the argument itself (user_event_ack(uctxt, subctxt, arg))',
    },
  ],
  [
    'ACRN_IOCTL_VM_INTR_MONITOR',
    'value',
    'unsigned long',
    'drivers/virt/acrn/hsm.c:acrn_dev_ioctl',
    {
      header: 'linux/acrn.h',
      needs: ['linux/ioctl.h'],
      misdeclared: true,
      note: '_IOW(unsigned long) but the page address is the argument itself (pin_user_pages_fast(ioctl_param, ...))',
    },
  ],
  // /dev/agpgart (agp_ioctl): the numbers name pointers to structs the UAPI header calls struct _agp_*; the
  // handlers copy the structs themselves (compat_agp_ioctl converts them under its AGPIOC_*32 numbers)
  agp(
    'AGPIOC_INFO',
    'r',
    'struct _agp_info',
    'agpioc_info_wrap',
    '_IOR(struct agp_info *) but copy_to_user of the struct agp_info itself',
  ),
  agp(
    'AGPIOC_SETUP',
    'w',
    'struct _agp_setup',
    'agpioc_setup_wrap',
    '_IOW(struct agp_setup *) but copy_from_user of the struct agp_setup itself',
  ),
  agp(
    'AGPIOC_RESERVE',
    'w',
    'struct _agp_region',
    'agpioc_reserve_wrap',
    '_IOW(struct agp_region *) but copy_from_user of the struct agp_region itself (and of its seg_list)',
  ),
  agp(
    'AGPIOC_PROTECT',
    'none',
    null,
    'agpioc_protect_wrap',
    '_IOW(struct agp_region *) but not implemented: agpioc_protect_wrap returns EINVAL and reads nothing',
  ),
  agp(
    'AGPIOC_ALLOCATE',
    'rw',
    'struct _agp_allocate',
    'agpioc_allocate_wrap',
    '_IOWR(struct agp_allocate *) but copy_from_user and copy_to_user of the struct agp_allocate itself',
  ),
  agp(
    'AGPIOC_BIND',
    'w',
    'struct _agp_bind',
    'agpioc_bind_wrap',
    '_IOW(struct agp_bind *) but copy_from_user of the struct agp_bind itself',
  ),
  agp(
    'AGPIOC_UNBIND',
    'w',
    'struct _agp_unbind',
    'agpioc_unbind_wrap',
    '_IOW(struct agp_unbind *) but copy_from_user of the struct agp_unbind itself',
  ),
  agp(
    'AGPIOC_DEALLOCATE',
    'value',
    'int',
    'agp_ioctl',
    '_IOW(int) but the key is the argument itself (agpioc_deallocate_wrap(curr_priv, (int) arg))',
  ),
]);
