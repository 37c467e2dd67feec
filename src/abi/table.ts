/**
 * One declarative record per Linux ABI. Sources: the psABI documents, the kernel's
 * arch/<arch>/include/uapi/asm/ioctl.h, GCC's target headers (x86_field_alignment,
 * BIGGEST_ALIGNMENT on m68k, TARGET_ALIGN_ANON_BITFIELD on ARM) and virt/kvm/Kconfig —
 * every number here is checked against clang-16 / gcc by test/abi-facts.test.ts.
 */
import { TIME64_BASES, type Abi, type AbiName, type CTypeNames, type IocEncoding, type ScalarTable } from './types.js';
import { errnoFamilyOf } from './errno.js';

const GENERIC_IOC: IocEncoding = {
  variant: 'generic',
  nrBits: 8,
  typeBits: 8,
  sizeBits: 14,
  dirBits: 2,
  none: 0,
  write: 1,
  read: 2,
};
/** powerpc, mips, alpha: 13-bit size, 3-bit direction with a non-zero NONE. */
const THREE_BIT_DIR_IOC: IocEncoding = {
  variant: 'generic',
  nrBits: 8,
  typeBits: 8,
  sizeBits: 13,
  dirBits: 3,
  none: 1,
  write: 4,
  read: 2,
};
/** sparc: like powerpc, but _IOC_SIZE reads 14 bits when READ or WRITE is set. */
const SPARC_IOC: IocEncoding = { ...THREE_BIT_DIR_IOC, variant: 'sparc' };
/** parisc: generic widths with READ and WRITE swapped. */
const PARISC_IOC: IocEncoding = { ...GENERIC_IOC, write: 2, read: 1 };

/** LP64 sizes and natural alignments; ABIs below state only what differs. */
const LP64: ScalarTable = {
  bool: 1,
  char: 1,
  short: 2,
  int: 4,
  long: 8,
  longLong: 8,
  int128: 16,
  pointer: 8,
  float: 4,
  double: 8,
  longDouble: 16,
};
/** ILP32 with natural alignment of 8-byte types and 64-bit long double (arm, mips o32, parisc). */
const ILP32: ScalarTable = {
  bool: 1,
  char: 1,
  short: 2,
  int: 4,
  long: 4,
  longLong: 8,
  pointer: 4,
  float: 4,
  double: 8,
  longDouble: 8,
};

const ZERO_EXTEND = 0xffffffff;

const LP64_TYPES: CTypeNames = {
  size_t: 'unsigned long',
  ptrdiff_t: 'long',
  wchar_t: 'int',
  wint_t: 'unsigned int',
  intmax_t: 'long',
  intptr_t: 'long',
  int64_t: 'long',
};
const ILP32_TYPES: CTypeNames = {
  size_t: 'unsigned int',
  ptrdiff_t: 'int',
  wchar_t: 'int',
  wint_t: 'unsigned int',
  intmax_t: 'long long',
  intptr_t: 'int',
  int64_t: 'long long',
};

interface AbiSpec extends Omit<
  Abi,
  | 'aligns'
  | 'typeAligns'
  | 'compat'
  | 'compatKconfig'
  | 'compatTask'
  | 'compatPtrMask'
  | 'predefined'
  | 'cTypes'
  | 'biggestAlignment'
  | 'atomicPromote'
  | 'errnoFamily'
  | 'cflags'
> {
  /** What differs from the LP64 or ILP32 standard typedefs. */
  cTypes?: Partial<CTypeNames>;
  biggestAlignment?: number;
  aligns?: ScalarTable;
  typeAligns?: ScalarTable;
  compat?: AbiName[];
  compatKconfig?: Partial<Record<AbiName, string>>;
  compatTask?: Partial<Record<AbiName, string>>;
  compatPtrMask?: number;
  /** Architecture macros; the size, endianness and OS macros are derived from the facts. */
  archMacros: Record<string, string>;
}

