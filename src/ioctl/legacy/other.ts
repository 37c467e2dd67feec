import { family } from './table.js';

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
]);
