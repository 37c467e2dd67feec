/**
 * `ioctl32 gen c`: a driver's compat layer in kernel C, from its UAPI header and two ABIs'
 * layouts. For each argument record that differs on the compat ABI: a `struct compat_X` in the
 * kernel's compat types (compat_long_t, compat_uptr_t, compat_u64 where 8-byte integers are
 * 4-aligned ...), static_asserts of its size, alignment and every member offset as the compat
 * ABI lays it out, converters both ways (compat_ptr()/ptr_to_compat(), -EOVERFLOW where a value
 * does not fit, padding zeroed before anything is copied out), the compat command numbers, and
 * a .compat_ioctl handler: converted arguments go to the driver's kernel-pointer entry point,
 * compatible ones to its unlocked_ioctl with compat_ptr(), value arguments as they are.
 */
import type { Abi } from '../abi/types.js';
import { isUnsigned } from '../cfront/constants.js';
import { typeName } from '../cfront/print.js';
import { stripTypedefs as strip, type CType, type RecordDecl } from '../cfront/types.js';
import { FileCache } from '../cfront/preprocess.js';
import type { Annotations } from '../compat/annotations.js';
import { ioctlVerdict, type IoctlVerdict } from '../compat/check.js';
import { emptyAnnotations, validateAnnotations } from '../compat/annotations.js';
import { unionChoiceErrors } from '../compat/members.js';
import { assertHeadersRead } from '../scan/failed.js';
import type { IoctlEntry } from '../ioctl/catalogue.js';
import type { Layouter } from '../layout/layout.js';
import { LayoutError, type RecordLayout } from '../layout/types.js';
import { dumpHeaders, type Dumped } from '../scan/dump.js';
import type { ScanOptions } from '../scan/scan.js';
import { Ioctl32Error } from '../errors.js';

export interface GenCOptions {
  pair: { native: Abi; compat: Abi };
  /** The driver's headers (paths or include names) and scan settings. */
  scan: Omit<ScanOptions, 'abi' | 'files'>;
  scanFor?: (abi: Abi) => Partial<ScanOptions>;
  annotations?: Annotations;
  /** The union member to convert, by member path (`u` or `data.u`), where members convert differently. */
  members?: Record<string, string>;
  /** Member names to convert in any union that has one of them (an anonymous union has no path). */
  choose?: string[];
  /** Prefix of the generated functions (default: the first header's base name). */
  prefix?: string;
  /**
   * What compat twins are called: `compat_` gives `struct compat_foo` (the default). The
   * kernel's own headers define some compat_ names for its UAPI (compat_atmif_sioc, say).
   */
  twinPrefix?: string;
}

/** What happened to one ioctl. */
export interface GeneratedIoctl {
  name: string;
  verdict: IoctlVerdict['verdict'];
  /**
   * converted: through the compat struct; passed: compat_ptr() to unlocked_ioctl; value: the argument as it is;
   * skipped: why says.
   */
  handling: 'converted' | 'passed' | 'value' | 'skipped';
  why?: string;
}

export interface GeneratedC {
  source: string;
  /**
   * The includes and the static_asserts of what the source assumes of the native side (sizes,
   * command numbers): the kernel's view of a UAPI header can differ from user space's
   * (`#ifdef __KERNEL__`). Built alone, it says whether the source is the right one.
   */
  checks: string;
  ioctls: GeneratedIoctl[];
  /** The compat records defined, by name, with the compat layout they assert. */
  records: Array<{ name: string; size: number; align: number }>;
}

export class CodegenError extends Ioctl32Error {}

/** A record of the headers: its C name (`struct foo`, or a typedef name) and its compat twin's. */
interface Twin {
  native: RecordDecl;
  compat: RecordDecl;
  /** How the native record is named in C. */
  cname: string;
  /** `struct compat_foo` */
  twin: string;
  /** The part of generated function names that names it (`foo`). */
  ident: string;
}

const KEYWORD = (d: RecordDecl) => (d.union ? 'union' : 'struct');

interface Converted {
  e: IoctlEntry;
  v: IoctlVerdict;
  /** A record argument's twin, or an integer argument's two types. */
  twin?: Twin;
  scalar?: { native: string; compat: string };
  compatCmd: number;
}

interface Numbered {
  name: string;
  /** The compat task's number, and the native one. */
  cmd: number;
  nativeCmd: number;
  /** The argument is a value (RTC_IRQP_SET), passed on as it came, not through compat_ptr(). */
  value?: boolean;
}