/**
 * clang-16's MaxAtomicPromoteWidth per target (clang/lib/Basic/Targets/*.h), in bytes, for the ABIs clang is the
 * reference of; test/abi-facts.test.ts checks each against `_Alignof(_Atomic struct { char c[N]; })`.
 */
const ATOMIC_PROMOTE: Partial<Record<AbiName, number>> = {
  x86_64: 16,
  i386: 8,
  x32: 16,
  arm64: 16,
  arm: 8,
  ppc64le: 16,
  ppc64: 16,
  ppc: 4,
  s390x: 8,
  mips: 4,
  mips64: 8,
  mipsn32: 8,
  sparc64: 8,
  riscv64: 16,
  riscv32: 16,
};

function atomicPromote(name: AbiName): number {
  const n = ATOMIC_PROMOTE[name];
  if (n === undefined) throw new Error(`ATOMIC_PROMOTE has no entry for ${name}, whose reference is clang`);
  return n;
}

function lsb(anonymousRaisesAlign = false) {
  return { order: 'lsb-first', anonymousRaisesAlign, typeMatters: true, emptyFieldAlign: 1 } as const;
}
function msb() {
  return { order: 'msb-first', anonymousRaisesAlign: false, typeMatters: true, emptyFieldAlign: 1 } as const;
}

