/*
 * Which way the kernel copies TUNSETFILTEREBPF's argument (drivers/net/tun.c tun_set_ebpf): run as an
 * x86_64 and as an i386 process. One JSON line per probe: {"probe", "ret", "errno", "before", "after"}
 * with the argument's bytes (an int and 4 guard bytes) around the call; or {"skip": "why"} when no tun
 * interface can be attached here (no /dev/net/tun, no CAP_NET_ADMIN).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

static void hex(const unsigned char *p, size_t n, char *out) {
	for (size_t i = 0; i < n; i++) sprintf(out + 2 * i, "%02x", p[i]);
}

/* One call with an int argument followed by guard bytes. */
static void probe(int fd, const char *name, int value) {
	unsigned char buf[8];
	char before[17], after[17];
	memcpy(buf, &value, 4);
	memset(buf + 4, 0xa5, 4);
	hex(buf, 8, before);
	errno = 0;
	int ret = ioctl(fd, TUNSETFILTEREBPF, buf);
	int err = ret < 0 ? errno : 0;
	hex(buf, 8, after);
	printf("{\"probe\":\"%s\",\"cmd\":%u,\"ret\":%d,\"errno\":%d,\"before\":\"%s\",\"after\":\"%s\"}\n", name,
	       (unsigned)TUNSETFILTEREBPF, ret, err, before, after);
}

int main(void) {
	printf("{\"pointerBits\":%d}\n", (int)(8 * sizeof(void *)));
	int fd = open("/dev/net/tun", O_RDWR);
	if (fd < 0) {
		printf("{\"skip\":\"open /dev/net/tun: %s\"}\n", strerror(errno));
		return 0;
	}
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		printf("{\"skip\":\"TUNSETIFF: %s\"}\n", strerror(errno));
		return 0;
	}
	/* -1 detaches: accepted. A closed fd: EBADF from bpf_prog_get_type. Not a bpf program: EINVAL. */
	probe(fd, "detach", -1);
	probe(fd, "closed-fd", 999);
	probe(fd, "not-bpf", fd);
	/* an unmapped page: copy_from_user faults */
	void *page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	errno = 0;
	int ret = ioctl(fd, TUNSETFILTEREBPF, page);
	printf("{\"probe\":\"unmapped\",\"cmd\":%u,\"ret\":%d,\"errno\":%d}\n", (unsigned)TUNSETFILTEREBPF, ret,
	       ret < 0 ? errno : 0);
	close(fd);
	return 0;
}
