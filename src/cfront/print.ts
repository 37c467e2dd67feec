/**
 * Prints the C type graph back as C: declarators, record/enum/typedef definitions. Tests feed
 * its output to real compilers; code generation reuses it.
 */
import { recordName, type CType, type EnumDecl, type Member, type RecordDecl, type TypedefDecl } from './types.js';

const INDENT = '  ';

/** `declare(T, "x")` is the C declaration of x with type T (without the semicolon). */
export function declare(t: CType, name: string, depth = 0): string {
  switch (t.kind) {
    case 'pointer': {
      const inner = `*${name}`;
      const needsParens = t.to.kind === 'array' || t.to.kind === 'function';
      return declare(t.to, needsParens ? `(${inner})` : inner, depth);
    }
    case 'array':
      return declare(t.of, `${name}[${t.length ?? ''}]`, depth);
    case 'function': {
      const params = t.params.map((p) => declare(p, '', depth));
      if (t.variadic) params.push('...');
      return declare(t.result, `${name}(${params.length ? params.join(', ') : 'void'})`, depth);
    }
    default: {
      const base = baseTypeName(t, depth);
      return name === '' ? base : `${base} ${name}`;
    }
  }
}

/** The name of a type as it would appear in a cast or sizeof: `struct foo *`, `int [4]`. */
export function typeName(t: CType): string {
  return declare(t, '').replace(/\s+$/, '');
}

function baseTypeName(t: CType, depth: number): string {
  switch (t.kind) {
    case 'void':
      return 'void';
    case 'int':
      return t.name;
    case 'float':
      return t.name;
    case 'typedef':
      return t.decl.name;
    case 'record':
      return recordName(t.decl) ?? recordBody(t.decl, depth);
    case 'enum':
      return t.decl.tag !== undefined ? `enum ${t.decl.tag}` : enumBody(t.decl);
    default:
      throw new Error(`not a base type: ${t.kind}`);
  }
}

function attributes(list: string[]): string {
  return list.length ? ` __attribute__((${list.join(', ')}))` : '';
}

function recordAttributes(decl: RecordDecl): string {
  const list: string[] = [];
  if (decl.packed) list.push('packed');
  if (decl.align !== undefined) list.push(`aligned(${decl.align})`);
  return attributes(list);
}

/** `struct [tag] { ... } __attribute__((...))`: a definition usable inline. */
function recordBody(decl: RecordDecl, depth: number): string {
  const head = recordName(decl) ?? (decl.union ? 'union' : 'struct');
  if (decl.members === null) return head;
  const pad = INDENT.repeat(depth + 1);
  const lines = decl.members.map((m) => `${pad}${memberDeclaration(m, depth + 1)};`);
  return `${head} {\n${lines.join('\n')}\n${INDENT.repeat(depth)}}${recordAttributes(decl)}`;
}

function memberDeclaration(m: Member, depth: number): string {
  let text = declare(m.type, m.name ?? '', depth);
  if (m.bitWidth !== undefined) text += ` : ${m.bitWidth}`;
  const list: string[] = [];
  if (m.packed) list.push('packed');
  if (m.align !== undefined) list.push(`aligned(${m.align})`);
  return text + attributes(list);
}

function enumBody(decl: EnumDecl): string {
  const head = `enum${decl.tag !== undefined ? ` ${decl.tag}` : ''}`;
  if (decl.values === null) return head;
  const values = decl.values.map((v) => `${v.name} = ${enumValue(v.value)}`);
  return `${head} { ${values.join(', ')} }${decl.packed ? attributes(['packed']) : ''}`;
}

/** Enumerator values outside int need a suffix so the constant has the intended value. */
function enumValue(v: bigint): string {
  if (v >= -(2n ** 31n) && v < 2n ** 31n) return v.toString();
  if (v < 0n) return `(-${(-v).toString()}LL)`;
  return `${v.toString()}ULL`;
}

/** A complete definition statement of a tagged record, with `#pragma pack` if it had one. */
export function printRecord(decl: RecordDecl): string {
  const body = `${recordBody(decl, 0)};`;
  if (decl.maxFieldAlign === undefined) return body;
  return `#pragma pack(push, ${decl.maxFieldAlign})\n${body}\n#pragma pack(pop)`;
}

export function printEnum(decl: EnumDecl): string {
  return `${enumBody(decl)};`;
}

export function printTypedef(decl: TypedefDecl): string {
  return (
    `typedef ${declare(decl.type, decl.name)}` +
    `${decl.align !== undefined ? attributes([`aligned(${decl.align})`]) : ''};`
  );
}

/** A type's name for reports: like typeName, but an untagged record or enum is `struct {…}`. */
export function shortTypeName(t: CType): string {
  return typeName(shortenAnonymous(t));
}

function shortenAnonymous(t: CType): CType {
  switch (t.kind) {
    case 'pointer':
      return { ...t, to: shortenAnonymous(t.to) };
    case 'array':
      return { ...t, of: shortenAnonymous(t.of) };
    case 'record':
      return t.decl.tag === undefined
        ? { kind: 'typedef', decl: { name: `${t.decl.union ? 'union' : 'struct'} {…}`, type: t } }
        : t;
    case 'enum':
      return t.decl.tag === undefined ? { kind: 'typedef', decl: { name: 'enum {…}', type: t } } : t;
    default:
      return t;
  }
}