const SPECS: AbiSpec[] = [
  {
    name: 'x86_64',
    kernelArch: 'x86',
    bits: 64,
    endian: 'little',
    charSigned: true,
    sizes: LP64,
    bitfields: lsb(),
    ioc: GENERIC_IOC,
    headerTriple: 'x86_64-linux-gnu',
    debianArch: 'amd64',
    clangTarget: 'x86_64-linux-gnu',
    gcc: null,
    archMacros: { __x86_64__: '1', __x86_64: '1', __amd64__: '1', __LP64__: '1', _LP64: '1' },
    compat: ['i386', 'x32'],
    compatKconfig: { i386: 'IA32_EMULATION', x32: 'X86_X32_ABI' },
    // arch/x86/include/asm/compat.h: in_x32_syscall() reads __X32_SYSCALL_BIT of the syscall number
    compatTask: { i386: 'in_ia32_syscall()', x32: 'in_x32_syscall()' },
  },
  {
    name: 'i386',
    kernelArch: 'x86',
    bits: 32,
    endian: 'little',
    charSigned: true,
    sizes: { ...ILP32, longDouble: 12 },
    aligns: { ...ILP32, longLong: 4, double: 4, longDouble: 4 },
    typeAligns: { ...ILP32, longDouble: 4 },
    bitfields: lsb(),
    ioc: GENERIC_IOC,
    headerTriple: 'i686-linux-gnu',
    debianArch: 'i386',
    clangTarget: 'i386-linux-gnu',
    gcc: null,
    archMacros: { __i386__: '1', __i386: '1', i386: '1', __ILP32__: '1', _ILP32: '1' },
  },
  {
    name: 'x32',
    kernelArch: 'x86',
    bits: 32,
    endian: 'little',
    charSigned: true,
    sizes: { ...LP64, long: 4, pointer: 4 },
    bitfields: lsb(),
    ioc: GENERIC_IOC,
    headerTriple: 'x86_64-linux-gnux32',
    debianArch: 'x32',
    clangTarget: 'x86_64-linux-gnux32',
    gcc: null,
    archMacros: { __x86_64__: '1', __x86_64: '1', __amd64__: '1', __ILP32__: '1', _ILP32: '1' },
  },
  {
    name: 'arm64',
    cTypes: { wchar_t: 'unsigned int' },
    kernelArch: 'arm64',
    bits: 64,
    endian: 'little',
    charSigned: false,
    sizes: LP64,
    bitfields: lsb(true),
    ioc: GENERIC_IOC,
    headerTriple: 'aarch64-linux-gnu',
    debianArch: 'arm64',
    clangTarget: 'aarch64-linux-gnu',
    gcc: null,
    archMacros: { __aarch64__: '1', __LP64__: '1', _LP64: '1' },
    compat: ['arm'],
    compatKconfig: { arm: 'COMPAT' },
  },
  {
    name: 'arm',
    cTypes: { wchar_t: 'unsigned int' },
    biggestAlignment: 8,
    kernelArch: 'arm',
    bits: 32,
    endian: 'little',
    charSigned: false,
    sizes: ILP32,
    bitfields: lsb(true),
    ioc: GENERIC_IOC,
    headerTriple: 'arm-linux-gnueabihf',
    debianArch: 'armhf',
    clangTarget: 'armv7a-linux-gnueabihf',
    gcc: null,
    archMacros: { __arm__: '1', __ARM_EABI__: '1', __ARMEL__: '1', __ILP32__: '1', __ARM_PCS_VFP: '1' },
  },
  {
    name: 'ppc64le',
    kernelArch: 'powerpc',
    bits: 64,
    endian: 'little',
    charSigned: false,
    sizes: LP64,
    bitfields: lsb(),
    ioc: THREE_BIT_DIR_IOC,
    headerTriple: 'powerpc64le-linux-gnu',
    debianArch: 'ppc64el',
    clangTarget: 'powerpc64le-linux-gnu',
    gcc: null,
    archMacros: {
      __powerpc__: '1',
      __powerpc64__: '1',
      __PPC__: '1',
      __PPC64__: '1',
      __LP64__: '1',
      _LP64: '1',
      _CALL_ELF: '2',
      __LONG_DOUBLE_128__: '1',
      _LITTLE_ENDIAN: '1',
      _ARCH_PWR8: '1',
      __LDBL_MANT_DIG__: '106',
    },
    // not ppc: a little-endian kernel runs its 32-bit tasks little-endian too
    compatUnmodelled:
      "32-bit tasks run little-endian ('ppcle', under CONFIG_COMPAT, off by default there): MSR_USER32 holds " +
      'MSR_LE on a little-endian kernel (arch/powerpc/include/asm/reg.h) and COMPAT_UTS_MACHINE is "ppcle" ' +
      '(asm/compat.h), Linux 6.1; no Debian toolchain builds such tasks, so no ABI here is theirs. ppc tasks ' +
      "(big-endian) are ppc64's",
  },
  {
    name: 'ppc64',
    kernelArch: 'powerpc',
    bits: 64,
    endian: 'big',
    charSigned: false,
    sizes: LP64,
    bitfields: msb(),
    ioc: THREE_BIT_DIR_IOC,
    headerTriple: 'powerpc64-linux-gnu',
    debianArch: 'ppc64',
    clangTarget: 'powerpc64-linux-gnu',
    gcc: null,
    archMacros: {
      __powerpc__: '1',
      __powerpc64__: '1',
      __PPC__: '1',
      __PPC64__: '1',
      __LP64__: '1',
      _LP64: '1',
      _CALL_ELF: '1',
      __LONG_DOUBLE_128__: '1',
      _BIG_ENDIAN: '1',
      __LDBL_MANT_DIG__: '106',
    },
    compat: ['ppc'],
    compatKconfig: { ppc: 'COMPAT' },
  },
  {
    name: 'ppc',
    kernelArch: 'powerpc',
    bits: 32,
    endian: 'big',
    charSigned: false,
    sizes: { ...ILP32, longDouble: 16 },
    bitfields: msb(),
    ioc: THREE_BIT_DIR_IOC,
    headerTriple: 'powerpc-linux-gnu',
    debianArch: 'powerpc',
    clangTarget: 'powerpc-linux-gnu',
    gcc: null,
    archMacros: {
      __powerpc__: '1',
      __PPC__: '1',
      __ILP32__: '1',
      __LONG_DOUBLE_128__: '1',
      _BIG_ENDIAN: '1',
      __LDBL_MANT_DIG__: '106',
    },
  },
  {
    name: 's390x',
    biggestAlignment: 8,
    kernelArch: 's390',
    bits: 64,
    endian: 'big',
    charSigned: false,
    sizes: LP64,
    aligns: { ...LP64, int128: 8, longDouble: 8 },
    bitfields: msb(),
    ioc: GENERIC_IOC,
    headerTriple: 's390x-linux-gnu',
    debianArch: 's390x',
    clangTarget: 's390x-linux-gnu',
    gcc: null,
    archMacros: { __s390__: '1', __s390x__: '1', __LP64__: '1', _LP64: '1', __LONG_DOUBLE_128__: '1' },
    compat: ['s390'],
    compatKconfig: { s390: 'COMPAT' },
  },
  {
    name: 's390',
    cTypes: { size_t: 'unsigned long' },
    biggestAlignment: 8,
    kernelArch: 's390',
    bits: 32,
    endian: 'big',
    charSigned: false,
    sizes: { ...ILP32, longDouble: 16 },
    aligns: { ...ILP32, longDouble: 8 },
    bitfields: msb(),
    ioc: GENERIC_IOC,
    headerTriple: 's390x-linux-gnu',
    debianArch: 's390x',
    clangTarget: null,
    gcc: { command: 's390x-linux-gnu-gcc-12', flags: ['-m31'] },
    archMacros: { __s390__: '1', __LONG_DOUBLE_128__: '1' },
    // arch/s390/include/asm/compat.h: compat_ptr() masks with 0x7fffffff (31-bit addressing).
    compatPtrMask: 0x7fffffff,
  },
  {
    name: 'mips',
    cTypes: { intptr_t: 'long' },
    biggestAlignment: 8,
    // clang's MipsTargetInfo: DefaultAlignForAttributeAligned = 128 bits; gcc's mips.h: BIGGEST_ALIGNMENT is
    // LONG_DOUBLE_TYPE_SIZE, 64 bits on o32
    clangBareAligned: 16,
    kernelArch: 'mips',
    bits: 32,
    endian: 'big',
    charSigned: true,
    sizes: ILP32,
    bitfields: msb(),
    ioc: THREE_BIT_DIR_IOC,
    headerTriple: 'mips-linux-gnu',
    debianArch: 'mips',
    clangTarget: 'mips-linux-gnu',
    gcc: null,
    archMacros: {
      __mips__: '1',
      __mips: '32',
      __mips_hard_float: '1',
      _MIPS_SIM: '_ABIO32',
      _ABIO32: '1',
      _MIPS_SZLONG: '32',
      _MIPS_SZPTR: '32',
      _MIPS_SZINT: '32',
      __MIPSEB__: '1',
      __MIPSEB: '1',
      _MIPSEB: '1',
      __ILP32__: '1',
      _MIPS_ISA: '_MIPS_ISA_MIPS32',
      __mips_isa_rev: '2',
      __LDBL_MANT_DIG__: '53',
    },
  },
  {
    name: 'mips64',
    kernelArch: 'mips',
    bits: 64,
    endian: 'big',
    charSigned: true,
    sizes: LP64,
    bitfields: msb(),
    ioc: THREE_BIT_DIR_IOC,
    headerTriple: 'mips64-linux-gnuabi64',
    debianArch: 'mips64',
    clangTarget: 'mips64-linux-gnuabi64',
    gcc: null,
    archMacros: {
      __mips__: '1',
      __mips64: '1',
      __mips: '64',
      __mips_hard_float: '1',
      _MIPS_SIM: '_ABI64',
      _ABI64: '3',
      _MIPS_SZLONG: '64',
      _MIPS_SZPTR: '64',
      _MIPS_SZINT: '32',
      __MIPSEB__: '1',
      __MIPSEB: '1',
      _MIPSEB: '1',
      __LP64__: '1',
      _LP64: '1',
      _MIPS_ISA: '_MIPS_ISA_MIPS64',
      __mips_isa_rev: '2',
      __LDBL_MANT_DIG__: '113',
    },
    compat: ['mips', 'mipsn32'],
    compatKconfig: { mips: 'MIPS32_O32', mipsn32: 'MIPS32_N32' },
    // arch/mips/include/asm/thread_info.h: TIF_32BIT_REGS "32-bit general purpose registers" is o32's alone
    // (asm/elf.h SET_PERSONALITY sets it for o32; asm/seccomp.h tests it to tell o32 from n32); n32 has only
    // TIF_32BIT_ADDR
    compatTask: { mips: 'test_thread_flag(TIF_32BIT_REGS)', mipsn32: '!test_thread_flag(TIF_32BIT_REGS)' },
  },
  {
    name: 'mipsn32',
    cTypes: { intptr_t: 'long' },
    kernelArch: 'mips',
    bits: 32,
    endian: 'big',
    charSigned: true,
    sizes: { ...LP64, long: 4, pointer: 4 },
    bitfields: msb(),
    ioc: THREE_BIT_DIR_IOC,
    headerTriple: 'mips64-linux-gnuabin32',
    debianArch: 'mipsn32',
    clangTarget: 'mips64-linux-gnuabin32',
    gcc: null,
    archMacros: {
      __mips__: '1',
      __mips64: '1',
      __mips: '64',
      __mips_hard_float: '1',
      _MIPS_SIM: '_ABIN32',
      _ABIN32: '2',
      _MIPS_SZLONG: '32',
      _MIPS_SZPTR: '32',
      _MIPS_SZINT: '32',
      __MIPSEB__: '1',
      __MIPSEB: '1',
      _MIPSEB: '1',
      __ILP32__: '1',
      _MIPS_ISA: '_MIPS_ISA_MIPS64',
      __mips_isa_rev: '2',
      __LDBL_MANT_DIG__: '113',
    },
  },
  {
    name: 'sparc64',
    kernelArch: 'sparc',
    bits: 64,
    endian: 'big',
    charSigned: true,
    sizes: LP64,
    bitfields: msb(),
    ioc: SPARC_IOC,
    headerTriple: 'sparc64-linux-gnu',
    debianArch: 'sparc64',
    clangTarget: 'sparcv9-linux-gnu',
    gcc: null,
    archMacros: {
      __sparc__: '1',
      __sparc_v9__: '1',
      __arch64__: '1',
      __LP64__: '1',
      _LP64: '1',
      __sparcv9: '1',
      sparc: '1',
      __LDBL_MANT_DIG__: '113',
    },
    compat: ['sparc'],
    compatKconfig: { sparc: 'COMPAT' },
  },
  {
    // clang-16 gives long double 8/8 here; the Linux ABI (glibc, gcc) has 16-byte long double
    // aligned to 8, so gcc is the reference.
    name: 'sparc',
    biggestAlignment: 8,
    kernelArch: 'sparc',
    bits: 32,
    endian: 'big',
    charSigned: true,
    sizes: { ...ILP32, longDouble: 16 },
    aligns: { ...ILP32, longDouble: 8 },
    bitfields: msb(),
    ioc: SPARC_IOC,
    headerTriple: 'sparc64-linux-gnu',
    debianArch: 'sparc64',
    clangTarget: null,
    gcc: { command: 'sparc64-linux-gnu-gcc-12', flags: ['-m32'] },
    archMacros: {
      __sparc__: '1',
      __LONG_DOUBLE_128__: '1',
      sparc: '1',
      __sparc: '1',
      __sparc_v9__: '1',
      __LDBL_MANT_DIG__: '113',
    },
  },
  {
    name: 'riscv64',
    kernelArch: 'riscv',
    bits: 64,
    endian: 'little',
    charSigned: false,
    sizes: LP64,
    bitfields: lsb(),
    ioc: GENERIC_IOC,
    headerTriple: 'riscv64-linux-gnu',
    debianArch: 'riscv64',
    clangTarget: 'riscv64-linux-gnu',
    gcc: null,
    archMacros: {
      __riscv: '1',
      __riscv_xlen: '64',
      __riscv_float_abi_double: '1',
      __riscv_flen: '64',
      __LP64__: '1',
      _LP64: '1',
    },
    compat: ['riscv32'],
    compatKconfig: { riscv32: 'COMPAT' },
  },
  {
    name: 'riscv32',
    kernelArch: 'riscv',
    bits: 32,
    endian: 'little',
    charSigned: false,
    sizes: { ...ILP32, longDouble: 16 },
    bitfields: lsb(),
    ioc: GENERIC_IOC,
    headerTriple: 'riscv64-linux-gnu',
    debianArch: 'riscv64',
    clangTarget: 'riscv32-linux-gnu',
    gcc: null,
    archMacros: { __riscv: '1', __riscv_xlen: '32', __riscv_float_abi_double: '1', __riscv_flen: '64', __ILP32__: '1' },
  },
  {
    name: 'parisc64',
    cTypes: { wchar_t: 'unsigned int' },
    kernelArch: 'parisc',
    bits: 64,
    endian: 'big',
    charSigned: true,
    sizes: LP64,
    bitfields: msb(),
    ioc: PARISC_IOC,
    headerTriple: 'hppa-linux-gnu',
    debianArch: 'hppa',
    clangTarget: null,
    gcc: { command: 'hppa64-linux-gnu-gcc-12', flags: [] },
    archMacros: { __hppa__: '1', __BIG_ENDIAN__: '1', __LP64__: '1', _LP64: '1' },
    compat: ['parisc'],
    compatKconfig: { parisc: 'COMPAT' },
  },
  {
    name: 'parisc',
    cTypes: { wchar_t: 'long' },
    biggestAlignment: 8,
    kernelArch: 'parisc',
    bits: 32,
    endian: 'big',
    charSigned: true,
    sizes: ILP32,
    bitfields: msb(),
    ioc: PARISC_IOC,
    headerTriple: 'hppa-linux-gnu',
    debianArch: 'hppa',
    clangTarget: null,
    gcc: { command: 'hppa-linux-gnu-gcc-12', flags: [] },
    archMacros: { __hppa__: '1', __BIG_ENDIAN__: '1' },
  },
  {
    // GCC m68k: BIGGEST_ALIGNMENT is 16 bits without -malign-int, so nothing aligns past 2;
    // m68k/linux.h leaves PCC_BITFIELD_TYPE_MATTERS off and EMPTY_FIELD_BOUNDARY is 16.
    name: 'm68k',
    cTypes: { wchar_t: 'long' },
    biggestAlignment: 2,
    kernelArch: 'm68k',
    bits: 32,
    endian: 'big',
    charSigned: true,
    sizes: { ...ILP32, longDouble: 12 },
    aligns: {
      bool: 1,
      char: 1,
      short: 2,
      int: 2,
      long: 2,
      longLong: 2,
      pointer: 2,
      float: 2,
      double: 2,
      longDouble: 2,
    },
    bitfields: { order: 'msb-first', anonymousRaisesAlign: false, typeMatters: false, emptyFieldAlign: 2 },
    ioc: GENERIC_IOC,
    headerTriple: 'm68k-linux-gnu',
    debianArch: 'm68k',
    clangTarget: null,
    gcc: { command: 'm68k-linux-gnu-gcc-12', flags: [] },
    archMacros: {
      __m68k__: '1',
      __mc68000__: '1',
      __mc68020__: '1',
      __HAVE_68881__: '1',
      __mc68000: '1',
      __mc68020: '1',
      __LDBL_MANT_DIG__: '64',
    },
  },
  {
    name: 'alpha',
    kernelArch: 'alpha',
    bits: 64,
    endian: 'little',
    charSigned: true,
    sizes: LP64,
    bitfields: lsb(),
    ioc: THREE_BIT_DIR_IOC,
    headerTriple: 'alpha-linux-gnu',
    debianArch: 'alpha',
    clangTarget: null,
    gcc: { command: 'alpha-linux-gnu-gcc-12', flags: [] },
    archMacros: { __alpha__: '1', __LP64__: '1', _LP64: '1', __LONG_DOUBLE_128__: '1' },
  },
];

