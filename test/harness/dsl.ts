/** A compact way to write type graphs in tests (the C front end will read them from C later). */
import type { CType, IntName, Member, RecordDecl, TypedefDecl } from '../../src/cfront/types.js';

export const t = (name: IntName): CType => ({ kind: 'int', name });
export const ptr = (to: CType = { kind: 'void' }): CType => ({ kind: 'pointer', to });
export const arr = (of: CType, length: number | null): CType => ({ kind: 'array', of, length });
export const rec = (decl: RecordDecl): CType => ({ kind: 'record', decl });
export const td = (name: string, type: CType, align?: number): CType => {
  const decl: TypedefDecl = { name, type };
  if (align !== undefined) decl.align = align;
  return { kind: 'typedef', decl };
};

/** A member: `m('x', t('int'))`, a bitfield `m('b', t('int'), { bitWidth: 3 })`, anonymous `m(undefined, rec(...))`. */
export function m(name: string | undefined, type: CType, opts: Omit<Member, 'name' | 'type'> = {}): Member {
  const member: Member = { type, ...opts };
  if (name !== undefined) member.name = name;
  return member;
}

export function struct(
  tag: string | undefined,
  members: Member[],
  opts: Omit<RecordDecl, 'tag' | 'members' | 'union'> = {},
): RecordDecl {
  const decl: RecordDecl = { union: false, members, ...opts };
  if (tag !== undefined) decl.tag = tag;
  return decl;
}

export function union(
  tag: string | undefined,
  members: Member[],
  opts: Omit<RecordDecl, 'tag' | 'members' | 'union'> = {},
): RecordDecl {
  return { ...struct(tag, members, opts), union: true };
}

export const u32 = td('__u32', t('unsigned int'));
export const u64 = td('__u64', t('unsigned long long'));
export const alignedU64 = td('__aligned_u64', u64, 8);