export function generateCompatC(opts: GenCOptions): GeneratedC {
  const { native, compat } = opts.pair;
  const files = new FileCache();
  const n = dumpHeaders({ ...opts.scan, ...opts.scanFor?.(native), abi: native, files });
  const c = dumpHeaders({ ...opts.scan, ...opts.scanFor?.(compat), abi: compat, files });
  const annotations = opts.annotations ?? emptyAnnotations();
  const headers = opts.scan.headers ?? [];
  if (!headers.length) throw new CodegenError("gen c needs the driver's header (a path or an include name)");
  // what stops a header comes first: annotations and choices are judged against what it declares
  const failed = { [native.name]: n.result.failed, [compat.name]: c.result.failed };
  assertHeadersRead(failed, headers, [native.name, compat.name]);
  validateAnnotations(annotations, n.decls, n.layouter, n.ioctls, n.typedefs);
  validateAnnotations(annotations, c.decls, c.layouter, undefined, c.typedefs);
  if (opts.prefix !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(opts.prefix)) {
    const rule = 'letters, digits and _, not starting with a digit';
    throw new CodegenError(`--prefix '${opts.prefix}' is not a C identifier (${rule})`);
  }
  const wanted = new Set(headers.map((h) => files.canonical(n.scan.resolve(h))));
  const choiceErrors = unionChoiceErrors(argumentTypes(n, wanted, annotations), opts.members ?? {});
  if (choiceErrors.length) throw new CodegenError(choiceErrors.join('\n'));
  const prefix = opts.prefix ?? identifier((headers[0]!.split('/').pop() ?? 'drv').replace(/\.h$/, ''));
  const g = new Generator(
    n,
    c,
    prefix,
    opts.members ?? {},
    opts.choose ?? [],
    opts.twinPrefix ?? 'compat_',
    annotations,
  );

  const out: GeneratedIoctl[] = [];
  const converted: Converted[] = [];
  const passed: Numbered[] = [];
  const values: Numbered[] = [];
  /** The same struct on both ABIs under another number (the number encodes a pointer). */
  const renumbered: Numbered[] = [];
  for (const [name, ne] of n.ioctls) {
    if (!wanted.has(ne.file)) continue;
    const v = ioctlVerdict(name, ne, c.ioctls.get(name), n, c, annotations);
    const record: GeneratedIoctl = { name, verdict: v.verdict, handling: 'skipped' };
    out.push(record);
    if (v.verdict === 'no-arg') {
      record.handling = 'value';
      values.push({ name, cmd: v.compatCmd ?? ne.cmd, nativeCmd: ne.cmd });
      continue;
    }
    if (v.verdict === 'identical') {
      record.handling = 'passed';
      passed.push({ name, cmd: v.compatCmd ?? ne.cmd, nativeCmd: ne.cmd });
      continue;
    }
    if (v.verdict === 'renumber') {
      // the same layout under another number: map the compat task's number to the native one
      record.handling = 'passed';
      renumbered.push({
        name,
        cmd: v.compatCmd!,
        nativeCmd: ne.cmd,
        value: ne.byValue === true || v.arg === undefined,
      });
      continue;
    }
    if (v.verdict === 'unknown') {
      record.why = v.reasons.map((r) => r.message ?? r.rule).join('; ');
      continue;
    }
    const nt = ne.argType ? strip(ne.argType) : undefined;
    const ct = c.ioctls.get(name)?.argType;
    if (nt && ct && (nt.kind === 'int' || nt.kind === 'enum') && ne.argType) {
      // a long or a pointer-sized integer in user memory
      try {
        converted.push({
          e: ne,
          v,
          scalar: { native: typeName(ne.argType), compat: g.compatScalar(ne.argType, ct, name) },
          compatCmd: v.compatCmd!,
        });
        record.handling = 'converted';
      } catch (e) {
        if (!(e instanceof CodegenError)) throw e;
        record.why = e.message;
      }
      continue;
    }
    // `_IOR(t, nr, struct foo *)`: the number encodes a pointer's size, the argument is the struct
    const target = (t: CType | undefined) => {
      const x = t ? strip(t) : undefined;
      return x?.kind === 'pointer' ? x.to : t;
    };
    const nrec = target(ne.argType);
    const crec = target(ct);
    const nd = nrec ? strip(nrec) : undefined;
    const cd = crec ? strip(crec) : undefined;
    if (!nrec || nd?.kind !== 'record' || cd?.kind !== 'record') {
      record.why = `its argument (${v.arg ?? 'none named'}) is not a record: convert it by hand`;
      continue;
    }
    if (nd.decl.members === null || cd.decl.members === null) {
      // `struct agp_info *` where no struct agp_info is defined
      record.why = `${typeName(nrec)} is declared but not defined in the headers`;
      continue;
    }
    if (nrec !== ne.argType && g.same(nrec, crec!)) {
      // the struct is the same on both ABIs: only the number, which encodes a pointer, differs
      record.handling = 'passed';
      renumbered.push({ name, cmd: v.compatCmd!, nativeCmd: ne.cmd });
      continue;
    }
    try {
      const twin = g.twinOf(nd.decl, cd.decl, nrec === ne.argType ? (v.arg ?? typeName(nrec)) : typeName(nrec));
      const { reads, writes } = directions(ne);
      if (reads) g.converter(twin, false);
      if (writes) g.converter(twin, true);
      converted.push({ e: ne, v, twin, compatCmd: v.compatCmd! });
      record.handling = 'converted';
    } catch (e) {
      // a record the header only declares (`struct agp_info *` with no struct agp_info) has no layout
      if (!(e instanceof CodegenError) && !(e instanceof LayoutError)) throw e;
      record.why = e.message;
    }
  }
  // a macro whose number has no value natively is left out too, and says so (check's unknown row)
  for (const [name, u] of n.unresolved) {
    if (!wanted.has(u.file)) continue;
    const why = `no value on ${native.name}: ${n.scan.shorten(u.message)}`;
    out.push({ name, verdict: 'unknown', handling: 'skipped', why });
  }
  // what a program includes first for the numbers to have a value (asm/ioctls.h for SIOCINQ); the
  // compiler's own headers (stddef.h for size_t) are not for kernel code, which has their names
  const before = [...n.ioctls.values()].filter((e) => wanted.has(e.file)).flatMap((e) => e.prerequisites ?? []);
  const includes = [...new Set(before.filter((h) => h.includes('/'))), ...headers];
  const { source, checks } = g.source(includes, converted, passed, values, renumbered, out);
  return { source, checks, ioctls: out, records: g.records() };
}

