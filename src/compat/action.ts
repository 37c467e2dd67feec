/**
 * What a .compat_ioctl handler must do for one ioctl on one pair, in one line: the verdict
 * turned into the work it asks for, with the numbers and members it concerns.
 */
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

/** `byValue`: the argument is the ioctl's third parameter itself (RTC_IRQP_SET), not a pointer. */
export function actionOf(v: Omit<IoctlVerdict, 'action'>, byValue = false): string {
  const pass = byValue ? 'pass arg on as it came (a value, not a pointer)' : 'pass compat_ptr(arg) on';
  const renumber =
    v.compatCmd !== null && v.nativeCmd !== null && v.cmdDiffers
      ? `map ${hex(v.compatCmd)} to ${hex(v.nativeCmd)}, `
      : '';
  switch (v.verdict) {
    case 'no-arg':
      return `${pass} to the native handler: no argument structure is copied`;
    case 'identical':
      return `${pass} to the native handler (compat_ptr_ioctl does it): the layout is the same`;
    case 'renumber':
      return `${renumber}then ${pass}: the layout is the same, only the command number differs`;
    case 'pointer-inside': {
      const what: string[] = [];
      const ptrs = paths(v.reasons, POINTERS);
      const longs = paths(v.reasons, LONGS);
      if (ptrs.length) what.push(`compat_ptr() on ${list(ptrs)}`);
      if (longs.length) what.push(`widen ${list(longs)} (sign- or zero-extend)`);
      const steps = `copy the argument in, ${what.join(' and ')}, call the native handler`;
      return `${renumber}${steps}, copy back what it writes`;
    }
    case 'convert': {
      const size = v.reasons.find((r) => r.rule === 'size' && !r.path);
      const sizes =
        size?.native && size.compat ? ` (${size.compat.size} bytes for the task, ${size.native.size} native)` : '';
      const moved = paths(v.reasons, MOVED);
      const values = paths(v.reasons, new Set([...POINTERS, ...LONGS]));
      const parts = [
        moved.length ? `moved or resized: ${list(moved)}` : '',
        values.length ? `values: ${list(values)}` : '',
      ];
      const detail = parts.filter(Boolean).join('; ');
      const how = v.reasons.some((r) => r.path) ? 'member by member both ways' : 'as the compat type both ways';
      return `${renumber}convert the argument${sizes} ${how}${detail ? ` (${detail})` : ''}`;
    }
    case 'unknown':
      const why = v.reasons.map((r) => r.message ?? r.rule).join('; ');
      return `decide by hand: ${why || 'the argument is not resolved'}`;
  }
}
