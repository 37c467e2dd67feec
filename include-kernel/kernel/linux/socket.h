/*
 * ioctl32: the kernel's include/linux/socket.h, as far as UAPI headers under __KERNEL__ use it:
 * struct sockaddr (the UAPI one has only struct __kernel_sockaddr_storage).
 */
#ifndef _LINUX_SOCKET_H
#define _LINUX_SOCKET_H
#include <asm/socket.h>
#include <linux/sockios.h>
#include <linux/types.h>
#include <linux/stddef.h>
#include_next <linux/socket.h>
typedef __kernel_sa_family_t sa_family_t;
struct sockaddr {
	sa_family_t sa_family;
	union {
		char sa_data_min[14];
		__DECLARE_FLEX_ARRAY(char, sa_data);
	};
};
#endif