/**
 * Which ways the argument goes: the kernel reads what the task wrote (_IOW), writes what the
 * task reads (_IOR); a legacy number's direction is the kernel source's (the table's), else both.
 */
function directions(e: IoctlEntry): { reads: boolean; writes: boolean } {
  const dir = e.argDir ?? e.dir;
  return { reads: dir !== 'r', writes: dir !== 'w' };
}

/** The first member reached by name in a record, through anonymous ones (`a` or `s.a`... as C reaches it: `a`). */
function firstNamed(decl: RecordDecl): string | null {
  for (const m of decl.members ?? []) {
    if (m.name !== undefined) return m.bitWidth === undefined ? m.name : null;
    const t = strip(m.type);
    if (t.kind === 'record') return firstNamed(t.decl);
  }
  return null;
}

/** A C identifier made of a name. */
/** The argument types of the ioctls the wanted files define (an annotated type for those annotated). */
function argumentTypes(n: Dumped, wanted: ReadonlySet<string>, annotations: Annotations): CType[] {
  const types: CType[] = [];
  for (const [name, e] of n.ioctls) {
    if (!wanted.has(e.file)) continue;
    const annotated = annotations.ioctlArgs.get(name);
    const decl = annotated !== undefined ? n.decls.get(annotated) : undefined;
    if (decl) types.push({ kind: 'record', decl });
    else if (e.argType) types.push(e.argType);
  }
  return types;
}

function identifier(s: string): string {
  const id = s.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(id) ? `_${id}` : id;
}

class Generator {
  private readonly twins = new Map<RecordDecl, Twin>();
  /** Definitions in dependency order (a nested twin before its user). */
  private readonly definitions: string[] = [];
  private readonly asserts: string[] = [];
  private readonly functions: string[] = [];
  private readonly done = new Set<string>();
  private readonly emittedRecords: Array<{ name: string; size: number; align: number }> = [];
  /** The record whose converter is being written (annotations name members from it). */
  private record = '';

  constructor(
    readonly n: Dumped,
    readonly c: Dumped,
    readonly prefix: string,
    readonly chosen: Record<string, string>,
    readonly choose: string[],
    readonly twinPrefix: string,
    readonly annotations: Annotations,
  ) {}

  get nl(): Layouter {
    return this.n.layouter;
  }

  get cl(): Layouter {
    return this.c.layouter;
  }

  records() {
    return this.emittedRecords;
  }

  /** Whether a type has the same size, alignment and layout on both ABIs, pointer-free. */
  same(nt: CType, ct: CType): boolean {
    const a = strip(nt);
    const b = strip(ct);
    const la = this.nl.typeLayout(nt);
    const lb = this.cl.typeLayout(ct);
    if (la.size !== lb.size || la.align !== lb.align) return false;
    if (a.kind === 'int' || a.kind === 'enum' || a.kind === 'float') return true;
    if (a.kind === 'pointer') return false;
    if (a.kind === 'array' && b.kind === 'array') return a.length === b.length && this.same(a.of, b.of);
    if (a.kind === 'record' && b.kind === 'record') {
      const x = this.nl.layout(a.decl);
      const y = this.cl.layout(b.decl);
      return (
        x.members.length === y.members.length &&
        x.members.every(
          (m, i) =>
            m.bitOffset === y.members[i]!.bitOffset &&
            m.bits === y.members[i]!.bits &&
            this.same(m.member.type, y.members[i]!.member.type),
        )
      );
    }
    return false;
  }

  /** The compat twin of a record, defined (with its nested twins) on first use. */
  twinOf(nd: RecordDecl, cd: RecordDecl, cname: string): Twin {
    let t = this.twins.get(nd);
    if (t) return t;
    const ident = identifier(cname.replace(/^(struct|union) /, ''));
    t = { native: nd, compat: cd, cname, twin: `${KEYWORD(nd)} ${this.twinPrefix}${ident}`, ident };
    // set first: a record may point at itself (its pointers are compat_uptr_t, but its name is used)
    this.twins.set(nd, t);
    let body: string;
    try {
      body = this.recordBody(nd, cd, 1, '');
    } catch (e) {
      this.twins.delete(nd);
      throw e;
    }
    const l = this.cl.layout(cd);
    const attrs: string[] = [];
    if (nd.packed) attrs.push('__packed');
    if (nd.align !== undefined) attrs.push(`__aligned(${nd.align})`);
    const pack = nd.maxFieldAlign !== undefined;
    this.definitions.push(
      `${pack ? `#pragma pack(push, ${nd.maxFieldAlign})\n` : ''}` +
        `/* ${cname} as ${this.c.result.abi} lays it out: ${l.size} bytes, aligned to ${l.align} */\n` +
        `${t.twin} {\n${body}}${attrs.length ? ` ${attrs.join(' ')}` : ''};${pack ? '\n#pragma pack(pop)' : ''}\n`,
    );
    this.assertLayout(t, l);
    this.emittedRecords.push({ name: t.twin, size: l.size, align: l.align });
    return t;
  }

