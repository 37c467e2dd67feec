import { family, type LegacyRow } from './table.js';

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
  // dell-smm-hwmon's /proc/i8k (i8k_ioctl). Its size_t numbers (I8K_GET_TEMP ...) are ints too, but written from
  // the function's common tail, which access.test.ts's reading of each case does not see: not rows yet
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
]);
