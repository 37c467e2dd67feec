/*
 * capture.c — asks the real kernel of this machine what it does with a list of ioctls.
 *
 * One source, built twice: `gcc -O0 -m64` (a native x86_64 process) and `gcc -O0 -m32` (an
 * i386 process, served by the kernel's compat path). Every ioctl number comes from the UAPI
 * headers as this build compiles them, so the 32-bit build passes the compat numbers by itself
 * (e.g. BLKBSZGET encodes sizeof(size_t)). The "dispatch.*" cases pass hand-made numbers on
 * purpose: the other ABI's number, or one nobody defines.
 *
 * Output, one JSON object per line on stdout:
 *   {"meta":{...}}                                  first line: what this build is
 *   {"case":"NAME","cmd":N,"ret":R,"errno":E,"size":S,"before":"HEX","after":"HEX",
 *    "note":"...", ["extra":"HEX",] ["overrun":K]}
 *   {"case":"NAME","cmd":N,"skipped":"why"}         the case could not be set up
 * cmd is the unsigned number handed to ioctl(); size the bytes of the argument buffer (0 when
 * the argument is a plain value, see the note); before/after the buffer's bytes around the
 * call. The buffer sits at the start of a larger guard area filled with 0xA5: "overrun" counts
 * the guard bytes beyond `size` the kernel changed (absent when none).
 *
 * Usage: capture [WORKDIR]   (WORKDIR: an existing empty directory for temp files; default a
 * fresh mkdtemp under /tmp). Everything it creates is removed and the loop device detached.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
/* The kernel's struct termios/termios2 (glibc's <termios.h> has a different, larger one). */
#include <asm/termbits.h>
#include <linux/fs.h>
#include <linux/hdreg.h>
#include <linux/kvm.h>
#include <linux/loop.h>
#include <linux/random.h>
#include <linux/sockios.h>

/* ---------------------------------------------------------------- output */

#define PATTERN 0xA5
#define GUARD 512
#define BUF_MAX 4096

/* The argument buffer of every case: BUF_MAX bytes for the struct plus a guard area. */
static unsigned char g_arg[BUF_MAX + GUARD] __attribute__((aligned(64)));
static unsigned char g_before[BUF_MAX];

/* An optional second buffer reported as "extra" (e.g. the dirty bitmap). */
static const unsigned char *g_extra;
static size_t g_extra_size;

static char g_workdir[256];
static int g_cases_run, g_cases_skipped;

static void json_string(const char *s) {
  putchar('"');
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') printf("\\%c", c);
    else if (c < 0x20 || c >= 0x7f) printf("\\u%04x", c);
    else putchar(c);
  }
  putchar('"');
}

static void json_hex(const unsigned char *p, size_t n) {
  putchar('"');
  for (size_t i = 0; i < n; i++) printf("%02x", p[i]);
  putchar('"');
}

/* The number as the ioctl syscall sees it (its cmd parameter is an unsigned int). */
static unsigned long cmd_number(unsigned long cmd) { return (unsigned long)(unsigned int)cmd; }

static void skip(const char *name, unsigned long cmd, const char *fmt, ...) {
  char why[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, sizeof why, fmt, ap);
  va_end(ap);
  printf("{\"case\":");
  json_string(name);
  printf(",\"cmd\":%lu,\"skipped\":", cmd_number(cmd));
  json_string(why);
  printf("}\n");
  fflush(stdout);
  g_cases_skipped++;
}

/* Zero-or-pattern fill of the argument buffer and its guard; returns the buffer. */
static void *arg_fill(int byte) {
  memset(g_arg, PATTERN, sizeof g_arg);
  memset(g_arg, byte, BUF_MAX);
  memset(g_arg + BUF_MAX, PATTERN, GUARD);
  return g_arg;
}

static void emit(const char *name, unsigned long cmd, int ret, int err, size_t size, const char *note,
                 int overrun) {
  printf("{\"case\":");
  json_string(name);
  printf(",\"cmd\":%lu,\"ret\":%d,\"errno\":%d,\"size\":%zu,\"before\":", cmd_number(cmd), ret, err, size);
  json_hex(g_before, size);
  printf(",\"after\":");
  json_hex(g_arg, size);
  printf(",\"note\":");
  json_string(note ? note : "");
  if (g_extra) {
    printf(",\"extra\":");
    json_hex(g_extra, g_extra_size);
  }
  if (overrun) printf(",\"overrun\":%d", overrun);
  printf("}\n");
  fflush(stdout);
  g_extra = NULL;
  g_extra_size = 0;
  g_cases_run++;
}

/*
 * Issues ioctl(fd, cmd, g_arg) with the first `size` bytes of g_arg as the argument (already
 * filled by the caller) and reports it. Bytes after `size` up to BUF_MAX+GUARD are set to the
 * pattern here, so a kernel writing more than `size` bytes shows up as an overrun.
 */
static int run_buf(const char *name, int fd, unsigned long cmd, size_t size, const char *note) {
  if (size > BUF_MAX) size = BUF_MAX;
  memset(g_arg + size, PATTERN, sizeof g_arg - size);
  memcpy(g_before, g_arg, size);
  errno = 0;
  int ret = ioctl(fd, cmd, (void *)g_arg);
  int err = ret < 0 ? errno : 0;
  int overrun = 0;
  for (size_t i = size; i < sizeof g_arg; i++)
    if (g_arg[i] != PATTERN) overrun = (int)(i - size + 1);
  emit(name, cmd, ret, err, size, note, overrun);
  errno = err;
  return ret;
}