  /** static_asserts of the compat layout: the build checks the twin against the compat ABI. */
  private assertLayout(t: Twin, l: RecordLayout): void {
    const lines = [
      `static_assert(sizeof(${t.twin}) == ${l.size});`,
      `static_assert(__alignof__(${t.twin}) == ${l.align});`,
    ];
    const walk = (layout: RecordLayout, base: number, path: string) => {
      for (const m of layout.members) {
        if (m.member.bitWidth !== undefined) continue;
        const mt = strip(m.member.type);
        if (m.member.name === undefined) {
          if (mt.kind === 'record') walk(this.cl.layout(mt.decl), base + m.offset, path);
          continue;
        }
        const p = path ? `${path}.${m.member.name}` : m.member.name;
        lines.push(`static_assert(offsetof(${t.twin}, ${p}) == ${base + m.offset});`);
      }
    };
    walk(l, 0, '');
    this.asserts.push(lines.join('\n'));
  }

  /** The members of a compat record, in the kernel's compat types. */
  private recordBody(nd: RecordDecl, cd: RecordDecl, depth: number, path: string): string {
    const a = this.nl.layout(nd);
    const b = this.cl.layout(cd);
    if (a.members.length !== b.members.length)
      throw new CodegenError(`${path || 'the record'} has other members on the two ABIs`);
    const pad = '\t'.repeat(depth);
    let s = '';
    a.members.forEach((m, i) => {
      const o = b.members[i]!;
      const name = m.member.name;
      const mpath = name === undefined ? path : path ? `${path}.${name}` : name;
      const attrs: string[] = [];
      if (m.member.packed) attrs.push('__packed');
      if (m.member.align !== undefined) attrs.push(`__aligned(${m.member.align})`);
      const suffix =
        `${m.member.bitWidth !== undefined ? ` : ${m.member.bitWidth}` : ''}` +
        `${attrs.length ? ` ${attrs.join(' ')}` : ''};`;
      s += `${pad}${this.declare(m.member.type, o.member.type, name ?? '', depth, mpath)}${suffix}\n`;
    });
    return s;
  }

  /** The compat type of an integer argument. */
  compatScalar(nt: CType, ct: CType, path: string): string {
    return this.declare(nt, ct, '', 0, path);
  }

  /** A member's declaration with the compat type. */
  private declare(nt: CType, ct: CType, name: string, depth: number, path: string): string {
    const a = strip(nt);
    const b = strip(ct);
    const sep = name ? ` ${name}` : '';
    if (this.same(nt, ct)) {
      // the header's own spelling; an anonymous record is written out
      if ((a.kind === 'record' && a.decl.tag === undefined && nt.kind !== 'typedef') || a.kind === 'array')
        return this.declareOwn(nt, ct, name, depth, path);
      return `${typeName(nt)}${sep}`;
    }
    if (a.kind === 'pointer') return `compat_uptr_t${sep}`;
    if (a.kind === 'int' || a.kind === 'enum') {
      const signed = a.kind === 'int' ? !isUnsigned(a.name, this.n.layouter.abi) : false;
      const cs = this.cl.typeLayout(ct).size;
      const ca = this.cl.typeLayout(ct).align;
      const spelled =
        a.kind === 'int' && (a.name === 'long' || a.name === 'unsigned long')
          ? signed
            ? 'compat_long_t'
            : 'compat_ulong_t'
          : null;
      if (cs === 4 && ca === 4) return `${spelled ?? (signed ? 's32' : 'u32')}${sep}`;
      if (cs === 8 && ca === 4) return `${signed ? 'compat_s64' : 'compat_u64'}${sep}`;
      // the compat task's own width (a dev_t of 16 bits on i386, say)
      if (cs === ca && (cs === 1 || cs === 2 || cs === 8)) return `${signed ? 's' : 'u'}${cs * 8}${sep}`;
      throw new CodegenError(`'${path}': a ${cs}-byte integer aligned to ${ca} has no kernel compat type`);
    }
    if (a.kind === 'array' && b.kind === 'array') {
      if (a.length !== b.length) throw new CodegenError(`'${path}': array lengths differ`);
      return this.declare(a.of, b.of, `${name}[${a.length ?? ''}]`, depth, `${path}[]`);
    }
    if (a.kind === 'record' && b.kind === 'record') {
      if (a.decl.tag !== undefined || nt.kind === 'typedef')
        return `${this.twinOf(a.decl, b.decl, typeName(nt)).twin}${sep}`;
      return `${KEYWORD(a.decl)} {\n${this.recordBody(a.decl, b.decl, depth + 1, path)}${'\t'.repeat(depth)}}${sep}`;
    }
    throw new CodegenError(`'${path}': a ${a.kind} that differs between the ABIs has no kernel compat type`);
  }