/** Macros every Linux GNU C compiler predefines, whatever the ABI. */
const COMMON_MACROS: Record<string, string> = {
  __linux__: '1',
  __linux: '1',
  __gnu_linux__: '1',
  __unix__: '1',
  __unix: '1',
  __ELF__: '1',
  __STDC__: '1',
  __STDC_VERSION__: '201710L',
  __STDC_HOSTED__: '1',
  __GNUC__: '12',
  __GNUC_MINOR__: '2',
  __CHAR_BIT__: '8',
  __ORDER_LITTLE_ENDIAN__: '1234',
  __ORDER_BIG_ENDIAN__: '4321',
  __ORDER_PDP_ENDIAN__: '3412',
};

function derivedMacros(s: AbiSpec): Record<string, string> {
  const m: Record<string, string> = {
    __BYTE_ORDER__: s.endian === 'little' ? '__ORDER_LITTLE_ENDIAN__' : '__ORDER_BIG_ENDIAN__',
    __SIZEOF_SHORT__: String(s.sizes.short),
    __SIZEOF_INT__: String(s.sizes.int),
    __SIZEOF_LONG__: String(s.sizes.long),
    __SIZEOF_LONG_LONG__: String(s.sizes.longLong),
    __SIZEOF_POINTER__: String(s.sizes.pointer),
    __SIZEOF_FLOAT__: String(s.sizes.float),
    __SIZEOF_DOUBLE__: String(s.sizes.double),
    __SIZEOF_LONG_DOUBLE__: String(s.sizes.longDouble),
  };
  // clang names the byte order on every target; gcc only on some (parisc: archMacros)
  if (s.clangTarget) m[s.endian === 'little' ? '__LITTLE_ENDIAN__' : '__BIG_ENDIAN__'] = '1';
  if (s.sizes.int128 !== undefined) m.__SIZEOF_INT128__ = String(s.sizes.int128);
  if (!s.charSigned) m.__CHAR_UNSIGNED__ = '1';
  const t = cTypes(s);
  const unsigned = (name: string) => (name.startsWith('unsigned') ? name : `unsigned ${name}`);
  Object.assign(m, {
    __SIZE_TYPE__: t.size_t,
    __PTRDIFF_TYPE__: t.ptrdiff_t,
    __WCHAR_TYPE__: t.wchar_t,
    __WINT_TYPE__: t.wint_t,
    __INTMAX_TYPE__: t.intmax_t,
    __UINTMAX_TYPE__: unsigned(t.intmax_t),
    __INTPTR_TYPE__: t.intptr_t,
    __UINTPTR_TYPE__: unsigned(t.intptr_t),
    __INT8_TYPE__: 'signed char',
    __INT16_TYPE__: 'short',
    __INT32_TYPE__: 'int',
    __INT64_TYPE__: t.int64_t,
    __UINT8_TYPE__: 'unsigned char',
    __UINT16_TYPE__: 'unsigned short',
    __UINT32_TYPE__: 'unsigned int',
    __UINT64_TYPE__: unsigned(t.int64_t),
    __CHAR16_TYPE__: 'unsigned short',
    __CHAR32_TYPE__: 'unsigned int',
    __SIZEOF_SIZE_T__: String(s.sizes.pointer),
    __SIZEOF_PTRDIFF_T__: String(s.sizes.pointer),
    __SIZEOF_WCHAR_T__: '4',
    __SIZEOF_WINT_T__: '4',
    __SCHAR_MAX__: '127',
    __SHRT_MAX__: '32767',
    __INT_MAX__: '2147483647',
    __LONG_MAX__: s.sizes.long === 8 ? '9223372036854775807L' : '2147483647L',
    __LONG_LONG_MAX__: '9223372036854775807LL',
    __WCHAR_MAX__: t.wchar_t.startsWith('unsigned')
      ? '4294967295U'
      : t.wchar_t === 'long'
        ? '2147483647L'
        : '2147483647',
    __SIZE_MAX__:
      s.sizes.pointer === 8 ? '18446744073709551615UL' : t.size_t === 'unsigned long' ? '4294967295UL' : '4294967295U',
    __PTRDIFF_MAX__: s.sizes.pointer === 8 ? '9223372036854775807L' : '2147483647',
    __INTMAX_MAX__: s.sizes.long === 8 ? '9223372036854775807L' : '9223372036854775807LL',
    __UINTMAX_MAX__: s.sizes.long === 8 ? '18446744073709551615UL' : '18446744073709551615ULL',
    __BIGGEST_ALIGNMENT__: String(s.biggestAlignment ?? 16),
  });
  return m;
}

