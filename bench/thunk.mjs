// Conversions per second, compat -> native (i386 -> x86_64), of a small (kvm_dirty_log), a medium
// (v4l2_buffer) and a large (snd_ctl_elem_value) record: the compiled thunk against a
// hand-written DataView converter, and a C converter built with gcc -O2, in the same run. Each
// hand-written converter must give the thunk's bytes for the input (or the bench stops).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getAbi } from '../dist/abi/index.js';
import { dumpHeaders } from '../dist/scan/dump.js';
import { compileConverter } from '../dist/thunk/compile.js';

const x86 = getAbi('x86_64');
const i386 = getAbi('i386');
const headers = ['linux/kvm.h', 'linux/videodev2.h', 'sound/asound.h'];
const nd = dumpHeaders({ abi: x86, headers, sysroot: '/usr/x86_64-linux-gnu' });
const cd = dumpHeaders({ abi: i386, headers, sysroot: '/usr/i686-linux-gnu' });
const conv = (name, opts) =>
  compileConverter(
    { kind: 'record', decl: nd.decls.get(name) },
    { kind: 'record', decl: cd.decls.get(name) },
    x86,
    i386,
    opts,
  );

function rate(f, input) {
  for (let i = 0; i < 2000; i++) f(input);
  let n = 0;
  const t0 = process.hrtime.bigint();
  let t = 0n;
  do {
    for (let i = 0; i < 1000; i++) f(input);
    n += 1000;
    t = process.hrtime.bigint() - t0;
  } while (t < 300_000_000n);
  return n / (Number(t) / 1e9);
}

// hand-written: what an emulator author would type for these layouts
const hand = {
  kvm_dirty_log(src) {
    const s = new DataView(src.buffer, src.byteOffset, src.byteLength);
    const out = new Uint8Array(16);
    const d = new DataView(out.buffer);
    d.setUint32(0, s.getUint32(0, true), true);
    d.setUint32(4, s.getUint32(4, true), true);
    d.setBigUint64(8, BigInt(s.getUint32(8, true)), true);
    return out;
  },
  v4l2_buffer(src) {
    // index..field, then timeval's two longs (sign-extended), timecode as is, sequence, memory,
    // m.userptr (zero-extended), length, reserved2, request_fd
    const s = new DataView(src.buffer, src.byteOffset, src.byteLength);
    const out = new Uint8Array(88);
    const d = new DataView(out.buffer);
    for (let o = 0; o < 20; o += 4) d.setUint32(o, s.getUint32(o, true), true);
    d.setBigInt64(24, BigInt(s.getInt32(20, true)), true);
    d.setBigInt64(32, BigInt(s.getInt32(24, true)), true);
    out.set(src.subarray(28, 44), 40);
    d.setUint32(56, s.getUint32(44, true), true);
    d.setUint32(60, s.getUint32(48, true), true);
    d.setBigUint64(64, BigInt(s.getUint32(52, true)), true);
    d.setUint32(72, s.getUint32(56, true), true);
    d.setUint32(76, s.getUint32(60, true), true);
    d.setUint32(80, s.getUint32(64, true), true);
    return out;
  },
  snd_ctl_elem_value(src) {
    // id (64 bytes, same layout), the `indirect: 1` bit-field, 128 longs sign-extended (value
    // moves from 68 to 72), and the 128 reserved bytes as they are
    const s = new DataView(src.buffer, src.byteOffset, src.byteLength);
    const out = new Uint8Array(1224);
    const d = new DataView(out.buffer);
    out.set(src.subarray(0, 64), 0);
    d.setUint32(64, s.getUint32(64, true) & 1, true);
    for (let i = 0; i < 128; i++) d.setBigInt64(72 + 8 * i, BigInt(s.getInt32(68 + 4 * i, true)), true);
    out.set(src.subarray(580, 708), 1096);
    return out;
  },
};

const cases = [
  ['kvm_dirty_log', conv('struct kvm_dirty_log', { choose: ['dirty_bitmap'] }), hand.kvm_dirty_log],
  ['v4l2_buffer', conv('struct v4l2_buffer', { members: { m: 'userptr' } }), hand.v4l2_buffer],
  [
    'snd_ctl_elem_value',
    conv('struct snd_ctl_elem_value', { members: { value: 'integer', 'value.integer': 'value' } }),
    hand.snd_ctl_elem_value,
  ],
];

