/**
 * V4L2 (v4l2.ts): a table indexed by _IOC_NR, not a switch. Read in linux-source-6.1's
 * drivers/media/v4l2-core: v4l2_fops (v4l2-dev.c) sets .compat_ioctl = v4l2_compat_ioctl32, which
 * passes 'V' commands below BASE_VIDIOC_PRIVATE to unlocked_ioctl unchanged; video_usercopy
 * (v4l2-ioctl.c) translates the number first (video_translate_cmd → v4l2_compat_translate_cmd in
 * v4l2-compat-ioctl32.c: `case VIDIOC_G_FMT32: return VIDIOC_G_FMT;` ...), converts through
 * v4l2_compat_get_user/v4l2_compat_put_user where it did, and __video_do_ioctl runs an entry of
 * v4l2_ioctls[] only where v4l2_is_known_ioctl (`v4l2_ioctls[_IOC_NR(cmd)].ioctl == cmd`) holds.
 * i386 tasks (32-bit time_t: the *_TIME32 cases) and i386+t64 ones (v4l2_buffer32, v4l2_event32)
 * are served; an x32 task's struct v4l2_buffer is 80 bytes (clang-16 --target=x86_64-linux-gnux32:
 * VIDIOC_QUERYBUF 0xc0505609), neither the native 88 nor v4l2_buffer32's 76 nor
 * v4l2_buffer32_time32's 68: its buffer ioctls reach no entry.
 */
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { getAbi } from '../src/abi/index.js';
import type { Abi } from '../src/abi/types.js';
import { audit, auditHasErrors, type AuditReport } from '../src/audit/index.js';
import { defaultKernelTree } from '../src/cfront/kernel-tree.js';
import { linuxSourceFiles, linuxSourceTarball } from './harness/linux-source.js';

const native = getAbi('x86_64');
const FIXTURES = fileURLToPath(new URL('./fixtures/audit', import.meta.url));

/** Debian's linux-headers build tree for amd64 (as test/audit.test.ts finds it). */
function buildTree(): string {
  const tree = defaultKernelTree(native);
  if (tree === null) throw new Error('no /usr/src/linux-headers-*-amd64: install linux-headers-amd64');
  return tree;
}

function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`no line with ${needle}`);
  return i + 1;
}

/** The findings v4l2.ts draws (compat-structs.ts draws compat-struct-differs for the same files). */
function judged(report: AuditReport): string[] {
  return report.findings
    .filter((f) => f.kind === 'unreachable' || f.kind === 'unconverted' || f.kind === 'dead-compat-code')
    .map((f) => `${f.kind} ${f.ioctl} ${f.line}`);
}

describe('audit of a made-up V4L2 table', () => {
  const rel = 'drivers/media/v4l2_table.c';
  const text = readFileSync(join(FIXTURES, rel), 'utf8');
  const marks = text
    .split('\n')
    .flatMap((l, i) => [...l.matchAll(/expect: ([a-z-]+)/g)].map((m) => `${m[1]} ${i + 1}`));
  const run = (compat: Abi) => audit({ tree: FIXTURES, paths: ['drivers/media'], build: buildTree(), native, compat });

  test.each(['i386', 'x32'])('x86_64 <- %s: the marked findings, and no others', (name) => {
    const r = run(getAbi(name));
    expect(r.v4l2).toEqual({ ioctls: 5, judged: 5 });
    expect(r.findings.map((f) => `${f.kind} ${f.line}`).sort()).toEqual(marks.sort());
  });

  test('what they say', () => {
    const r = run(getAbi('i386'));
    const by = (kind: string, ioctl: string) => r.findings.find((f) => f.kind === kind && f.ioctl === ioctl)!;
    // the missing mapping: struct v4l2_format is 208 bytes natively, 204 on i386
    const sFmt = by('unreachable', 'VIDIOC_S_FMT');
    expect(sFmt).toMatchObject({ level: 'error', hook: 'v4l2_compat_ioctl32', ops: 'file_operations vt_fops' });
    expect(sFmt.evidence).toContain('x86_64 0xc0d05605 (size 208), i386 0xc0cc5605 (size 204)');
    expect(sFmt.fix).toContain('case VIDIOC_S_FMT32: return VIDIOC_S_FMT;');
    // VIDIOC_TRY_FMT32 written with the native struct: the native number, which no compat task sends
    const dead = by('dead-compat-code', 'VIDIOC_TRY_FMT');
    expect(dead.line).toBe(lineOf(text, 'case VIDIOC_TRY_FMT32:'));
    expect(dead.evidence).toContain('VIDIOC_TRY_FMT32 0xc0d05640 (size 208); i386 sends 0xc0cc5640');
    expect(dead.message).toContain('i386+t64');
    expect(by('unconverted', 'VIDIOC_G_EDID').message).toContain('v4l2_compat_put_user has no case for it');
    // translated and converted, or the same layout: nothing to say
    const reported = r.findings.map((f) => f.ioctl);
    expect(reported).not.toContain('VIDIOC_G_FMT');
    expect(reported).not.toContain('VIDIOC_QUERYCAP');
    expect(auditHasErrors(r)).toBe(true);
  });
});