  /** An array or anonymous record that is the same on both ABIs, written out with its own types. */
  private declareOwn(nt: CType, ct: CType, name: string, depth: number, path: string): string {
    const a = strip(nt);
    const b = strip(ct);
    if (a.kind === 'array' && b.kind === 'array' && nt.kind !== 'typedef')
      return this.declare(a.of, b.of, `${name}[${a.length ?? ''}]`, depth, `${path}[]`);
    if (a.kind === 'record' && b.kind === 'record')
      return (
        `${KEYWORD(a.decl)} {\n${this.recordBody(a.decl, b.decl, depth + 1, path)}` +
        `${'\t'.repeat(depth)}}${name ? ` ${name}` : ''}`
      );
    return `${typeName(nt)}${name ? ` ${name}` : ''}`;
  }

  /** A converter of a twin, one way (and those of the twins it holds), written on first use. */
  converter(t: Twin, toCompat: boolean): void {
    const key = `${toCompat ? '>' : '<'}${t.twin}`;
    if (this.done.has(key)) return;
    this.done.add(key);
    try {
      const body: string[] = [];
      const lines = (s: string) => body.push(s);
      const outer = this.record;
      this.record = t.cname;
      try {
        this.convertMembers(t.native, t.compat, 'from', 'to', toCompat, '', lines, 1, false);
      } finally {
        this.record = outer;
      }
      const sig = toCompat
        ? `static int ${this.prefix}_to_compat_${t.ident}(${t.twin} *to, const ${t.cname} *from)`
        : `static int ${this.prefix}_from_compat_${t.ident}(${t.cname} *to, const ${t.twin} *from)`;
      const what = toCompat
        ? 'to the compat layout (padding zeroed: nothing of the kernel stack reaches user space)'
        : 'from the compat layout';
      this.functions.push(
        `/* ${t.cname} ${what} */\n${sig}\n{\n\tmemset(to, 0, sizeof(*to));\n` +
          `${body.join('\n')}${body.length ? '\n' : ''}\treturn 0;\n}\n`,
      );
    } catch (e) {
      this.done.delete(key);
      throw e;
    }
  }

  /** Statements converting the members of a record from `from->...` to `to->...`. */
  private convertMembers(
    nd: RecordDecl,
    cd: RecordDecl,
    from: string,
    to: string,
    toCompat: boolean,
    path: string,
    out: (s: string) => void,
    depth: number,
    inPacked: boolean,
    anonymous = false,
  ): void {
    const packed = inPacked || nd.packed === true || nd.maxFieldAlign !== undefined;
    const a = this.nl.layout(nd);
    const b = this.cl.layout(cd);
    if (nd.union) {
      const chosen =
        this.chosen[path] ??
        a.members.find((m) => m.member.name !== undefined && this.choose.includes(m.member.name))?.member.name;
      const pairs = a.members.map((m, i) => ({ m, o: b.members[i]! }));
      const ann = this.annotations.records.get(this.record)?.get(path);
      if (chosen === undefined && ann?.kind === 'union') {
        // the member another member selects (a union annotation): one case per value
        const pad = '\t'.repeat(depth);
        out(`${pad}switch (from->${ann.selector}) {`);
        for (const [value, member] of Object.entries(ann.cases)) {
          const y = pairs.find((q) => q.m.member.name === member);
          if (!y) throw new CodegenError(`union '${path}' has no member '${member}'`);
          out(`${pad}case ${value}:`);
          this.value(
            y.m.member.type,
            y.o.member.type,
            from,
            to,
            path ? `${path}.${member}` : member,
            toCompat,
            out,
            depth + 1,
            packed || y.m.member.packed === true,
          );
          out(`${pad}\tbreak;`);
        }
        out(`${pad}default:\n${pad}\treturn -EINVAL;\n${pad}}`);
        return;
      }
      const x =
        chosen !== undefined
          ? pairs.find((p) => p.m.member.name === chosen)
          : pairs.every((p) => this.same(p.m.member.type, p.o.member.type))
            ? undefined
            : null;
      if (x === null) {
        throw new CodegenError(
          path
            ? `union '${path}' has members that convert differently: choose one (--member ${path}=NAME)`
            : `an anonymous union of ${nd.tag ?? 'the record'} has members that convert differently: ` +
                'choose one (--member NAME)',
        );
      }
      if (x === undefined) {
        if (chosen !== undefined) throw new CodegenError(`union '${path}' has no member '${chosen}'`);
        if (!anonymous) {
          out(
            `${'\t'.repeat(depth)}memcpy(${this.addr(to, path)}, ${this.addr(from, path)}, ` +
              `sizeof(${this.access(to, path)}));`,
          );
          return;
        }
        // an anonymous union has no name: its bytes start where its first named member does
        const first = firstNamed(nd);
        if (first === null) return;
        const p = path ? `${path}.${first}` : first;
        out(`${'\t'.repeat(depth)}memcpy(&${this.access(to, p)}, &${this.access(from, p)}, ${a.size});`);
        return;
      }
      const mpath = path ? `${path}.${x.m.member.name}` : x.m.member.name!;
      this.value(
        x.m.member.type,
        x.o.member.type,
        from,
        to,
        mpath,
        toCompat,
        out,
        depth,
        packed || x.m.member.packed === true,
      );
      return;
    }
    a.members.forEach((m, i) => {
      const o = b.members[i]!;
      const name = m.member.name;
      if (m.member.bitWidth !== undefined) {
        if (name === undefined || m.member.bitWidth === 0) return;
        const p = path ? `${path}.${name}` : name;
        out(`${'\t'.repeat(depth)}${this.access(to, p)} = ${this.access(from, p)};`);
        return;
      }
      const mt0 = strip(m.member.type);
      if (mt0.kind === 'array' && mt0.length === null) {
        // a flexible array: its length is the driver's to know
        out(`${'\t'.repeat(depth)}/* ${path ? `${path}.` : ''}${name ?? ''}[]: a flexible array, not converted */`);
        return;
      }
      if (name === undefined) {
        // an anonymous struct or union: its members are reached as the record's own
        const mt = strip(m.member.type);
        const ot = strip(o.member.type);
        if (mt.kind === 'record' && ot.kind === 'record')
          this.convertMembers(mt.decl, ot.decl, from, to, toCompat, path, out, depth, packed, true);
        return;
      }
      this.value(
        m.member.type,
        o.member.type,
        from,
        to,
        path ? `${path}.${name}` : name,
        toCompat,
        out,
        depth,
        packed || m.member.packed === true,
      );
    });
  }

