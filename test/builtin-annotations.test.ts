/**
 * Built-in annotations of the UAPI headers (src/compat/builtin-annotations.ts), pointer-typed macro
 * arguments and tail-padding-only differences. Truth: each entry's cited function in Linux 6.1's
 * sources (Debian's linux-source-6.1) shows the member and its conversion; layouts and numbers are
 * the compilers' (clang/gcc over the cross trees' headers).
 */
import { describe, expect, test } from 'vitest';
import { getAbi } from '../src/abi/index.js';
import type { Abi } from '../src/abi/types.js';
import { AnnotationError, parseAnnotations, validateAnnotations } from '../src/compat/annotations.js';
import {
  applicableBuiltins,
  BUILTIN_IOCTL_MEMBERS,
  BUILTIN_MEMBERS,
  BUILTIN_UNIONS,
  SIZE_TOLERANT_DISPATCHERS,
  type KernelSource,
} from '../src/compat/builtin-annotations.js';
import { check, type CheckOptions, type IoctlVerdict } from '../src/compat/check.js';
import type { CType } from '../src/cfront/types.js';
import { explain } from '../src/report/explain.js';
import { dumpHeaders } from '../src/scan/dump.js';
import { functionText, linuxSourceFiles, linuxSourceTarball } from './harness/linux-source.js';
import { compilerTruth, type OracleItem, type OracleResult } from './harness/uapi.js';

const crossTree = (abi: { headerTriple: string }) => ({ sysroot: `/usr/${abi.headerTriple}` });
const x86 = { native: getAbi('x86_64'), compat: getAbi('i386') };
const HEADERS = [
  'linux/nvme_ioctl.h',
  'linux/input.h',
  'linux/kvm.h',
  'linux/firewire-cdev.h',
  'linux/tee.h',
  'linux/sync_file.h',
  'linux/fsverity.h',
  'linux/surface_aggregator/cdev.h',
  'drm/drm.h',
  'drm/via_drm.h',
  'sound/asound.h',
];

function run(pair: { native: Abi; compat: Abi }, headers: string[], extra: Partial<CheckOptions> = {}) {
  const r = check({ pairs: [pair], scan: { headers }, scanFor: crossTree, lint: false, ...extra });
  expect(r.failed).toEqual({});
  return new Map(r.pairs[0]!.ioctls.map((v) => [v.name, v]));
}

const tarball = linuxSourceTarball();

/** sizeof a flexible array member is an error: its offset only. */
const isFlex = (t: CType): boolean => t.kind === 'array' && t.length === null;