const V4L2_FILES = ['v4l2-ioctl.c', 'v4l2-compat-ioctl32.c', 'v4l2-dev.c'].map((f) => `drivers/media/v4l2-core/${f}`);

describe('audit of linux-source-6.1 drivers/media/v4l2-core', () => {
  const tarball = linuxSourceTarball();
  if (tarball === null) {
    test('the tarball is installed', () => {
      throw new Error('no /usr/src/linux-source-*.tar.xz: install linux-source-6.1');
    });
    return;
  }
  const { root, files } = linuxSourceFiles(tarball, V4L2_FILES);
  const ioctl = files.get('drivers/media/v4l2-core/v4l2-ioctl.c')!;
  const run = (compat: string) =>
    audit({ tree: root, paths: V4L2_FILES, build: buildTree(), native, compat: getAbi(compat) });
  const i386 = run('i386');

  test('the table, the translate switch and v4l2_fops are read', () => {
    expect(i386.files.failed).toEqual({});
    // 82 IOCTL_INFO entries in v4l2_ioctls[], each joined with the catalogue (linux/videodev2.h)
    expect(i386.v4l2).toEqual({ ioctls: 82, judged: 82 });
    expect(i386.headers).toContain('linux/videodev2.h');
    expect(i386.hooks.map((h) => `${h.ops} ${h.compat}`)).toContain('v4l2_fops v4l2_compat_ioctl32');
  });

  test.each(['i386', 'i386+t64'])('x86_64 <- %s: every VIDIOC_* is converted or has the same layout', (name) => {
    const r = name === 'i386' ? i386 : run(name);
    // among them those the kernel converts: QUERYBUF, QBUF (v4l2_buffer32_time32 for i386, v4l2_buffer32 for
    // i386+t64), G_FMT (v4l2_format32), G_EXT_CTRLS (v4l2_ext_controls32), G_EDID (v4l2_edid32)
    expect(judged(r)).toEqual([]);
    const reported = r.findings.map((f) => f.ioctl);
    for (const n of ['VIDIOC_QUERYBUF', 'VIDIOC_G_FMT', 'VIDIOC_QBUF', 'VIDIOC_G_EXT_CTRLS', 'VIDIOC_G_EDID'])
      expect(reported).not.toContain(n);
    // identical layouts, passed on as they are
    for (const n of ['VIDIOC_QUERYCAP', 'VIDIOC_ENUM_FMT', 'VIDIOC_G_CTRL', 'VIDIOC_QUERY_EXT_CTRL'])
      expect(reported).not.toContain(n);
    expect(r.findings.filter((f) => f.file === 'drivers/media/v4l2-core/v4l2-ioctl.c')).toEqual([]);
  });

  test("x86_64 <- x32: the buffer ioctls reach no entry; the *_TIME32 cases are i386's, not dead", () => {
    const r = run('x32');
    const at = (n: string) => lineOf(ioctl, `IOCTL_INFO(${n},`);
    expect(judged(r).sort()).toEqual(
      ['VIDIOC_QUERYBUF', 'VIDIOC_QBUF', 'VIDIOC_DQBUF', 'VIDIOC_PREPARE_BUF']
        .map((n) => `unreachable ${n} ${at(n)}`)
        .sort(),
    );
    const q = r.findings.find((f) => f.kind === 'unreachable' && f.ioctl === 'VIDIOC_QUERYBUF')!;
    expect(q.evidence).toContain('x86_64 0xc0585609 (size 88), x32 0xc0505609 (size 80)');
    expect(q.ops).toBe('file_operations v4l2_fops');
    // the switch has i386's and i386+t64's numbers for it (structs of 68 and 76 bytes), not x32's
    expect(q.evidence).toContain('maps only VIDIOC_QUERYBUF32_TIME32 0xc0445609, VIDIOC_QUERYBUF32 0xc04c5609 to it');
    // an x32 task's struct v4l2_format is 204 bytes as on i386: VIDIOC_G_FMT32 converts it
    expect(r.findings.map((f) => f.ioctl)).not.toContain('VIDIOC_G_FMT');
  });
});
