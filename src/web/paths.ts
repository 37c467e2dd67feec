/**
 * Which headers the viewer may read: include names below its include directories (and a kernel
 * tree's UAPI directories, which are among them). A name that leaves them — `..`, an absolute
 * path, an encoded dot, a symlink out — is refused before anything is opened.
 */
import { existsSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { isHostDrmDir } from '../cfront/host-drm.js';

export class PathRefused extends Error {
  constructor(
    message: string,
    /** 400: not an include name; 403: leaves the include directories; 404: no such header. */
    readonly status: 400 | 403 | 404,
  ) {
    super(message);
  }
}

/** An include name as a header spells it: `linux/kvm.h`, letters, digits and `_ - + . ,` between slashes. */
const INCLUDE_NAME = /^[A-Za-z0-9_+,-]+(?:\.[A-Za-z0-9_+,-]+)*(?:\/[A-Za-z0-9_+,-]+(?:\.[A-Za-z0-9_+,-]+)*)*\.h$/;

function inside(root: string, file: string): boolean {
  const r = relative(root, file);
  return r !== '' && !r.startsWith(`..${sep}`) && r !== '..' && !isAbsolute(r);
}

/** The include directories a viewer serves, each with its real path (symlinks resolved once). */
export class HeaderGuard {
  private readonly roots: Array<{ dir: string; real: string }>;
  /** Where a symlink may lead: the roots, and the DRM headers the host's DRM link directory serves. */
  private readonly reals: string[];

  constructor(dirs: readonly string[]) {
    this.roots = [];
    this.reals = [];
    for (const dir of new Set(dirs)) {
      try {
        const real = realpathSync(dir);
        this.roots.push({ dir, real });
        this.reals.push(real);
        // its drm/NAME.h are links to the DRM source's files (host-drm.ts), none else
        if (isHostDrmDir(dir)) this.reals.push(dirname(realpathSync(join(dir, 'drm', 'drm.h'))));
      } catch {
        // a directory that does not exist serves nothing
      }
    }
  }

  /**
   * The include name, checked: it is a plain relative name (no `..`, no absolute path, no `%`), and
   * the file the first directory holding it gives (the one a scan would read) is inside the include
   * directories once symlinks are resolved.
   */
  check(name: string): string {
    if (name.length > 255 || !INCLUDE_NAME.test(name)) {
      throw new PathRefused(
        `not an include name: '${name.slice(0, 80)}' (a header below the include directories, e.g. linux/kvm.h)`,
        400,
      );
    }
    for (const root of this.roots) {
      const file = join(root.dir, name);
      if (!existsSync(file)) continue;
      let real: string;
      try {
        real = realpathSync(file);
      } catch {
        throw new PathRefused(`${name}: cannot be resolved`, 404);
      }
      // a symlink may lead from one include directory to another, never out of them all
      if (!this.reals.some((r) => inside(r, real)))
        throw new PathRefused(`${name}: leaves the include directories`, 403);
      return name;
    }
    throw new PathRefused(`no header ${name} below the include directories`, 404);
  }
}
