import { family, type LegacyAccess, type LegacyRow } from './table.js';

/** A row of matroxfb_ioctl, whose numbers name size_t (linux/matroxfb.h). */
const matrox = (name: string, access: LegacyAccess, arg: string, note: string): LegacyRow => [
  name,
  access,
  arg,
  'drivers/video/fbdev/matrox/matroxfb_base.c:matroxfb_ioctl',
  { header: 'linux/matroxfb.h', needs: ['stddef.h'], misdeclared: true, note },
];

/** A row of radeonfb_ioctl: a __u32 under a size_t number (linux/radeonfb.h). */
const radeon = (name: string, access: LegacyAccess, note: string): LegacyRow => [
  name,
  access,
  '__u32',
  'drivers/video/fbdev/aty/radeon_base.c:radeonfb_ioctl',
  { header: 'linux/radeonfb.h', needs: ['stddef.h'], misdeclared: true, note },
];

/*
 * linux/fb.h as Linux 6.1 handles it: drivers/video/fbdev/core/fbmem.c (do_fb_ioctl; fb_compat_ioctl converts
 * FBIOGET_FSCREENINFO and FBIOGETCMAP/FBIOPUTCMAP, hands the rest to the driver's fb_compat_ioctl).
 * FBIO_CURSOR is an _IOWR with its real type; do_fb_ioctl answers -EINVAL. No handler in 6.1 for FBIOGET_GLYPH,
 * FBIOGET_HWCINFO, FBIOPUT_MODEINFO or FBIOGET_DISPINFO (no case label anywhere in the tree): left out.
 */