function cTypes(s: AbiSpec): CTypeNames {
  return { ...(s.sizes.pointer === 8 ? LP64_TYPES : ILP32_TYPES), ...s.cTypes };
}

/**
 * Flavours of an ABI: its base compiled with more macros (what `gcc -D...` adds), so glibc's headers
 * select other types; every other fact is the base's.
 */
const FLAVOURS: ReadonlyArray<{ suffix: string; bases: readonly AbiName[]; macros: Record<string, string> }> = [
  // glibc >= 2.34 (features-time64.h): 64-bit time_t is allowed only with 64-bit off_t
  { suffix: 't64', bases: TIME64_BASES, macros: { _TIME_BITS: '64', _FILE_OFFSET_BITS: '64' } },
];

/** The base ABI, then its flavours. */
function withFlavours(name: AbiName): AbiName[] {
  return [name, ...FLAVOURS.filter((f) => f.bases.includes(name)).map((f) => `${name}+${f.suffix}` as AbiName)];
}

function flavoursOf(base: Abi): Abi[] {
  return FLAVOURS.filter((f) => f.bases.includes(base.name)).map((f) => ({
    ...base,
    name: `${base.name}+${f.suffix}` as AbiName,
    flavourOf: base.name,
    predefined: { ...base.predefined, ...f.macros },
    cflags: [...base.cflags, ...Object.entries(f.macros).map(([k, v]) => `-D${k}=${v}`)],
  }));
}

