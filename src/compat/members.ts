/**
 * `--member PATH=NAME` (gen c, convert): the union member a user chooses at a path. A path that
 * names no union of the argument types would be ignored by the converters, so each is checked
 * against the types first and every one that does not fit is named. (A bare `--member NAME` is a
 * preference for any union that has such a member: one without it is no error; but a name no union of the
 * types has is a typo, named as the others are.)
 */
import { typeName } from '../cfront/print.js';
import { stripTypedefs as strip, type CType, type Member, type RecordDecl } from '../cfront/types.js';
import { UNION_BYTES } from '../ioctl/catalogue.js';

/**
 * The names a union member is chosen by: its own, or for an anonymous struct or union those of its members, through
 * anonymous ones (struct __kernel_sockaddr_storage's `struct { ss_family; __data[]; }` is chosen as ss_family).
 */
export function choiceNames(m: Member): string[] {
  if (m.name !== undefined) return [m.name];
  const s = strip(m.type);
  return s.kind === 'record' && m.bitWidth === undefined ? (s.decl.members ?? []).flatMap(choiceNames) : [];
}

/** A member by path, through named and anonymous members. */
export function memberAt(decl: RecordDecl, path: string): Member | undefined {
  let members = decl.members ?? [];
  let found: Member | undefined;
  for (const part of path.split('.')) {
    found = memberNamed(members, part);
    if (!found) return undefined;
    const t = strip(found.type);
    members = t.kind === 'record' ? (t.decl.members ?? []) : [];
  }
  return found;
}

/** `name` among `members`, looking into anonymous records. */
export function memberNamed(members: readonly Member[], name: string): Member | undefined {
  for (const m of members) {
    if (m.name === name) return m;
    const t = strip(m.type);
    if (m.name !== undefined || m.bitWidth !== undefined || t.kind !== 'record' || !t.decl.members) continue;
    const inner = memberNamed(t.decl.members, name);
    if (inner) return inner;
  }
  return undefined;
}

/** What a member path is in the argument types: a union (its member names) or another type. */
interface Place {
  union?: string[];
  type: string;
}

/**
 * Every member path of the types, as the converters spell them (`u`, `s.u`, `arr[]`; an
 * anonymous member adds no component; a pointed-to record starts its own paths).
 */
function placesOf(roots: readonly CType[]): Map<string, Place[]> {
  const paths = new Map<string, Place[]>();
  const seen = new Set<RecordDecl>();
  const visitType = (t: CType, path: string, spelled: CType): void => {
    const s = strip(t);
    if (path) (paths.get(path) ?? paths.set(path, []).get(path)!).push(place(s, spelled));
    if (s.kind === 'array') return visitType(s.of, `${path}[]`, s.of);
    if (s.kind === 'pointer') return visitType(s.to, '', s.to);
    if (s.kind === 'record') visitRecord(s.decl, path);
  };
  const visitRecord = (decl: RecordDecl, path: string): void => {
    // a record reached again through a pointer is the same set of paths
    if (path === '') {
      if (seen.has(decl)) return;
      seen.add(decl);
    }
    for (const m of decl.members ?? []) {
      if (m.name === undefined) {
        const s = strip(m.type);
        if (s.kind === 'record') visitRecord(s.decl, path);
        continue;
      }
      visitType(m.type, path ? `${path}.${m.name}` : m.name, m.type);
    }
  };
  for (const r of roots) visitType(r, '', r);
  return paths;
}

function place(s: CType, spelled: CType): Place {
  if (s.kind === 'record' && s.decl.union) {
    const names = (s.decl.members ?? []).flatMap(choiceNames);
    return { union: names, type: typeName(spelled) };
  }
  return { type: typeName(spelled) };
}

/** The member names of every union (named or anonymous) the types hold, pointed-to records' too. */
function unionMembers(roots: readonly CType[]): Set<string> {
  const names = new Set<string>();
  const seen = new Set<RecordDecl>();
  const visit = (t: CType): void => {
    const s = strip(t);
    if (s.kind === 'array') return visit(s.of);
    if (s.kind === 'pointer') return visit(s.to);
    if (s.kind !== 'record' || seen.has(s.decl)) return;
    seen.add(s.decl);
    for (const m of s.decl.members ?? []) {
      if (s.decl.union) for (const n of choiceNames(m)) names.add(n);
      visit(m.type);
    }
  };
  roots.forEach(visit);
  return names;
}

/**
 * What is wrong with the union choices (path → member, and bare names for any union) for arguments of the types
 * `roots`: one message per choice that names no union member of them, empty when all fit.
 */
export function unionChoiceErrors(
  roots: readonly CType[],
  /** null: no member named, the union's own annotation decides (IoctlAnnotation.membersBack) — a union all the same */
  members: Readonly<Record<string, string | null>>,
  choose: readonly string[] = [],
): string[] {
  const paths = placesOf(roots);
  // the records that could hold the union, as the messages name them
  const pointee = (r: CType) => {
    const s = strip(r);
    return s.kind === 'pointer' ? s.to : r;
  };
  const records = roots.map(pointee).filter((r) => strip(r).kind === 'record');
  const names = [...new Set(records.map((r) => typeName(r)))];
  const what = names.length ? names.join(', ') : 'the arguments (none is a record)';
  const errors: string[] = [];
  for (const [path, name] of Object.entries(members)) {
    const places = paths.get(path);
    const unions = places?.filter((p) => p.union) ?? [];
    if (!places) errors.push(`--member ${path}=${name}: no member '${path}' in ${what}`);
    else if (!unions.length) errors.push(`--member ${path}=${name}: '${path}' is ${places[0]!.type}, not a union`);
    // `*` (UNION_BYTES): the union's bytes as they are, whatever its members
    else if (name !== null && name !== UNION_BYTES && !unions.some((u) => u.union!.includes(name))) {
      const known = [...new Set(unions.flatMap((u) => u.union!))].join(', ');
      errors.push(`--member ${path}=${name}: union '${path}' has no member '${name}' (its members: ${known})`);
    }
  }
  const inUnions = choose.length ? unionMembers(roots) : new Set<string>();
  for (const name of choose) {
    if (inUnions.has(name)) continue;
    const known = inUnions.size ? `union members: ${[...inUnions].join(', ')}` : 'they hold no union';
    errors.push(`--member ${name}: no union of ${what} has a member '${name}' (${known})`);
  }
  return errors;
}
