/* ioctl32: the kernel's include/linux/input.h: <linux/time.h> first (its linux/types.h too). */
#ifndef _INPUT_H
#define _INPUT_H
#include <linux/time.h>
#include_next <linux/input.h>
#endif
