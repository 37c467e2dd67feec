/* ioctl32's stand-in for the compiler's <stdnoreturn.h>. */
#ifndef _STDNORETURN_H
#define _STDNORETURN_H
#define noreturn _Noreturn
#endif
