import { family } from './table.js';

export const MTIO = family('mtio', { header: 'linux/mtio.h' }, [
  ['MTIOCTOP', 'w', 'struct mtop', 'drivers/scsi/st.c:st_ioctl'],
  [
    'MTIOCGET',
    'r',
    'struct mtget',
    'drivers/scsi/st.c:st_ioctl',
    { note: 'long members: put_user_mtget writes struct mtget32 to a compat task' },
  ],
  [
    'MTIOCPOS',
    'r',
    'struct mtpos',
    'drivers/scsi/st.c:st_ioctl',
    { note: 'long member: put_user_mtpos writes a u32 to a compat task' },
  ],
]);
