/* ioctl32's stand-in for the compiler's <stdint.h>: the C library's, as GCC's wrapper does. */
#ifndef _GCC_WRAP_STDINT_H
#if __has_include_next(<stdint.h>)
#include_next <stdint.h>
#endif
#define _GCC_WRAP_STDINT_H
#endif
