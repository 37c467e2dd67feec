/**
 * The UAPI oracle (test/harness/uapi.ts) against facts about real kernel headers, and against
 * clang's own record-layout dump, so that later tests can take its answers as the truth.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { ABIS } from '../src/abi/index.js';
import type { Abi, AbiName } from '../src/abi/types.js';
import { compileObject, referenceCompiler } from './harness/compile.js';
import {
  compilerIncludeArgs,
  compilerTruth,
  headerAcceptance,
  uapiHeaders,
  uapiIncludeDir,
  type OracleItem,
} from './harness/uapi.js';

const run = promisify(execFile);

/**
 * clang's own record layouts (-fdump-record-layouts): a second opinion that shares no code with the oracle's bit
 * images.
 */
async function clangLayoutDump(a: Abi, source: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'ioctl32-dump-'));
  try {
    writeFileSync(join(dir, 'dump.c'), source);
    const cc = referenceCompiler(a);
    const args = [
      ...cc.args,
      '-fsyntax-only',
      '-Xclang',
      '-fdump-record-layouts',
      ...(await compilerIncludeArgs(a)),
      join(dir, 'dump.c'),
    ];
    return (await run(cc.command, args, { maxBuffer: 64 << 20 })).stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function abi(name: AbiName): Abi {
  const a = ABIS.find((x) => x.name === name);
  if (!a) throw new Error(`no ABI ${name}`);
  return a;
}
const x86_64 = abi('x86_64');
const i386 = abi('i386');

const KVM_ITEM: OracleItem = {
  header: 'linux/kvm.h',
  records: [
    { name: 'struct kvm_dirty_log', paths: [{ path: 'slot' }, { path: 'dirty_bitmap' }, { path: 'padding2' }] },
  ],
  ioctls: ['KVM_GET_DIRTY_LOG', 'KVM_CREATE_VM'],
};

/** struct tcp_info packs four __u8 bitfields into bytes 6 and 7, between plain members. */
const TCP_INFO_ITEM: OracleItem = {
  header: 'linux/tcp.h',
  records: [
    {
      name: 'struct tcp_info',
      paths: [
        { path: 'tcpi_options' },
        { path: 'tcpi_snd_wscale', bitfield: 'other' },
        { path: 'tcpi_rcv_wscale', bitfield: 'other' },
        { path: 'tcpi_delivery_rate_app_limited', bitfield: 'other' },
        { path: 'tcpi_fastopen_client_fail', bitfield: 'other' },
        { path: 'tcpi_rto' },
      ],
    },
  ],
  ioctls: [],
};

describe('UAPI oracle', () => {
  // First, so that on a clean .cache/uapi the first timing is a real cold run.
  test('headerAcceptance over every x86_64 header, twice (the second from the cache)', async () => {
    const headers = uapiHeaders(uapiIncludeDir(x86_64));
    const runs: Array<Map<string, unknown>> = [];
    for (const pass of ['first', 'second']) {
      const start = performance.now();
      const answers = await headerAcceptance(x86_64, headers);
      const seconds = (performance.now() - start) / 1000;
      const rejected = [...answers].filter(([, a]) => !a.ok).map(([h]) => h);
      console.log(
        `x86_64 ${pass} run: ${headers.length} headers, ${headers.length - rejected.length} accepted, ` +
          `${rejected.length} rejected, ${seconds.toFixed(2)} s`,
      );
      if (pass === 'first') console.log(`rejected: ${rejected.join(' ')}`);
      expect([...answers.keys()]).toEqual(headers);
      runs.push(answers);
    }
    expect(runs[1]).toEqual(runs[0]);
  });

  test.each([x86_64, i386])('uapiHeaders finds the UAPI set for $name', (a) => {
    const headers = uapiHeaders(uapiIncludeDir(a));
    expect(headers.length).toBeGreaterThan(800);
    expect(headers).toContain('linux/kvm.h');
    expect(headers).toContain('linux/netfilter/xt_mark.h');
    expect(headers).toEqual([...headers].sort());
    expect(headers.every((h) => /^(linux|asm|drm|misc|mtd|rdma|scsi|sound|video|xen)\/.+\.h$/.test(h))).toBe(true);
  });

  test('compilerIncludeArgs points at the builtin and cross headers only', async () => {
    const args = await compilerIncludeArgs(x86_64);
    expect(args).toHaveLength(5);
    expect(args.slice(0, 2)).toEqual(['-nostdinc', '-isystem']);
    expect(args[2]).toMatch(/clang\/16\/include$/);
    expect(args.slice(3)).toEqual(['-isystem', '/usr/x86_64-linux-gnu/include']);
    expect(await compilerIncludeArgs(x86_64)).toBe(args);
    const m68k = await compilerIncludeArgs(abi('m68k'));
    expect(m68k[2]).toMatch(/^\/.*m68k-linux-gnu\/12\/include$/);
  });

  test('headerAcceptance tells self-contained headers from ones that need others first', async () => {
    // linux/hdlc/ioctl.h uses IFNAMSIZ without including linux/if.h (which includes it)
    const answers = await headerAcceptance(x86_64, ['linux/types.h', 'linux/kvm.h', 'linux/hdlc/ioctl.h']);
    expect(answers.get('linux/types.h')).toEqual({ ok: true });
    expect(answers.get('linux/kvm.h')).toEqual({ ok: true });
    const hdlc = answers.get('linux/hdlc/ioctl.h');
    expect(hdlc?.ok).toBe(false);
    expect(hdlc && !hdlc.ok && hdlc.error).toMatch(/linux\/hdlc\/ioctl\.h:\d+:\d+: error: .*IFNAMSIZ/);
    await expect(
      compileObject(
        x86_64,
        '#include <linux/if.h>\n#include <linux/hdlc/ioctl.h>\n',
        await compilerIncludeArgs(x86_64),
      ),
    ).resolves.toBeDefined();
  });

  test('compilerTruth: struct kvm_dirty_log and KVM ioctls on x86_64', async () => {
    const r = await compilerTruth(x86_64, [KVM_ITEM]);
    expect(r.failed).toEqual([]);
    const rec = r.records.get('struct kvm_dirty_log');
    expect(rec?.header).toBe('linux/kvm.h');
    expect(rec?.size).toBe(16);
    expect(rec?.align).toBe(8);
    expect(rec?.fields.get('slot')).toEqual({ offset: 0 });
    expect(rec?.fields.get('dirty_bitmap')).toEqual({ offset: 8 });
    expect(rec?.fields.get('padding2')).toEqual({ offset: 8 });
    expect(r.ioctls.get('KVM_GET_DIRTY_LOG')).toEqual({ header: 'linux/kvm.h', cmd: 0x4010ae42 });
    expect(r.ioctls.get('KVM_CREATE_VM')).toEqual({ header: 'linux/kvm.h', cmd: 0xae01 });
  });

  test('compilerTruth: struct kvm_dirty_log keeps its size on i386', async () => {
    const r = await compilerTruth(i386, [KVM_ITEM]);
    expect(r.failed).toEqual([]);
    const rec = r.records.get('struct kvm_dirty_log');
    expect(rec?.size).toBe(16);
    expect(rec?.fields.get('dirty_bitmap')).toEqual({ offset: 8 });
    expect(r.ioctls.get('KVM_GET_DIRTY_LOG')?.cmd).toBe(0x4010ae42);
  });

  // ppc64 is big-endian: its images are read most significant bit first
  test.each([x86_64, i386, abi('ppc64')])(
    "compilerTruth: bitfields of struct tcp_info agree with clang's layout dump on $name",
    async (a) => {
      const r = await compilerTruth(a, [TCP_INFO_ITEM]);
      expect(r.failed).toEqual([]);
      const fields = r.records.get('struct tcp_info')?.fields;

      // clang prints "BYTE:FIRST-LAST | TYPE NAME" for each bitfield, in allocation order
      const dump = await clangLayoutDump(a, '#include <linux/tcp.h>\nint use = sizeof(struct tcp_info);\n');
      const block = dump.slice(dump.indexOf('| struct tcp_info\n'));
      let bitfields = 0;
      for (const m of block.slice(0, block.indexOf('[sizeof=')).matchAll(/^\s*(\d+):(\d+)-(\d+) \|\s+\S+ (\w+)$/gm)) {
        const [byte, first, last] = [m[1], m[2], m[3]].map(Number) as [number, number, number];
        expect(fields?.get(m[4]!)).toEqual({ bitOffset: byte * 8 + first, bitWidth: last - first + 1 });
        bitfields++;
      }
      expect(bitfields).toBe(4);
      expect(fields?.get('tcpi_rto')).toEqual({ offset: 8 });
    },
  );

  test('compilerTruth isolates the items that break a batch', async () => {
    const items: OracleItem[] = [
      { header: 'linux/types.h', records: [], ioctls: [] },
      KVM_ITEM,
      // accepted alone, so only splitting the batch can find it: the record does not exist
      { header: 'linux/fs.h', records: [{ name: 'struct ioctl32_no_such_record', paths: [] }], ioctls: [] },
      { header: 'linux/does_not_exist.h', records: [], ioctls: [] },
      TCP_INFO_ITEM,
      {
        header: 'linux/fs.h',
        records: [{ name: 'struct file_clone_range', paths: [{ path: 'dest_offset' }] }],
        ioctls: ['FICLONERANGE'],
      },
    ];
    const r = await compilerTruth(x86_64, items);
    expect(r.failed.map((f) => f.header)).toEqual(['linux/fs.h', 'linux/does_not_exist.h']);
    expect(r.failed[0]?.error).toMatch(/^probe\.c:\d+:\d+: error: .*ioctl32_no_such_record/);
    expect(r.failed[1]?.error).toMatch(/fatal error: .*linux\/does_not_exist\.h.* not found/);
    expect(r.records.get('struct kvm_dirty_log')?.size).toBe(16);
    expect(r.records.get('struct tcp_info')?.fields.get('tcpi_rcv_wscale')).toEqual({ bitOffset: 52, bitWidth: 4 });
    expect(r.records.get('struct file_clone_range')).toEqual({
      header: 'linux/fs.h',
      size: 32,
      align: 8,
      fields: new Map([['dest_offset', { offset: 24 }]]),
    });
    expect(r.ioctls.get('FICLONERANGE')).toEqual({ header: 'linux/fs.h', cmd: 0x4020940d });
    expect(r.ioctls.get('KVM_CREATE_VM')?.cmd).toBe(0xae01);
  });
});