  private access(base: string, path: string): string {
    return path ? `${base}->${path}` : `(*${base})`;
  }

  private addr(base: string, path: string): string {
    return path ? `&${base}->${path}` : base;
  }

  /** Statements converting one value, `to->path = convert(from->path)`. */
  private value(
    nt: CType,
    ct: CType,
    from: string,
    to: string,
    path: string,
    toCompat: boolean,
    out: (s: string) => void,
    depth: number,
    packed: boolean,
  ): void {
    const pad = '\t'.repeat(depth);
    const lhs = this.access(to, path);
    const rhs = this.access(from, path);
    if (this.same(nt, ct)) {
      const a = strip(nt);
      if (a.kind === 'array' || a.kind === 'record') out(`${pad}memcpy(&${lhs}, &${rhs}, sizeof(${lhs}));`);
      else out(`${pad}${lhs} = ${rhs};`);
      return;
    }
    const a = strip(nt);
    const b = strip(ct);
    if (a.kind === 'pointer') {
      out(toCompat ? `${pad}${lhs} = ptr_to_compat((void __user *)${rhs});` : `${pad}${lhs} = compat_ptr(${rhs});`);
      return;
    }
    if (a.kind === 'int' || a.kind === 'enum') {
      if (toCompat && this.cl.typeLayout(ct).size < this.nl.typeLayout(nt).size) {
        // never a silent truncation
        out(`${pad}if ((typeof(${rhs}))(typeof(${lhs}))${rhs} != ${rhs})\n${pad}\treturn -EOVERFLOW;`);
      }
      out(`${pad}${lhs} = ${rhs};`);
      return;
    }
    if (a.kind === 'array' && b.kind === 'array') {
      const i = `i${depth}`;
      out(`${pad}for (int ${i} = 0; ${i} < ${a.length ?? 0}; ${i}++) {`);
      this.value(a.of, b.of, from, to, `${path}[${i}]`, toCompat, out, depth + 1, packed);
      out(`${pad}}`);
      return;
    }
    if (a.kind === 'record' && b.kind === 'record') {
      if (a.decl.tag !== undefined || nt.kind === 'typedef') {
        const t = this.twinOf(a.decl, b.decl, typeName(nt));
        this.converter(t, toCompat);
        const fn = toCompat ? `${this.prefix}_to_compat_${t.ident}` : `${this.prefix}_from_compat_${t.ident}`;
        // its error (-EOVERFLOW, or -EINVAL from a selector) is the caller's
        if (!packed) {
          out(
            `${pad}{\n${pad}\tint err = ${fn}(&${lhs}, &${rhs});\n\n${pad}\tif (err)\n${pad}\t\treturn err;\n${pad}}`,
          );
          return;
        }
        // a member of a packed record may be unaligned: the converter works on aligned copies
        const [kin, kout] = toCompat ? [t.cname, t.twin] : [t.twin, t.cname];
        out(`${pad}{\n${pad}\t${kin} in;\n${pad}\t${kout} res;\n${pad}\tint err;\n`);
        out(
          `${pad}\tmemcpy(&in, &${rhs}, sizeof(in));\n${pad}\terr = ${fn}(&res, &in);\n` +
            `${pad}\tif (err)\n${pad}\t\treturn err;\n${pad}\tmemcpy(&${lhs}, &res, sizeof(res));\n${pad}}`,
        );
        return;
      }
      this.convertMembers(a.decl, b.decl, from, to, toCompat, path, out, depth, packed);
      return;
    }
    throw new CodegenError(`'${path}': a ${a.kind} that differs between the ABIs cannot be converted`);
  }