// C: the same conversions, gcc -O2
const dir = mkdtempSync(join(tmpdir(), 'ioctl32-thunk-bench-'));
writeFileSync(
  join(dir, 'conv.c'),
  `
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
struct c_dirty { uint32_t slot, pad; uint32_t ptr, hi; };
struct n_dirty { uint32_t slot, pad; uint64_t ptr; };
struct c_elem { unsigned char id[64]; uint32_t indirect; int32_t v[128]; unsigned char reserved[128]; };
struct n_elem { unsigned char id[64]; uint32_t indirect, pad; int64_t v[128]; unsigned char reserved[128]; };
struct c_buf { uint32_t index, type, bytesused, flags, field; int32_t sec, usec; unsigned char timecode[16];
  uint32_t sequence, memory, userptr, length, reserved2, request_fd; };
struct n_buf { uint32_t index, type, bytesused, flags, field, pad; int64_t sec, usec; unsigned char timecode[16];
  uint32_t sequence, memory; uint64_t userptr; uint32_t length, reserved2, request_fd, pad2; };
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
int main(void) {
  static struct c_dirty cd; static struct n_dirty nd; static struct c_elem ce; static struct n_elem ne;
  static struct c_buf cb; static struct n_buf nb;
  volatile uint64_t sink = 0; long n; double t0;
  cd.ptr = 0xf7401000;
  for (n = 0, t0 = now(); now() - t0 < 0.3; n += 1000) for (int i = 0; i < 1000; i++) {
    nd.slot = cd.slot; nd.pad = cd.pad; nd.ptr = cd.ptr; sink += nd.ptr; cd.slot = (uint32_t)i; }
  printf("%f\\n", n / (now() - t0));
  for (n = 0, t0 = now(); now() - t0 < 0.3; n += 1000) for (int i = 0; i < 1000; i++) {
    memcpy(ne.id, ce.id, 64); ne.indirect = ce.indirect & 1; for (int k = 0; k < 128; k++) ne.v[k] = ce.v[k];
    memcpy(ne.reserved, ce.reserved, 128); sink += (uint64_t)ne.v[i & 127]; ce.v[0] = i; }
  printf("%f\\n", n / (now() - t0));
  for (n = 0, t0 = now(); now() - t0 < 0.3; n += 1000) for (int i = 0; i < 1000; i++) {
    nb.index = cb.index; nb.type = cb.type; nb.bytesused = cb.bytesused; nb.flags = cb.flags; nb.field = cb.field;
    nb.sec = cb.sec; nb.usec = cb.usec; memcpy(nb.timecode, cb.timecode, 16); ` +
    `nb.sequence = cb.sequence; nb.memory = cb.memory;
    nb.userptr = cb.userptr; nb.length = cb.length; nb.reserved2 = cb.reserved2; nb.request_fd = cb.request_fd;
    sink += nb.userptr; cb.index = (uint32_t)i; }
  printf("%f\\n", n / (now() - t0));
  return (int)(sink & 0);
}
`,
);
execFileSync('gcc', ['-O2', '-o', join(dir, 'conv'), join(dir, 'conv.c')]);
const [cDirty, cElem, cBuf] = execFileSync(join(dir, 'conv'), { encoding: 'utf8' }).trim().split('\n').map(Number);
const cRates = { kvm_dirty_log: cDirty, snd_ctl_elem_value: cElem, v4l2_buffer: cBuf };

// the machines are shared and noisy: the two converters take turns, three windows each, and
// each side's best window counts
for (const [name, c, h] of cases) {
  // bytes of a fixed pseudo-random sequence: negative longs, set high bits, no two fields alike
  const input = new Uint8Array(c.compatSize).map((_, i) => (Math.imul(i + 1, 2654435761) >>> 24) & 0xff);
  // a baseline that converts differently measures nothing
  if (h && Buffer.compare(h(input), c.compatToNative(input)) !== 0)
    throw new Error(`the hand-written ${name} converter disagrees with the thunk`);
  const thunkRates = [];
  const handRates = [];
  for (let round = 0; round < 3; round++) {
    thunkRates.push(rate((b) => c.compatToNative(b), input));
    if (h) handRates.push(rate(h, input));
  }
  const thunk = Math.max(...thunkRates);
  const line = [`${name}: ${c.compatSize} -> ${c.nativeSize} bytes: thunk ${(thunk / 1e6).toFixed(2)} M/s`];
  if (h) {
    const handRate = Math.max(...handRates);
    line.push(
      `hand-written DataView ${(handRate / 1e6).toFixed(2)} M/s`,
      `RATIO thunk/hand ${(thunk / handRate).toFixed(2)} (target >= 0.9)`,
    );
  }
  if (cRates[name])
    line.push(`gcc -O2 C ${(cRates[name] / 1e6).toFixed(1)} M/s (thunk/C ${(thunk / cRates[name]).toFixed(3)})`);
  console.log(line.join('; '));
}