function build(s: AbiSpec): Abi {
  const aligns = s.aligns ?? s.sizes;
  const { archMacros, cTypes: _, biggestAlignment, ...facts } = s;
  const kconfig = s.compatKconfig ?? {};
  return {
    ...facts,
    cTypes: cTypes(s),
    biggestAlignment: biggestAlignment ?? 16,
    atomicPromote: s.clangTarget === null ? null : atomicPromote(s.name),
    aligns,
    typeAligns: s.typeAligns ?? aligns,
    // a kernel serves a flavour's tasks as it serves its base's, under the same option
    compat: (s.compat ?? []).flatMap(withFlavours),
    compatKconfig: Object.fromEntries(
      Object.entries(kconfig).flatMap(([c, k]) => withFlavours(c as AbiName).map((n) => [n, k])),
    ),
    compatTask: s.compatTask ?? {},
    compatPtrMask: s.compatPtrMask ?? ZERO_EXTEND,
    errnoFamily: errnoFamilyOf(s.kernelArch),
    predefined: { ...COMMON_MACROS, ...derivedMacros(s), ...archMacros },
    cflags: [],
  };
}

/** Every ABI, each flavour right after its base (types.ts ABI_NAMES). */
export const ABIS: readonly Abi[] = SPECS.map(build).flatMap((base) => [base, ...flavoursOf(base)]);
