import { family } from './table.js';

/**
 * linux/vt.h on a virtual console (vt_ioctl). vt_compat_ioctl passes VT_ACTIVATE, VT_WAITACTIVE, VT_RELDISP and
 * VT_DISALLOCATE through as integers and compat_ptr()s the rest: no vt.h struct holds a pointer or a long.
 * VT_SENDSIG is still in the header but no 6.1 code handles it: vt_ioctl's default case answers -ENOIOCTLCMD.
 */
const SRC = 'drivers/tty/vt/vt_ioctl.c:vt_ioctl';

export const VT = family('vt', { header: 'linux/vt.h' }, [
  ['VT_OPENQRY', 'r', 'int', SRC, { note: 'the first free console (1-based), or -1' }],
  ['VT_GETMODE', 'r', 'struct vt_mode', SRC],
  ['VT_SETMODE', 'w', 'struct vt_mode', SRC],
  ['VT_GETSTATE', 'r', 'struct vt_stat', SRC, { note: 'v_active and v_state written, v_signal left alone' }],
  ['VT_RELDISP', 'value', 'unsigned int', 'drivers/tty/vt/vt_ioctl.c:vt_reldisp', { note: '0, 1 or VT_ACKACQ' }],
  ['VT_ACTIVATE', 'value', 'unsigned long', SRC, { note: 'console number, 1-based' }],
  ['VT_WAITACTIVE', 'value', 'unsigned long', SRC, { note: 'console number, 1-based' }],
  ['VT_DISALLOCATE', 'value', 'unsigned long', SRC, { note: 'console number, 1-based; 0 frees all unused' }],
  ['VT_RESIZE', 'w', 'struct vt_sizes', SRC, { note: 'v_rows and v_cols read' }],
  ['VT_RESIZEX', 'w', 'struct vt_consize', 'drivers/tty/vt/vt_ioctl.c:vt_resizex'],
  ['VT_LOCKSWITCH', 'none', null, SRC],
  ['VT_UNLOCKSWITCH', 'none', null, SRC],
  ['VT_GETHIFONTMASK', 'r', 'unsigned short', SRC],
  [
    'VT_WAITEVENT',
    'rw',
    'struct vt_event',
    'drivers/tty/vt/vt_ioctl.c:vt_event_wait_ioctl',
    { note: 'event mask in, the event that happened out' },
  ],
  ['VT_SETACTIVATE', 'w', 'struct vt_setactivate', 'drivers/tty/vt/vt_ioctl.c:vt_setactivate'],
  [
    'VT_SENDSIG',
    'none',
    null,
    'drivers/tty/vt/vt_ioctl.c:vt_ioctl',
    { unhandled: true, note: 'no 6.1 code handles it: ENOTTY' },
  ],
]);
