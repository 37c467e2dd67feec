/*
 * ioctl32: the kernel's include/asm-generic/ioctl.h, which kernel code reaches for the UAPI one:
 * its _IOC_TYPECHECK makes _IOR/_IOW/_IOWR of an argument too large for the size field no
 * constant (the UAPI header leaves _IOC_TYPECHECK to the kernel under __KERNEL__). The kernel
 * names an extern variable there; a load needs no declaration, so a unit that borrows the _IO*
 * macros without including this file (src/ioctl/catalogue.ts) reads them alike.
 */
#ifndef _ASM_GENERIC_IOCTL_H
#define _ASM_GENERIC_IOCTL_H
#include_next <asm-generic/ioctl.h>
#define _IOC_TYPECHECK(t) \
	((sizeof(t) == sizeof(t[1]) && sizeof(t) < (1 << _IOC_SIZEBITS)) ? \
	 sizeof(t) : *(const unsigned int *)0)
#endif
