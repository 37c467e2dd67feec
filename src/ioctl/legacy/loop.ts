import { family } from './table.js';

export const LOOP = family('loop', { header: 'linux/loop.h' }, [
  ['LOOP_SET_FD', 'value', 'int', 'drivers/block/loop.c:lo_ioctl', { note: 'the backing file descriptor' }],
  ['LOOP_CLR_FD', 'none', null, 'drivers/block/loop.c:lo_ioctl'],
  [
    'LOOP_SET_STATUS',
    'w',
    'struct loop_info',
    'drivers/block/loop.c:loop_set_status_old',
    { note: 'has unsigned long and __kernel_old_dev_t fields: lo_compat_ioctl converts struct compat_loop_info' },
  ],
  [
    'LOOP_GET_STATUS',
    'r',
    'struct loop_info',
    'drivers/block/loop.c:loop_get_status_old',
    { note: 'has unsigned long and __kernel_old_dev_t fields: lo_compat_ioctl converts struct compat_loop_info' },
  ],
  ['LOOP_SET_STATUS64', 'w', 'struct loop_info64', 'drivers/block/loop.c:loop_set_status64'],
  ['LOOP_GET_STATUS64', 'r', 'struct loop_info64', 'drivers/block/loop.c:loop_get_status64'],
  [
    'LOOP_CHANGE_FD',
    'value',
    'int',
    'drivers/block/loop.c:loop_change_fd',
    { note: 'the new backing file descriptor' },
  ],
  ['LOOP_SET_CAPACITY', 'none', null, 'drivers/block/loop.c:lo_simple_ioctl'],
  ['LOOP_SET_DIRECT_IO', 'value', 'unsigned long', 'drivers/block/loop.c:loop_set_dio'],
  ['LOOP_SET_BLOCK_SIZE', 'value', 'unsigned long', 'drivers/block/loop.c:loop_set_block_size'],
  ['LOOP_CONFIGURE', 'w', 'struct loop_config', 'drivers/block/loop.c:lo_ioctl'],
  ['LOOP_CTL_ADD', 'value', 'int', 'drivers/block/loop.c:loop_control_ioctl', { note: 'the device number to add' }],
  [
    'LOOP_CTL_REMOVE',
    'value',
    'int',
    'drivers/block/loop.c:loop_control_ioctl',
    { note: 'the device number to remove' },
  ],
  [
    'LOOP_CTL_GET_FREE',
    'none',
    null,
    'drivers/block/loop.c:loop_control_ioctl',
    { note: 'returns a free device number' },
  ],
]);
