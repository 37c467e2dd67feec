/* ioctl32's stand-in for the compiler's <float.h>: the constants headers test. */
#ifndef _FLOAT_H___
#define _FLOAT_H___
#define FLT_RADIX 2
#define FLT_MANT_DIG 24
#define DBL_MANT_DIG 53
#define FLT_DIG 6
#define DBL_DIG 15
#endif