describe('each built-in fact is in the kernel function it cites', () => {
  const cited: Array<{ what: string; source: KernelSource; member?: string }> = [
    ...BUILTIN_MEMBERS.flatMap((b) =>
      b.source.map((source) => ({ what: `${b.record}.${b.member}`, source, member: b.member.split('.').pop()! })),
    ),
    ...SIZE_TOLERANT_DISPATCHERS.flatMap((d) => d.source.map((source) => ({ what: d.dispatcher, source }))),
    ...BUILTIN_IOCTL_MEMBERS.flatMap((b) => b.source.map((source) => ({ what: b.ioctls.join(', '), source }))),
    ...BUILTIN_UNIONS.flatMap((b) => b.source.map((source) => ({ what: `${b.record}.${b.member}`, source }))),
  ];
  test.skipIf(!tarball)('linux-source-6.1', () => {
    const { files } = linuxSourceFiles(tarball!, [...new Set(cited.map((c) => c.source.file))]);
    const missing: string[] = [];
    for (const { what, source, member } of cited) {
      const text = functionText(files.get(source.file)!, source.function);
      if (text === null) {
        missing.push(`${what}: no function ${source.function} in ${source.file}`);
        continue;
      }
      for (const s of source.shows)
        if (!text.includes(s.replace(/\s+/g, ' '))) missing.push(`${what}: ${source.function} lacks '${s}'`);
    }
    expect(missing).toEqual([]);
    // each member's entry names it in a conversion (or its source shows a compat conversion of what reads it)
    for (const b of BUILTIN_MEMBERS) {
      const last = b.member.split('.').pop()!;
      expect(
        b.source.some((s) => s.shows.some((x) => new RegExp(`\\b${last}\\b`).test(x))),
        `${b.record}.${b.member}`,
      ).toBe(true);
    }
    // each union's member is named in the handler as `.UNION.MEMBER` (sync_ptr.s.status)
    // ("" the argument itself: `req.request.type`)
    // (null, the union's selector deciding: a switch)
    for (const b of BUILTIN_IOCTL_MEMBERS)
      for (const [union, member] of [...Object.entries(b.members), ...Object.entries(b.membersBack ?? {})]) {
        // a member of the argument or of a pointer to it (`sync_ptr.c.control`, `data->value.enumerated`)
        const shown =
          member === null
            ? /switch \(/
            : new RegExp(union ? `(\\.|->)${union}\\.${member}\\b` : `(\\.|->)${member}\\.`);
        expect(
          b.source.some((s) => s.shows.some((x) => shown.test(x))),
          `${b.ioctls[0]}: ${union}.${member}`,
        ).toBe(true);
      }
    // each selected union: every handler cited switches on the selector, and each case's label leads to its member
    for (const b of BUILTIN_UNIONS)
      for (const s of b.source) {
        expect(
          s.shows.some((x) => new RegExp(`^switch \\(\\w+->${b.selector}\\)$`).test(x)),
          s.function,
        ).toBe(true);
        for (const c of b.cases) {
          const at = s.shows.find((x) => x.includes(`case ${c.macro}:`));
          expect(at, `${s.function}: case ${c.macro}`).toBeDefined();
          // the first member a case copies after its label is the one the table gives
          const after = at!.slice(at!.indexOf(`case ${c.macro}:`));
          expect(new RegExp(`(?:\\.|->)${b.member}\\.(\\w+)`).exec(after)?.[1], `${s.function}: case ${c.macro}`).toBe(
            c.member,
          );
        }
        expect(s.shows.includes('default: break;')).toBe(b.default === '');
        // without a default member the handler refuses the other values, as the thunk does; a default member is
        // the one copied before the switch, whatever the value (v4l2_buffer's `.m.offset = vb32.m.offset,`)
        if (b.default === undefined) expect(s.shows).toContain('default: return -EINVAL;');
        else if (b.default !== '') expect(s.shows.some((x) => x.startsWith(`.${b.member}.${b.default} = `))).toBe(true);
        // a selector asked first: the function tests it with the header's macro, and sets the member its cases name
        if (b.first) {
          const test = new RegExp(
            `if \\(${b.first.test}\\(\\w+->${b.first.selector}\\)\\) .*?(?:\\.|->)${b.member}\\.(\\w+)`,
          );
          const members = s.shows.map((x) => test.exec(x)?.[1]).filter((x) => x !== undefined);
          expect(members, s.function).toEqual([...new Set(b.first.cases.map((c) => c.member))]);
        }
      }
    expect(cited.length).toBeGreaterThan(30);
  });

  test('a function that does not show the text fails the check', () => {
    const text = functionText('static int f(int a)\n{\n\treturn g(a->addr);\n}\n', 'f')!;
    expect(text.includes('g(a->addr)')).toBe(true);
    expect(text.includes('compat_ptr(a->addr)')).toBe(false);
    expect(functionText('int h(void);', 'h')).toBeNull();
  });
});

describe('built-in annotations against the compilers', () => {
  const records = [...new Set(BUILTIN_MEMBERS.map((b) => b.record))];
  const truth = async (abi: Abi, headers: string[], names: string[], ioctls: string[] = []) => {
    const d = dumpHeaders({ abi, headers, ...crossTree(abi) });
    const byHeader = new Map<string, OracleItem>();
    for (const name of names) {
      const header = d.foundIn.get(name);
      if (!header) continue;
      const decl = d.decls.get(name)!;
      const item = byHeader.get(header) ?? { header, before: ['linux/ioctl.h'], records: [], ioctls: [] };
      byHeader.set(header, item);
      const paths = (decl.members ?? []).filter((m) => m.name).map((m) => ({ path: m.name!, size: !isFlex(m.type) }));
      item.records.push({ name, paths });
    }
    for (const name of ioctls) {
      const e = d.ioctls.get(name)!;
      const header = d.scan.displayName(e.file);
      const item = byHeader.get(header) ?? { header, before: ['linux/ioctl.h'], records: [], ioctls: [] };
      byHeader.set(header, item);
      item.ioctls.push(name);
    }
    const t = await compilerTruth(abi, [...byHeader.values()]);
    expect(t.failed).toEqual([]);
    return { d, t };
  };

  test('every built-in member applies to the 6.1 UAPI headers, in the same place on both ABIs', async () => {
    const [n, c] = await Promise.all([truth(x86.native, HEADERS, records), truth(x86.compat, HEADERS, records)]);
    const applied = applicableBuiltins([n.d, c.d]);
    for (const b of BUILTIN_MEMBERS) {
      expect(applied.records.get(b.record)?.get(b.member)?.kind, `${b.record}.${b.member}`).toBe(b.kind);
      const top = b.member.split('.')[0]!;
      const [a, z] = [n.t.records.get(b.record)!.fields.get(top), c.t.records.get(b.record)!.fields.get(top)];
      expect(a, `${b.record}.${top}`).toEqual(z);
    }
    // the ioctl members of the headers read, every one
    expect([...applied.ioctls.keys()].sort()).toEqual(BUILTIN_IOCTL_MEMBERS.flatMap((b) => b.ioctls).sort());
  });

  test('identical layouts that carry a user pointer are pointer-inside, not identical', async () => {
    const on = run(x86, HEADERS);
    const off = run(x86, HEADERS, { builtinAnnotations: false });
    const names = [
      'NVME_IOCTL_ADMIN_CMD',
      'NVME_IOCTL_IO_CMD',
      'NVME_IOCTL_ADMIN64_CMD',
      'NVME_IOCTL_IO64_CMD',
      'EVIOCGMASK',
      'EVIOCSMASK',
      'SYNC_IOC_FILE_INFO',
      'FS_IOC_ENABLE_VERITY',
      'FS_IOC_READ_VERITY_METADATA',
      'DRM_IOCTL_MODE_GETRESOURCES',
      'DRM_IOCTL_MODE_ATOMIC',
      'DRM_IOCTL_MODE_GETCONNECTOR',
      'DRM_IOCTL_MODE_SETGAMMA',
      'DRM_IOCTL_MODE_GETPROPBLOB',
      'DRM_IOCTL_SYNCOBJ_WAIT',
      'DRM_IOCTL_SYNCOBJ_QUERY',
    ];
    const args = names.map((x) => on.get(x)!.arg!);
    const [n, c] = await Promise.all([truth(x86.native, HEADERS, args), truth(x86.compat, HEADERS, args)]);
    for (const name of names) {
      const arg = on.get(name)!.arg!;
      // the compilers lay the argument out the same on both ABIs: only the annotation makes it work
      const [a, z] = [n.t.records.get(arg)!, c.t.records.get(arg)!];
      expect({ name, size: a.size, fields: [...a.fields] }).toEqual({ name, size: z.size, fields: [...z.fields] });
      expect(off.get(name)!.verdict, name).toBe('identical');
      expect(on.get(name)!.verdict, name).toBe('pointer-inside');
      expect(
        on.get(name)!.reasons.every((r) => r.rule === 'user-pointer'),
        name,
      ).toBe(true);
      expect(on.get(name)!.action, name).toMatch(/compat_ptr\(\) on/);
    }
    // _IOR, but evdev_do_ioctl only reads struct input_mask
    expect(on.get('EVIOCGMASK')!.action).not.toMatch(/copy it back/);
  }, 120_000);

  test("KVM_SET_SIGNAL_MASK's sigset converts on a big-endian kernel, and stays identical on x86", async () => {
    const pair = { native: getAbi('ppc64'), compat: getAbi('ppc') };
    const on = run(pair, ['linux/kvm.h']).get('KVM_SET_SIGNAL_MASK')!;
    const off = run(pair, ['linux/kvm.h'], { builtinAnnotations: false }).get('KVM_SET_SIGNAL_MASK')!;
    const r = 'struct kvm_signal_mask';
    const [n, c] = await Promise.all([
      truth(pair.native, ['linux/kvm.h'], [r]),
      truth(pair.compat, ['linux/kvm.h'], [r]),
    ]);
    expect(n.t.records.get(r)!.size).toBe(c.t.records.get(r)!.size);
    expect(off.verdict).toBe('identical');
    expect(on.verdict).toBe('convert');
    expect(on.reasons.map((x) => `${x.rule} ${x.path}`)).toEqual(['sigset sigset']);
    // compat_sigset_t's words are a u64's halves in the same order on a little-endian kernel
    expect(run(x86, ['linux/kvm.h']).get('KVM_SET_SIGNAL_MASK')!.verdict).toBe('identical');
  }, 120_000);

  test("each selected union's case values are its header's macros, as the compilers read them; it applies", async () => {
    for (const abi of [x86.native, x86.compat, getAbi('s390x')]) {
      const headers = ['linux/ioctl.h', ...new Set(BUILTIN_UNIONS.map((b) => b.header))];
      const d = dumpHeaders({ abi, headers, ...crossTree(abi) });
      // a first selector's macro holds for exactly its cases' values (V4L2_TYPE_IS_MULTIPLANAR(0) ... (255))
      const tests = (b: (typeof BUILTIN_UNIONS)[number]) =>
        b.first ? Array.from({ length: 256 }, (_, v) => `${b.first!.test}(${v})`) : [];
      const items = BUILTIN_UNIONS.map((b) => ({
        header: b.header,
        before: ['linux/ioctl.h'],
        records: [],
        ioctls: [...b.cases, ...(b.first?.cases ?? [])].map((c) => c.macro).concat(tests(b)),
      }));
      const t = await compilerTruth(abi, items);
      expect(t.failed).toEqual([]);
      for (const b of BUILTIN_UNIONS) {
        for (const c of [...b.cases, ...(b.first?.cases ?? [])])
          expect(t.ioctls.get(c.macro)?.cmd, `${abi.name}: ${c.macro}`).toBe(c.value);
        const holds = tests(b).flatMap((x, v) => (t.ioctls.get(x)?.cmd ? [v] : []));
        expect(holds, `${abi.name}: ${b.first?.test}`).toEqual(b.first?.cases.map((c) => c.value) ?? []);
      }
      const applied = applicableBuiltins([d]);
      for (const b of BUILTIN_UNIONS)
        expect(applied.records.get(b.record)?.get(b.member), `${abi.name}: ${b.record}.${b.member}`).toMatchObject({
          kind: 'union',
          selector: b.selector,
        });
    }
  }, 120_000);
});

describe('explain judges with the built-ins, as check does', () => {
  test('NVME_IOCTL_ADMIN_CMD from an i386 task: pointer-inside, not identical', () => {
    const cmd = run(x86, ['linux/nvme_ioctl.h']).get('NVME_IOCTL_ADMIN_CMD')!.nativeCmd!;
    const e = explain(`0x${cmd.toString(16)}`, { native: x86.native, compats: [x86.compat] });
    const named = e.candidates.find((c) => c.abi === 'i386')!.names.find((n) => n.name === 'NVME_IOCTL_ADMIN_CMD');
    expect(named).toMatchObject({ verdict: 'pointer-inside' });
  });
});

describe("a user's annotations over the built-ins", () => {
  const headers = ['linux/input.h'];
  test('an entry of the same member overrides, "none" turns one off, "builtins": false all', () => {
    const none = parseAnnotations('{"records":{"struct input_mask":{"codes_ptr":{"kind":"none"}}}}', 'u.json');
    expect(run(x86, headers, { annotations: none }).get('EVIOCSMASK')!.verdict).toBe('identical');
    const off = parseAnnotations('{"builtins":false}', 'u.json');
    const v = run(x86, headers, { annotations: off });
    expect(v.get('EVIOCSMASK')!.verdict).toBe('identical');
    expect(v.get('EVIOCGMASK')!.verdict).toBe('identical');
    const access = parseAnnotations('{"ioctls":{"EVIOCGMASK":{"access":"rw"}}}', 'u.json');
    const w = run(x86, headers, { annotations: access }).get('EVIOCGMASK')!;
    expect(w.verdict).toBe('pointer-inside');
    expect(w.action).toMatch(/copy it back/);
  });

  test('"none" and "builtins" are validated like the rest', () => {
    const bad = parseAnnotations('{"records":{"struct input_mask":{"no_such":{"kind":"none"}}}}', 'u.json');
    expect(() => run(x86, headers, { annotations: bad })).toThrow(AnnotationError);
    expect(() => run(x86, headers, { annotations: bad })).toThrow(/struct input_mask\.no_such: no such member/);
    expect(() => parseAnnotations('{"builtins":"no"}', 'u.json')).toThrow(/builtins: expected true or false/);
    const unknown = parseAnnotations('{"records":{"struct nowhere":{"x":{"kind":"none"}}}}', 'u.json');
    expect(() => run(x86, headers, { annotations: unknown })).toThrow(/struct nowhere: no such record/);
  });
});

describe('pointer-typed macro arguments', () => {
  const headers = ['linux/phantom.h', 'linux/pps.h'];
  test('the number encodes a pointer, the handler copies what it points at', async () => {
    const on = run(x86, headers);
    const names = [...on.keys()].filter((k) => on.get(k)!.cmdNote !== undefined);
    expect(names.sort()).toEqual(
      [
        'PHN_GET_REG',
        'PHN_SET_REG',
        'PHN_GET_REGS',
        'PHN_SET_REGS',
        'PPS_GETPARAMS',
        'PPS_SETPARAMS',
        'PPS_GETCAP',
        'PPS_FETCH',
        'PPS_KC_BIND',
      ].sort(),
    );
    const records = [...new Set(names.map((x) => on.get(x)!.arg!).filter((a) => a.startsWith('struct ')))];
    const truth = async (abi: Abi) => {
      const d = dumpHeaders({ abi, headers, ...crossTree(abi) });
      const items = new Map<string, OracleItem>();
      for (const name of records) {
        const header = d.foundIn.get(name)!;
        const item = items.get(header) ?? { header, before: ['linux/ioctl.h'], records: [], ioctls: [] };
        items.set(header, item);
        const paths = d.decls.get(name)!.members!.map((m) => ({ path: m.name!, size: !isFlex(m.type) }));
        item.records.push({ name, paths });
      }
      for (const name of names) {
        const header = d.scan.displayName(d.ioctls.get(name)!.file);
        const item = items.get(header) ?? { header, before: ['linux/ioctl.h'], records: [], ioctls: [] };
        items.set(header, item);
        item.ioctls.push(name);
      }
      const t: OracleResult = await compilerTruth(abi, [...items.values()]);
      expect(t.failed).toEqual([]);
      return t;
    };
    const [n, c] = await Promise.all([truth(x86.native), truth(x86.compat)]);
    for (const name of names) {
      const v: IoctlVerdict = on.get(name)!;
      expect(v.nativeCmd).toBe(n.ioctls.get(name)!.cmd);
      expect(v.compatCmd).toBe(c.ioctls.get(name)!.cmd);
      expect(v.cmdDiffers).toBe(true);
      expect(v.cmdNote).toMatch(/the number encodes its size \(8 bytes on x86_64, 4 on i386\)/);
      const [a, z] = v.arg!.startsWith('struct ')
        ? [n.records.get(v.arg!)!, c.records.get(v.arg!)!]
        : [{ size: 4 }, { size: 4 }]; // int
      const same =
        a.size === z.size &&
        JSON.stringify([...((a as any).fields ?? [])]) === JSON.stringify([...((z as any).fields ?? [])]);
      expect({ name, verdict: v.verdict }).toEqual({ name, verdict: same ? 'renumber' : 'convert' });
    }
    // pps_fdata differs (pps_cdev_compat_ioctl has struct pps_fdata_compat); the rest are renumbered
    expect(on.get('PPS_FETCH')!.verdict).toBe('convert');
    expect(on.get('PHN_SET_REG')!.arg).toBe('struct phm_reg');
    expect(on.get('PHN_SET_REG')!.action).toMatch(/^map 0x40047001 to 0x40087001, then pass compat_ptr\(arg\) on/);
  }, 120_000);

  test('void * stays a pointer in user memory', () => {
    const v = run(x86, ['linux/usbdevice_fs.h']).get('USBDEVFS_REAPURB')!;
    expect(v.cmdNote).toBeUndefined();
    expect(v.verdict).toBe('convert');
  });
});

describe('tail padding only', () => {
  test('the DRM structs that differ only in tail padding, which drm_ioctl() tolerates', async () => {
    const all = check({ pairs: [x86], scan: {}, lint: false }).pairs[0]!.ioctls;
    const tail = all.filter((v) => v.reasons.some((r) => r.sub === 'tail-padding'));
    const drm = tail.filter((v) => v.reasons.some((r) => r.dispatcher === 'drm_ioctl'));
    console.log(`tail padding only: ${tail.length} ioctls, ${drm.length} through drm_ioctl: ${drm.map((v) => v.name)}`);
    expect(drm.map((v) => `${v.name} ${v.arg}`).sort()).toEqual(
      [
        'DRM_IOCTL_ARMADA_GEM_PWRITE struct drm_armada_gem_pwrite',
        'DRM_IOCTL_MODE_GETPLANERESOURCES struct drm_mode_get_plane_res',
        'DRM_IOCTL_MODE_OBJ_GETPROPERTIES struct drm_mode_obj_get_properties',
        'DRM_IOCTL_MODE_OBJ_SETPROPERTY struct drm_mode_obj_set_property',
        'DRM_IOCTL_MSM_WAIT_FENCE struct drm_msm_wait_fence',
        'DRM_IOCTL_RADEON_GEM_CREATE struct drm_radeon_gem_create',
      ].sort(),
    );
    // only 'd' ioctls name a dispatcher; the others are still told apart from a moved member
    for (const v of tail) {
      const drmType = ((v.nativeCmd! >>> 8) & 0xff) === 0x64;
      expect(
        v.reasons.some((r) => r.dispatcher !== undefined),
        v.name,
      ).toBe(drmType);
    }
    for (const v of drm) expect(v.action).toMatch(/to drm_ioctl\(\): only tail padding differs/);
    // the compilers: every member at the same offset with the same size, only the record's size differs
    const headers = ['drm/drm.h', 'drm/armada_drm.h', 'drm/msm_drm.h', 'drm/radeon_drm.h'];
    const truth = async (abi: Abi) => {
      const d = dumpHeaders({ abi, headers, ...crossTree(abi) });
      const items = new Map<string, OracleItem>();
      for (const v of drm) {
        const header = d.foundIn.get(v.arg!)!;
        const item = items.get(header) ?? { header, before: ['linux/ioctl.h'], records: [], ioctls: [] };
        items.set(header, item);
        item.records.push({
          name: v.arg!,
          paths: d.decls.get(v.arg!)!.members!.map((m) => ({ path: m.name!, size: !isFlex(m.type) })),
        });
      }
      const t = await compilerTruth(abi, [...items.values()]);
      expect(t.failed).toEqual([]);
      return t;
    };
    const [n, c] = await Promise.all([truth(x86.native), truth(x86.compat)]);
    for (const v of drm) {
      const [a, z] = [n.records.get(v.arg!)!, c.records.get(v.arg!)!];
      expect([...a.fields], v.name).toEqual([...z.fields]);
      expect(a.size, v.name).toBeGreaterThan(z.size);
    }
    // a moved member is no tail padding
    const moved = all.find((v) => v.name === 'DRM_IOCTL_VERSION')!;
    expect(moved.verdict).toBe('convert');
    expect(moved.reasons.some((r) => r.sub !== undefined)).toBe(false);
  }, 180_000);
});

describe("an ioctl annotation's members", () => {
  const x86 = getAbi('x86_64');
  const d = dumpHeaders({ abi: x86, headers: ['linux/ioctl.h', 'sound/asound.h'], ...crossTree(x86) });
  const validate = (members: unknown) => () =>
    validateAnnotations(
      parseAnnotations(JSON.stringify({ ioctls: { SNDRV_PCM_IOCTL_SYNC_PTR: { members } } }), 'a.json'),
      d.decls,
      d.layouter,
      d.ioctls,
    );
  test('name a union of the argument and one of its members', () => {
    expect(validate({ s: 'reserved' })).not.toThrow();
    expect(validate({ s: 'nope' })).toThrow(/a\.json: ioctls\.SNDRV_PCM_IOCTL_SYNC_PTR\.members: .*no member 'nope'/);
    expect(validate({ flags: 'x' })).toThrow(/'flags' is .*not a union/);
    expect(validate(['s'])).toThrow(/expected an object of union paths/);
    // "" is the argument itself, which here is a struct
    expect(validate({ '': 'status' })).toThrow(/"": the argument is no union with a member 'status'/);
  });
  test("a user's members override the built-in ones, in check too", () => {
    const pair = { native: x86, compat: getAbi('i386') };
    const headers = ['linux/ioctl.h', 'sound/asound.h'];
    const row = (annotations?: ReturnType<typeof parseAnnotations>) =>
      check({
        pairs: [pair],
        scan: { headers },
        scanFor: crossTree,
        lint: false,
        ...(annotations ? { annotations } : {}),
      }).pairs[0]!.ioctls.find((v) => v.name === 'SNDRV_PCM_IOCTL_SYNC_PTR')!;
    expect(row().members).toEqual({ s: 'status', c: 'control' });
    const mine = parseAnnotations(
      JSON.stringify({ ioctls: { SNDRV_PCM_IOCTL_SYNC_PTR: { members: { s: 'reserved', c: 'reserved' } } } }),
      'a.json',
    );
    expect(row(mine).members).toEqual({ s: 'reserved', c: 'reserved' });
  });
});
