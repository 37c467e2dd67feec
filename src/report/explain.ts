/**
 * `ioctl32 explain "LOG LINE"`: the kernel's compat log line for an unhandled command, taken
 * apart — who, which descriptor, the number decoded on the task's ABI, and the ioctls it could
 * be, with their native numbers (a number that differs is one no compat handler maps).
 */
import type { Abi } from '../abi/types.js';
import { UsageError } from '../errors.js';
import { decodeIoc, typeChar, type DecodedIoc } from '../ioctl/ioc.js';

export interface LogLine {
  format: 'sys32_ioctl' | 'ioctl32';
  program: string;
  pid: number;
  fd: number;
  cmd: number;
  arg: number;
  /** {t:'K';sz:16} of the current format. */
  typeText?: string;
  size?: number;
  /** `on /dev/kvm` of the current format. */
  path?: string;
}

/** Both formats: fs/compat_ioctl.c's old `sys32_ioctl(...)` and the later `ioctl32(...)`. */
export function parseLogLine(line: string): LogLine {
  const old = /sys32_ioctl\(([^:]*):(\d+)\): Unknown cmd fd\((\d+)\) cmd\(([0-9a-fA-F]+)\) arg\(([0-9a-fA-F]+)\)/.exec(line);
  if (old) return { format: 'sys32_ioctl', program: old[1]!, pid: Number(old[2]), fd: Number(old[3]), cmd: parseInt(old[4]!, 16) >>> 0, arg: parseInt(old[5]!, 16) >>> 0 };
  const cur = /ioctl32\(([^:]*):(\d+)\): Unknown cmd fd\((\d+)\) cmd\(([0-9a-fA-F]+)\)\{t:('[^']*'|[^;]*);sz:(\d+)\} arg\(([0-9a-fA-F]+)\)(?: on (\S+))?/.exec(line);
  if (cur) {
    const l: LogLine = { format: 'ioctl32', program: cur[1]!, pid: Number(cur[2]), fd: Number(cur[3]), cmd: parseInt(cur[4]!, 16) >>> 0, arg: parseInt(cur[7]!, 16) >>> 0, typeText: cur[5]!, size: Number(cur[6]) };
    if (cur[8]) l.path = cur[8];
    return l;
  }
  throw new UsageError(`not a compat ioctl log line (expected "sys32_ioctl(prog:pid): Unknown cmd fd(N) cmd(X) arg(Y)" or "ioctl32(prog:pid): Unknown cmd fd(N) cmd(X){t:'K';sz:16} arg(Y) on PATH")`);
}

export interface Explanation {
  line: LogLine;
  /** Per compat ABI the program may be: the number decoded and the names it has there. */
  candidates: Array<{ abi: string; decoded: DecodedIoc; names: Array<{ name: string; nativeCmd?: number }> }>;
}

export function explain(text: string, native: Abi, compats: Abi[], names: (abi: Abi) => Map<number, string[]>): Explanation {
  const line = parseLogLine(text);
  const nativeNames = names(native);
  const nativeByName = new Map<string, number>();
  for (const [cmd, list] of nativeNames) for (const n of list) nativeByName.set(n, cmd);
  return {
    line,
    candidates: compats.map((abi) => ({
      abi: abi.name,
      decoded: decodeIoc(abi, line.cmd),
      names: (names(abi).get(line.cmd) ?? []).map((name) => {
        const nativeCmd = nativeByName.get(name);
        return nativeCmd === undefined ? { name } : { name, nativeCmd };
      }),
    })),
  };
}

export function formatExplanation(e: Explanation, native: Abi): string {
  const l = e.line;
  const hex = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
  const out = [`${l.program} (pid ${l.pid}) issued ioctl(${l.fd}, ${hex(l.cmd)}, ${hex(l.arg)})${l.path ? ` on ${l.path}` : ''}; the ${native.name} kernel found no compat handler for it.`];
  for (const c of e.candidates) {
    const d = c.decoded;
    const ch = typeChar(d.type);
    out.push(`  as ${c.abi}: dir ${d.dir ?? `? (bits ${d.dirBits})`}, type ${ch ? `'${ch}' ` : ''}0x${d.type.toString(16)}, nr ${d.nr}, size ${d.size}`);
    if (!c.names.length) out.push('    no ioctl in the catalogue has this number here');
    for (const n of c.names) {
      if (n.nativeCmd === undefined) out.push(`    ${n.name}: not defined for ${native.name}`);
      else if (n.nativeCmd !== l.cmd) out.push(`    ${n.name}: ${native.name} number ${hex(n.nativeCmd)} differs (the argument's size differs): the driver needs a .compat_ioctl that maps ${hex(l.cmd)}`);
      else out.push(`    ${n.name}: the same number on ${native.name}: the driver's .compat_ioctl does not handle it (or has none)`);
    }
  }
  return out.join('\n');
}
