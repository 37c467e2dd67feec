#!/usr/bin/env sh
# Installs what the tests compare against (Debian packages), skipping what is already there.
# Reference compilers: clang-16 for most ABIs; gcc cross compilers where clang is wrong or absent
# (m68k, parisc, parisc64, s390 -m31, sparc -m32, alpha). gcc-multilib conflicts with the cross
# compilers, so 32-bit x86 programs are built with libc6-dev-i386 + lib32gcc-12-dev instead.
set -eu
PACKAGES="clang-16 gcc-12-m68k-linux-gnu gcc-12-hppa-linux-gnu gcc-hppa64-linux-gnu gcc-12-s390x-linux-gnu
  gcc-12-sparc64-linux-gnu gcc-12-alpha-linux-gnu libc6-dev-i386 lib32gcc-12-dev"
# Every ABI's UAPI and libc headers, in Debian's cross layout /usr/<triple>/include.
for arch in amd64 i386 x32 arm64 armhf ppc64el ppc64 powerpc s390x mips mips64 mipsn32 sparc64 riscv64 hppa m68k alpha; do
  libc=libc6-dev
  [ "$arch" = alpha ] && libc=libc6.1-dev  # alpha's glibc has its own soname
  PACKAGES="$PACKAGES linux-libc-dev-$arch-cross $libc-$arch-cross"
done
# The 32-bit libcs of s390 and sparc, multilib parts of the s390x and sparc64 cross trees (gnu/stubs-32.h)
PACKAGES="$PACKAGES libc6-dev-s390-s390x-cross libc6-dev-sparc-sparc64-cross"
# The host's DRM headers as Debian ships them (/usr/include/libdrm): check's default set reads them as drm/
PACKAGES="$PACKAGES libdrm-dev"
# The browser the viewer's test (test/browser.test.ts) drives through playwright-core; strace watches what
# ioctl32 serve opens (test/serve-reads.test.ts); btrfs-progs makes the btrfs the audit's kernel witness uses
# (test/audit-kernel.test.ts)
PACKAGES="$PACKAGES chromium strace btrfs-progs"
# The kernel's build tree (kbuild) for the generated compat code's module build, and the same version's
# source, whose hand-written compat structs and *32 numbers the generated ones are checked against, on x86_64
# hosts; rsync, which the source's make headers_install copies with
[ "$(dpkg --print-architecture)" = amd64 ] && PACKAGES="$PACKAGES linux-headers-amd64 linux-source-6.1 rsync"
MISSING=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || MISSING="$MISSING $p"
done
[ -z "$MISSING" ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "installing:$MISSING" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >&2
# shellcheck disable=SC2086
$SUDO apt-get install -y -q $MISSING >&2
