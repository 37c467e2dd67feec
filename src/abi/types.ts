/** The facts of one Linux ABI that layouts, command numbers and conversions depend on. */

/** The ABIs with layout facts of their own (table.ts has one record each). */
export const BASE_ABI_NAMES = [
  'x86_64',
  'i386',
  'x32',
  'arm64',
  'arm',
  'ppc64le',
  'ppc64',
  'ppc',
  's390x',
  's390',
  'mips',
  'mips64',
  'mipsn32',
  'sparc64',
  'sparc',
  'riscv64',
  'riscv32',
  'parisc64',
  'parisc',
  'm68k',
  'alpha',
] as const;

export type BaseAbiName = (typeof BASE_ABI_NAMES)[number];

/**
 * The 32-bit compat ABIs whose glibc (>= 2.34) builds programs with 64-bit time_t and off_t on request
 * (features-time64.h: `_TIME_BITS=64` where bits/timesize.h gives __TIMESIZE 32; x32 and riscv32 have
 * 64-bit time already). Each has a flavour `<base>+t64` (table.ts FLAVOURS).
 */
export const TIME64_BASES = [
  'i386',
  'arm',
  'ppc',
  's390',
  'mips',
  'mipsn32',
  'sparc',
  'parisc',
] as const satisfies readonly BaseAbiName[];

export type FlavourName = `${(typeof TIME64_BASES)[number]}+t64`;
export type AbiName = BaseAbiName | FlavourName;

/** Every ABI, each flavour right after its base. */
export const ABI_NAMES: readonly AbiName[] = BASE_ABI_NAMES.flatMap((n): AbiName[] =>
  (TIME64_BASES as readonly string[]).includes(n) ? [n, `${n}+t64` as FlavourName] : [n],
);

/** The scalar kinds whose size and alignment an ABI fixes. `int128` exists on some ABIs only. */
export type ScalarKey =
  'bool' | 'char' | 'short' | 'int' | 'long' | 'longLong' | 'int128' | 'pointer' | 'float' | 'double' | 'longDouble';

export type ScalarTable = Record<Exclude<ScalarKey, 'int128'>, number> & { int128?: number };

export interface CTypeNames {
  size_t: string;
  ptrdiff_t: string;
  wchar_t: string;
  wint_t: string;
  intmax_t: string;
  intptr_t: string;
  int64_t: string;
}

/**
 * How an architecture numbers errno (arch/<arch>/include/uapi/asm/errno.h): asm-generic's, or
 * the arch's own (alpha, mips, parisc, sparc renumber most; powerpc moves EDEADLOCK only).
 */
export type ErrnoFamily = 'generic' | 'alpha' | 'mips' | 'parisc' | 'powerpc' | 'sparc';

/** How `_IOC` packs direction, size, type and nr into 32 bits (asm/ioctl.h of the arch). */
export interface IocEncoding {
  /** 'generic' (asm-generic/ioctl.h), 'sparc' (3-bit dir overlapping a 14-bit size). */
  variant: 'generic' | 'sparc';
  nrBits: 8;
  typeBits: 8;
  sizeBits: number;
  dirBits: number;
  none: number;
  write: number;
  read: number;
}

/** Bitfield allocation rules (GCC stor-layout.c with PCC_BITFIELD_TYPE_MATTERS). */
export interface BitfieldRules {
  /** Bits are allocated from the least significant bit of a unit (LE) or the most (BE). */
  order: 'lsb-first' | 'msb-first';
  /** Unnamed and zero-width bitfields raise the record's alignment (targetm.align_anon_bitfield: AAPCS). */
  anonymousRaisesAlign: boolean;
  /**
   * PCC_BITFIELD_TYPE_MATTERS: a bitfield's declared type aligns the record and keeps the field
   * from straddling a unit of the type. Without it (m68k) bitfields pack bit by bit, `:0` aligns
   * to `emptyFieldAlign`, and only a field that GCC turns into a plain integer (width of a mode,
   * at a position aligned for it) aligns the record.
   */
  typeMatters: boolean;
  /** EMPTY_FIELD_BOUNDARY in bytes: what `:0` aligns to where the type does not matter. */
  emptyFieldAlign: number;
}

