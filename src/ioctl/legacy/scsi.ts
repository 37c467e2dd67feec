import { family } from './table.js';

/*
 * scsi/sg.h, scsi/scsi.h and scsi/scsi_ioctl.h (glibc's copies: Linux no longer exports them) as Linux 6.1 handles
 * them: drivers/scsi/sg.c (sg_ioctl_common, then scsi_ioctl; .compat_ioctl = compat_ptr_ioctl) and
 * drivers/scsi/scsi_ioctl.c (scsi_ioctl, also reached from sd, sr and st). The `int *` arguments are int in both ABIs.
 * No handler in 6.1 for SG_SET_TRANSFORM, SG_GET_TRANSFORM (sg_ioctl_common only checks detaching for it),
 * SCSI_IOCTL_TAGGED_ENABLE, SCSI_IOCTL_TAGGED_DISABLE, SCSI_IOCTL_BENCHMARK_COMMAND and SCSI_IOCTL_SYNC (scsi_ioctl
 * only logs them as deprecated, then hands them to the host driver, none of which knows them): left out.
 */
const SG_C = 'drivers/scsi/sg.c:sg_ioctl_common';
const SCSI_IOCTL_C = 'drivers/scsi/scsi_ioctl.c';

export const SCSI = family('scsi', { header: 'scsi/sg.h' }, [
  ['SG_SET_TIMEOUT', 'w', 'int', SG_C, { note: 'in USER_HZ ticks' }],
  ['SG_GET_TIMEOUT', 'none', null, SG_C, { note: 'the timeout is the return value' }],
  ['SG_EMULATED_HOST', 'r', 'int', SG_C],
  ['SG_SET_RESERVED_SIZE', 'w', 'int', SG_C],
  ['SG_GET_RESERVED_SIZE', 'r', 'int', SG_C],
  ['SG_GET_SCSI_ID', 'r', 'struct sg_scsi_id', SG_C],
  ['SG_SET_FORCE_LOW_DMA', 'none', null, SG_C, { note: 'accepted and ignored: returns 0 without reading' }],
  ['SG_GET_LOW_DMA', 'r', 'int', SG_C, { note: 'always 0' }],
  ['SG_SET_FORCE_PACK_ID', 'w', 'int', SG_C],
  ['SG_GET_PACK_ID', 'r', 'int', SG_C],
  ['SG_GET_NUM_WAITING', 'r', 'int', SG_C],
  ['SG_GET_SG_TABLESIZE', 'r', 'int', SG_C],
  ['SG_GET_VERSION_NUM', 'r', 'int', SG_C],
  ['SG_SCSI_RESET', 'w', 'int', 'drivers/scsi/scsi_error.c:scsi_ioctl_reset', { note: 'SG_SCSI_RESET_* value' }],
  [
    'SG_IO',
    'rw',
    'struct sg_io_hdr',
    SG_C,
    {
      note:
        'dxferp, cmdp, sbp and usr_ptr are pointers: get_sg_io_hdr/put_sg_io_hdr (drivers/scsi/scsi_ioctl.c) ' +
        'convert struct compat_sg_io_hdr; the same on sd/sr/st through scsi_ioctl',
    },
  ],
  [
    'SG_GET_REQUEST_TABLE',
    'r',
    'sg_req_info_t [SG_MAX_QUEUE]',
    SG_C,
    { note: 'usr_ptr is a pointer: put_compat_request_table writes struct compat_sg_req_info' },
  ],
  ['SG_SET_KEEP_ORPHAN', 'w', 'int', SG_C],
  ['SG_GET_KEEP_ORPHAN', 'r', 'int', SG_C],
  ['SG_GET_COMMAND_Q', 'r', 'int', SG_C],
  ['SG_SET_COMMAND_Q', 'w', 'int', SG_C],
  ['SG_SET_DEBUG', 'w', 'int', SG_C],
  ['SG_NEXT_CMD_LEN', 'w', 'int', SG_C],
  [
    'SCSI_IOCTL_SEND_COMMAND',
    'rw',
    'unsigned int [2]',
    `${SCSI_IOCTL_C}:sg_scsi_ioctl`,
    {
      header: 'scsi/scsi_ioctl.h',
      note:
        'struct scsi_ioctl_command (not exported): inlen and outlen, then the CDB and inlen bytes the kernel ' +
        'reads; it writes outlen bytes (or the sense) over data',
    },
  ],
  ['SCSI_IOCTL_TEST_UNIT_READY', 'none', null, `${SCSI_IOCTL_C}:scsi_ioctl`, { header: 'scsi/scsi_ioctl.h' }],
  ['SCSI_IOCTL_START_UNIT', 'none', null, `${SCSI_IOCTL_C}:scsi_ioctl`, { header: 'scsi/scsi_ioctl.h' }],
  ['SCSI_IOCTL_STOP_UNIT', 'none', null, `${SCSI_IOCTL_C}:scsi_ioctl`, { header: 'scsi/scsi_ioctl.h' }],
  ['SCSI_IOCTL_DOORLOCK', 'none', null, `${SCSI_IOCTL_C}:scsi_ioctl`, { header: 'scsi/scsi_ioctl.h' }],
  ['SCSI_IOCTL_DOORUNLOCK', 'none', null, `${SCSI_IOCTL_C}:scsi_ioctl`, { header: 'scsi/scsi_ioctl.h' }],
  [
    'SCSI_IOCTL_GET_IDLUN',
    'r',
    'unsigned int [2]',
    `${SCSI_IOCTL_C}:scsi_get_idlun`,
    { header: 'scsi/scsi.h', note: 'struct scsi_idlun (not exported): __u32 dev_id, host_unique_id' },
  ],
  [
    'SCSI_IOCTL_PROBE_HOST',
    'rw',
    'unsigned int',
    `${SCSI_IOCTL_C}:ioctl_probe`,
    { header: 'scsi/scsi.h', note: "the buffer's length in, the host's name out over the buffer" },
  ],
  ['SCSI_IOCTL_GET_BUS_NUMBER', 'r', 'int', `${SCSI_IOCTL_C}:scsi_ioctl`, { header: 'scsi/scsi.h' }],
  [
    'SG_SET_TRANSFORM',
    'none',
    null,
    'drivers/scsi/sg.c:sg_ioctl',
    {
      unhandled: true,
      note: 'no 6.1 code handles it: sg gives it to scsi_ioctl, then the host driver (EINVAL without one)',
    },
  ],
  [
    'SG_GET_TRANSFORM',
    'none',
    null,
    'drivers/scsi/sg.c:sg_ioctl',
    {
      unhandled: true,
      note: 'no 6.1 code handles it: sg gives it to scsi_ioctl, then the host driver (EINVAL without one)',
    },
  ],
  [
    'SCSI_IOCTL_TAGGED_ENABLE',
    'none',
    null,
    'drivers/scsi/scsi_ioctl.c:scsi_ioctl',
    {
      header: 'scsi/scsi.h',
      unhandled: true,
      note: 'deprecated: scsi_ioctl logs it and gives it to the host driver (EINVAL without one)',
    },
  ],
  [
    'SCSI_IOCTL_TAGGED_DISABLE',
    'none',
    null,
    'drivers/scsi/scsi_ioctl.c:scsi_ioctl',
    {
      header: 'scsi/scsi.h',
      unhandled: true,
      note: 'deprecated: scsi_ioctl logs it and gives it to the host driver (EINVAL without one)',
    },
  ],
  [
    'SCSI_IOCTL_BENCHMARK_COMMAND',
    'none',
    null,
    'drivers/scsi/scsi_ioctl.c:scsi_ioctl',
    {
      header: 'scsi/scsi_ioctl.h',
      unhandled: true,
      note: 'deprecated: scsi_ioctl logs it and gives it to the host driver (EINVAL without one)',
    },
  ],
  [
    'SCSI_IOCTL_SYNC',
    'none',
    null,
    'drivers/scsi/scsi_ioctl.c:scsi_ioctl',
    {
      header: 'scsi/scsi_ioctl.h',
      unhandled: true,
      note: 'deprecated: scsi_ioctl logs it and gives it to the host driver (EINVAL without one)',
    },
  ],
]);
