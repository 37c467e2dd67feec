/* ioctl32's stand-in for the compiler's <stdarg.h>. */
#ifndef _STDARG_H
#ifndef __need___va_list
#define _STDARG_H
#define _ANSI_STDARG_H_
#endif
#undef __need___va_list
#ifndef __GNUC_VA_LIST
#define __GNUC_VA_LIST
typedef __builtin_va_list __gnuc_va_list;
#endif
#ifdef _STDARG_H
typedef __gnuc_va_list va_list;
#define va_start(v, l) __builtin_va_start(v, l)
#define va_end(v) __builtin_va_end(v)
#define va_arg(v, l) __builtin_va_arg(v, l)
#define va_copy(d, s) __builtin_va_copy(d, s)
#endif
#endif
