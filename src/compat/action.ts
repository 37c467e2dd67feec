/**
 * What a .compat_ioctl handler must do for one ioctl on one pair, in one line: the verdict
 * turned into the work it asks for, with the numbers and members it concerns.
 */
import type { IocDir } from '../ioctl/ioc.js';
import { UNION_BYTES, type IoctlEntry } from '../ioctl/catalogue.js';
import type { Annotations, HandlerMembers } from './annotations.js';
import type { Reason } from './compare.js';
import type { IoctlVerdict } from './check.js';

const hex = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

/** The members a reason list names for one rule, without duplicates. */
function paths(reasons: readonly Reason[], rules: ReadonlySet<Reason['rule']>): string[] {
  return [...new Set(reasons.filter((r) => rules.has(r.rule) && r.path).map((r) => r.path))];
}

function list(names: string[], max = 4): string {
  return names.length > max ? `${names.slice(0, max).join(', ')} and ${names.length - max} more` : names.join(', ');
}

const POINTERS = new Set<Reason['rule']>(['pointer', 'user-pointer']);
const LONGS = new Set<Reason['rule']>(['long']);
const MOVED = new Set<Reason['rule']>(['offset', 'bitfield', 'missing', 'member-size', 'sigset']);

/** How the argument travels: a value (RTC_IRQP_SET), and which way the kernel copies it. */
export interface ArgumentUse {
  /** The argument is the ioctl's third parameter itself, not a pointer to it. */
  byValue?: boolean;
  /** What the handler does with it: `w` the kernel reads it, `r` writes it (`_IOW`/`_IOR`). */
  dir?: IocDir | null;
  /** The member of each union in it the handler uses, by the union's path (IoctlEntry.members). */
  members?: Readonly<HandlerMembers>;
  /** The members it writes back where they are others (IoctlAnnotation.membersBack). */
  membersBack?: Readonly<HandlerMembers>;
}

/**
 * How the kernel really uses an ioctl's argument: an annotation's `access` and `value`, else the
 * legacy table's (the kernel source's), else what the macro encodes.
 */
export function argumentUse(
  e: IoctlEntry,
  annotations: Annotations,
): ArgumentUse & Required<Omit<ArgumentUse, 'members' | 'membersBack'>> {
  const a = annotations.ioctls.get(e.name);
  const members = a?.members ?? e.members;
  return {
    byValue: a?.value ?? e.byValue === true,
    dir: a?.access ?? e.argDir ?? e.dir,
    ...(members ? { members } : {}),
    ...(a?.membersBack ? { membersBack: a.membersBack } : {}),
  };
}

/** Copy in and back as the direction says: `_IOW` is only read by the kernel, `_IOR` only written. */
function copies(dir: IocDir | null | undefined): { into: boolean; back: boolean } {
  return { into: dir !== 'r', back: dir !== 'w' };
}

export function actionOf(v: Omit<IoctlVerdict, 'action'>, use: ArgumentUse = {}): string {
  // an _IO number's argument is a value too: compat_ptr() would clear bit 31 of it on s390
  const value = use.byValue === true || v.verdict === 'no-arg';
  const pass = value ? 'pass arg on as it came (a value, not a pointer)' : 'pass compat_ptr(arg) on';
  const renumber =
    v.compatCmd !== null && v.nativeCmd !== null && v.cmdDiffers
      ? `map ${hex(v.compatCmd)} to ${hex(v.nativeCmd)}, `
      : '';
  const { into, back } = copies(use.dir);
  const ways = into && back ? 'both ways' : into ? 'in (the kernel only reads it)' : 'back (the kernel only writes it)';
  switch (v.verdict) {
    case 'no-arg':
      return `${pass} to the native handler: no argument structure is copied`;
    case 'identical':
      return `${pass} to the native handler (compat_ptr_ioctl does it): the layout is the same`;
    case 'renumber':
      return `${renumber}then ${pass}: the layout is the same, only the command number differs`;
    case 'pointer-inside': {
      const ptrs = list(paths(v.reasons, POINTERS));
      const longs = list(paths(v.reasons, LONGS));
      const inWork = [ptrs && `compat_ptr() on ${ptrs}`, longs && `widen ${longs}`].filter(Boolean);
      const outWork = [ptrs && `ptr_to_compat() on ${ptrs}`, longs && `narrow ${longs} (-EOVERFLOW if too big)`];
      const steps = [
        into ? `copy the argument in, ${inWork.join(' and ')}` : '',
        'call the native handler',
        back ? `${outWork.filter(Boolean).join(' and ')} in what it wrote, copy it back` : '',
      ];
      return renumber + steps.filter(Boolean).join(', ');
    }
    case 'convert': {
      const size = v.reasons.find((r) => r.rule === 'size' && !r.path);
      const sizes =
        size?.native && size.compat ? ` (${size.compat.size} bytes for the task, ${size.native.size} native)` : '';
      if (size?.sub === 'tail-padding') return tailPaddingAction(v, size, renumber, pass, { into, back });
      const moved = paths(v.reasons, MOVED);
      const values = paths(v.reasons, new Set([...POINTERS, ...LONGS]));
      const parts = [
        ...Object.entries(v.members ?? {}).map(([u, m]) =>
          m === null
            ? `${u || 'the argument'} by its selector`
            : m === UNION_BYTES
              ? `${u || 'the argument'} as its bytes: the handler reads the union as the task laid it out`
              : `${u || 'the argument'} as ${m}, the member the handler uses`,
        ),
        ...Object.entries(v.membersBack ?? {}).map(
          ([u, m]) => `${u || 'the argument'} ${m === null ? 'by its selector' : `as ${m}`} on the way back`,
        ),
        moved.length ? `moved or resized: ${list(moved)}` : '',
        ...v.reasons.filter((r) => r.rule === 'pointee').map((r) => `${r.path}: ${r.message}`),
        values.length ? `values: ${list(values)}` : '',
      ];
      const detail = parts.filter(Boolean).join('; ');
      const how = `${v.reasons.some((r) => r.path) ? 'member by member' : 'as the compat type'} ${ways}`;
      return `${renumber}convert the argument${sizes} ${how}${detail ? ` (${detail})` : ''}`;
    }
    case 'unknown': {
      const why = v.reasons.map((r) => r.message ?? r.rule).join('; ');
      return `decide by hand: ${why || 'the argument is not resolved'}`;
    }
  }
}

/**
 * Only tail padding differs: a dispatcher that copies the caller's size (drm_ioctl) serves the task
 * as it is; elsewhere the handler copies the task's bytes, zero-fills the rest, and copies them back.
 */
function tailPaddingAction(
  v: Omit<IoctlVerdict, 'action'>,
  size: Reason,
  renumber: string,
  pass: string,
  { into, back }: { into: boolean; back: boolean },
): string {
  const [task, native] = [size.compat!.size, size.native!.size];
  const ptrs = paths(v.reasons, POINTERS);
  const also = ptrs.length ? `; compat_ptr() on ${list(ptrs)} where the handler dereferences it` : '';
  if (size.dispatcher)
    return (
      `${renumber}${renumber ? 'then ' : ''}${pass} to ${size.dispatcher}(): only tail padding differs ` +
      `(${task} bytes for the task, ${native} native) and it copies the caller's size${also}`
    );
  const common = Math.min(task, native);
  const steps = [
    into ? `copy ${common} bytes in, the rest of the native ${native} zeroed` : `zero a ${native}-byte argument`,
    'call the native handler',
    back ? `copy ${common} bytes back` : '',
  ];
  return `${renumber}only tail padding differs: ${steps.filter(Boolean).join(', ')}${also}`;
}
