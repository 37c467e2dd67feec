/**
 * Annotations: meaning a header cannot say. A JSON sidecar (`--annotations FILE`):
 *
 *   { "records": { "struct my_req": {
 *       "buf":     { "kind": "user-pointer" },                    // a __u64 carrying a user pointer
 *       "entries": { "kind": "flex-array", "count": "nentries" }, // length is another member
 *       "u":       { "kind": "union", "selector": "type", "cases": { "1": "a", "2": "b" } },
 *       "v":       { "kind": "union", "selector": "type", "cases": { "1": "a" }, "default": "" }, // else none
 *       "reqs":    { "kind": "array-pointer", "count": "len", "unit": "bytes" }, // points at `len` bytes of elements
 *       "mask":    { "kind": "sigset" },                           // a signal mask
 *       "set":     { "kind": "sigset", "count": "len" } } },       // a flexible one, `len` bytes long
 *     "ioctls": { "MY_IOCTL": { "arg": "struct my_req" },      // the argument's real type
 *                 "MY_SET":   { "access": "w" },               // the kernel only reads it, whatever _IOR says
 *                 "MY_MODE":  { "value": true } } }            // the argument is the value itself, not an address
 *
 * Unknown records, members, kinds and argument types are errors that name them. Built-in annotations
 * for the UAPI headers (builtin-annotations.ts) apply beneath a user's: the same member or ioctl
 * overrides them, `{ "kind": "none" }` on a member turns its built-in off, and a top-level
 * `"builtins": false` turns them all off.
 */
import { readFileSync } from 'node:fs';
import type { Abi } from '../abi/types.js';
import { tokenize } from '../cfront/lexer.js';
import { Parser } from '../cfront/parser.js';
import { CFrontError } from '../cfront/token.js';
import { recordName, stripTypedefs as strip, type CType, type RecordDecl, type TypedefDecl } from '../cfront/types.js';
import { Ioctl32Error } from '../errors.js';
import { flattenFields } from '../layout/fields.js';
import { Layouter } from '../layout/layout.js';
import { LayoutError } from '../layout/types.js';
import { unionChoiceErrors } from './members.js';

export type MemberAnnotation =
  | { kind: 'user-pointer' }
  | { kind: 'flex-array'; count: string }
  /**
   * The member another member selects, by its value. `default` is the member for the values no case names, "" for
   * none (the union's bytes are not converted: the kernel's `default: break;`); without it such a value is EINVAL.
   * `first`: a selector asked before `selector`, whose cases decide where they name its value (struct v4l2_buffer's
   * `m` is `planes` for a multiplanar `type`, else what `memory` selects).
   */
  | {
      kind: 'union';
      selector: string;
      cases: Record<string, string>;
      default?: string;
      first?: { selector: string; cases: Record<string, string> };
    }
  /**
   * A pointer to an array whose length is another member: in elements, or in bytes (then a
   * deep copy rewrites it for the other side's element size, as SIOCGIFCONF's ifc_len).
   */
  | { kind: 'array-pointer'; count: string; unit: 'elements' | 'bytes' }
  /**
   * A signal mask: compat_sigset_t's 32-bit words against the native 64-bit ones. On a flexible array, `count` is the
   * member that holds its length in bytes (struct kvm_signal_mask's `len`).
   */
  | { kind: 'sigset'; count?: string };

export interface Annotations {
  file: string;
  /** record name → member path → annotation */
  records: Map<string, Map<string, MemberAnnotation>>;
  /** ioctl name → its argument type as C names it */
  ioctlArgs: Map<string, string>;
  /** ioctl name → how the kernel really reads its argument, where the macro says otherwise */
  ioctls: Map<string, IoctlAnnotation>;
  /** record name → member paths whose built-in annotation is turned off (`{ "kind": "none" }`) */
  disabled?: Map<string, Set<string>>;
  /** false: no built-in annotation applies (`"builtins": false`) */
  builtins?: boolean;
}

/**
 * Union path → the member a handler uses; null: none named for this way, the union's own annotation (its selector)
 * decides (SNDRV_CTL_IOCTL_ELEM_INFO reads `value.enumerated.item` whatever `type` says, and writes back what `type`
 * selects).
 */
export type HandlerMembers = Record<string, string | null>;

/**
 * How a handler treats an ioctl's argument. `access` is in _IOC's terms, the task's view: "w" the
 * task writes and the kernel reads (copy_from_user), "r" the kernel writes, "rw" both.
 */
