/**
 * The C type graph: what the front end produces from headers and what layout, codegen and
 * the thunk consume. ABI-independent — sizes come only from laying it out for an ABI.
 */
import type { ScalarKey } from '../abi/types.js';

/** Where a declaration was written; every diagnostic about it points here. */
export interface SourceLoc {
  file: string;
  line: number;
  column: number;
}

export type IntName =
  | '_Bool'
  | 'char'
  | 'signed char'
  | 'unsigned char'
  | 'short'
  | 'unsigned short'
  | 'int'
  | 'unsigned int'
  | 'long'
  | 'unsigned long'
  | 'long long'
  | 'unsigned long long'
  | '__int128'
  | 'unsigned __int128';

export type FloatName = 'float' | 'double' | 'long double';

export interface VoidType {
  kind: 'void';
}
export interface IntType {
  kind: 'int';
  name: IntName;
}
export interface FloatType {
  kind: 'float';
  name: FloatName;
}
export interface PointerType {
  kind: 'pointer';
  to: CType;
}
/** `length` null is a flexible array member (`T x[]`); 0 is GNU's zero-length array. */
export interface ArrayType {
  kind: 'array';
  of: CType;
  length: number | null;
}
export interface RecordType {
  kind: 'record';
  decl: RecordDecl;
}
export interface EnumType {
  kind: 'enum';
  decl: EnumDecl;
}
/** A typedef name stays in the graph so reports and generated code can say `__u64`. */
export interface TypedefType {
  kind: 'typedef';
  decl: TypedefDecl;
}
export interface FunctionType {
  kind: 'function';
  result: CType;
  params: CType[];
  variadic: boolean;
}

export type CType =
  VoidType | IntType | FloatType | PointerType | ArrayType | RecordType | EnumType | TypedefType | FunctionType;

export interface RecordDecl {
  /** The tag (`struct TAG`); undefined for an anonymous record. */
  tag?: string;
  union: boolean;
  /** null while only declared (`struct x;`): an incomplete type. */
  members: Member[] | null;
  /** `__attribute__((packed))` on the record: every member packed. */
  packed?: boolean;
  /** `__attribute__((aligned(N)))` on the record, in bytes (raises only). */
  align?: number;
  /** `#pragma pack(N)` in force at the definition, in bytes. */
  maxFieldAlign?: number;
  loc?: SourceLoc;
  /** The `}` that closes the definition. */
  endLoc?: SourceLoc;
}

export interface Member {
  /** undefined for an anonymous struct/union member or an unnamed bitfield. */
  name?: string;
  type: CType;
  /** Present for bitfields; 0 for `:0`. */
  bitWidth?: number;
  /** `__attribute__((packed))` on the member. */
  packed?: boolean;
  /** `__attribute__((aligned(N)))` on the member, in bytes. */
  align?: number;
  /** Its name (or, for an anonymous member, its first token). */
  loc?: SourceLoc;
  /** The first token of its declaration, and the `;` that ends it. */
  declLoc?: SourceLoc;
  declEnd?: SourceLoc;
  /** Declared with others in one declaration (`long a, b;`). */
  sharesDeclaration?: boolean;
}

export interface EnumConstant {
  name: string;
  value: bigint;
}

export interface EnumDecl {
  tag?: string;
  /** null while only declared. */
  values: EnumConstant[] | null;
  /** `__attribute__((packed))`: the smallest integer type that holds the values. */
  packed?: boolean;
  loc?: SourceLoc;
}

export interface TypedefDecl {
  name: string;
  type: CType;
  /** `__attribute__((aligned(N)))` on the typedef: a user alignment that may raise or lower. */
  align?: number;
  /** `T _Complex`, whose type is T[2] (its layout): one value in C, which is not subscripted. */
  complex?: true;
  /** `_Atomic T` (named so): `_Atomic(T)` may not take it. */
  atomic?: true;
  /** Declared const, volatile or restrict (`typedef const int ci`): `_Atomic(ci)` is an error. */
  qualified?: true;
  loc?: SourceLoc;
}

/** Which of an ABI's scalar sizes (abi.sizes, abi.aligns) an integer type takes. */
export const INT_SIZE_KEY: Record<
  IntName,
  Extract<ScalarKey, 'bool' | 'char' | 'short' | 'int' | 'long' | 'longLong' | 'int128'>
> = {
  _Bool: 'bool',
  char: 'char',
  'signed char': 'char',
  'unsigned char': 'char',
  short: 'short',
  'unsigned short': 'short',
  int: 'int',
  'unsigned int': 'int',
  long: 'long',
  'unsigned long': 'long',
  'long long': 'longLong',
  'unsigned long long': 'longLong',
  __int128: 'int128',
  'unsigned __int128': 'int128',
};

// Small constructors keep hand-built graphs readable.
export const int = (name: IntName): IntType => ({ kind: 'int', name });
export const array = (of: CType, length: number | null): ArrayType => ({ kind: 'array', of, length });

/** The type behind any chain of typedef names. */
export function stripTypedefs(t: CType): CType {
  while (t.kind === 'typedef') t = t.decl.type;
  return t;
}

/** `struct TAG`, `union TAG`, or undefined for an anonymous record. */
export function recordName(decl: RecordDecl): string | undefined {
  return decl.tag === undefined ? undefined : `${decl.union ? 'union' : 'struct'} ${decl.tag}`;
}