export const FB = family('fb', { header: 'linux/fb.h' }, [
  ['FBIOGET_VSCREENINFO', 'r', 'struct fb_var_screeninfo', 'drivers/video/fbdev/core/fbmem.c:do_fb_ioctl'],
  ['FBIOPUT_VSCREENINFO', 'rw', 'struct fb_var_screeninfo', 'drivers/video/fbdev/core/fbmem.c:do_fb_ioctl'],
  [
    'FBIOGET_FSCREENINFO',
    'r',
    'struct fb_fix_screeninfo',
    'drivers/video/fbdev/core/fbmem.c:do_fb_ioctl',
    { note: 'smem_start/mmio_start are unsigned long: fb_get_fscreeninfo converts' },
  ],
  [
    'FBIOGETCMAP',
    'w',
    'struct fb_cmap',
    'drivers/video/fbdev/core/fbmem.c:do_fb_ioctl',
    { note: 'the kernel fills the red/green/blue/transp arrays it points to; fb_getput_cmap converts' },
  ],
  [
    'FBIOPUTCMAP',
    'w',
    'struct fb_cmap',
    'drivers/video/fbdev/core/fbmem.c:do_fb_ioctl',
    { note: 'holds pointers: fb_getput_cmap converts' },
  ],
  ['FBIOPAN_DISPLAY', 'rw', 'struct fb_var_screeninfo', 'drivers/video/fbdev/core/fbmem.c:do_fb_ioctl'],
  [
    'FBIOGET_CON2FBMAP',
    'rw',
    'struct fb_con2fbmap',
    'drivers/video/fbdev/core/fbcon.c:fbcon_get_con2fb_map_ioctl',
    { note: 'console in, framebuffer out' },
  ],
  ['FBIOPUT_CON2FBMAP', 'w', 'struct fb_con2fbmap', 'drivers/video/fbdev/core/fbcon.c:fbcon_set_con2fb_map_ioctl'],
  ['FBIOBLANK', 'value', 'int', 'drivers/video/fbdev/core/fbmem.c:do_fb_ioctl', { note: 'FB_BLANK_* level' }],
  [
    'FBIOGET_VBLANK',
    'r',
    'struct fb_vblank',
    'drivers/video/fbdev/ps3fb.c:ps3fb_ioctl',
    { needs: ['linux/ioctl.h'], note: 'driver-specific (fb_ops.fb_ioctl)' },
  ],
  [
    'FBIO_WAITFORVSYNC',
    'w',
    '__u32',
    'drivers/video/fbdev/ps3fb.c:ps3fb_ioctl',
    { needs: ['linux/ioctl.h'], note: 'driver-specific (fb_ops.fb_ioctl); the CRTC number' },
  ],
  [
    'FBIO_ALLOC',
    'rw',
    'struct sis_memreq',
    'drivers/video/fbdev/sis/sis_main.c:sisfb_ioctl',
    { needs: ['video/sisfb.h'], note: 'sisfb only (also its fb_compat_ioctl): size in, offset and size out' },
  ],
  [
    'FBIO_FREE',
    'w',
    '__u32',
    'drivers/video/fbdev/sis/sis_main.c:sisfb_ioctl',
    { note: 'sisfb only: the offset FBIO_ALLOC gave' },
  ],
  [
    'FBIOGET_GLYPH',
    'none',
    null,
    'drivers/video/fbdev/core/fbmem.c:do_fb_ioctl',
    {
      unhandled: true,
      note: "no 6.1 code handles it: do_fb_ioctl gives it to the driver's fb_ioctl (ENOTTY without one)",
    },
  ],
  [
    'FBIOGET_HWCINFO',
    'none',
    null,
    'drivers/video/fbdev/core/fbmem.c:do_fb_ioctl',
    {
      unhandled: true,
      note: "no 6.1 code handles it: do_fb_ioctl gives it to the driver's fb_ioctl (ENOTTY without one)",
    },
  ],
  [
    'FBIOPUT_MODEINFO',
    'none',
    null,
    'drivers/video/fbdev/core/fbmem.c:do_fb_ioctl',
    {
      unhandled: true,
      note: "no 6.1 code handles it: do_fb_ioctl gives it to the driver's fb_ioctl (ENOTTY without one)",
    },
  ],
  [
    'FBIOGET_DISPINFO',
    'none',
    null,
    'drivers/video/fbdev/core/fbmem.c:do_fb_ioctl',
    {
      unhandled: true,
      note: "no 6.1 code handles it: do_fb_ioctl gives it to the driver's fb_ioctl (ENOTTY without one)",
    },
  ],
  // drivers' own numbers declared with size_t, whose handlers copy a __u32 or a struct of two (no fb_compat_ioctl
  // maps them: a compat task's number, 4 bytes smaller, reaches the driver unknown)
  matrox(
    'MATROXFB_SET_OUTPUT_MODE',
    'w',
    'struct matroxioc_output_mode',
    '_IOW(size_t) but copy_from_user of a struct matroxioc_output_mode',
  ),
  matrox(
    'MATROXFB_GET_OUTPUT_MODE',
    'rw',
    'struct matroxioc_output_mode',
    '_IOWR(size_t) but copy_from_user and copy_to_user of a struct matroxioc_output_mode',
  ),
  matrox('MATROXFB_SET_OUTPUT_CONNECTION', 'w', '__u32', '_IOW(size_t) but copy_from_user of a u_int32_t'),
  ...(['MATROXFB_GET_OUTPUT_CONNECTION', 'MATROXFB_GET_AVAILABLE_OUTPUTS', 'MATROXFB_GET_ALL_OUTPUTS'] as const).map(
    (n) => matrox(n, 'r', '__u32', '_IOR(size_t) but put_user to a u_int32_t __user *'),
  ),
  radeon('FBIO_RADEON_GET_MIRROR', 'r', '_IOR(size_t) but put_user to a __u32 __user *'),
  radeon('FBIO_RADEON_SET_MIRROR', 'w', '_IOW(size_t) but get_user from a __u32 __user *'),
  [
    'FBIO_GETCONTROL2',
    'r',
    'unsigned char',
    'drivers/video/fbdev/arcfb.c:arcfb_ioctl',
    {
      header: 'linux/arcfb.h',
      needs: ['linux/ioctl.h', 'stddef.h'],
      misdeclared: true,
      note: '_IOR(size_t) but copy_to_user of one unsigned char',
    },
  ],
]);