export interface IoctlAnnotation {
  access?: 'r' | 'w' | 'rw';
  /** The argument is a value (an int passed as the third argument), not a user address. */
  value?: boolean;
  /**
   * The member of each union in the argument the handler uses, by the union's path (`{ "s": "status" }`): the
   * thunk converts it, check judges the union by it.
   */
  members?: HandlerMembers;
  /**
   * The members it writes back where they are others than it reads (DRM_IOCTL_WAIT_VBLANK: reads `request`, writes
   * `reply`; the key "" is the argument itself when it is a union).
   */
  membersBack?: HandlerMembers;
}

export class AnnotationError extends Ioctl32Error {}

export function emptyAnnotations(): Annotations {
  return { file: '<none>', records: new Map(), ioctlArgs: new Map(), ioctls: new Map() };
}

function fail(file: string, where: string, message: string): never {
  throw new AnnotationError(`${file}: ${where}: ${message}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses the sidecar's text; shape errors name the record and member. */
export function parseAnnotations(text: string, file: string): Annotations {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    fail(file, 'not JSON', (e as Error).message);
  }
  if (!isObject(json)) fail(file, 'top level', 'expected an object with "records" and/or "ioctls"');
  for (const k of Object.keys(json))
    if (k !== 'records' && k !== 'ioctls' && k !== 'builtins')
      fail(file, k, 'unknown section (expected "records", "ioctls" or "builtins")');
  const out: Annotations = { file, records: new Map(), ioctlArgs: new Map(), ioctls: new Map(), disabled: new Map() };
  if (json.builtins !== undefined) {
    if (typeof json.builtins !== 'boolean') fail(file, 'builtins', 'expected true or false');
    out.builtins = json.builtins;
  }
  const records = json.records ?? {};
  if (!isObject(records)) fail(file, 'records', 'expected an object');
  for (const [record, members] of Object.entries(records)) {
    if (!isObject(members)) fail(file, record, 'expected an object of members');
    const m = new Map<string, MemberAnnotation>();
    for (const [path, a] of Object.entries(members)) {
      const where = `${record}.${path}`;
      if (!isObject(a)) fail(file, where, 'expected an object with "kind"');
      switch (a.kind) {
        case 'none': {
          // turns a built-in annotation of the member off
          const off = out.disabled!.get(record) ?? new Set<string>();
          out.disabled!.set(record, off.add(path));
          break;
        }
        case 'user-pointer':
          m.set(path, { kind: a.kind });
          break;
        case 'sigset':
          if (a.count !== undefined && typeof a.count !== 'string')
            fail(file, where, 'sigset "count" is the member holding a flexible mask\'s length in bytes');
          m.set(path, typeof a.count === 'string' ? { kind: 'sigset', count: a.count } : { kind: 'sigset' });
          break;
        case 'flex-array':
          if (typeof a.count !== 'string') fail(file, where, 'flex-array needs "count": the member holding the length');
          m.set(path, { kind: 'flex-array', count: a.count });
          break;
        case 'array-pointer':
          if (typeof a.count !== 'string')
            fail(file, where, 'array-pointer needs "count": the member holding the length');
          if (a.unit !== undefined && a.unit !== 'elements' && a.unit !== 'bytes')
            fail(file, where, 'array-pointer "unit" is "elements" (the default) or "bytes"');
          m.set(path, {
            kind: 'array-pointer',
            count: a.count,
            unit: a.unit ?? 'elements',
          });
          break;
        case 'union':
          if (typeof a.selector !== 'string' || !isObject(a.cases))
            fail(file, where, 'union needs "selector" (a member) and "cases" ({ value: member })');
          for (const v of Object.values(a.cases))
            if (typeof v !== 'string') fail(file, where, 'union cases map selector values to member names');
          if (a.default !== undefined && typeof a.default !== 'string')
            fail(file, where, 'union "default" is the member for other values, or "" for none');
          if (
            a.first !== undefined &&
            !(
              isObject(a.first) &&
              typeof a.first.selector === 'string' &&
              isObject(a.first.cases) &&
              Object.values(a.first.cases).every((v) => typeof v === 'string')
            )
          )
            fail(file, where, 'union "first" is { "selector": MEMBER, "cases": { value: member } }, asked before');
          m.set(path, {
            kind: 'union',
            selector: a.selector,
            cases: a.cases as Record<string, string>,
            ...(typeof a.default === 'string' ? { default: a.default } : {}),
            ...(isObject(a.first)
              ? { first: { selector: a.first.selector as string, cases: a.first.cases as Record<string, string> } }
              : {}),
          });
          break;
        default:
          fail(
            file,
            where,
            `unknown kind ${JSON.stringify(a.kind)} ` +
              '(known: user-pointer, flex-array, array-pointer, union, sigset, none)',
          );
      }
    }
    out.records.set(record, m);
  }
  const ioctls = json.ioctls ?? {};
  if (!isObject(ioctls)) fail(file, 'ioctls', 'expected an object');
  const shape =
    'expected { "arg": "TYPE", "access": "r" | "w" | "rw", "value": true, "members": { "UNION": "MEMBER" }, ' +
    '"membersBack": { "UNION": "MEMBER" | null } } (any of them)';
  for (const [name, a] of Object.entries(ioctls)) {
    if (!isObject(a) || !Object.keys(a).length) fail(file, name, shape);
    for (const k of Object.keys(a))
      if (!['arg', 'access', 'value', 'members', 'membersBack'].includes(k)) fail(file, `${name}.${k}`, shape);
    if (a.arg !== undefined && typeof a.arg !== 'string') fail(file, `${name}.arg`, 'expected a C type name');
    if (a.access !== undefined && a.access !== 'r' && a.access !== 'w' && a.access !== 'rw')
      fail(file, `${name}.access`, '"r" (the kernel writes), "w" (the kernel reads) or "rw"');
    if (a.value !== undefined && typeof a.value !== 'boolean') fail(file, `${name}.value`, 'expected true or false');
    for (const key of ['members', 'membersBack'] as const) {
      const m = a[key];
      if (m !== undefined && (!isObject(m) || Object.values(m).some((v) => typeof v !== 'string' && v !== null)))
        fail(
          file,
          `${name}.${key}`,
          'expected an object of union paths and member names ({ "s": "status" }; null: the union\'s selector)',
        );
    }
    if (typeof a.arg === 'string') out.ioctlArgs.set(name, a.arg);
    const ioctl: IoctlAnnotation = {};
    if (a.access !== undefined) ioctl.access = a.access;
    if (a.value !== undefined) ioctl.value = a.value;
    if (a.members !== undefined) ioctl.members = a.members as HandlerMembers;
    if (a.membersBack !== undefined) ioctl.membersBack = a.membersBack as HandlerMembers;
    out.ioctls.set(name, ioctl);
  }
  return out;
}

export function loadAnnotations(path: string): Annotations {
  return parseAnnotations(readAnnotationsFile(path), path);
}

/** An annotations file's text; one that cannot be read is an AnnotationError (an input error). */
export function readAnnotationsFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new AnnotationError(`cannot read annotations file ${path}: ${(e as Error).message}`);
  }
}

/**
 * The type an annotation's `arg` names on one ABI: a record of the headers (`struct my_req`, a
 * typedef name of an untagged one), or a C type name read with the headers' typedefs (`__u32`,
 * `size_t`), whose records are the headers' (`struct my_req[2]`). Throws a CFrontError when the
 * text is no type name.
 */
export function annotatedArgType(
  text: string,
  decls: ReadonlyMap<string, RecordDecl>,
  typedefs: ReadonlyMap<string, TypedefDecl>,
  abi: Abi,
): CType {
  const decl = decls.get(text);
  if (decl) return { kind: 'record', decl };
  const p = new Parser(abi, new Layouter(abi));
  for (const [name, t] of typedefs) p.unit.typedefs.set(name, t);
  // a parser of its own declares the tags it reads anew: give them the headers' definitions
  const own = (t: CType): CType => {
    if (t.kind === 'array') return { ...t, of: own(t.of) };
    if (t.kind !== 'record' || t.decl.members !== null || t.decl.tag === undefined) return t;
    const found = decls.get(recordName(t.decl)!);
    return found ? { kind: 'record', decl: found } : t;
  };
  return own(p.typeName(tokenize(text, '<annotations>')));
}

/**
 * Checks every annotated record and member against the headers' records (one ABI's), and, given
 * the headers' ioctls, every annotated ioctl and the record its argument names; given their
 * typedefs too, that each argument is a type this ABI can lay out.
 */
export function validateAnnotations(
  a: Annotations,
  decls: ReadonlyMap<string, RecordDecl>,
  layouter: Layouter,
  ioctls?: ReadonlyMap<string, unknown>,
  typedefs?: ReadonlyMap<string, TypedefDecl>,
): void {
  const abi = layouter.abi.name;
  if (ioctls)
    for (const [name, ann] of a.ioctls) {
      if (!ioctls.has(name)) fail(a.file, `ioctls.${name}`, 'no such ioctl in the headers');
      const argType = (ioctls.get(name) as { argType?: CType } | undefined)?.argType;
      for (const key of ['members', 'membersBack'] as const) {
        const chosen = ann[key];
        if (!chosen || !argType) continue;
        const errors = memberChoiceErrors(argType, chosen);
        if (errors.length) fail(a.file, `ioctls.${name}.${key}`, errors.join('; ').replace(/--member /g, ''));
      }
    }
  for (const [name, arg] of a.ioctlArgs) {
    const where = `ioctls.${name}`;
    if (ioctls && !ioctls.has(name)) fail(a.file, where, 'no such ioctl in the headers');
    const tag = /^\s*(struct|union)\s+([A-Za-z_]\w*)/.exec(arg);
    const record = tag ? `${tag[1]} ${tag[2]}` : undefined;
    if (record && !decls.has(record)) fail(a.file, where, `no such record in the headers: ${record}`);
    if (!typedefs) continue;
    let t: CType;
    try {
      t = annotatedArgType(arg, decls, typedefs, layouter.abi);
    } catch (e) {
      if (!(e instanceof CFrontError)) throw e;
      fail(a.file, where, `"arg" ${JSON.stringify(arg)} is not a type the headers know on ${abi}: ${e.bare}`);
    }
    let inner = t;
    while (inner.kind === 'array') inner = inner.of;
    if (inner.kind === 'record' && inner.decl.members === null) {
      const kw = inner.decl.union ? 'union' : 'struct';
      fail(a.file, where, `no such record in the headers: ${kw} ${inner.decl.tag ?? ''}`);
    }
    try {
      layouter.typeLayout(t);
    } catch (e) {
      if (!(e instanceof LayoutError)) throw e;
      fail(a.file, where, `"arg" ${JSON.stringify(arg)} has no layout on ${abi}: ${e.message}`);
    }
  }
  for (const [record, paths] of a.disabled ?? []) {
    const decl = decls.get(record);
    if (!decl) fail(a.file, record, 'no such record in the headers');
    const fields = new Set(flattenFields(layouter.layout(decl), layouter).map((f) => f.path));
    for (const p of paths) if (!fields.has(p)) fail(a.file, `${record}.${p}`, 'no such member');
  }
  for (const [record, members] of a.records) {
    const decl = decls.get(record);
    if (!decl) fail(a.file, record, 'no such record in the headers');
    const fields = new Map(flattenFields(layouter.layout(decl), layouter).map((f) => [f.path, f]));
    for (const [path, ann] of members) {
      const where = `${record}.${path}`;
      const f = fields.get(path);
      if (!f) fail(a.file, where, 'no such member');
      const t = strip(f.ctype);
      // a pointer carried in a __u64; a long or a __u32 is no such member on every ABI
      if (ann.kind === 'user-pointer' && (t.kind !== 'int' || f.size !== 8)) {
        const is = t.kind === 'int' ? `${f.size} bytes on ${abi}` : `a ${t.kind}`;
        fail(a.file, where, `user-pointer applies to a 64-bit integer member (a __u64 carrying a pointer), not ${is}`);
      }
      if (ann.kind === 'flex-array') {
        if (t.kind !== 'array') fail(a.file, where, 'flex-array applies to an array member');
        const count = fields.get(ann.count);
        if (!count || strip(count.ctype).kind !== 'int')
          fail(a.file, where, `count member '${ann.count}' is not an integer member of ${record}`);
      }
      if (ann.kind === 'array-pointer') {
        if (t.kind !== 'pointer') fail(a.file, where, 'array-pointer applies to a pointer member');
        const count = fields.get(ann.count);
        if (!count || strip(count.ctype).kind !== 'int')
          fail(a.file, where, `count member '${ann.count}' is not an integer member of ${record}`);
      }
      if (ann.kind === 'union') {
        if (t.kind !== 'record' || !t.decl.union) fail(a.file, where, 'union applies to a union member');
        const names = new Set((t.decl.members ?? []).map((x) => x.name));
        for (const sel of [ann, ...(ann.first ? [ann.first] : [])]) {
          const selector = fields.get(sel.selector);
          if (!selector || strip(selector.ctype).kind !== 'int')
            fail(a.file, where, `selector '${sel.selector}' is not an integer member of ${record}`);
          for (const c of Object.values(sel.cases))
            if (!names.has(c)) fail(a.file, where, `case member '${c}' is not a member of the union`);
        }
        if (ann.default && !names.has(ann.default))
          fail(a.file, where, `default member '${ann.default}' is not a member of the union`);
      }
      if (ann.kind === 'sigset') {
        if (t.kind !== 'int' && t.kind !== 'array') fail(a.file, where, 'sigset applies to an integer or array member');
        const flexible = t.kind === 'array' && t.length === null;
        if (flexible && ann.count === undefined)
          fail(a.file, where, 'a flexible sigset needs "count": the member holding its length in bytes');
        if (flexible && layouter.typeLayout(t.of).size !== 1)
          fail(a.file, where, 'a flexible sigset is an array of bytes (__u8), its length in bytes');
        if (!flexible && ann.count !== undefined) fail(a.file, where, 'sigset "count" applies to a flexible array');
        const count = ann.count === undefined ? undefined : fields.get(ann.count);
        if (ann.count !== undefined && (!count || strip(count.ctype).kind !== 'int'))
          fail(a.file, where, `count member '${ann.count}' is not an integer member of ${record}`);
      }
    }
  }
}

/** unionChoiceErrors, and "" for the argument itself: a union that has the member. */
function memberChoiceErrors(argType: CType, chosen: Readonly<HandlerMembers>): string[] {
  const { '': itself, ...inside } = chosen;
  const errors = unionChoiceErrors([argType], inside);
  if (itself === undefined) return errors;
  const t = strip(argType);
  const names = t.kind === 'record' && t.decl.union ? (t.decl.members ?? []).map((m) => m.name) : [];
  if (itself !== null && !names.includes(itself)) errors.push(`"": the argument is no union with a member '${itself}'`);
  return errors;
}

/**
 * The annotations of kind `kind` that hold in an argument of type `record`, by member path: its own, and given its
 * declaration those of the records it holds (as members or array elements: `arr[].x`), each by its path from `record`:
 * a record's annotations hold wherever it is, as the thunk reads them (an outer record's first).
 */
export function annotatedMembers<K extends MemberAnnotation['kind']>(
  a: Annotations,
  record: string | undefined,
  kind: K,
  decl?: RecordDecl,
): Map<string, MemberAnnotation & { kind: K }> {
  const out = new Map<string, MemberAnnotation & { kind: K }>();
  const add = (name: string | undefined, prefix: string) => {
    for (const [p, x] of (name !== undefined && a.records.get(name)) || [])
      if (x.kind === kind && !out.has(prefix + p)) out.set(prefix + p, x as MemberAnnotation & { kind: K });
  };
  add(record, '');
  const visit = (t: CType, path: string): void => {
    const s = strip(t);
    if (s.kind === 'array') return visit(s.of, `${path}[]`);
    if (s.kind !== 'record') return;
    add(recordName(s.decl), `${path}.`);
    inner(s.decl, path);
  };
  const inner = (d: RecordDecl, path: string): void => {
    for (const m of d.members ?? []) {
      if (m.bitWidth !== undefined) continue;
      // an anonymous member's members are the record's own
      if (m.name === undefined) {
        const s = strip(m.type);
        if (s.kind === 'record') inner(s.decl, path);
      } else visit(m.type, path ? `${path}.${m.name}` : m.name);
    }
  };
  if (decl) inner(decl, '');
  return out;
}

/** The member paths of annotatedMembers. */
export function annotatedPaths(
  a: Annotations,
  record: string | undefined,
  kind: MemberAnnotation['kind'],
  decl?: RecordDecl,
): Set<string> {
  return new Set(annotatedMembers(a, record, kind, decl).keys());
}

/**
 * `over` laid on `base`: a member or ioctl `over` annotates replaces `base`'s (an ioctl field by
 * field), a member `over` turns off goes; the result names `over`'s file.
 */
export function mergeAnnotations(base: Annotations, over: Annotations): Annotations {
  const records = new Map<string, Map<string, MemberAnnotation>>();
  for (const [r, m] of base.records) {
    const off = over.disabled?.get(r);
    records.set(r, new Map([...m].filter(([p]) => !off?.has(p))));
  }
  for (const [r, m] of over.records) records.set(r, new Map([...(records.get(r) ?? []), ...m]));
  const ioctls = new Map(base.ioctls);
  for (const [name, a] of over.ioctls) ioctls.set(name, { ...ioctls.get(name), ...a });
  const out: Annotations = {
    file: over.file,
    records,
    ioctlArgs: new Map([...base.ioctlArgs, ...over.ioctlArgs]),
    ioctls,
  };
  if (over.disabled) out.disabled = over.disabled;
  if (over.builtins !== undefined) out.builtins = over.builtins;
  return out;
}
