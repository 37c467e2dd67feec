import { family } from './table.js';

/*
 * linux/cdrom.h as Linux 6.1 handles it: drivers/cdrom/cdrom.c (cdrom_ioctl, the mmc_ioctl_* helpers for MMC drives)
 * and drivers/scsi/scsi_ioctl.c (scsi_ioctl, reached from sr_block_ioctl). A compat task gets there through
 * block/ioctl.c:compat_blkdev_ioctl -> blkdev_compat_ptr_ioctl (sr's .compat_ioctl), which only widens the pointer;
 * the structures that differ are converted in the handlers themselves (in_compat_syscall()).
 * No handler in 6.1 for CDROMREADCOOKED, CDROMSEEK, CDROMREADALL, CDROMGETSPINDOWN, CDROMSETSPINDOWN,
 * CDROMAUDIOBUFSIZ or DVD_WRITE_STRUCT (no case label anywhere in the tree): left out.
 */
const CDROM_C = 'drivers/cdrom/cdrom.c';

export const CDROM = family('cdrom', { header: 'linux/cdrom.h' }, [
  ['CDROMPAUSE', 'none', null, `${CDROM_C}:mmc_ioctl_cdrom_pause_resume`],
  ['CDROMRESUME', 'none', null, `${CDROM_C}:mmc_ioctl_cdrom_pause_resume`],
  ['CDROMPLAYMSF', 'w', 'struct cdrom_msf', `${CDROM_C}:mmc_ioctl_cdrom_play_msf`],
  ['CDROMPLAYTRKIND', 'w', 'struct cdrom_ti', `${CDROM_C}:cdrom_ioctl_play_trkind`],
  ['CDROMREADTOCHDR', 'rw', 'struct cdrom_tochdr', `${CDROM_C}:cdrom_ioctl_read_tochdr`],
  [
    'CDROMREADTOCENTRY',
    'rw',
    'struct cdrom_tocentry',
    `${CDROM_C}:cdrom_ioctl_read_tocentry`,
    { note: 'cdte_track and cdte_format in, the entry out' },
  ],
  ['CDROMSTOP', 'none', null, `${CDROM_C}:mmc_ioctl_cdrom_start_stop`],
  ['CDROMSTART', 'none', null, `${CDROM_C}:mmc_ioctl_cdrom_start_stop`],
  ['CDROMEJECT', 'none', null, `${CDROM_C}:cdrom_ioctl_eject`],
  ['CDROMVOLCTRL', 'w', 'struct cdrom_volctrl', `${CDROM_C}:mmc_ioctl_cdrom_volume`],
  [
    'CDROMSUBCHNL',
    'rw',
    'struct cdrom_subchnl',
    `${CDROM_C}:mmc_ioctl_cdrom_subchannel`,
    { note: 'cdsc_format in, the subchannel out' },
  ],
  [
    'CDROMREADMODE2',
    'rw',
    'unsigned char [CD_FRAMESIZE_RAW0]',
    `${CDROM_C}:mmc_ioctl_cdrom_read_data`,
    { note: 'a struct cdrom_msf in, the 2336-byte frame out over it' },
  ],
  [
    'CDROMREADMODE1',
    'rw',
    'unsigned char [CD_FRAMESIZE]',
    `${CDROM_C}:mmc_ioctl_cdrom_read_data`,
    { note: 'a struct cdrom_msf in, the 2048-byte frame out over it' },
  ],
  [
    'CDROMREADAUDIO',
    'w',
    'struct cdrom_read_audio',
    `${CDROM_C}:mmc_ioctl_cdrom_read_audio`,
    {
      note:
        'buf is a pointer the kernel fills with nframes * CD_FRAMESIZE_RAW bytes; for a compat task ' +
        'mmc_ioctl_cdrom_read_audio reads struct compat_cdrom_read_audio and compat_ptr()s buf',
    },
  ],
  ['CDROMEJECT_SW', 'value', 'unsigned long', `${CDROM_C}:cdrom_ioctl_eject_sw`, { note: 'non-zero: auto-eject' }],
  ['CDROMMULTISESSION', 'rw', 'struct cdrom_multisession', `${CDROM_C}:cdrom_ioctl_multisession`],
  ['CDROM_GET_MCN', 'r', 'struct cdrom_mcn', `${CDROM_C}:cdrom_ioctl_get_mcn`],
  [
    'CDROM_GET_UPC',
    'r',
    'struct cdrom_mcn',
    `${CDROM_C}:cdrom_ioctl_get_mcn`,
    { note: 'the deprecated name of CDROM_GET_MCN (same number)' },
  ],
  ['CDROMRESET', 'none', null, `${CDROM_C}:cdrom_ioctl_reset`],
  [
    'CDROMVOLREAD',
    'rw',
    'struct cdrom_volctrl',
    `${CDROM_C}:mmc_ioctl_cdrom_volume`,
    { note: 'the MMC path copies it in before writing the volume back' },
  ],
  [
    'CDROMREADRAW',
    'rw',
    'unsigned char [CD_FRAMESIZE_RAW]',
    `${CDROM_C}:mmc_ioctl_cdrom_read_data`,
    { note: 'a struct cdrom_msf in, the 2352-byte frame out over it' },
  ],
  ['CDROMPLAYBLK', 'w', 'struct cdrom_blk', `${CDROM_C}:mmc_ioctl_cdrom_play_blk`],
  ['CDROMCLOSETRAY', 'none', null, `${CDROM_C}:cdrom_ioctl_closetray`],
  ['CDROM_SET_OPTIONS', 'value', 'unsigned long', `${CDROM_C}:cdrom_ioctl_set_options`, { note: 'CDO_* flags' }],
  ['CDROM_CLEAR_OPTIONS', 'value', 'unsigned long', `${CDROM_C}:cdrom_ioctl_clear_options`, { note: 'CDO_* flags' }],
  ['CDROM_SELECT_SPEED', 'value', 'unsigned long', `${CDROM_C}:cdrom_ioctl_select_speed`],
  ['CDROM_SELECT_DISC', 'value', 'unsigned long', `${CDROM_C}:cdrom_ioctl_select_disc`, { note: 'a slot or CDSL_*' }],
  [
    'CDROM_MEDIA_CHANGED',
    'value',
    'unsigned long',
    `${CDROM_C}:cdrom_ioctl_media_changed`,
    { note: 'a slot or CDSL_CURRENT' },
  ],
  [
    'CDROM_DRIVE_STATUS',
    'value',
    'unsigned long',
    `${CDROM_C}:cdrom_ioctl_drive_status`,
    { note: 'a slot or CDSL_*; the status is the return value' },
  ],
  ['CDROM_DISC_STATUS', 'none', null, `${CDROM_C}:cdrom_ioctl_disc_status`, { note: 'the return value' }],
  ['CDROM_CHANGER_NSLOTS', 'none', null, `${CDROM_C}:cdrom_ioctl_changer_nslots`, { note: 'the return value' }],
  ['CDROM_LOCKDOOR', 'value', 'unsigned long', `${CDROM_C}:cdrom_ioctl_lock_door`, { note: 'non-zero: lock' }],
  ['CDROM_DEBUG', 'value', 'unsigned long', `${CDROM_C}:cdrom_ioctl_debug`, { note: 'non-zero: on' }],
  ['CDROM_GET_CAPABILITY', 'none', null, `${CDROM_C}:cdrom_ioctl_get_capability`, { note: 'the return value' }],
  ['DVD_READ_STRUCT', 'rw', 'dvd_struct', `${CDROM_C}:mmc_ioctl_dvd_read_struct`],
  ['DVD_AUTH', 'rw', 'dvd_authinfo', `${CDROM_C}:mmc_ioctl_dvd_auth`],
  [
    'CDROM_SEND_PACKET',
    'rw',
    'struct cdrom_generic_command',
    'drivers/scsi/scsi_ioctl.c:scsi_cdrom_send_packet',
    {
      note:
        'buffer, sense and unused are pointers: scsi_get_cdrom_generic_arg/scsi_put_cdrom_generic_arg ' +
        'convert struct compat_cdrom_generic_command',
    },
  ],
  [
    'CDROM_NEXT_WRITABLE',
    'r',
    'long',
    `${CDROM_C}:mmc_ioctl_cdrom_next_writable`,
    { note: 'copies sizeof(long) even for a compat task (no in_compat_syscall() case in 6.1)' },
  ],
  [
    'CDROM_LAST_WRITTEN',
    'r',
    'long',
    `${CDROM_C}:mmc_ioctl_cdrom_last_written`,
    { note: 'a compat task gets an __s32' },
  ],
  [
    'CDROM_TIMED_MEDIA_CHANGE',
    'rw',
    'struct cdrom_timed_media_change_info',
    `${CDROM_C}:cdrom_ioctl_timed_media_change`,
    { note: 'last_media_change in, media_flags and last_media_change out' },
  ],
  [
    'CDROMREADCOOKED',
    'none',
    null,
    'drivers/cdrom/cdrom.c:cdrom_ioctl',
    { unhandled: true, note: 'no 6.1 code handles it: cdrom_ioctl answers ENOSYS' },
  ],
  [
    'CDROMSEEK',
    'none',
    null,
    'drivers/cdrom/cdrom.c:cdrom_ioctl',
    { unhandled: true, note: 'no 6.1 code handles it: cdrom_ioctl answers ENOSYS' },
  ],
  [
    'CDROMREADALL',
    'none',
    null,
    'drivers/cdrom/cdrom.c:cdrom_ioctl',
    { unhandled: true, note: 'no 6.1 code handles it: cdrom_ioctl answers ENOSYS' },
  ],
  [
    'CDROMGETSPINDOWN',
    'none',
    null,
    'drivers/cdrom/cdrom.c:cdrom_ioctl',
    { unhandled: true, note: 'no 6.1 code handles it: cdrom_ioctl answers ENOSYS' },
  ],
  [
    'CDROMSETSPINDOWN',
    'none',
    null,
    'drivers/cdrom/cdrom.c:cdrom_ioctl',
    { unhandled: true, note: 'no 6.1 code handles it: cdrom_ioctl answers ENOSYS' },
  ],
  [
    'CDROMAUDIOBUFSIZ',
    'none',
    null,
    'drivers/cdrom/cdrom.c:cdrom_ioctl',
    { unhandled: true, note: 'no 6.1 code handles it: cdrom_ioctl answers ENOSYS' },
  ],
  [
    'DVD_WRITE_STRUCT',
    'none',
    null,
    'drivers/cdrom/cdrom.c:cdrom_ioctl',
    { unhandled: true, note: 'no 6.1 code handles it: cdrom_ioctl answers ENOSYS' },
  ],
]);
