/**
 * Whether kbuild builds a .c file in the configuration: its object in its directory's Makefile or
 * Kbuild (`obj-$(CONFIG_DRM_VIA) += via.o`, a composite's `via-y := via_dri1.o`), and each directory
 * up to the tree in its parent's (`obj-$(CONFIG_DRM_VIA) += via/`), as scripts/Makefile.build reads
 * them. Only plain assignments are read: a line under ifeq/ifdef counts as if it were not, and an
 * object no line names, or one named under a computed condition (`$(subst m,y,$(CONFIG_X))`), is taken
 * as built — the audit reads a file unless the Makefiles say it is not built.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';

/** Why a file is not built: the Makefile line that would build it, with the options it needs. */
export interface NotBuilt {
  file: string;
  why: string;
}

/** One `target-cond += objects` line: cond null for `-y`/`-objs`, else the option it names (or '?': computed). */
interface Assignment {
  target: string;
  option: string | null;
  objects: string[];
  where: string;
}

const ASSIGNMENT = /^[ \t]*([A-Za-z_][\w-]*?)-(y|objs|\$\(([^)]*)\))[ \t]*[:+]?=(.*)$/gm;

/** kbuild's Makefile reader for one tree and configuration; Makefiles are read once. */
export class KbuildObjects {
  private readonly makefiles = new Map<string, Assignment[]>();

  /** Directories (relative, with '/') an architecture's Makefile adds (`drivers-y += drivers/s390/`), by arch. */
  private archDirs: Map<string, string> | null = null;

  constructor(
    private readonly root: string,
    /** Whether the option is set, =y or =m (CONFIG_X or CONFIG_X_MODULE in autoconf.h). */
    private readonly isSet: (option: string) => boolean,
    /** The architecture built (SRCARCH: x86 for x86_64). */
    private readonly srcArch: string,
  ) {}

  /** null: built, or nothing says otherwise; else why not. */
  notBuilt(file: string): NotBuilt | null {
    const abs = resolve(file);
    const rel = relative(this.root, abs);
    // the top Kbuild's `obj-y += arch/$(SRCARCH)/`: another architecture's directory is not built
    const arch = /^arch\/([^/]+)\//.exec(rel)?.[1];
    if (arch !== undefined && arch !== this.srcArch) {
      return { file: rel, why: `Kbuild obj-y += arch/$(SRCARCH)/: SRCARCH is ${this.srcArch}` };
    }
    let dir = dirname(abs);
    let why = this.needs(dir, `${basename(abs, '.c')}.o`, 0);
    while (why === null && dir !== this.root && dir.startsWith(`${this.root}/`)) {
      const parent = dirname(dir);
      why = this.needs(parent, `${basename(dir)}/`, 0) ?? this.otherArchOnly(dir, parent) ?? this.notTopLevel(dir);
      dir = parent;
    }
    return why === null ? null : { file: rel, why };
  }

  /**
   * A directory of the tree's top the top Kbuild does not descend into (tools/, scripts/): that Kbuild lists
   * every top directory the kernel is built from, unlike a driver directory's Makefile.
   */
  private notTopLevel(dir: string): string | null {
    if (dirname(dir) !== this.root || !existsSync(join(this.root, 'Kbuild'))) return null;
    const named = this.assignments(this.root).some((a) => a.objects.some((o) => o.split('/')[0] === basename(dir)));
    return named ? null : `the top Kbuild does not descend into ${basename(dir)}/`;
  }

  /** A directory its parent does not name but another architecture's Makefile adds (drivers/s390/). */
  private otherArchOnly(dir: string, parent: string): string | null {
    const rel = `${relative(this.root, dir)}/`;
    const by = this.archAdded().get(rel);
    if (by === undefined || by === this.srcArch) return null;
    if (this.assignments(parent).some((a) => a.objects.includes(`${basename(dir)}/`))) return null;
    return `only arch/${by}/Makefile adds ${rel}: SRCARCH is ${this.srcArch}`;
  }

  private archAdded(): Map<string, string> {
    if (this.archDirs) return this.archDirs;
    this.archDirs = new Map();
    const archRoot = join(this.root, 'arch');
    let arches: string[] = [];
    try {
      arches = readdirSync(archRoot);
    } catch {
      // a tree without arch/ (a fixture): nothing added
    }
    for (const a of arches) {
      for (const x of this.assignments(join(archRoot, a))) {
        for (const o of x.objects) if (o.endsWith('/') && !o.startsWith('arch/')) this.archDirs.set(o, a);
      }
    }
    return this.archDirs;
  }

  /** Why `object` of `dir` is not built: null when some line builds it, or none names it. */
  private needs(dir: string, object: string, depth: number): string | null {
    const lines = this.assignments(dir).filter((a) => a.objects.includes(object));
    if (lines.length === 0 || depth > 4) return null;
    const unmet: string[] = [];
    for (const a of lines) {
      const own = a.option === null || a.option === '?' || this.isSet(a.option) ? null : `${a.option} is not set`;
      // a composite's part (`via-y := via_dri1.o`) is built when the composite is (`obj-$(CONFIG_DRM_VIA) += via.o`)
      const composite = KBUILD_LISTS.has(a.target) ? null : this.needs(dir, `${a.target}.o`, depth + 1);
      if (own === null && composite === null) return null;
      unmet.push(own !== null ? `${a.where}: ${own}` : `part of ${a.target}.o, ${composite}`);
    }
    return unmet.join('; ');
  }

  private assignments(dir: string): Assignment[] {
    let list = this.makefiles.get(dir);
    if (list) return list;
    list = [];
    for (const name of ['Kbuild', 'Makefile']) {
      const path = join(dir, name);
      if (!existsSync(path)) continue;
      const text = readFileSync(path, 'latin1').replace(/\\\n/g, ' ');
      for (const m of text.matchAll(ASSIGNMENT)) {
        const option = m[2] === 'y' || m[2] === 'objs' ? null : /^CONFIG_\w+$/.test(m[3]!) ? m[3]! : '?';
        const objects = m[4]!.replace(/#.*$/, '').trim().split(/\s+/);
        list.push({ target: m[1]!, option, objects, where: `${relative(this.root, path)} ${m[1]}-${m[2]}` });
      }
    }
    this.makefiles.set(dir, list);
    return list;
  }
}

/**
 * Lists scripts/Makefile.build builds from directly (obj-, lib-, and the top Makefile's core-/drivers-),
 * not composites: their objects need only their own line's option.
 */
const KBUILD_LISTS: ReadonlySet<string> = new Set(['obj', 'lib', 'core', 'drivers', 'libs', 'net', 'virt']);