  source(
    headers: string[],
    converted: Converted[],
    passedAll: Numbered[],
    valuesAll: Numbered[],
    renumbered: Numbered[],
    ioctls: GeneratedIoctl[],
  ): { source: string; checks: string } {
    const pfx = this.prefix;
    const includes = headers.map((h) =>
      h.startsWith('/') || h.startsWith('.') ? `#include "${h}"` : `#include <${h}>`,
    );
    const numbers: string[] = [];
    const handlers: string[] = [];
    const cases: string[] = [];
    // what the code assumes of the native side: the kernel's view of the headers must agree
    const nativeChecks: string[] = [];
    const seen = new Map<number, string>();
    const checkedRecords = new Set<string>();
    for (const { e, v, twin, scalar, compatCmd } of converted) {
      const label = v.cmdDiffers ? `${e.name}_32` : e.name;
      // another name for a number already handled (FIONREAD and TIOCINQ)
      const same = seen.get(compatCmd);
      if (same !== undefined) {
        cases.push(`\t/* ${e.name}: the same number as ${same} */`);
        continue;
      }
      seen.set(compatCmd, e.name);
      nativeChecks.push(`static_assert(${e.name} == ${hex(e.cmd)}U);`);
      const nativeName = twin?.cname ?? scalar!.native;
      const compatName = twin?.twin ?? scalar!.compat;
      if (!checkedRecords.has(nativeName)) {
        checkedRecords.add(nativeName);
        nativeChecks.push(
          `static_assert(sizeof(${nativeName}) == ` +
            `${twin ? this.nl.layout(twin.native).size : this.nl.typeLayout(e.argType!).size});`,
        );
      }
      if (v.cmdDiffers) {
        const dirName = { none: '_IOC_NONE', r: '_IOC_READ', w: '_IOC_WRITE', rw: '(_IOC_READ | _IOC_WRITE)' }[
          e.dir ?? 'none'
        ];
        const csize = twin
          ? this.cl.layout(twin.compat).size
          : this.cl.typeLayout(this.c.ioctls.get(e.name)!.argType!).size;
        // _IOC() of the compat type where its size is what the compat number encodes, else the number
        const ioc =
          !e.legacy && !e.sizeofArg && e.dir !== null && this.c.ioctls.get(e.name)?.size === csize
            ? `_IOC(${dirName}, ${hex(e.type)}, ${hex(e.nr)}, sizeof(${compatName}))`
            : null;
        numbers.push(`#define ${label} ${ioc ?? `${hex(compatCmd)}U`}`);
        numbers.push(`static_assert(${label} == ${hex(compatCmd)}U);`);
      }
      handlers.push(twin ? this.handler(e, twin) : this.scalarHandler(e, scalar!));
      cases.push(`\tcase ${label}:\n\t\treturn ${pfx}_compat_${identifier(e.name)}(file, argp);`);
    }
    for (const { name, cmd, nativeCmd, value } of renumbered) {
      if (seen.has(cmd)) continue;
      seen.set(cmd, name);
      nativeChecks.push(`static_assert(${name} == ${hex(nativeCmd)}U);`);
      numbers.push(`#define ${name}_32 ${hex(cmd)}U`);
      const why = '/* the same layout on both ABIs under another number: the native number */';
      const passed = value ? 'arg' : '(unsigned long)argp';
      cases.push(`\tcase ${name}_32:\n\t\t${why}\n\t\treturn file->f_op->unlocked_ioctl(file, ${name}, ${passed});`);
    }
    // one case per number: the first name of it
    const fresh = (list: Numbered[]) =>
      list
        .filter(({ name, cmd }) => {
          if (seen.has(cmd)) return false;
          seen.set(cmd, name);
          return true;
        })
        .map((x) => x.name);
    const passed = fresh(passedAll);
    const values = fresh(valuesAll);
    for (const x of [...passedAll, ...valuesAll])
      if (passed.includes(x.name) || values.includes(x.name))
        nativeChecks.push(`static_assert(${x.name} == ${hex(x.nativeCmd)}U);`);
    // every native record the converters name, nested ones too
    for (const t of this.twins.values()) {
      if (checkedRecords.has(t.cname) || (!this.done.has(`<${t.twin}`) && !this.done.has(`>${t.twin}`))) continue;
      checkedRecords.add(t.cname);
      nativeChecks.push(`static_assert(sizeof(${t.cname}) == ${this.nl.layout(t.native).size});`);
    }
    const skipped = ioctls.filter((x) => x.handling === 'skipped');
    const head =
      '#include <linux/compat.h>\n#include <linux/fs.h>\n#include <linux/slab.h>\n' +
      '#include <linux/string.h>\n#include <linux/uaccess.h>';
    const parts = [
      `/*\n * Compat ioctl support for ${headers.join(', ')}: ` +
        `${this.n.result.abi} kernel, ${this.c.result.abi} tasks.\n` +
        " * Generated by ioctl32 gen c from the two ABIs' layouts of the headers: the static_asserts\n" +
        " * check the kernel's view of the native types, and every compat struct against the\n" +
        ` * ${this.c.result.abi} layout, when this file is built.\n *\n` +
        ` * The driver provides ${pfx}_ioctl_kernel(): its ioctl with the argument in kernel memory.\n` +
        `${skipped.map((x) => ` * Not handled: ${x.name} (${x.verdict}): ${x.why}\n`).join('')} */`,
      head,
      includes.join('\n'),
      nativeChecks.join('\n'),
      `long ${pfx}_ioctl_kernel(struct file *file, unsigned int cmd, void *karg);`,
      ...this.definitions,
      this.asserts.join('\n\n'),
      numbers.join('\n'),
      ...this.functions,
      ...handlers,
      [
        `long ${pfx}_compat_ioctl(struct file *file, unsigned int cmd, unsigned long arg)`,
        '{',
        ...(cases.some((x) => x.includes('argp')) || passed.length
          ? ['\tvoid __user *argp = compat_ptr(arg);', '']
          : []),
        '\tswitch (cmd) {',
        ...cases,
        ...(passed.length
          ? [
              `${passed.map((p) => `\tcase ${p}:`).join('\n')}`,
              '\t\t/* the same layout on both ABIs: only the pointer to convert */',
              '\t\treturn file->f_op->unlocked_ioctl(file, cmd, (unsigned long)argp);',
            ]
          : []),
        ...(values.length
          ? [
              `${values.map((p) => `\tcase ${p}:`).join('\n')}`,
              '\t\t/* no argument structure: the value as it came */',
              '\t\treturn file->f_op->unlocked_ioctl(file, cmd, arg);',
            ]
          : []),
        '\t}',
        '\treturn -ENOIOCTLCMD;',
        '}',
      ].join('\n'),
    ];
    const checks = [head, includes.join('\n'), nativeChecks.join('\n')].filter((x) => x.length).join('\n\n');
    return {
      source: `${parts
        .map((x) => x.replace(/\n+$/, ''))
        .filter((x) => x.length)
        .join('\n\n')}\n`,
      checks: `${checks}\n`,
    };
  }

