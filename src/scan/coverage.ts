/**
 * What a scan of the whole UAPI set covered, and what installs what it lacked: which families of
 * ioctls it read, and for an ABI whose glibc part is missing (a compat ABI's multilib headers, say)
 * the one package that fixes the dozens of headers that stop on it.
 */
import { getAbi } from '../abi/index.js';
import { HOST_DRM_SOURCES } from '../cfront/host-drm.js';
import { LEGACY_IOCTLS } from '../ioctl/legacy.js';
import type { FailedHeaders } from './failed.js';

/** A family of ioctls, and the headers (include names, or directories ending in `/`) that show it. */
interface HeaderFamily {
  name: string;
  headers: readonly string[];
  /** For a legacy family: its macros; it is read where one of them is in the catalogue. */
  names?: ReadonlySet<string>;
  /** For a family a distribution's kernel headers may leave out: its main file, what installs it, and why. */
  missing?: { file: string; packages: readonly string[]; why: string };
}

/** The families a compat layer cares for most, each shown by its main header (Documentation/userspace-api). */
const MAIN_FAMILIES: readonly HeaderFamily[] = [
  {
    name: 'drm',
    headers: ['drm/'],
    // the largest family with compat handlers (drivers/gpu/drm/drm_ioc32.c)
    missing: {
      file: 'drm/drm.h',
      packages: HOST_DRM_SOURCES.map((s) => s.package),
      why: "Debian's linux-libc-dev has no drm/",
    },
  },
  { name: 'sound', headers: ['sound/asound.h'] },
  { name: 'video4linux', headers: ['linux/videodev2.h'] },
  { name: 'dvb', headers: ['linux/dvb/'] },
  { name: 'input', headers: ['linux/input.h'] },
  { name: 'kvm', headers: ['linux/kvm.h'] },
  { name: 'block', headers: ['linux/fs.h'] },
  { name: 'net', headers: ['linux/sockios.h'] },
  { name: 'usb', headers: ['linux/usbdevice_fs.h'] },
  { name: 'scsi', headers: ['scsi/'] },
  { name: 'rdma', headers: ['rdma/'] },
  { name: 'mtd', headers: ['mtd/'] },
  { name: 'xen', headers: ['xen/'] },
  { name: 'misc', headers: ['misc/'] },
];

/** Whether `header` (an include name) is one of the family's headers. */
function shows(family: HeaderFamily, header: string): boolean {
  return family.headers.some((p) => (p.endsWith('/') ? header.startsWith(p) : header === p));
}

/**
 * The legacy table's families (tty, cdrom, kd, wireless ...), each read where one of its macros is in the catalogue
 * (asm-generic/ioctls.h is read through an ABI's asm/ioctls.h), unless a main family shows one of its headers already
 * (its socket family is the main table's net); 'other' is no family.
 */
function legacyFamilies(): HeaderFamily[] {
  const rows = new Map<string, { headers: Set<string>; names: Set<string> }>();
  for (const e of LEGACY_IOCTLS) {
    if (e.family === 'other') continue;
    const f = rows.get(e.family) ?? { headers: new Set(), names: new Set() };
    f.headers.add(e.header);
    f.names.add(e.name);
    rows.set(e.family, f);
  }
  return [...rows]
    .map(([name, f]) => ({ name, headers: [...f.headers], names: f.names }))
    .filter((f) => !MAIN_FAMILIES.some((m) => m.name === f.name || f.headers.some((h) => shows(m, h))));
}

/** The families `check` reports on: the main ones, then the legacy table's. */
export const HEADER_FAMILIES: readonly HeaderFamily[] = [...MAIN_FAMILIES, ...legacyFamilies()];

/**
 * Debian's packages with each ABI's glibc headers (packages.debian.org, bookworm: libc6-dev-ARCH-cross from
 * cross-toolchain-base; the multilib ones from glibc's biarch builds). glibc's gnu/stubs.h includes one
 * gnu/stubs-VARIANT.h per ABI it was built for (stubs-32.h, stubs-x32.h ...): that file missing is the ABI's
 * libc part missing. The host's own multilib package comes first where there is one.
 */
