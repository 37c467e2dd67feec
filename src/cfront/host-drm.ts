/**
 * The host's DRM UAPI headers, found where distributions put them and searched as `drm/NAME.h`.
 * Fedora and Arch install the kernel's in /usr/include/drm (the host's directories find them). Debian's
 * linux-libc-dev leaves them out: libdrm-dev installs them in /usr/include/libdrm beside libdrm's own
 * headers (programs use `pkg-config --cflags libdrm`, -I/usr/include/libdrm, and `<drm.h>`), and the host's
 * own cross tree (linux-libc-dev-amd64-cross) has /usr/x86_64-linux-gnu/include/drm. A directory of links,
 * `drm/NAME.h` → the source's file, serves them by their kernel include name without adding what else
 * those directories hold (libdrm's API, the cross tree's libc).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { cacheRoot } from '../cache-root.cjs';

export interface DrmSource {
  dir: string;
  /** The Debian package that installs it. */
  package: string;
  /** Which files are the kernel's UAPI headers (libdrm's directory also has libdrm's own: amdgpu.h ...). */
  kernelHeader: (name: string) => boolean;
}

/** The kernel's include/uapi/drm names: drm.h, drm_mode.h, drm_fourcc.h, drm_sarea.h and the drivers' *_drm.h. */
const KERNEL_DRM_NAME = /^(drm(_\w+)?|\w+_drm)\.h$/;

/**
 * In the order they are preferred: the cross tree's are the kernel's UAPI headers as `make headers_install`
 * writes them; libdrm's copies lag or differ (its nouveau_drm.h uses uint32_t without <stdint.h>).
 */
export const HOST_DRM_SOURCES: readonly DrmSource[] = [
  {
    dir: '/usr/x86_64-linux-gnu/include/drm',
    package: 'linux-libc-dev-amd64-cross',
    kernelHeader: (n) => n.endsWith('.h'),
  },
  { dir: '/usr/include/libdrm', package: 'libdrm-dev', kernelHeader: (n) => KERNEL_DRM_NAME.test(n) },
];

/** Where a distribution that ships the kernel's DRM headers itself puts them: the host's own directories. */
const SYSTEM_DRM_HEADER = '/usr/include/drm/drm.h';

/** The user's cache directory, absolute: the links live there. */
const cacheDir = () => resolve(cacheRoot());
const LINKS_PREFIX = 'host-drm-';

const made = new Map<readonly DrmSource[], string | null>();

/**
 * An include directory whose `drm/` serves the DRM headers of the first of `sources` that has drm.h, or
 * null when the host's own directories have them (SYSTEM_DRM_HEADER), none is installed, or the links
 * cannot be made. Named by a hash of the files it links, so a package installed or updated makes another
 * directory (and what is cached by include directories follows).
 */
export function hostDrmDir(sources: readonly DrmSource[] = HOST_DRM_SOURCES): string | null {
  let dir = made.get(sources);
  if (dir === undefined) made.set(sources, (dir = existsSync(SYSTEM_DRM_HEADER) ? null : linkDrm(sources)));
  return dir;
}

function linkDrm(sources: readonly DrmSource[]): string | null {
  const source = sources.find((s) => existsSync(join(s.dir, 'drm.h')));
  if (!source) return null;
  const links = new Map<string, string>();
  for (const n of readdirSync(source.dir).sort()) if (source.kernelHeader(n)) links.set(n, join(source.dir, n));
  const hash = createHash('sha256');
  for (const [name, target] of links) {
    const st = statSync(target);
    hash.update(`${name}\0${target}\0${st.size}\0${st.mtimeMs}\n`);
  }
  const root = join(cacheDir(), `${LINKS_PREFIX}${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(join(root, 'drm', 'drm.h'))) return root;
  // made aside and renamed into place: another process making the same directory loses nothing
  const tmp = `${root}.${process.pid}.tmp`;
  try {
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(join(tmp, 'drm'), { recursive: true });
    for (const [name, target] of links) symlinkSync(target, join(tmp, 'drm', name));
    try {
      renameSync(tmp, root);
    } catch (e) {
      if (!existsSync(join(root, 'drm', 'drm.h'))) throw e;
    }
    return root;
  } catch {
    // no writable cache: the host's DRM headers stay unfound, which check's summary says
    return null;
  } finally {
    // a cache path that is no directory (a file on the way: ENOTDIR) is no writable cache either
    try {
      rmSync(tmp, { recursive: true, force: true });
    } catch {
      // nothing was made there
    }
  }
}

/** Whether `dir` is a directory hostDrmDir makes (its files are named by include name, as system ones are). */
export function isHostDrmDir(dir: string): boolean {
  const cache = cacheDir();
  return dirname(dir) === cache && dir.slice(cache.length + 1).startsWith(LINKS_PREFIX);
}
