import { family } from './table.js';

/**
 * usbfs (drivers/usb/core/devio.c, dispatched by usbdev_do_ioctl; .compat_ioctl is compat_ptr_ioctl): the
 * numbers whose _IOR/_IOW says the other direction than the proc_* function copies. The rest of the USBDEVFS_*
 * numbers agree with their macro (GET_CAPABILITIES put_user, DROP_PRIVILEGES copy_from_user), take no argument
 * (_IO) or are not usbfs ioctls at all (HUB_PORTINFO is an ioctl_code inside USBDEVFS_IOCTL); the *32 macros other
 * than REAPURB32 name structs the UAPI does not define.
 */
export const USB = family('usb', { header: 'linux/usbdevice_fs.h', needs: ['linux/ioctl.h'] }, [
  [
    'USBDEVFS_CONTROL',
    'w',
    'struct usbdevfs_ctrltransfer',
    'drivers/usb/core/devio.c:proc_control',
    { misdeclared: true, note: '_IOWR but the struct is only read; the data its pointer names goes either way' },
  ],
  [
    'USBDEVFS_BULK',
    'w',
    'struct usbdevfs_bulktransfer',
    'drivers/usb/core/devio.c:proc_bulk',
    { misdeclared: true, note: '_IOWR but the struct is only read; the data its pointer names goes either way' },
  ],
  [
    'USBDEVFS_RESETEP',
    'w',
    'unsigned int',
    'drivers/usb/core/devio.c:proc_resetep',
    { misdeclared: true, note: '_IOR but the kernel reads the endpoint (get_user)' },
  ],
  [
    'USBDEVFS_SETINTERFACE',
    'w',
    'struct usbdevfs_setinterface',
    'drivers/usb/core/devio.c:proc_setintf',
    { misdeclared: true, note: '_IOR but the kernel reads it (copy_from_user)' },
  ],
  [
    'USBDEVFS_SETCONFIGURATION',
    'w',
    'int',
    'drivers/usb/core/devio.c:proc_setconfig',
    { misdeclared: true, note: '_IOR(unsigned int) but the kernel reads an int (get_user)' },
  ],
  [
    'USBDEVFS_GETDRIVER',
    'rw',
    'struct usbdevfs_getdriver',
    'drivers/usb/core/devio.c:proc_getdriver',
    { misdeclared: true, note: '_IOW but the kernel reads the interface and writes the driver name back' },
  ],
  [
    'USBDEVFS_SUBMITURB',
    'w',
    'struct usbdevfs_urb',
    'drivers/usb/core/devio.c:proc_submiturb',
    {
      misdeclared: true,
      note: '_IOR but the kernel reads the urb; it writes status fields through the kept pointer later, at reap',
    },
  ],
  [
    'USBDEVFS_REAPURB',
    'r',
    'void *',
    'drivers/usb/core/devio.c:processcompl',
    { misdeclared: true, note: '_IOW but the kernel writes the reaped urb pointer (put_user)' },
  ],
  [
    'USBDEVFS_REAPURB32',
    'r',
    '__u32',
    'drivers/usb/core/devio.c:processcompl_compat',
    { misdeclared: true, note: '_IOW but the kernel writes the reaped urb pointer (put_user of ptr_to_compat)' },
  ],
  [
    'USBDEVFS_REAPURBNDELAY',
    'r',
    'void *',
    'drivers/usb/core/devio.c:processcompl',
    { misdeclared: true, note: '_IOW but the kernel writes the reaped urb pointer (put_user)' },
  ],
  [
    'USBDEVFS_REAPURBNDELAY32',
    'r',
    '__u32',
    'drivers/usb/core/devio.c:processcompl_compat',
    { misdeclared: true, note: '_IOW but the kernel writes the reaped urb pointer (put_user of ptr_to_compat)' },
  ],
  [
    'USBDEVFS_DISCSIGNAL',
    'w',
    'struct usbdevfs_disconnectsignal',
    'drivers/usb/core/devio.c:proc_disconnectsignal',
    { misdeclared: true, note: '_IOR but the kernel reads the signal and context (copy_from_user)' },
  ],
  [
    'USBDEVFS_CLAIMINTERFACE',
    'w',
    'unsigned int',
    'drivers/usb/core/devio.c:proc_claiminterface',
    { misdeclared: true, note: '_IOR but the kernel reads the interface number (get_user)' },
  ],
  [
    'USBDEVFS_RELEASEINTERFACE',
    'w',
    'unsigned int',
    'drivers/usb/core/devio.c:proc_releaseinterface',
    { misdeclared: true, note: '_IOR but the kernel reads the interface number (get_user)' },
  ],
  [
    'USBDEVFS_CONNECTINFO',
    'r',
    'struct usbdevfs_connectinfo',
    'drivers/usb/core/devio.c:proc_connectinfo',
    { misdeclared: true, note: '_IOW but the kernel writes it (copy_to_user)' },
  ],
  [
    'USBDEVFS_IOCTL',
    'w',
    'struct usbdevfs_ioctl',
    'drivers/usb/core/devio.c:proc_ioctl_default',
    { misdeclared: true, note: '_IOWR but the struct is only read; the data its pointer names goes either way' },
  ],
  [
    'USBDEVFS_CLEAR_HALT',
    'w',
    'unsigned int',
    'drivers/usb/core/devio.c:proc_clearhalt',
    { misdeclared: true, note: '_IOR but the kernel reads the endpoint (get_user)' },
  ],
  [
    'USBDEVFS_CLAIM_PORT',
    'w',
    'unsigned int',
    'drivers/usb/core/devio.c:proc_claim_port',
    { misdeclared: true, note: '_IOR but the kernel reads the port number (get_user)' },
  ],
  [
    'USBDEVFS_RELEASE_PORT',
    'w',
    'unsigned int',
    'drivers/usb/core/devio.c:proc_release_port',
    { misdeclared: true, note: '_IOR but the kernel reads the port number (get_user)' },
  ],
  [
    'USBDEVFS_DISCONNECT_CLAIM',
    'w',
    'struct usbdevfs_disconnect_claim',
    'drivers/usb/core/devio.c:proc_disconnect_claim',
    { misdeclared: true, note: '_IOR but the kernel reads it (copy_from_user)' },
  ],
  [
    'USBDEVFS_ALLOC_STREAMS',
    'w',
    'struct usbdevfs_streams',
    'drivers/usb/core/devio.c:parse_usbdevfs_streams',
    { misdeclared: true, note: '_IOR but the kernel reads the counts and endpoints (get_user)' },
  ],
  [
    'USBDEVFS_FREE_STREAMS',
    'w',
    'struct usbdevfs_streams',
    'drivers/usb/core/devio.c:parse_usbdevfs_streams',
    { misdeclared: true, note: '_IOR but the kernel reads the counts and endpoints (get_user)' },
  ],
]);
