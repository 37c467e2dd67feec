/* ioctl32: the kernel's include/linux/videodev2.h: <linux/time.h> (struct __kernel_timespec) first. */
#ifndef __LINUX_VIDEODEV2_H
#define __LINUX_VIDEODEV2_H
#include <linux/time.h>
#include <linux/kernel.h>
#include_next <linux/videodev2.h>
#endif
