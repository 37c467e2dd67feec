/**
 * What a program has declared when it uses an ioctl number whose header does not declare
 * everything the number names. A macro takes its value where it is used, after the program's
 * own includes: `BLKGETSIZE64 _IOR(0x12,114,size_t)` in linux/fs.h has no value in a unit that
 * includes linux/fs.h alone ('size_t' is undeclared), yet every program that passes it to
 * ioctl(2) has size_t and gets 0x80081272 on x86_64 and 0x80041272 on i386. Each row names what
 * a number uses, the header that declares it, and where that is documented; the catalogue
 * evaluates a macro again with those headers included first (src/scan/dump.ts), and marks
 * the entry with them. A header whose unit does not parse on such a name (linux/omapfb.h names
 * size_t in a struct) is read again with the row's headers included first: its ioctls come from
 * that unit, marked alike, while the header stays in `failed` (it does not compile on its own).
 * Rows are checked against the headers by test/unresolved-ioctls.test.ts.
 */

export interface Prerequisite {
  /** What the number names without its header declaring it: a type name, `struct TAG`, or a macro. */
  uses: string;
  /** What a program includes to have it, in order (include names). */
  include: readonly string[];
  /** Where the name is declared and who documents including it. */
  source: string;
}

export const PREREQUISITES: readonly Prerequisite[] = [
  // C's own types: the compiler's headers (ioctl32 ships stand-ins for every ABI)
  {
    uses: 'size_t',
    include: ['stddef.h'],
    source:
      'C11 7.19 <stddef.h>; POSIX has <sys/types.h>, <unistd.h> and <stdio.h> define it too, so a program ' +
      "using linux/fs.h's BLKBSZGET/BLKBSZSET/BLKGETSIZE64 has it (drbd-utils user/shared/shared_linux.c " +
      "includes <sys/types.h> before <linux/fs.h>); linux/omapfb.h's struct omapfb_memory_read names it too",
  },
  {
    uses: 'bool',
    include: ['stdbool.h'],
    source: "C11 7.18 <stdbool.h>; misc/xilinx_sdfec.h's XSDFEC_SET_BYPASS/XSDFEC_IS_ACTIVE name bool",
  },
  // numbers defined as other numbers
  {
    uses: 'FIONREAD',
    include: ['asm/ioctls.h'],
    source:
      "linux/sockios.h's SIOCINQ is FIONREAD of <asm/ioctls.h>, which every caller of ioctl(2) has: " +
      '<sys/ioctl.h> includes it (through <bits/ioctls.h>); tcp(7), udp(7)',
  },
  {
    uses: 'TIOCOUTQ',
    include: ['asm/ioctls.h'],
    source:
      "linux/sockios.h's SIOCOUTQ is TIOCOUTQ of <asm/ioctls.h>, which every caller of ioctl(2) has: " +
      '<sys/ioctl.h> includes it (through <bits/ioctls.h>); tcp(7), udp(7)',
  },
  {
    uses: 'MD_MAJOR',
    include: ['linux/major.h'],
    source: "linux/raid/md_u.h's numbers are _IO(MD_MAJOR, ...); MD_MAJOR is defined only by <linux/major.h>",
  },
  {
    uses: 'ATMIOC_PHYTYP',
    include: ['linux/atmioc.h'],
    source: "linux/sonet.h's numbers count from ATMIOC_PHYTYP, defined by <linux/atmioc.h>",
  },
  {
    uses: 'BASE_VIDIOC_PRIVATE',
    include: ['linux/videodev2.h'],
    source:
      'driver-private V4L2 numbers (linux/meye.h, linux/ivtvfb.h) count from BASE_VIDIOC_PRIVATE of ' +
      "<linux/videodev2.h>, the V4L2 API's header",
  },
  // argument types defined by another header
  {
    uses: 'struct timeval',
    include: ['sys/time.h'],
    source:
      "gettimeofday(2): a program has it from <sys/time.h>, the C library's, whose layout follows -D_TIME_BITS=64 " +
      "(glibc's bits/types/struct_timeval.h): linux/sockios.h's SIOCGSTAMP is SIOCGSTAMP_OLD or _NEW by its size, " +
      "linux/ppdev.h's PPGETTIME/PPSETTIME name it (<linux/time.h>'s is the kernel's old one, whatever time_t is)",
  },
  {
    uses: 'struct timespec',
    include: ['time.h'],
    source:
      "clock_gettime(2): a program has it from <time.h>, the C library's, whose layout follows -D_TIME_BITS=64 " +
      "(glibc's bits/types/struct_timespec.h): linux/sockios.h's SIOCGSTAMPNS is SIOCGSTAMPNS_OLD or _NEW by its size",
  },
  {
    uses: 'struct fiemap',
    include: ['linux/fiemap.h'],
    source: "Documentation/filesystems/fiemap.rst: FS_IOC_FIEMAP's argument is struct fiemap, of <linux/fiemap.h>",
  },
  {
    uses: 'struct blk_user_trace_setup',
    include: ['linux/blktrace_api.h'],
    source: "BLKTRACESETUP's argument (kernel/trace/blktrace.c), defined by <linux/blktrace_api.h>",
  },
  {
    uses: 'struct serial_iso7816',
    include: ['linux/serial.h'],
    source: 'Documentation/driver-api/serial/serial-iso7816.rst: <linux/serial.h> for TIOCSISO7816/TIOCGISO7816',
  },
  {
    uses: 'struct sock_fprog',
    include: ['linux/filter.h'],
    source: "PPPIOCSPASS/PPPIOCSACTIVE's argument, the classic BPF program, defined only by <linux/filter.h>",
  },
  {
    uses: 'struct sockaddr',
    include: ['sys/socket.h'],
    source:
      'vsock(7): <sys/socket.h> before <linux/vm_sockets.h>, whose struct sockaddr_vm is sized by struct ' +
      'sockaddr; later 6.1 stable headers (6.1.192) include <sys/socket.h> there themselves "for struct ' +
      'sockaddr and sa_family_t"; linux/phonet.h names it alike',
  },
  {
    uses: 'struct atmif_sioc',
    include: ['linux/atm.h'],
    source: 'defined by <linux/atm.h>, the ATM API header; the ATM driver headers (linux/atm_eni.h ...) name it',
  },
];

const BY_USE = new Map(PREREQUISITES.map((p) => [p.uses, p]));

/**
 * The headers to include before a header whose unit does not parse, from its first error
 * (`unknown type name 'size_t'`, `incomplete type 'struct sockaddr'`): the rows of the names the
 * error quotes. Empty when no row covers it (xen/evtchn.h's domid_t: no UAPI header declares it).
 */
export function prerequisitesForError(message: string): string[] {
  return prerequisitesFor([...message.matchAll(/'([^']+)'/g)].map((m) => m[1]!));
}

/**
 * The headers to include before the header of an ioctl macro whose number names `uses`
 * (identifiers and `struct TAG`s of its expansion): the legacy table's own list for the macro
 * first, then the table's rows, each header once. Empty when nothing is known.
 */
export function prerequisitesFor(uses: Iterable<string>, legacyNeeds: readonly string[] = []): string[] {
  const out = new Set(legacyNeeds);
  for (const u of uses) for (const h of BY_USE.get(u)?.include ?? []) out.add(h);
  return [...out];
}
