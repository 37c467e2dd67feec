/*
 * The running kernel as witness of `ioctl32 audit` (test/audit-kernel.test.ts): built as an x86_64 and
 * as an i386 process, it issues the ioctls the audit of linux 6.1 finds unreachable for i386 tasks and
 * prints one JSON line per call: {"probe", "cmd", "ret", "errno"}; or {"skip": "why"} when the device
 * cannot be set up here (no /dev/net/tun, no CAP_NET_ADMIN).
 *   audit-witness tun          TUNATTACHFILTER, TUNGETFILTER on a tap interface
 *   audit-witness btrfs DIR    BTRFS_IOC_GET_SUBVOL_INFO, BTRFS_IOC_DEV_REPLACE (status) on a btrfs mount
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/btrfs.h>
#include <linux/filter.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static void call(int fd, const char *name, unsigned long cmd, void *arg) {
	errno = 0;
	int ret = ioctl(fd, cmd, arg);
	printf("{\"probe\":\"%s\",\"cmd\":%lu,\"ret\":%d,\"errno\":%d}\n", name, cmd, ret, ret < 0 ? errno : 0);
}

static int tun(void) {
	int fd = open("/dev/net/tun", O_RDWR);
	if (fd < 0) {
		printf("{\"skip\":\"open /dev/net/tun: %s\"}\n", strerror(errno));
		return 0;
	}
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	/* tun.c's TUNATTACHFILTER and TUNGETFILTER answer EINVAL to a tun (not tap) interface */
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		printf("{\"skip\":\"TUNSETIFF: %s\"}\n", strerror(errno));
		return 0;
	}
	/* accept every packet */
	struct sock_filter insn = BPF_STMT(BPF_RET | BPF_K, 0xffffffff);
	struct sock_fprog prog = {.len = 1, .filter = &insn};
	call(fd, "TUNATTACHFILTER", TUNATTACHFILTER, &prog);
	struct sock_fprog got;
	memset(&got, 0, sizeof(got));
	call(fd, "TUNGETFILTER", TUNGETFILTER, &got);
	close(fd);
	return 0;
}

static int btrfs(const char *dir) {
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (fd < 0) {
		printf("{\"skip\":\"open %s: %s\"}\n", dir, strerror(errno));
		return 0;
	}
	static struct btrfs_ioctl_get_subvol_info_args info;
	call(fd, "BTRFS_IOC_GET_SUBVOL_INFO", BTRFS_IOC_GET_SUBVOL_INFO, &info);
	static struct btrfs_ioctl_dev_replace_args replace;
	replace.cmd = BTRFS_IOCTL_DEV_REPLACE_CMD_STATUS;
	call(fd, "BTRFS_IOC_DEV_REPLACE", BTRFS_IOC_DEV_REPLACE, &replace);
	close(fd);
	return 0;
}

int main(int argc, char **argv) {
	printf("{\"pointerBits\":%d}\n", (int)(8 * sizeof(void *)));
	if (argc >= 2 && !strcmp(argv[1], "tun")) return tun();
	if (argc >= 3 && !strcmp(argv[1], "btrfs")) return btrfs(argv[2]);
	fprintf(stderr, "usage: audit-witness tun | btrfs DIR\n");
	return 2;
}
