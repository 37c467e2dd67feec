import { family } from './table.js';

export const FB = family('fb', { header: 'linux/fb.h' }, [
  ['FBIOGET_VSCREENINFO', 'r', 'struct fb_var_screeninfo', 'drivers/video/fbdev/core/fb_chrdev.c:do_fb_ioctl'],
  ['FBIOPUT_VSCREENINFO', 'rw', 'struct fb_var_screeninfo', 'drivers/video/fbdev/core/fb_chrdev.c:do_fb_ioctl'],
  [
    'FBIOGET_FSCREENINFO',
    'r',
    'struct fb_fix_screeninfo',
    'drivers/video/fbdev/core/fb_chrdev.c:do_fb_ioctl',
    { note: 'smem_start/mmio_start are unsigned long: fb_get_fscreeninfo converts' },
  ],
  [
    'FBIOGETCMAP',
    'w',
    'struct fb_cmap',
    'drivers/video/fbdev/core/fb_chrdev.c:do_fb_ioctl',
    { note: 'the kernel fills the red/green/blue/transp arrays it points to; fb_getput_cmap converts' },
  ],
  [
    'FBIOPUTCMAP',
    'w',
    'struct fb_cmap',
    'drivers/video/fbdev/core/fb_chrdev.c:do_fb_ioctl',
    { note: 'holds pointers: fb_getput_cmap converts' },
  ],
  ['FBIOPAN_DISPLAY', 'rw', 'struct fb_var_screeninfo', 'drivers/video/fbdev/core/fb_chrdev.c:do_fb_ioctl'],
  [
    'FBIOGET_CON2FBMAP',
    'rw',
    'struct fb_con2fbmap',
    'drivers/video/fbdev/core/fbcon.c:fbcon_get_con2fb_map_ioctl',
    { note: 'console in, framebuffer out' },
  ],
  ['FBIOPUT_CON2FBMAP', 'w', 'struct fb_con2fbmap', 'drivers/video/fbdev/core/fbcon.c:fbcon_set_con2fb_map_ioctl'],
  ['FBIOBLANK', 'value', 'int', 'drivers/video/fbdev/core/fb_chrdev.c:do_fb_ioctl', { note: 'FB_BLANK_* level' }],
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
]);