const LIBC_PACKAGES: Readonly<Partial<Record<string, readonly string[]>>> = {
  x86_64: ['libc6-dev-amd64', 'libc6-dev-amd64-cross'],
  i386: ['libc6-dev-i386', 'libc6-dev-i386-cross'],
  x32: ['libc6-dev-x32', 'libc6-dev-x32-cross'],
  arm64: ['libc6-dev-arm64-cross'],
  arm: ['libc6-dev-armhf-cross'],
  ppc64le: ['libc6-dev-ppc64el-cross'],
  ppc64: ['libc6-dev-ppc64-cross'],
  ppc: ['libc6-dev-powerpc-cross'],
  s390x: ['libc6-dev-s390x-cross'],
  s390: ['libc6-dev-s390-s390x-cross'],
  mips: ['libc6-dev-mips-cross'],
  mips64: ['libc6-dev-mips64-cross'],
  mipsn32: ['libc6-dev-mipsn32-cross'],
  sparc64: ['libc6-dev-sparc64-cross'],
  sparc: ['libc6-dev-sparc-sparc64-cross'],
  riscv64: ['libc6-dev-riscv64-cross'],
  parisc: ['libc6-dev-hppa-cross'],
  m68k: ['libc6-dev-m68k-cross'],
  alpha: ['libc6.1-dev-alpha-cross'],
};

/** The error a header gives when its ABI's glibc part is missing (the file gnu/stubs.h includes). */
const MISSING_STUBS = /'(gnu\/stubs-[\w-]+\.h)' file not found/;

/** Per ABI, what its set read. */
export interface Coverage {
  /** Headers in the set, and how many of them were read. */
  headers: number;
  read: number;
  /** HEADER_FAMILIES names with a header read, in the table's order. */
  families: string[];
}

/** Something an ABI's headers lack, the packages that install it, and the line that says so. */
export interface MissingPart {
  /** 'libc': the ABI's glibc headers (gnu/stubs-*.h); else a family's name ('drm'). */
  part: string;
  abis: string[];
  /** The file whose absence shows it (gnu/stubs-32.h, drm/drm.h). */
  file: string;
  packages: string[];
  /** The headers it stopped (libc); none for a family the set lacks. */
  headers: string[];
  message: string;
}

/**
 * What one ABI's set of `headers` (include names) read, `failed` being those that could not be read and `ioctls`
 * the catalogue's names.
 */
export function coverageOf(
  headers: readonly string[],
  failed: Readonly<Record<string, string>>,
  ioctls: Readonly<Record<string, unknown>>,
): Coverage {
  const read = headers.filter((h) => !Object.hasOwn(failed, h));
  const isRead = (f: HeaderFamily) =>
    f.names ? [...f.names].some((n) => Object.hasOwn(ioctls, n)) : read.some((h) => shows(f, h));
  return {
    headers: headers.length,
    read: read.length,
    families: HEADER_FAMILIES.filter(isRead).map((f) => f.name),
  };
}

/**
 * The parts the ABIs lack: a glibc part that stopped headers (from `failed`), and, with `coverage` (a whole-set
 * run), a family that may be left out (HeaderFamily.missing) and was read on none of an ABI's headers.
 */
export function missingParts(failed: FailedHeaders, coverage?: Readonly<Record<string, Coverage>>): MissingPart[] {
  const parts: MissingPart[] = [];
  for (const [abi, list] of Object.entries(failed)) {
    const stopped = new Map<string, string[]>();
    for (const [header, error] of Object.entries(list)) {
      const file = MISSING_STUBS.exec(error)?.[1];
      if (file !== undefined) stopped.set(file, [...(stopped.get(file) ?? []), header]);
    }
    for (const [file, headers] of stopped) {
      // a flavour (i386+t64: 64-bit time_t) is built with its ABI's libc
      const packages = [...(LIBC_PACKAGES[abi] ?? LIBC_PACKAGES[getAbi(abi).flavourOf ?? abi] ?? [])];
      const fix = packages.length
        ? `install ${packages.join(' or ')}`
        : `no Debian package has them: pass --sysroot ${abi}=DIR, a ${abi} glibc sysroot`;
      const message = `${abi}: ${headers.length} header(s) need ${abi}'s glibc headers (${file} not found): ${fix}`;
      parts.push({ part: 'libc', abis: [abi], file, packages, headers, message });
    }
  }
  for (const family of HEADER_FAMILIES) {
    const m = family.missing;
    if (!coverage || m === undefined) continue;
    const abis = Object.keys(coverage).filter((a) => !coverage[a]!.families.includes(family.name));
    if (!abis.length) continue;
    const packages = [...m.packages];
    const message = `${abis.join(', ')}: no ${family.name} headers (${m.file}): install ${packages.join(' or ')} (${m.why})`;
    parts.push({ part: family.name, abis, file: m.file, packages, headers: [], message });
  }
  return parts;
}

/** `failed` without the headers a missing part stopped (they are listed once, as the part). */
export function withoutMissing(failed: FailedHeaders, parts: readonly MissingPart[]): FailedHeaders {
  const out: FailedHeaders = {};
  for (const [abi, list] of Object.entries(failed)) {
    const gone = new Set(parts.filter((p) => p.abis.includes(abi)).flatMap((p) => p.headers));
    const kept = Object.entries(list).filter(([h]) => !gone.has(h));
    if (kept.length) out[abi] = Object.fromEntries(kept);
  }
  return out;
}
