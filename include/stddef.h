/* ioctl32's stand-in for the compiler's <stddef.h> (GCC's, reduced to what headers use). */
#if !defined(_STDDEF_H) || defined(__need_size_t) || defined(__need_wchar_t) || defined(__need_ptrdiff_t) || defined(__need_NULL) || defined(__need_wint_t)
#if !defined(__need_size_t) && !defined(__need_wchar_t) && !defined(__need_ptrdiff_t) && !defined(__need_NULL) && !defined(__need_wint_t)
#define _STDDEF_H
#define __STDDEF_H__
#define __need_size_t
#define __need_wchar_t
#define __need_ptrdiff_t
#define __need_NULL
#define __ioctl32_stddef_all
#endif
#if defined(__need_size_t) && !defined(__SIZE_T_DEFINED_IOCTL32)
#define __SIZE_T_DEFINED_IOCTL32
#define __size_t__
#define __SIZE_T__
#define _SIZE_T
#define _SIZE_T_DEFINED
#define _SIZE_T_DECLARED
#define __size_t
typedef __SIZE_TYPE__ size_t;
#endif
#undef __need_size_t
#if defined(__need_ptrdiff_t) && !defined(__PTRDIFF_T_DEFINED_IOCTL32)
#define __PTRDIFF_T_DEFINED_IOCTL32
#define _PTRDIFF_T
typedef __PTRDIFF_TYPE__ ptrdiff_t;
#endif
#undef __need_ptrdiff_t
#if defined(__need_wchar_t) && !defined(__WCHAR_T_DEFINED_IOCTL32)
#define __WCHAR_T_DEFINED_IOCTL32
#define _WCHAR_T
#define __wchar_t__
typedef __WCHAR_TYPE__ wchar_t;
#endif
#undef __need_wchar_t
#if defined(__need_wint_t) && !defined(__WINT_T_DEFINED_IOCTL32)
#define __WINT_T_DEFINED_IOCTL32
#define _WINT_T
typedef __WINT_TYPE__ wint_t;
#endif
#undef __need_wint_t
#if defined(__need_NULL)
#undef NULL
#define NULL ((void *)0)
#endif
#undef __need_NULL
#ifdef __ioctl32_stddef_all
#undef __ioctl32_stddef_all
#define offsetof(TYPE, MEMBER) __builtin_offsetof (TYPE, MEMBER)
typedef struct {
  long long __max_align_ll __attribute__((__aligned__(__alignof__(long long))));
  long double __max_align_ld __attribute__((__aligned__(__alignof__(long double))));
} max_align_t;
#endif
#endif