export interface Abi {
  name: AbiName;
  /**
   * A flavour's base ABI: the same layout facts and toolchain, other predefined macros (what
   * `gcc -D_TIME_BITS=64 -D_FILE_OFFSET_BITS=64` adds), so glibc's headers select other types. A kernel
   * cannot tell a flavour's tasks from its base's: both share one compat entry point.
   */
  flavourOf?: AbiName;
  /** What a reference compiler needs beyond its target to be this ABI (a flavour's -D flags). */
  cflags: string[];
  /** Kernel architecture whose UAPI header tree the ABI uses (arch/<kernelArch>). */
  kernelArch: string;
  bits: 32 | 64;
  endian: 'little' | 'big';
  charSigned: boolean;
  /** sizeof of each scalar; int128 only where __int128 exists. */
  sizes: ScalarTable;
  /**
   * Alignment of each scalar as a member of a record, after the target's field-alignment rule
   * (i386's x86_field_alignment caps 8-byte integers and double at 4; a user alignment from
   * `aligned(N)` on a typedef or record is not capped).
   */
  aligns: ScalarTable;
  /**
   * GCC's preferred alignment, `__alignof__`, of each scalar (8 for long long and double on
   * i386, where C11 `_Alignof` and the in-record alignment, `aligns`, are 4).
   */
  typeAligns: ScalarTable;
  bitfields: BitfieldRules;
  ioc: IocEncoding;
  /** GNU triple of Debian's cross header tree: /usr/<headerTriple>/include. */
  headerTriple: string;
  /** Debian architecture name used by the linux-libc-dev-<arch>-cross package. */
  debianArch: string;
  /** clang --target= for this ABI, or null where clang has no (correct) backend. */
  clangTarget: string | null;
  /** The gcc cross compiler and flags that define this ABI, where one is the reference. */
  gcc: { command: string; flags: string[] } | null;
  /** The standard typedefs the compiler fixes (__SIZE_TYPE__ and friends), as C type names. */
  cTypes: CTypeNames;
  /** __BIGGEST_ALIGNMENT__ in bytes: what gcc gives a bare `__attribute__((aligned))`. */
  biggestAlignment: number;
  /**
   * What clang gives a bare `aligned` where that is not biggestAlignment (its target's DefaultAlignForAttributeAligned:
   * 16 on mips o32, whose __BIGGEST_ALIGNMENT__ and gcc's are 8); absent where they agree.
   */
  clangBareAligned?: number;
  /**
   * clang's MaxAtomicPromoteWidth in bytes, where clang is the reference compiler (clangTarget): an `_Atomic T` of at
   * most this size is made a power of two in size and aligned to it (clang's ASTContext::getTypeInfoImpl); null where
   * gcc is, whose `_Atomic T` of 1, 2, 4, 8 or 16 bytes is aligned to min(size, biggestAlignment) at least (the
   * atomic integer mode's alignment: tree.cc find_atomic_core_type).
   */
  atomicPromote: number | null;
  /** Macros the compiler predefines for this ABI that headers test. */
  predefined: Record<string, string>;
  /** The compat ABIs this one serves as a 64-bit native kernel. */
  compat: AbiName[];
  /**
   * Compat tasks the kernel may serve that are none of ioctl32's ABIs (ppc64le's little-endian 32-bit tasks), with
   * the kernel source that says so: where the pairs are listed, this is said instead of a pair.
   */
  compatUnmodelled?: string;
  /** Kconfig option that enables each compat ABI on this native one. */
  compatKconfig: Partial<Record<AbiName, string>>;
  /**
   * Where one .compat_ioctl serves several compat ABIs: the kernel's C test that the current
   * syscall comes from a task of each (in_x32_syscall()), for a handler to tell them apart.
   */
  compatTask: Partial<Record<AbiName, string>>;
  /** compat_ptr(): the mask applied to a 32-bit user pointer (s390 clears bit 31). */
  compatPtrMask: number;
  /** Whose errno numbers the ABI's kernel returns (src/abi/errno.ts has the numbers). */
  errnoFamily: ErrnoFamily;
}
