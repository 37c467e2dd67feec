import { family } from './table.js';

/**
 * TIOCSERGWILD, TIOCSERSWILD, TIOCSERGSTRUCT, TIOCSERGETMULTI and TIOCSERSETMULTI are still in asm-generic/ioctls.h
 * but no 6.1 code handles them: tty_ioctl gives the line discipline's -ENOIOCTLCMD back as -ENOTTY.
 */

export const SERIAL = family('serial', { header: 'asm-generic/ioctls.h', needs: ['linux/serial.h'] }, [
  [
    'TIOCGSERIAL',
    'r',
    'struct serial_struct',
    'drivers/tty/tty_io.c:tty_tiocgserial',
    { note: 'compat_tty_tiocgserial converts (iomem_base is a pointer)' },
  ],
  [
    'TIOCSSERIAL',
    'w',
    'struct serial_struct',
    'drivers/tty/tty_io.c:tty_tiocsserial',
    { note: 'compat_tty_tiocsserial converts (iomem_base is a pointer)' },
  ],
  ['TIOCGICOUNT', 'r', 'struct serial_icounter_struct', 'drivers/tty/tty_io.c:tty_tiocgicount'],
  [
    'TIOCMIWAIT',
    'value',
    'unsigned long',
    'drivers/tty/serial/serial_core.c:uart_wait_modem_status',
    { note: 'TIOCM_* mask of lines to wait for' },
  ],
  ['TIOCSERGETLSR', 'r', 'unsigned int', 'drivers/tty/serial/serial_core.c:uart_get_lsr_info'],
  ['TIOCSERCONFIG', 'none', null, 'drivers/tty/serial/serial_core.c:uart_do_autoconfig'],
  ['TIOCGRS485', 'r', 'struct serial_rs485', 'drivers/tty/serial/serial_core.c:uart_get_rs485_config'],
  [
    'TIOCSRS485',
    'rw',
    'struct serial_rs485',
    'drivers/tty/serial/serial_core.c:uart_set_rs485_config',
    { note: 'the configuration in effect is copied back' },
  ],
  [
    'TIOCSERGWILD',
    'none',
    null,
    'drivers/tty/tty_io.c:tty_ioctl',
    { unhandled: true, note: 'no 6.1 code handles it: ENOTTY' },
  ],
  [
    'TIOCSERSWILD',
    'none',
    null,
    'drivers/tty/tty_io.c:tty_ioctl',
    { unhandled: true, note: 'no 6.1 code handles it: ENOTTY' },
  ],
  [
    'TIOCSERGSTRUCT',
    'none',
    null,
    'drivers/tty/tty_io.c:tty_ioctl',
    { unhandled: true, note: 'no 6.1 code handles it: ENOTTY' },
  ],
  [
    'TIOCSERGETMULTI',
    'none',
    null,
    'drivers/tty/tty_io.c:tty_ioctl',
    { unhandled: true, note: 'no 6.1 code handles it: ENOTTY' },
  ],
  [
    'TIOCSERSETMULTI',
    'none',
    null,
    'drivers/tty/tty_io.c:tty_ioctl',
    { unhandled: true, note: 'no 6.1 code handles it: ENOTTY' },
  ],
]);
