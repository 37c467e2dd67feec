/**
 * explain's log-line parser: the kernel's three forms, QEMU's, bare numbers, and numbers wider
 * than 32 bits (an input error, never cut). Node only: the explanations, with numbers and sizes
 * from the reference compilers, are in explain.test.ts.
 */
import { describe, expect, test } from 'vitest';
import { UsageError } from '../src/errors.js';
import { parseLogLine } from '../src/report/explain.js';

describe('parseLogLine: every form, 32-bit numbers only', () => {
  test('the kernel: ioctl32 {t:..;sz:..} (type char or hex), the older {..}, sys32_ioctl with or without task', () => {
    expect(
      parseLogLine(
        "kernel: ioctl32(cam:42): Unknown cmd fd(7) cmd(c0445609){t:'V';sz:68} arg(08049000) on /dev/video0",
      ),
    ).toEqual({
      format: 'ioctl32',
      program: 'cam',
      pid: 42,
      fd: 7,
      cmd: 0xc0445609,
      arg: 0x08049000,
      typeText: "'V'",
      size: 68,
      path: '/dev/video0',
    });
    expect(
      parseLogLine('ioctl32(blkid:9): Unknown cmd fd(3) cmd(80041270){t:12;sz:4} arg(ffc0d0c8) on /dev/sda'),
    ).toMatchObject({ typeText: '12', cmd: 0x80041270 });
    // 2.6's compat_ioctl_error printed (cmd >> 24) & 0x3f, a character or %02x
    expect(
      parseLogLine('ioctl32(regedit.exe:11801): Unknown cmd fd(9) cmd(82187201){02} arg(00221000) on /home/a b'),
    ).toEqual({
      format: 'ioctl32-old',
      program: 'regedit.exe',
      pid: 11801,
      fd: 9,
      cmd: 0x82187201,
      arg: 0x00221000,
      braced: '02',
      path: '/home/a b',
    });
    expect(parseLogLine('ioctl32(x:1): Unknown cmd fd(3) cmd(c044560f){00} arg(0) on /dev/video0')).toMatchObject({
      format: 'ioctl32-old',
      cmd: 0xc044560f,
      braced: '00',
    });
    expect(parseLogLine("ioctl32(x:1): Unknown cmd fd(3) cmd(2c004101){','} arg(0) on /dev/x")).toMatchObject({
      format: 'ioctl32-old',
      braced: "','",
    });
    expect(parseLogLine('sys32_ioctl(prog:77): Unknown cmd fd(3) cmd(00004c03) arg(08049000)')).toEqual({
      format: 'sys32_ioctl',
      program: 'prog',
      pid: 77,
      fd: 3,
      cmd: 0x4c03,
      arg: 0x08049000,
    });
    expect(parseLogLine('sys32_ioctl: Unknown cmd fd(3) cmd(00004c03) arg(08049000)')).toEqual({
      format: 'sys32_ioctl',
      fd: 3,
      cmd: 0x4c03,
      arg: 0x08049000,
    });
  });
  test("QEMU's line: a command with bit 31 set is printed sign-extended, (long) of an int", () => {
    expect(parseLogLine('Unsupported ioctl: cmd=0x5401')).toEqual({ format: 'qemu', cmd: 0x5401 });
    expect(parseLogLine('qemu: Unsupported ioctl: cmd=0xffffffffc0445609')).toEqual({
      format: 'qemu',
      cmd: 0xc0445609,
      signExtended: true,
    });
    expect(parseLogLine('Unsupported ioctl: cmd=0xc0445609')).toEqual({ format: 'qemu', cmd: 0xc0445609 });
    expect(parseLogLine('Unsupported ioctl type: cmd=0x5401 type=3')).toEqual({
      format: 'qemu',
      cmd: 0x5401,
      qemuArgType: 3,
    });
  });
  test('bare numbers, decimal or 0x-hex', () => {
    expect(parseLogLine('3225703945')).toEqual({ format: 'number', cmd: 3225703945 });
    expect(parseLogLine('  0xC0445609 ')).toEqual({ format: 'number', cmd: 0xc0445609 });
  });
  test.each([
    ["ioctl32(x:1): Unknown cmd fd(3) cmd(1c0185617){t:'V';sz:24} arg(08049000) on /dev/video0"],
    ['ioctl32(x:1): Unknown cmd fd(3) cmd(1c0185617){00} arg(08049000) on /dev/video0'],
    ['sys32_ioctl(x:1): Unknown cmd fd(3) cmd(1c0185617) arg(08049000)'],
    ["ioctl32(x:1): Unknown cmd fd(3) cmd(c0185617){t:'V';sz:24} arg(108049000) on /dev/video0"],
    ['Unsupported ioctl: cmd=0x1c0185617'],
    ['Unsupported ioctl: cmd=0xfffffffe40185617'],
    ['0x1c0185617'],
    ['7532467735'],
  ])('more than 32 bits is an input error, never cut to 32: %s', (line) => {
    expect(() => parseLogLine(line)).toThrow(UsageError);
    expect(() => parseLogLine(line)).toThrow(/more than 32 bits/);
  });
  test('anything else is no line', () => {
    expect(() => parseLogLine('kernel: hello')).toThrow(/not a compat ioctl log line/);
    expect(() => parseLogLine('0xzz')).toThrow(UsageError);
  });
});
