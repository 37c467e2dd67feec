import { family } from './table.js';

/**
 * linux/kd.h on a virtual console. vt_ioctl tries vt_k_ioctl, then vt_io_ioctl; vt_compat_ioctl passes the arguments
 * it lists as integers through unchanged, converts KDFONTOP and GIO/PIO_UNIMAP, and compat_ptr()s the rest.
 * GIO_FONT, PIO_FONT, GIO_FONTX, PIO_FONTX and PIO_FONTRESET are still in the header but no 6.1 code handles them:
 * vt_ioctl's default case answers -ENOIOCTLCMD, which tty_ioctl gives back as -ENOTTY.
 */
const K = 'drivers/tty/vt/vt_ioctl.c:vt_k_ioctl';
const IO = 'drivers/tty/vt/vt_ioctl.c:vt_io_ioctl';

export const KD = family('kd', { header: 'linux/kd.h' }, [
  ['KIOCSOUND', 'value', 'unsigned long', K, { note: 'PIT count (1193182 / Hz); 0 silences' }],
  ['KDMKTONE', 'value', 'unsigned long', K, { note: 'duration in ms in bits 16-31, PIT count in bits 0-15' }],
  ['KDGETLED', 'r', 'char', 'drivers/tty/vt/keyboard.c:vt_do_kdskled'],
  ['KDSETLED', 'value', 'unsigned int', 'drivers/tty/vt/keyboard.c:vt_do_kdskled', { note: 'LED_* lights' }],
  ['KDGKBTYPE', 'r', 'char', K, { note: 'always KB_101' }],
  ['KDADDIO', 'value', 'unsigned long', K, { note: 'an I/O port in 0x3b4..0x3df (x86 only)' }],
  ['KDDELIO', 'value', 'unsigned long', K, { note: 'an I/O port in 0x3b4..0x3df (x86 only)' }],
  ['KDENABIO', 'none', null, K, { note: 'x86 only' }],
  ['KDDISABIO', 'none', null, K, { note: 'x86 only' }],
  ['KDSETMODE', 'value', 'unsigned long', 'drivers/tty/vt/vt_ioctl.c:vt_kdsetmode', { note: 'KD_TEXT/KD_GRAPHICS' }],
  ['KDGETMODE', 'r', 'int', K],
  ['KDMAPDISP', 'none', null, K, { note: 'always -EINVAL' }],
  ['KDUNMAPDISP', 'none', null, K, { note: 'always -EINVAL' }],
  ['GIO_SCRNMAP', 'r', 'unsigned char [256]', 'drivers/tty/vt/consolemap.c:con_get_trans_old', { note: 'E_TABSZ' }],
  ['PIO_SCRNMAP', 'w', 'unsigned char [256]', 'drivers/tty/vt/consolemap.c:con_set_trans_old', { note: 'E_TABSZ' }],
  ['GIO_UNISCRNMAP', 'r', 'unsigned short [256]', 'drivers/tty/vt/consolemap.c:con_get_trans_new'],
  ['PIO_UNISCRNMAP', 'w', 'unsigned short [256]', 'drivers/tty/vt/consolemap.c:con_set_trans_new'],
  [
    'GIO_UNIMAP',
    'rw',
    'struct unimapdesc',
    'drivers/tty/vt/vt_ioctl.c:do_unimap_ioctl',
    {
      note:
        'entries points to entry_ct unipairs the kernel fills; it writes back entry_ct; ' +
        'vt_compat_ioctl converts (compat_unimap_ioctl)',
    },
  ],
  [
    'PIO_UNIMAP',
    'w',
    'struct unimapdesc',
    'drivers/tty/vt/vt_ioctl.c:do_unimap_ioctl',
    { note: 'entries points to entry_ct unipairs; vt_compat_ioctl converts (compat_unimap_ioctl)' },
  ],
  ['PIO_UNIMAPCLR', 'none', null, IO, { note: 'con_clear_unimap ignores the struct unimapinit advice' }],
  ['KDGKBMODE', 'r', 'int', K],
  ['KDSKBMODE', 'value', 'unsigned int', 'drivers/tty/vt/keyboard.c:vt_do_kdskbmode', { note: 'K_RAW..K_OFF' }],
  ['KDGKBMETA', 'r', 'int', K],
  [
    'KDSKBMETA',
    'value',
    'unsigned int',
    'drivers/tty/vt/keyboard.c:vt_do_kdskbmeta',
    { note: 'K_METABIT/K_ESCPREFIX' },
  ],
  ['KDGKBLED', 'r', 'char', 'drivers/tty/vt/keyboard.c:vt_do_kdskled'],
  ['KDSKBLED', 'value', 'unsigned long', 'drivers/tty/vt/keyboard.c:vt_do_kdskled', { note: 'flags | default << 4' }],
  ['KDGKBENT', 'rw', 'struct kbentry', 'drivers/tty/vt/keyboard.c:vt_do_kdsk_ioctl', { note: 'kb_value out' }],
  ['KDSKBENT', 'w', 'struct kbentry', 'drivers/tty/vt/keyboard.c:vt_do_kdsk_ioctl'],
  ['KDGKBSENT', 'rw', 'struct kbsentry', 'drivers/tty/vt/keyboard.c:vt_do_kdgkb_ioctl', { note: 'kb_string out' }],
  ['KDSKBSENT', 'w', 'struct kbsentry', 'drivers/tty/vt/keyboard.c:vt_do_kdgkb_ioctl'],
  ['KDGKBDIACR', 'r', 'struct kbdiacrs', 'drivers/tty/vt/keyboard.c:vt_do_diacrit'],
  ['KDSKBDIACR', 'w', 'struct kbdiacrs', 'drivers/tty/vt/keyboard.c:vt_do_diacrit'],
  ['KDGKBDIACRUC', 'r', 'struct kbdiacrsuc', 'drivers/tty/vt/keyboard.c:vt_do_diacrit'],
  ['KDSKBDIACRUC', 'w', 'struct kbdiacrsuc', 'drivers/tty/vt/keyboard.c:vt_do_diacrit'],
  [
    'KDGETKEYCODE',
    'rw',
    'struct kbkeycode',
    'drivers/tty/vt/keyboard.c:vt_do_kbkeycode_ioctl',
    { note: 'keycode out' },
  ],
  ['KDSETKEYCODE', 'w', 'struct kbkeycode', 'drivers/tty/vt/keyboard.c:vt_do_kbkeycode_ioctl'],
  ['KDSIGACCEPT', 'value', 'unsigned long', K, { note: 'the signal to send on the spawn-console key' }],
  ['KDKBDREP', 'rw', 'struct kbd_repeat', K, { note: 'the rates in effect are copied back' }],
  [
    'KDFONTOP',
    'rw',
    'struct console_font_op',
    K,
    { note: 'data is a pointer to the font: vt_compat_ioctl converts (compat_kdfontop_ioctl)' },
  ],
  ['GIO_CMAP', 'r', 'unsigned char [48]', 'drivers/tty/vt/vt.c:con_get_cmap', { note: '16 RGB triplets' }],
  ['PIO_CMAP', 'w', 'unsigned char [48]', 'drivers/tty/vt/vt.c:con_set_cmap', { note: '16 RGB triplets' }],
  [
    'GIO_FONT',
    'none',
    null,
    'drivers/tty/vt/vt_ioctl.c:vt_ioctl',
    { unhandled: true, note: 'no 6.1 code handles it: ENOTTY' },
  ],
  [
    'PIO_FONT',
    'none',
    null,
    'drivers/tty/vt/vt_ioctl.c:vt_ioctl',
    { unhandled: true, note: 'no 6.1 code handles it: ENOTTY' },
  ],
  [
    'GIO_FONTX',
    'none',
    null,
    'drivers/tty/vt/vt_ioctl.c:vt_ioctl',
    { unhandled: true, note: 'no 6.1 code handles it: ENOTTY' },
  ],
  [
    'PIO_FONTX',
    'none',
    null,
    'drivers/tty/vt/vt_ioctl.c:vt_ioctl',
    { unhandled: true, note: 'no 6.1 code handles it: ENOTTY' },
  ],
  [
    'PIO_FONTRESET',
    'none',
    null,
    'drivers/tty/vt/vt_ioctl.c:vt_ioctl',
    { unhandled: true, note: 'no 6.1 code handles it: ENOTTY' },
  ],
]);
