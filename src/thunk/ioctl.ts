/**
 * One ioctl's thunk: which way its argument is converted around the native call — in before it, back after it,
 * both, or neither (a value) — from what the kernel's handler really does with the argument (the legacy table's
 * `access`, an annotation's), not from the direction bits of the number: USBDEVFS_DISCSIGNAL is `_IOR` but
 * proc_disconnectsignal only reads it, so its argument is converted in and nothing is written back.
 */
import { argumentUse } from '../compat/action.js';
import { emptyAnnotations, type Annotations, type HandlerMembers } from '../compat/annotations.js';
import { withBuiltins } from '../compat/builtin-annotations.js';
import { argumentTypes, noArgument } from '../compat/check.js';
import type { IoctlEntry } from '../ioctl/catalogue.js';
import type { IocDir } from '../ioctl/ioc.js';
import type { Dumped } from '../scan/dump.js';
import { compileConverter, type CompileOptions, type Converter, type ConvertOptions } from './compile.js';
import { einval } from './errors.js';

/** Which way the argument travels: `in` the kernel reads it, `out` it writes it, `byValue` it is the value itself. */
export interface ThunkWays {
  in: boolean;
  out: boolean;
  byValue: boolean;
  /** The kernel's access as `_IOC` names it (`w`: the task writes, the kernel reads). */
  access: IocDir;
}

/** The ways of an ioctl's argument: an annotation's access, else the legacy table's, else the number's. */
export function thunkWays(e: IoctlEntry, annotations: Annotations = emptyAnnotations()): ThunkWays {
  const use = argumentUse(e, annotations);
  const access = use.dir ?? 'none';
  // noArgument covers a value argument too
  if (noArgument(e, annotations)) return { in: false, out: false, byValue: use.byValue, access };
  // as check's action copies: an argument the number gives no direction (an annotated _IO) goes both ways
  return { in: access !== 'r', out: access !== 'w', byValue: false, access };
}

export interface IoctlThunk extends ThunkWays {
  name: string;
  /** The argument's converter (absent for a value or no argument). */
  converter?: Converter;
  /**
   * The native argument for the call: the task's bytes converted when the kernel reads them, else a zeroed
   * native-sized buffer (the kernel only writes it: the task's bytes are not looked at).
   */
  enter(task: Uint8Array | null, opts?: ConvertOptions): Uint8Array;
  /** What to copy back to the task after the call, converted; null when the kernel does not write the argument. */
  leave(native: Uint8Array, opts?: ConvertOptions): Uint8Array | null;
  /**
   * `enter` into the caller's buffer at `dstOffset` (Converter.compatToNativeInto: nothing allocated): the bytes
   * written, the native argument zeroed when the kernel only writes it.
   */
  enterInto(task: Uint8Array | null, dst: Uint8Array, dstOffset?: number, opts?: ConvertOptions): number;
  /** `leave` into the task's buffer at `dstOffset`: the bytes written, 0 when the kernel does not write it. */
  leaveInto(native: Uint8Array, dst: Uint8Array, dstOffset?: number, opts?: ConvertOptions): number;
}

/**
 * The thunk of one ioctl between a native and a compat dump (`dumpHeaders` of the same headers). The built-in
 * annotations apply beneath `annotations`, as in check (KVM_SET_SIGNAL_MASK's mask; none with `"builtins": false`).
 */
export function ioctlThunk(
  name: string,
  native: Dumped,
  compat: Dumped,
  userAnnotations: Annotations = emptyAnnotations(),
  opts: Omit<CompileOptions, 'annotations' | 'recordName'> = {},
): IoctlThunk {
  const annotations = withBuiltins(userAnnotations, [native, compat]);
  const ne = native.ioctls.get(name);
  const ce = compat.ioctls.get(name);
  if (!ne || !ce) throw einval(`${name} has no value on ${!ne ? native.layouter.abi.name : compat.layouter.abi.name}`);
  const ways = thunkWays(ne, annotations);
  const use = argumentUse(ne, annotations);
  const none = (): Uint8Array => new Uint8Array(0);
  // no argument structure, as check has it (no-arg): a value, a legacy ioctl that uses none, an _IO naming none
  if (noArgument(ne, annotations))
    return { name, ...ways, enter: none, leave: () => null, enterInto: () => 0, leaveInto: () => 0 };
  // check's types: an annotation's arg, or the record a macro's pointer points at (the number encodes the pointer)
  const { native: nt, compat: ct, arg } = argumentTypes(ne, ce, native, compat, annotations);
  // the number says data is copied, of a type unknown here (check: unknown): nothing to convert by, not nothing to do
  if (!nt || !ct) {
    const abi = (!nt ? native : compat).layouter.abi.name;
    throw einval(`${name}: its argument type ${arg ?? '(none named)'} is not known on ${abi}`);
  }
  const compile = (handlerMembers: Readonly<HandlerMembers> | undefined) =>
    compileConverter(nt, ct, native.layouter.abi, compat.layouter.abi, {
      ...opts,
      // the union member the kernel's handler uses (SIOCGIFFLAGS: ifr_flags), unless the caller names one
      ...(handlerMembers ? { handlerMembers } : {}),
      annotations,
      ...(arg !== undefined ? { recordName: arg } : {}),
    });
  const converter = compile(use.members);
  // what the handler writes back, where it is another member than it reads (DRM_IOCTL_WAIT_VBLANK's reply)
  const back = use.membersBack ? compile({ ...use.members, ...use.membersBack }) : converter;
  return {
    name,
    ...ways,
    converter,
    enter(task, o) {
      if (!ways.in) return new Uint8Array(converter.nativeSize);
      if (task === null) throw einval(`${name}: the kernel reads the argument but none was given`);
      return converter.compatToNative(task, o);
    },
    leave(nativeArg, o) {
      return ways.out ? back.nativeToCompat(nativeArg, o) : null;
    },
    enterInto(task, dst, dstOffset = 0, o) {
      if (!ways.in) {
        dst.fill(0, dstOffset, dstOffset + converter.nativeSize);
        return converter.nativeSize;
      }
      if (task === null) throw einval(`${name}: the kernel reads the argument but none was given`);
      return converter.compatToNativeInto(task, dst, 0, dstOffset, o);
    },
    leaveInto(nativeArg, dst, dstOffset = 0, o) {
      return ways.out ? back.nativeToCompatInto(nativeArg, dst, 0, dstOffset, o) : 0;
    },
  };
}
