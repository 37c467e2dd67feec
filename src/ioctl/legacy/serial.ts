import { family } from './table.js';

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
    'drivers/tty/serial/serial_core.c:uart_ioctl',
    { note: 'obsolete: answered 0 without touching the argument' },
  ],
  [
    'TIOCSERSWILD',
    'none',
    null,
    'drivers/tty/serial/serial_core.c:uart_ioctl',
    { note: 'obsolete: answered 0 without touching the argument' },
  ],
]);
