import { family, type LegacyRowExtra } from './table.js';

/*
 * linux/hdreg.h. In Linux 6.1 only block/ioctl.c (HDIO_GETGEO), drivers/ata/libata-scsi.c and
 * drivers/block/mtip32xx handle these. The numbers the IDE layer served (removed in 5.14) have no case label
 * anywhere in 6.1's drivers/, block/ or fs/: blkdev_ioctl gives them to the disk driver, which knows them not.
 */
const IDE_GONE: LegacyRowExtra = {
  unhandled: true,
  note: "no 6.1 code handles it since the IDE layer went (5.14): the disk driver's default answer",
};

export const HDREG = family('hdreg', { header: 'linux/hdreg.h' }, [
  [
    'HDIO_GETGEO',
    'r',
    'struct hd_geometry',
    'block/ioctl.c:blkdev_getgeo',
    { note: 'start is unsigned long: compat_hdio_getgeo converts' },
  ],
  ['HDIO_GET_UNMASKINTR', 'none', null, 'block/ioctl.c:blkdev_ioctl', IDE_GONE],
  ['HDIO_GET_MULTCOUNT', 'none', null, 'block/ioctl.c:blkdev_ioctl', IDE_GONE],
  ['HDIO_GET_KEEPSETTINGS', 'none', null, 'block/ioctl.c:blkdev_ioctl', IDE_GONE],
  [
    'HDIO_GET_32BIT',
    'r',
    'unsigned long',
    'drivers/ata/libata-scsi.c:ata_sas_scsi_ioctl',
    { note: 'a compat task gets a compat_ulong_t' },
  ],
  ['HDIO_GET_NOWERR', 'none', null, 'block/ioctl.c:blkdev_ioctl', IDE_GONE],
  ['HDIO_GET_DMA', 'none', null, 'block/ioctl.c:blkdev_ioctl', IDE_GONE],
  ['HDIO_GET_NICE', 'none', null, 'block/ioctl.c:blkdev_ioctl', IDE_GONE],
  [
    'HDIO_GET_IDENTITY',
    'r',
    'struct hd_driveid',
    'drivers/ata/libata-scsi.c:ata_get_identity',
    { note: 'the 256 IDENTIFY words (512 bytes)' },
  ],
  ['HDIO_GET_WCACHE', 'none', null, 'block/ioctl.c:blkdev_ioctl', IDE_GONE],
  ['HDIO_GET_ACOUSTIC', 'none', null, 'block/ioctl.c:blkdev_ioctl', IDE_GONE],
  ['HDIO_GET_ADDRESS', 'none', null, 'block/ioctl.c:blkdev_ioctl', IDE_GONE],
  ['HDIO_GET_BUSSTATE', 'none', null, 'block/ioctl.c:blkdev_ioctl', IDE_GONE],
  ['HDIO_DRIVE_RESET', 'none', null, 'block/ioctl.c:blkdev_ioctl', IDE_GONE],
  [
    'HDIO_DRIVE_TASK',
    'rw',
    'unsigned char [7]',
    'drivers/ata/libata-scsi.c:ata_task_ioctl',
    { note: 'command and taskfile registers in, status registers out' },
  ],
  [
    'HDIO_DRIVE_CMD_AEB',
    'rw',
    'unsigned char [7]',
    'drivers/ata/libata-scsi.c:ata_task_ioctl',
    { note: 'another name for HDIO_DRIVE_TASK (same number)' },
  ],
  [
    'HDIO_DRIVE_TASKFILE',
    'rw',
    'ide_task_request_t',
    'drivers/block/mtip32xx/mtip32xx.c:mtip_hw_ioctl',
    {
      note:
        'out_size/in_size are unsigned long: mtip_block_compat_ioctl converts (struct ' +
        'mtip_compat_ide_task_request_s); followed by out_size bytes the kernel reads and in_size bytes it writes',
    },
  ],
  [
    'HDIO_DRIVE_CMD',
    'rw',
    'unsigned char [4]',
    'drivers/ata/libata-scsi.c:ata_cmd_ioctl',
    { note: 'followed by args[3] * 512 bytes of data the kernel writes' },
  ],
  ['HDIO_SET_MULTCOUNT', 'none', null, 'block/ioctl.c:blkdev_ioctl', IDE_GONE],
  ['HDIO_SET_UNMASKINTR', 'none', null, 'block/ioctl.c:blkdev_ioctl', IDE_GONE],
  ['HDIO_SET_KEEPSETTINGS', 'none', null, 'block/ioctl.c:blkdev_ioctl', IDE_GONE],
  ['HDIO_SET_32BIT', 'value', 'unsigned long', 'drivers/ata/libata-scsi.c:ata_sas_scsi_ioctl'],
  ['HDIO_SET_NOWERR', 'none', null, 'block/ioctl.c:blkdev_ioctl', IDE_GONE],
  ['HDIO_SET_DMA', 'none', null, 'block/ioctl.c:blkdev_ioctl', IDE_GONE],
  ['HDIO_SET_PIO_MODE', 'none', null, 'block/ioctl.c:blkdev_ioctl', IDE_GONE],
  ['HDIO_SET_NICE', 'none', null, 'block/ioctl.c:blkdev_ioctl', IDE_GONE],
  ['HDIO_SET_WCACHE', 'none', null, 'block/ioctl.c:blkdev_ioctl', IDE_GONE],
  ['HDIO_SET_ACOUSTIC', 'none', null, 'block/ioctl.c:blkdev_ioctl', IDE_GONE],
  ['HDIO_SET_ADDRESS', 'none', null, 'block/ioctl.c:blkdev_ioctl', IDE_GONE],
  ['HDIO_GET_QDMA', 'none', null, 'block/ioctl.c:blkdev_ioctl', IDE_GONE],
  ['HDIO_SET_QDMA', 'none', null, 'block/ioctl.c:blkdev_ioctl', IDE_GONE],
  ['HDIO_SET_XFER', 'none', null, 'block/ioctl.c:blkdev_ioctl', IDE_GONE],
  ['HDIO_OBSOLETE_IDENTITY', 'none', null, 'block/ioctl.c:blkdev_ioctl', IDE_GONE],
  ['HDIO_TRISTATE_HWIF', 'none', null, 'block/ioctl.c:blkdev_ioctl', IDE_GONE],
  ['HDIO_SCAN_HWIF', 'none', null, 'block/ioctl.c:blkdev_ioctl', IDE_GONE],
  ['HDIO_UNREGISTER_HWIF', 'none', null, 'block/ioctl.c:blkdev_ioctl', IDE_GONE],
  ['HDIO_SET_BUSSTATE', 'none', null, 'block/ioctl.c:blkdev_ioctl', IDE_GONE],
]);