/* Issues ioctl(fd, cmd, value): the argument is a number, not a pointer (size 0). */
static int run_value(const char *name, int fd, unsigned long cmd, unsigned long value, const char *note) {
  char full[512];
  snprintf(full, sizeof full, "arg=%lu (a value, not a pointer)%s%s", value, note && *note ? "; " : "",
           note ? note : "");
  errno = 0;
  int ret = ioctl(fd, cmd, value);
  int err = ret < 0 ? errno : 0;
  emit(name, cmd, ret, err, 0, full, 0);
  errno = err;
  return ret;
}

static void close_fd(int *fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

/* ---------------------------------------------------------------- helpers */

static int write_all(int fd, const void *p, size_t n) {
  const char *c = p;
  while (n > 0) {
    ssize_t w = write(fd, c, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    c += w;
    n -= (size_t)w;
  }
  return 0;
}

/* A pty pair: master from posix_openpt, slave opened by name. */
static int pty_open(int *master, int *slave, char *why, size_t whylen) {
  *master = *slave = -1;
  int m = posix_openpt(O_RDWR | O_NOCTTY);
  if (m < 0) {
    snprintf(why, whylen, "posix_openpt: %s", strerror(errno));
    return -1;
  }
  if (grantpt(m) < 0 || unlockpt(m) < 0) {
    snprintf(why, whylen, "grantpt/unlockpt: %s", strerror(errno));
    close(m);
    return -1;
  }
  char *name = ptsname(m);
  if (!name) {
    snprintf(why, whylen, "ptsname: %s", strerror(errno));
    close(m);
    return -1;
  }
  int s = open(name, O_RDWR | O_NOCTTY);
  if (s < 0) {
    snprintf(why, whylen, "open %s: %s", name, strerror(errno));
    close(m);
    return -1;
  }
  *master = m;
  *slave = s;
  return 0;
}

/* A plain (datagram) socket for the SIOCGIF* family. */
static int inet_dgram(char *why, size_t whylen) {
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  if (s < 0) snprintf(why, whylen, "socket(AF_INET, SOCK_DGRAM): %s", strerror(errno));
  return s;
}

static int file_create(const char *path, size_t bytes, char *why, size_t whylen) {
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) {
    snprintf(why, whylen, "open %s: %s", path, strerror(errno));
    return -1;
  }
  unsigned char chunk[4096];
  for (size_t i = 0; i < sizeof chunk; i++) chunk[i] = (unsigned char)(i * 7 + 1);
  size_t left = bytes;
  while (left > 0) {
    size_t n = left < sizeof chunk ? left : sizeof chunk;
    if (write_all(fd, chunk, n) < 0) {
      snprintf(why, whylen, "write %s: %s", path, strerror(errno));
      close(fd);
      return -1;
    }
    left -= n;
  }
  if (lseek(fd, 0, SEEK_SET) < 0) {
    snprintf(why, whylen, "lseek %s: %s", path, strerror(errno));
    close(fd);
    return -1;
  }
  return fd;
}

/* The 64-bit (x86_64) numbers, for the dispatch cases; checked against the headers there. */
#define NATIVE_LOOP_INFO_SIZE 168
#define NATIVE_BLKBSZGET _IOC(_IOC_READ, 0x12, 112, 8)
#define NATIVE_BLKGETSIZE64 _IOC(_IOC_READ, 0x12, 114, 8)
#define NATIVE_FS_IOC_GETFLAGS _IOC(_IOC_READ, 'f', 1, 8)
/* The i386 numbers of the same ioctls. */
#define I386_BLKBSZGET _IOC(_IOC_READ, 0x12, 112, 4)
#define I386_BLKGETSIZE64 _IOC(_IOC_READ, 0x12, 114, 4)
#define I386_FS_IOC_GETFLAGS _IOC(_IOC_READ, 'f', 1, 4)
#ifdef __x86_64__
_Static_assert(sizeof(struct loop_info) == NATIVE_LOOP_INFO_SIZE, "x86_64 struct loop_info");
_Static_assert(BLKBSZGET == NATIVE_BLKBSZGET, "x86_64 BLKBSZGET");
_Static_assert(BLKGETSIZE64 == NATIVE_BLKGETSIZE64, "x86_64 BLKGETSIZE64");
_Static_assert(FS_IOC_GETFLAGS == NATIVE_FS_IOC_GETFLAGS, "x86_64 FS_IOC_GETFLAGS");
#else
_Static_assert(BLKBSZGET == I386_BLKBSZGET, "i386 BLKBSZGET");
_Static_assert(BLKGETSIZE64 == I386_BLKGETSIZE64, "i386 BLKGETSIZE64");
_Static_assert(FS_IOC_GETFLAGS == I386_FS_IOC_GETFLAGS, "i386 FS_IOC_GETFLAGS");
#endif

/* A command number no driver defines. */
#define UNKNOWN_CMD _IOC(_IOC_READ, 0xEE, 0x01, sizeof(int))
/* A made-up tty number with a large argument. */
struct big {
  unsigned char bytes[200];
};
#define MADE_UP_TTY_CMD _IOR('T', 0x99, struct big)

/* ---------------------------------------------------------------- pipes */

static void cases_pipe(void) {
  int p[2];
  char why[256];
  if (pipe(p) < 0) {
    snprintf(why, sizeof why, "pipe: %s", strerror(errno));
    skip("pipe.FIONREAD", FIONREAD, "%s", why);
  } else {
    unsigned char data[123];
    memset(data, 'x', sizeof data);
    if (write_all(p[1], data, sizeof data) < 0) {
      skip("pipe.FIONREAD", FIONREAD, "write: %s", strerror(errno));
    } else {
      arg_fill(PATTERN);
      run_buf("pipe.FIONREAD", p[0], FIONREAD, sizeof(int), "read end, after writing 123 bytes");
    }
    close(p[0]);
    close(p[1]);
  }

  if (pipe(p) < 0) {
    skip("dispatch.unknown_cmd_pipe", UNKNOWN_CMD, "pipe: %s", strerror(errno));
  } else {
    arg_fill(PATTERN);
    run_buf("dispatch.unknown_cmd_pipe", p[0], UNKNOWN_CMD, sizeof(int),
            "_IOR(0xEE, 0x01, int): a number no driver defines, on a pipe's read end");
    close(p[0]);
    close(p[1]);
  }
}

/* ---------------------------------------------------------------- ptys */

enum pty_side { MASTER, SLAVE };

/* One pty case: a fresh pty pair, the buffer filled with the pattern, the ioctl on one side. */
static void pty_case(const char *name, enum pty_side side, unsigned long cmd, size_t size, const char *note) {
  int m, s;
  char why[256];
  if (pty_open(&m, &s, why, sizeof why) < 0) {
    skip(name, cmd, "%s", why);
    return;
  }
  arg_fill(PATTERN);
  run_buf(name, side == MASTER ? m : s, cmd, size, note);
  close(m);
  close(s);
}

static void cases_pty(void) {
  pty_case("pty.TCGETS", SLAVE, TCGETS, sizeof(struct termios), "slave; kernel struct termios (asm/termbits.h)");
  pty_case("pty.TCGETA", SLAVE, TCGETA, sizeof(struct termio), "slave; struct termio");

  {
    int m, s;
    char why[256];
    if (pty_open(&m, &s, why, sizeof why) < 0) {
      skip("pty.TIOCSWINSZ", TIOCSWINSZ, "%s", why);
      skip("pty.TIOCGWINSZ", TIOCGWINSZ, "%s", why);
    } else {
      struct winsize *ws = arg_fill(0);
      ws->ws_row = 0x1234;
      ws->ws_col = 0x5678;
      ws->ws_xpixel = 0x9abc;
      ws->ws_ypixel = 0xdef0;
      int ret = run_buf("pty.TIOCSWINSZ", m, TIOCSWINSZ, sizeof(struct winsize),
                        "setter on the master: rows 0x1234 cols 0x5678 xpixel 0x9abc ypixel 0xdef0");
      if (ret < 0) {
        skip("pty.TIOCGWINSZ", TIOCGWINSZ, "TIOCSWINSZ failed: %s", strerror(errno));
      } else {
        arg_fill(PATTERN);
        run_buf("pty.TIOCGWINSZ", s, TIOCGWINSZ, sizeof(struct winsize), "slave, after TIOCSWINSZ on the master");
      }
      close(m);
      close(s);
    }
  }

  pty_case("pty.TIOCGPTN", MASTER, TIOCGPTN, sizeof(unsigned int), "master; the pty number");
  pty_case("pty.TIOCOUTQ", SLAVE, TIOCOUTQ, sizeof(int), "slave; nothing written");
  pty_case("pty.TIOCGETD", SLAVE, TIOCGETD, sizeof(int), "slave; line discipline (N_TTY = 0)");
  pty_case("pty.TIOCGPTLCK", MASTER, TIOCGPTLCK, sizeof(int), "master, after unlockpt");
  pty_case("pty.TIOCGPKT", MASTER, TIOCGPKT, sizeof(int), "master; packet mode off");
  pty_case("pty.TIOCGEXCL", SLAVE, TIOCGEXCL, sizeof(int), "slave; not exclusive");
  pty_case("pty.TCGETS2", SLAVE, TCGETS2, sizeof(struct termios2), "slave; struct termios2");
  pty_case("pty.TIOCMGET", SLAVE, TIOCMGET, sizeof(int), "slave; ptys have no modem lines");
  pty_case("pty.TIOCGSOFTCAR", SLAVE, TIOCGSOFTCAR, sizeof(int), "slave; CLOCAL as an int");
  pty_case("dispatch.made_up_tty_cmd", SLAVE, MADE_UP_TTY_CMD, sizeof(struct big),
           "_IOR('T', 0x99, struct big[200 bytes]): made-up tty number, on a pty slave");
}

/* ---------------------------------------------------------------- sockets */

static void ifreq_case(const char *name, unsigned long cmd, const char *note) {
  char why[256];
  int s = inet_dgram(why, sizeof why);
  if (s < 0) {
    skip(name, cmd, "%s", why);
    return;
  }
  struct ifreq *ifr = arg_fill(PATTERN);
  memset(ifr->ifr_name, 0, IFNAMSIZ);
  strcpy(ifr->ifr_name, "lo");
  run_buf(name, s, cmd, sizeof(struct ifreq), note);
  close(s);
}

static void cases_socket(void) {
  ifreq_case("sock.SIOCGIFFLAGS", SIOCGIFFLAGS, "\"lo\", name zero-padded, rest 0xA5");
  ifreq_case("sock.SIOCGIFINDEX", SIOCGIFINDEX, "\"lo\"");
  ifreq_case("sock.SIOCGIFMTU", SIOCGIFMTU, "\"lo\"");
  ifreq_case("sock.SIOCGIFADDR", SIOCGIFADDR, "\"lo\"");
  ifreq_case("sock.SIOCGIFNETMASK", SIOCGIFNETMASK, "\"lo\"");
  ifreq_case("sock.SIOCGIFHWADDR", SIOCGIFHWADDR, "\"lo\"");

  {
    char why[256];
    int s = inet_dgram(why, sizeof why);
    if (s < 0) {
      skip("sock.SIOCGIFNAME", SIOCGIFNAME, "%s", why);
    } else {
      struct ifreq *ifr = arg_fill(PATTERN);
      ifr->ifr_ifindex = 1;
      run_buf("sock.SIOCGIFNAME", s, SIOCGIFNAME, sizeof(struct ifreq),
              "ifr_ifindex = 1, name bytes 0xA5 before");
      close(s);
    }
  }

  {
    /* struct ifconf holds a pointer to an array of struct ifreq: the array is "extra". */
    static unsigned char reqs[4 * sizeof(struct ifreq)];
    char why[256];
    int s = inet_dgram(why, sizeof why);
    if (s < 0) {
      skip("sock.SIOCGIFCONF", SIOCGIFCONF, "%s", why);
    } else {
      memset(reqs, PATTERN, sizeof reqs);
      struct ifconf *ifc = arg_fill(PATTERN);
      ifc->ifc_len = (int)sizeof reqs;
      ifc->ifc_buf = (char *)reqs;
      char note[128];
      snprintf(note, sizeof note, "ifc_len = %zu (4 struct ifreq), ifc_buf -> extra (filled 0xA5)", sizeof reqs);
      g_extra = reqs;
      g_extra_size = sizeof reqs;
      run_buf("sock.SIOCGIFCONF", s, SIOCGIFCONF, sizeof(struct ifconf), note);
      close(s);
    }
  }

  {
    /* A connected UDP pair over loopback. */
    int a = -1, b = -1;
    char why[256] = "";
    struct sockaddr_in sa, sb;
    socklen_t len = sizeof sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sb = sa;
    if ((a = socket(AF_INET, SOCK_DGRAM, 0)) < 0 || (b = socket(AF_INET, SOCK_DGRAM, 0)) < 0)
      snprintf(why, sizeof why, "socket: %s", strerror(errno));
    else if (bind(a, (struct sockaddr *)&sa, sizeof sa) < 0 || bind(b, (struct sockaddr *)&sb, sizeof sb) < 0)
      snprintf(why, sizeof why, "bind 127.0.0.1: %s", strerror(errno));
    else if (getsockname(a, (struct sockaddr *)&sa, &len) < 0 ||
             (len = sizeof sb, getsockname(b, (struct sockaddr *)&sb, &len) < 0))
      snprintf(why, sizeof why, "getsockname: %s", strerror(errno));
    else if (connect(a, (struct sockaddr *)&sb, sizeof sb) < 0 || connect(b, (struct sockaddr *)&sa, sizeof sa) < 0)
      snprintf(why, sizeof why, "connect: %s", strerror(errno));
    else {
      unsigned char dgram[77];
      memset(dgram, 'u', sizeof dgram);
      struct pollfd pfd = {.fd = b, .events = POLLIN};
      if (send(a, dgram, sizeof dgram, 0) != (ssize_t)sizeof dgram)
        snprintf(why, sizeof why, "send: %s", strerror(errno));
      else if (poll(&pfd, 1, 2000) != 1)
        snprintf(why, sizeof why, "the datagram did not arrive within 2 s");
    }
    if (why[0]) {
      skip("udp.SIOCINQ", SIOCINQ, "%s", why);
      skip("udp.SIOCOUTQ", SIOCOUTQ, "%s", why);
    } else {
      arg_fill(PATTERN);
      run_buf("udp.SIOCINQ", b, SIOCINQ, sizeof(int), "receiver of a connected UDP pair, one 77-byte datagram queued");
      arg_fill(PATTERN);
      run_buf("udp.SIOCOUTQ", a, SIOCOUTQ, sizeof(int), "sender of a connected UDP pair, after sending 77 bytes");
    }
    close_fd(&a);
    close_fd(&b);
  }

  {
    /* TCP over loopback: 3 bytes, then 1 urgent byte; read the 3 and ask whether at the mark. */
    int l = -1, c = -1, r = -1;
    char why[256] = "";
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if ((l = socket(AF_INET, SOCK_STREAM, 0)) < 0 || (c = socket(AF_INET, SOCK_STREAM, 0)) < 0)
      snprintf(why, sizeof why, "socket: %s", strerror(errno));
    else if (bind(l, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(l, 1) < 0 ||
             getsockname(l, (struct sockaddr *)&sa, &len) < 0)
      snprintf(why, sizeof why, "bind/listen 127.0.0.1: %s", strerror(errno));
    else if (connect(c, (struct sockaddr *)&sa, sizeof sa) < 0)
      snprintf(why, sizeof why, "connect: %s", strerror(errno));
    else if ((r = accept(l, NULL, NULL)) < 0)
      snprintf(why, sizeof why, "accept: %s", strerror(errno));
    else if (send(c, "abc", 3, 0) != 3 || send(c, "!", 1, MSG_OOB) != 1)
      snprintf(why, sizeof why, "send: %s", strerror(errno));
    else {
      char got[3];
      size_t have = 0;
      while (have < sizeof got && !why[0]) {
        struct pollfd pfd = {.fd = r, .events = POLLIN};
        if (poll(&pfd, 1, 2000) != 1) {
          snprintf(why, sizeof why, "the data did not arrive within 2 s");
          break;
        }
        ssize_t n = recv(r, got + have, sizeof got - have, 0);
        if (n <= 0) snprintf(why, sizeof why, "recv: %s", n < 0 ? strerror(errno) : "EOF");
        else have += (size_t)n;
      }
    }
    if (why[0]) {
      skip("tcp.SIOCATMARK", SIOCATMARK, "%s", why);
    } else {
      arg_fill(PATTERN);
      run_buf("tcp.SIOCATMARK", r, SIOCATMARK, sizeof(int),
              "accepted TCP socket after reading the 3 bytes before a 1-byte MSG_OOB");
    }
    close_fd(&l);
    close_fd(&c);
    close_fd(&r);
  }
}

/* ---------------------------------------------------------------- eventfd, files, chardevs */

static void cases_files(void) {
  {
    int e = eventfd(0, 0);
    if (e < 0) {
      skip("eventfd.FIONBIO", FIONBIO, "eventfd: %s", strerror(errno));
    } else {
      int *on = arg_fill(0);
      *on = 1;
      int ret = run_buf("eventfd.FIONBIO", e, FIONBIO, sizeof(int), "setter: int 1 (O_NONBLOCK on)");
      (void)ret;
      int fl = fcntl(e, F_GETFL);
      if (fl < 0 || !(fl & O_NONBLOCK))
        fprintf(stderr, "capture: eventfd.FIONBIO: O_NONBLOCK is %s afterwards\n", fl < 0 ? "unknown" : "off");
      close(e);
    }
  }

  char path[512];
  snprintf(path, sizeof path, "%s/file1000", g_workdir);
  static const struct {
    const char *name;
    unsigned long cmd;
    size_t size;
    const char *note;
  } file_cases[] = {
      {"file.FIONREAD", FIONREAD, sizeof(int), "regular file of 1000 bytes, offset 0"},
      {"file.FIGETBSZ", FIGETBSZ, sizeof(int), "regular file"},
      {"file.FIOQSIZE", FIOQSIZE, sizeof(long long), "regular file of 1000 bytes just written; loff_t of the bytes allocated (inode_get_bytes), not i_size"},
      {"file.FS_IOC_GETFLAGS", FS_IOC_GETFLAGS, sizeof(long),
       "the header's FS_IOC_GETFLAGS (_IOR('f', 1, long)) in both builds; buffer sizeof(long)"},
      {"file.FS_IOC_GETVERSION", FS_IOC_GETVERSION, sizeof(long),
       "the header's FS_IOC_GETVERSION (_IOR('v', 1, long)) in both builds; buffer sizeof(long)"},
      /* The other ABI's numbers, by hand: the same in both builds. */
      {"dispatch.native64_cmd.FS_IOC_GETFLAGS", NATIVE_FS_IOC_GETFLAGS, 8,
       "x86_64 number _IOR('f', 1, 8-byte long) on a regular file, 8-byte buffer"},
      {"dispatch.i386_cmd.FS_IOC_GETFLAGS", I386_FS_IOC_GETFLAGS, 8,
       "i386 number _IOR('f', 1, 4-byte long) on a regular file, 8-byte buffer"},
  };
  for (size_t i = 0; i < sizeof file_cases / sizeof file_cases[0]; i++) {
    char why[512];
    int fd = file_create(path, 1000, why, sizeof why);
    if (fd < 0) {
      skip(file_cases[i].name, file_cases[i].cmd, "%s", why);
      continue;
    }
    arg_fill(PATTERN);
    run_buf(file_cases[i].name, fd, file_cases[i].cmd, file_cases[i].size, file_cases[i].note);
    close(fd);
    unlink(path);
  }

  {
    int fd = open("/dev/urandom", O_RDONLY);
    if (fd < 0) {
      skip("urandom.RNDGETENTCNT", RNDGETENTCNT, "open /dev/urandom: %s", strerror(errno));
    } else {
      arg_fill(PATTERN);
      run_buf("urandom.RNDGETENTCNT", fd, RNDGETENTCNT, sizeof(int), "/dev/urandom");
      /* random_ioctl's default: a number the driver does not know */
      arg_fill(PATTERN);
      run_buf("dispatch.made_up_urandom_cmd", fd, MADE_UP_TTY_CMD, sizeof(struct big), "/dev/urandom, the made-up 'T' number");
      close(fd);
    }
  }
  {
    int fd = open("/dev/null", O_RDWR);
    if (fd < 0) {
      skip("null.FIONREAD", FIONREAD, "open /dev/null: %s", strerror(errno));
    } else {
      arg_fill(PATTERN);
      run_buf("null.FIONREAD", fd, FIONREAD, sizeof(int), "/dev/null (a character device)");
      close(fd);
    }
  }
}

/* ---------------------------------------------------------------- loop devices */

#define LOOP_BACKING_BYTES (1024 * 1024)

static const char *const loop_case_names[] = {
    "loop.LOOP_SET_FD", "loop.LOOP_SET_STATUS64", "loop.LOOP_GET_STATUS", "loop.LOOP_GET_STATUS64",
    "loop.BLKGETSIZE", "loop.BLKGETSIZE64", "loop.BLKSSZGET", "loop.BLKROGET", "loop.BLKRAGET",
    "loop.BLKBSZGET", "loop.HDIO_GETGEO",
    "dispatch.native64_cmd.LOOP_GET_STATUS", "dispatch.native64_cmd.BLKGETSIZE",
    "dispatch.native64_cmd.BLKBSZGET", "dispatch.native64_cmd.BLKGETSIZE64",
    "dispatch.i386_cmd.BLKBSZGET", "dispatch.i386_cmd.BLKGETSIZE64",
};
static const unsigned long loop_case_cmds[] = {
    LOOP_SET_FD, LOOP_SET_STATUS64, LOOP_GET_STATUS, LOOP_GET_STATUS64, BLKGETSIZE, BLKGETSIZE64,
    BLKSSZGET, BLKROGET, BLKRAGET, BLKBSZGET, HDIO_GETGEO,
    LOOP_GET_STATUS, BLKGETSIZE, NATIVE_BLKBSZGET, NATIVE_BLKGETSIZE64,
    I386_BLKBSZGET, I386_BLKGETSIZE64,
};

static void skip_loop_from(size_t first, const char *why) {
  for (size_t i = first; i < sizeof loop_case_names / sizeof loop_case_names[0]; i++)
    skip(loop_case_names[i], loop_case_cmds[i], "%s", why);
}

static void cases_loop(void) {
  char why[512];
  char backing[512];
  snprintf(backing, sizeof backing, "%s/backing.img", g_workdir);
  if (strlen(backing) >= LO_NAME_SIZE) {
    snprintf(why, sizeof why, "backing file path longer than LO_NAME_SIZE-1: %.200s", backing);
    skip_loop_from(0, why);
    return;
  }
  int bf = file_create(backing, LOOP_BACKING_BYTES, why, sizeof why);
  if (bf < 0) {
    skip_loop_from(0, why);
    return;
  }
  int ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
  if (ctl < 0) {
    snprintf(why, sizeof why, "open /dev/loop-control: %s", strerror(errno));
    skip_loop_from(0, why);
    close(bf);
    unlink(backing);
    return;
  }

  /* Find a free device and attach; another process may take the same one: retry. */
  int lfd = -1, num = -1;
  char dev[64] = "";
  why[0] = 0;
  for (int attempt = 0; attempt < 20 && lfd < 0; attempt++) {
    num = ioctl(ctl, LOOP_CTL_GET_FREE);
    if (num < 0) {
      snprintf(why, sizeof why, "LOOP_CTL_GET_FREE: %s", strerror(errno));
      break;
    }
    snprintf(dev, sizeof dev, "/dev/loop%d", num);
    int fd = -1;
    for (int wait = 0; wait < 100 && fd < 0; wait++) {
      fd = open(dev, O_RDWR | O_CLOEXEC);
      if (fd < 0 && errno == ENOENT) usleep(10000);
      else break;
    }
    if (fd < 0) {
      snprintf(why, sizeof why, "open %s: %s", dev, strerror(errno));
      break;
    }
    char note[160];
    snprintf(note, sizeof note, "arg=%d (the backing file's fd, a value, not a pointer); %s, backing file of %d bytes",
             bf, dev, LOOP_BACKING_BYTES);
    /* Only the successful attempt is reported as the case. */
    if (ioctl(fd, LOOP_SET_FD, (unsigned long)bf) < 0) {
      int e = errno;
      close(fd);
      if (e == EBUSY) {
        usleep(20000);
        continue;
      }
      snprintf(why, sizeof why, "LOOP_SET_FD on %s: %s", dev, strerror(e));
      break;
    }
    /* The attempt that attached is the case (a retried EBUSY attempt is not reported). */
    emit("loop.LOOP_SET_FD", LOOP_SET_FD, 0, 0, 0, note, 0);
    lfd = fd;
  }
  close(ctl);
  if (lfd < 0) {
    if (!why[0]) snprintf(why, sizeof why, "no free loop device after 20 attempts (EBUSY)");
    skip_loop_from(0, why);
    close(bf);
    unlink(backing);
    return;
  }

  /* Name the backing file and ask for autoclear, so closing lfd detaches even on a crash. */
  struct loop_info64 *set = arg_fill(0);
  strncpy((char *)set->lo_file_name, backing, LO_NAME_SIZE - 1);
  set->lo_flags = LO_FLAGS_AUTOCLEAR;
  int ret = run_buf("loop.LOOP_SET_STATUS64", lfd, LOOP_SET_STATUS64, sizeof(struct loop_info64),
                    "setter: zeros, lo_file_name = the backing path, lo_flags = LO_FLAGS_AUTOCLEAR");
  (void)ret;

  arg_fill(PATTERN);
  run_buf("loop.LOOP_GET_STATUS", lfd, LOOP_GET_STATUS, sizeof(struct loop_info), "struct loop_info");
  arg_fill(PATTERN);
  run_buf("loop.LOOP_GET_STATUS64", lfd, LOOP_GET_STATUS64, sizeof(struct loop_info64), "struct loop_info64");
  arg_fill(PATTERN);
  run_buf("loop.BLKGETSIZE", lfd, BLKGETSIZE, sizeof(unsigned long), "unsigned long, 512-byte sectors");
  arg_fill(PATTERN);
  run_buf("loop.BLKGETSIZE64", lfd, BLKGETSIZE64, sizeof(uint64_t), "u64 bytes (number encodes size_t)");
  arg_fill(PATTERN);
  run_buf("loop.BLKSSZGET", lfd, BLKSSZGET, sizeof(int), "int");
  arg_fill(PATTERN);
  run_buf("loop.BLKROGET", lfd, BLKROGET, sizeof(int), "int");
  arg_fill(PATTERN);
  run_buf("loop.BLKRAGET", lfd, BLKRAGET, sizeof(long), "long, read-ahead in 512-byte sectors");
  arg_fill(PATTERN);
  run_buf("loop.BLKBSZGET", lfd, BLKBSZGET, sizeof(int), "int written; the number encodes sizeof(size_t)");
  arg_fill(PATTERN);
  run_buf("loop.HDIO_GETGEO", lfd, HDIO_GETGEO, sizeof(struct hd_geometry), "struct hd_geometry");

  /* Numbers of the other ABI, passed by hand. Buffers are the 64-bit sizes in both builds. */
  arg_fill(PATTERN);
  run_buf("dispatch.native64_cmd.LOOP_GET_STATUS", lfd, LOOP_GET_STATUS, NATIVE_LOOP_INFO_SIZE,
          "x86_64 number of LOOP_GET_STATUS (0x4c03: legacy, no size bits) with a 168-byte buffer");
  arg_fill(PATTERN);
  run_buf("dispatch.native64_cmd.BLKGETSIZE", lfd, BLKGETSIZE, 8,
          "x86_64 number of BLKGETSIZE (_IO(0x12, 96): no size bits) with an 8-byte buffer");
  arg_fill(PATTERN);
  run_buf("dispatch.native64_cmd.BLKBSZGET", lfd, NATIVE_BLKBSZGET, 8,
          "x86_64 number _IOR(0x12, 112, 8-byte size_t), 8-byte buffer");
  arg_fill(PATTERN);
  run_buf("dispatch.native64_cmd.BLKGETSIZE64", lfd, NATIVE_BLKGETSIZE64, 8,
          "x86_64 number _IOR(0x12, 114, 8-byte size_t), 8-byte buffer");
  arg_fill(PATTERN);
  run_buf("dispatch.i386_cmd.BLKBSZGET", lfd, I386_BLKBSZGET, 8,
          "i386 number _IOR(0x12, 112, 4-byte size_t), 8-byte buffer");
  arg_fill(PATTERN);
  run_buf("dispatch.i386_cmd.BLKGETSIZE64", lfd, I386_BLKGETSIZE64, 8,
          "i386 number _IOR(0x12, 114, 4-byte size_t), 8-byte buffer");
  if (ioctl(lfd, LOOP_CLR_FD, 0) < 0 && errno != ENXIO)
    fprintf(stderr, "capture: LOOP_CLR_FD on %s: %s (autoclear detaches on close)\n", dev, strerror(errno));
  close(lfd);
  close(bf);
  unlink(backing);
}

/* ---------------------------------------------------------------- KVM */

static const char *const kvm_case_names[] = {
    "kvm.KVM_GET_API_VERSION", "kvm.KVM_CHECK_EXTENSION.USER_MEMORY", "kvm.KVM_CREATE_VM",
    "kvm.KVM_GET_VCPU_MMAP_SIZE", "kvm.KVM_CREATE_VCPU", "kvm.KVM_SET_REGS", "kvm.KVM_GET_REGS",
    "kvm.KVM_GET_SREGS", "kvm.KVM_SET_USER_MEMORY_REGION", "kvm.KVM_GET_DIRTY_LOG",
};
static const unsigned long kvm_case_cmds[] = {
    KVM_GET_API_VERSION, KVM_CHECK_EXTENSION, KVM_CREATE_VM, KVM_GET_VCPU_MMAP_SIZE, KVM_CREATE_VCPU,
    KVM_SET_REGS, KVM_GET_REGS, KVM_GET_SREGS, KVM_SET_USER_MEMORY_REGION, KVM_GET_DIRTY_LOG,
};

static void skip_kvm_from(size_t first, const char *fmt, ...) {
  char why[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, sizeof why, fmt, ap);
  va_end(ap);
  for (size_t i = first; i < sizeof kvm_case_names / sizeof kvm_case_names[0]; i++)
    skip(kvm_case_names[i], kvm_case_cmds[i], "%s", why);
}

#define GUEST_MEM_BYTES (64 * 1024)
/* no switch of kvm_main.c knows it: each descriptor answers its architecture's kvm_arch_*_ioctl() default */
#define KVM_UNKNOWN_CMD _IO(KVMIO, 0xff)

static void cases_kvm(void) {
  int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
  if (kvm < 0) {
    skip_kvm_from(0, "open /dev/kvm: %s", strerror(errno));
    return;
  }
  run_value("kvm.KVM_GET_API_VERSION", kvm, KVM_GET_API_VERSION, 0, "/dev/kvm; ret is the version");
  run_value("kvm.KVM_CHECK_EXTENSION.USER_MEMORY", kvm, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY,
            "KVM_CAP_USER_MEMORY on /dev/kvm");
  int vm = run_value("kvm.KVM_CREATE_VM", kvm, KVM_CREATE_VM, 0, "machine type 0; ret is a new fd");
  if (vm < 0) {
    skip_kvm_from(3, "KVM_CREATE_VM failed: %s", strerror(errno));
    skip("kvm.unknown_cmd.dev", KVM_UNKNOWN_CMD, "KVM_CREATE_VM failed");
    skip("kvm.unknown_cmd.vm", KVM_UNKNOWN_CMD, "KVM_CREATE_VM failed");
    skip("kvm.unknown_cmd.vcpu", KVM_UNKNOWN_CMD, "KVM_CREATE_VM failed");
    close(kvm);
    return;
  }
  run_value("kvm.KVM_GET_VCPU_MMAP_SIZE", kvm, KVM_GET_VCPU_MMAP_SIZE, 0, "/dev/kvm; ret is bytes");
  int vcpu = run_value("kvm.KVM_CREATE_VCPU", vm, KVM_CREATE_VCPU, 0, "vcpu id 0; ret is a new fd");
  if (vcpu < 0) {
    skip_kvm_from(5, "KVM_CREATE_VCPU failed: %s", strerror(errno));
  } else {
    struct kvm_regs *r = arg_fill(0);
    r->rax = 0x1111111111111111ULL;
    r->rbx = 0x2222222222222222ULL;
    r->rcx = 0x3333333333333333ULL;
    r->rdx = 0x4444444444444444ULL;
    r->rsi = 0x5555555555555555ULL;
    r->rdi = 0x6666666666666666ULL;
    r->rsp = 0x7777777777777777ULL;
    r->rbp = 0x8888888888888888ULL;
    r->r8 = 0x0808080808080808ULL;
    r->r15 = 0x0f0f0f0f0f0f0f0fULL;
    r->rip = 0xfff0;
    r->rflags = 0x2;
    int ret = run_buf("kvm.KVM_SET_REGS", vcpu, KVM_SET_REGS, sizeof(struct kvm_regs),
                      "setter: rax..rbp 0x1111..0x8888 repeated, r8 0x0808.., r15 0x0f0f.., rip 0xfff0, rflags 2");
    if (ret < 0) {
      skip("kvm.KVM_GET_REGS", KVM_GET_REGS, "KVM_SET_REGS failed: %s", strerror(errno));
    } else {
      arg_fill(PATTERN);
      run_buf("kvm.KVM_GET_REGS", vcpu, KVM_GET_REGS, sizeof(struct kvm_regs), "after KVM_SET_REGS");
    }
    arg_fill(PATTERN);
    run_buf("kvm.KVM_GET_SREGS", vcpu, KVM_GET_SREGS, sizeof(struct kvm_sregs), "a fresh vcpu (reset state)");
  }

  void *mem = mmap(NULL, GUEST_MEM_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) {
    skip_kvm_from(8, "mmap 64 KiB: %s", strerror(errno));
  } else {
    memset(mem, 0, GUEST_MEM_BYTES);
    struct kvm_userspace_memory_region *mr = arg_fill(0);
    mr->slot = 0;
    mr->flags = KVM_MEM_LOG_DIRTY_PAGES;
    mr->guest_phys_addr = 0x100000;
    mr->memory_size = GUEST_MEM_BYTES;
    mr->userspace_addr = (uint64_t)(uintptr_t)mem;
    int ret = run_buf("kvm.KVM_SET_USER_MEMORY_REGION", vm, KVM_SET_USER_MEMORY_REGION,
                      sizeof(struct kvm_userspace_memory_region),
                      "setter: slot 0, KVM_MEM_LOG_DIRTY_PAGES, gpa 0x100000, 64 KiB at an mmap'ed address");
    if (ret < 0) {
      skip("kvm.KVM_GET_DIRTY_LOG", KVM_GET_DIRTY_LOG, "KVM_SET_USER_MEMORY_REGION failed: %s", strerror(errno));
    } else {
      static unsigned char bitmap[64];
      memset(bitmap, PATTERN, sizeof bitmap);
      /* slot and the pointer set, padding1 and (in the 32-bit build) the union's upper half 0xA5. */
      struct kvm_dirty_log *dl = arg_fill(PATTERN);
      dl->slot = 0;
      dl->dirty_bitmap = bitmap;
      g_extra = bitmap;
      g_extra_size = sizeof bitmap;
      run_buf("kvm.KVM_GET_DIRTY_LOG", vm, KVM_GET_DIRTY_LOG, sizeof(struct kvm_dirty_log),
              "slot 0 (16 pages, never run); dirty_bitmap -> extra (64 bytes of 0xA5 before); "
              "padding1 and any bytes of the union beyond the pointer are 0xA5");
    }
    munmap(mem, GUEST_MEM_BYTES);
  }
  run_value("kvm.unknown_cmd.dev", kvm, KVM_UNKNOWN_CMD, 0, "_IO(KVMIO, 0xff) on /dev/kvm");
  run_value("kvm.unknown_cmd.vm", vm, KVM_UNKNOWN_CMD, 0, "_IO(KVMIO, 0xff) on the VM");
  if (vcpu >= 0)
    run_value("kvm.unknown_cmd.vcpu", vcpu, KVM_UNKNOWN_CMD, 0, "_IO(KVMIO, 0xff) on the vCPU");
  else
    skip("kvm.unknown_cmd.vcpu", KVM_UNKNOWN_CMD, "KVM_CREATE_VCPU failed");
  if (vcpu >= 0) close(vcpu);
  close(vm);
  close(kvm);
}

/* ---------------------------------------------------------------- main */

int main(int argc, char **argv) {
  char made[64] = "";
  if (argc > 1) {
    snprintf(g_workdir, sizeof g_workdir, "%s", argv[1]);
  } else {
    snprintf(made, sizeof made, "/tmp/ioctl32-capture-XXXXXX");
    if (!mkdtemp(made)) {
      fprintf(stderr, "capture: mkdtemp: %s\n", strerror(errno));
      return 2;
    }
    snprintf(g_workdir, sizeof g_workdir, "%s", made);
  }
  setvbuf(stdout, NULL, _IOFBF, 1 << 16);

  struct utsname u;
  if (uname(&u) < 0) memset(&u, 0, sizeof u);
  printf("{\"meta\":{\"pointerBits\":%zu,\"longBits\":%zu,\"euid\":%u,\"release\":", sizeof(void *) * 8,
         sizeof(long) * 8, (unsigned)geteuid());
  json_string(u.release);
  printf(",\"machine\":");
  json_string(u.machine);
  printf("}}\n");

  cases_pipe();
  cases_pty();
  cases_socket();
  cases_files();
  cases_loop();
  cases_kvm();

  printf("{\"done\":{\"run\":%d,\"skipped\":%d}}\n", g_cases_run, g_cases_skipped);
  fflush(stdout);
  if (made[0]) rmdir(made);
  return 0;
}
