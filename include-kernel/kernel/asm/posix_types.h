/*
 * ioctl32: the kernel's arch/x86/include/asm/posix_types.h, which picks the word size's types by
 * CONFIG_X86_32 (x86's UAPI one picks them only outside the kernel). Other architectures' UAPI
 * headers serve the kernel as they are.
 */
#if defined(__x86_64__) || defined(__i386__)
#ifdef __i386__
#include <asm/posix_types_32.h>
#else
#include <asm/posix_types_64.h>
#endif
#else
#include_next <asm/posix_types.h>
#endif