  /**
   * An integer argument of another width: get_user() of the compat one, put_user() back, -EOVERFLOW where it does not
   * fit.
   */
  private scalarHandler(e: IoctlEntry, scalar: { native: string; compat: string }): string {
    const { reads, writes } = directions(e);
    const lines = [
      `static long ${this.prefix}_compat_${identifier(e.name)}(struct file *file, void __user *argp)`,
      '{',
      `\t${scalar.native} karg = 0;`,
      `\t${scalar.compat} uarg;`,
      '\tlong ret;',
      '',
    ];
    if (reads)
      lines.push(`\tif (get_user(uarg, (${scalar.compat} __user *)argp))`, '\t\treturn -EFAULT;', '\tkarg = uarg;');
    lines.push(`\tret = ${this.prefix}_ioctl_kernel(file, ${e.name}, &karg);`);
    if (writes) {
      lines.push(
        '\tif (ret < 0)',
        '\t\treturn ret;',
        `\tuarg = karg;`,
        '\tif (uarg != karg)',
        '\t\treturn -EOVERFLOW;',
        `\tif (put_user(uarg, (${scalar.compat} __user *)argp))`,
        '\t\treturn -EFAULT;',
      );
    }
    lines.push('\treturn ret;', '}');
    return `${lines.join('\n')}\n`;
  }

  /** One converted ioctl: the argument in, the driver's kernel entry point, the argument out. */
  private handler(e: IoctlEntry, twin: Twin): string {
    const pfx = this.prefix;
    const { reads, writes } = directions(e);
    // big arguments go on the heap: kernel stacks are small
    const onHeap = this.nl.layout(twin.native).size + this.cl.layout(twin.compat).size > 512;
    const k = onHeap ? 'karg' : '&karg';
    const u = onHeap ? 'uarg' : '&uarg';
    const lines = [`static long ${pfx}_compat_${identifier(e.name)}(struct file *file, void __user *argp)`, '{'];
    if (onHeap) {
      lines.push(
        `\t${twin.cname} *karg = kzalloc(sizeof(*karg), GFP_KERNEL);`,
        `\t${twin.twin} *uarg = kzalloc(sizeof(*uarg), GFP_KERNEL);`,
        '\tlong ret;',
        '',
        '\tif (!karg || !uarg) {',
        '\t\tret = -ENOMEM;',
        '\t\tgoto out;',
        '\t}',
      );
    } else lines.push(`\t${twin.cname} karg;`, `\t${twin.twin} uarg;`, '\tlong ret;', '');
    // `if (cond)` and what a failure does: return, or set ret and free the buffers
    const check = (cond: string, code: string) =>
      onHeap
        ? [`\tif (${cond}) {`, `\t\tret = ${code};`, '\t\tgoto out;', '\t}']
        : [`\tif (${cond})`, `\t\treturn ${code};`];
    if (reads) {
      lines.push(...check(`copy_from_user(${u}, argp, sizeof(${onHeap ? '*uarg' : 'uarg'}))`, '-EFAULT'));
      lines.push(
        `\tret = ${pfx}_from_compat_${twin.ident}(${k}, ${u});`,
        '\tif (ret)',
        onHeap ? '\t\tgoto out;' : '\t\treturn ret;',
      );
    } else if (!onHeap) lines.push('\tmemset(&karg, 0, sizeof(karg));');
    lines.push(`\tret = ${pfx}_ioctl_kernel(file, ${e.name}, ${k});`);
    if (writes) {
      lines.push('\tif (ret < 0)', onHeap ? '\t\tgoto out;' : '\t\treturn ret;');
      // a value the compat task cannot hold: -EOVERFLOW (the driver's answer is lost, as the kernel's compat code does)
      lines.push(...check(`${pfx}_to_compat_${twin.ident}(${u}, ${k})`, '-EOVERFLOW'));
      lines.push(...check(`copy_to_user(argp, ${u}, sizeof(${onHeap ? '*uarg' : 'uarg'}))`, '-EFAULT'));
    }
    if (onHeap) lines.push('out:', '\tkfree(karg);', '\tkfree(uarg);');
    lines.push('\treturn ret;', '}');
    return `${lines.join('\n')}\n`;
  }
}

function hex(v: number): string {
  return `0x${(v >>> 0).toString(16)}`;
}
