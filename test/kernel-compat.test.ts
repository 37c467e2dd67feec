/**
 * `ioctl32 gen c` against the kernel's own hand-written compat code. Each compat struct the kernel
 * defines for 32-bit tasks on x86_64 (Debian's linux-source, the version of the linux-headers the
 * module builds against) is built in one module together with the twin the generator makes of the
 * UAPI record it mirrors: static_asserts that both have one size and every member of the kernel's
 * struct one offset. Each `*32` command number the kernel defines is asserted equal to the
 * generator's compat number (`NAME_32`, or NAME where the generator found the numbers equal). The
 * generator serves i386 and x32 tasks in one file (x32 twins `struct <twinPrefix>x32_<name>`, numbers
 * `NAME_X32`); the kernel's x32 structs and numbers are compared with its x32 twins.
 *
 * The tables below are the fixture: a row cites the kernel file it was read from. A row fails with
 * the compiler's message, or, where the generator made no twin or left the ioctl out, with the
 * generator's reason; it is never skipped. Where its file's generated code itself does not build, it
 * is "not judged" and fails too. Where the kernel is wrong against the UAPI, the row says why and
 * asserts the difference, and is not counted as compared. A struct row that fails prints both
 * layouts, read back from an object file the compiler made.
 *
 * KERNEL_ONLY lists the UAPI records the kernel's view of its header does not have (`#ifndef
 * __KERNEL__`, line numbers cited and checked): the kernel's handlers use structs of their own, so
 * gen c has no native side and names their ioctls as left out, which is asserted instead.
 */
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { getAbi } from '../src/abi/index.js';
import { generateCompatC, type GeneratedC } from '../src/codegen/c.js';
import { parseAnnotations } from '../src/compat/annotations.js';
import { BUILTIN_IOCTL_MEMBERS } from '../src/compat/builtin-annotations.js';
import { dump, type DumpResult } from '../src/scan/dump.js';
import type { ScanOptions } from '../src/scan/scan.js';
import { readElf } from './harness/elf.js';
import { buildModule, kernelBuildDir } from './harness/kbuild.js';
import {
  conditionalsAt,
  inDependencyOrder,
  linuxSourceFiles,
  linuxSourceTarball,
  numberExpression,
  recordDefinitions,
  recordMembers,
  uses,
  type CMember,
  type CRecordDef,
} from './harness/linux-source.js';

/** What the generator reads for a row: UAPI include names in include order, and what the scan needs beyond them. */
interface Unit {
  headers: string[];
  /** For both ABIs: the compat side as a 32-bit task built with 64-bit time_t (`_TIME_BITS=64`) sees it. */
  defines?: Array<[string, string]>;
  /** drm/ from the kernel's include/uapi: Debian's linux-libc-dev ships no DRM headers. */
  drm?: true;
  /**
   * Union members to convert where the generator asks for a choice (the kernel chooses at run time): a choice
   * picks a converter, never a layout or a number.
   */
  choose?: string[];
  /** What the header cannot say (`--annotations`): a flexible array's count. */
  annotations?: object;
}

const TIME64: Array<[string, string]> = [
  ['_TIME_BITS', '64'],
  ['_FILE_OFFSET_BITS', '64'],
];

const UNITS = {
  loop: { headers: ['linux/loop.h'] },
  drm: { headers: ['drm/drm.h'], drm: true, choose: ['request'] },
  v4l2: { headers: ['linux/videodev2.h'], choose: ['pix', 'offset', 'data'] },
  v4l2_time64: { headers: ['linux/videodev2.h'], defines: TIME64, choose: ['pix', 'offset', 'data'] },
  asound: { headers: ['sound/asound.h'], choose: ['integer', 'value', 'status', 'control'] },
  asound_time64: { headers: ['sound/asound.h'], defines: TIME64, choose: ['integer', 'value', 'status', 'control'] },
  // the legacy table's order: the argument types first (src/ioctl/legacy.ts `needs`)
  if: { headers: ['linux/if.h', 'linux/sockios.h'], choose: ['ifru_data', 'ifcu_buf'] },
  serial: { headers: ['linux/serial.h', 'asm-generic/ioctls.h'] },
  fs: { headers: ['linux/fs.h'] },
  btrfs: { headers: ['linux/btrfs.h'] },
  mtd: { headers: ['mtd/mtd-abi.h'] },
  kvm: { headers: ['linux/kvm.h'], choose: ['dirty_bitmap'] },
  ppp: { headers: ['linux/ppp-ioctl.h'] },
  media: { headers: ['linux/media.h'] },
  uvc: { headers: ['linux/uvcvideo.h'] },
  usbdevfs: {
    headers: ['linux/usbdevice_fs.h'],
    annotations: {
      records: { 'struct usbdevfs_urb': { iso_frame_desc: { kind: 'flex-array', count: 'number_of_packets' } } },
    },
  },
  nvme: { headers: ['linux/nvme_ioctl.h'] },
  chio: { headers: ['linux/chio.h'] },
  f2fs: { headers: ['linux/f2fs.h'] },
  mtio: { headers: ['linux/mtio.h'] },
  fd: { headers: ['linux/fd.h'] },
  fb: { headers: ['linux/fb.h'] },
  rtc: { headers: ['linux/rtc.h'] },
  ppdev: { headers: ['linux/ppdev.h'] },
  autofs: { headers: ['linux/auto_fs.h'] },
} satisfies Record<string, Unit>;
type UnitId = keyof typeof UNITS;

/** The compat ABIs an x86_64 kernel serves; `pair` lists them in this order. */
type CompatAbi = 'i386' | 'x32';

/** What the generator adds to a twin's name and to a command number's for each ABI (GenCOptions.pair). */
const TWIN_TAG: Record<CompatAbi, string> = { i386: '', x32: 'x32_' };
const NUMBER_SUFFIX: Record<CompatAbi, string> = { i386: '_32', x32: '_X32' };

/** A struct the kernel defines for 32-bit tasks, and the UAPI record whose i386 (or x32) layout it spells out. */
interface StructRow {
  /** Where the kernel defines it; a header (include/...) is included by the module, a .c file's text is copied. */
  file: string;
  /** As C names it. */
  kernel: string;
  unit: UnitId;
  /** The record as the kernel's view of the header names it (the generator names its twins so). */
  uapi: string;
  /** The tasks whose layout it is (default i386). */
  abi?: CompatAbi;
  /** Kernel member → the twin's, where the names differ (a dotted path reaches into a member). */
  rename?: Record<string, string>;
  /**
   * Kernel members that spell out padding the UAPI leaves implicit → the twin member they follow:
   * asserted to start where that member ends.
   */
  padding?: Record<string, string>;
  /** The kernel is wrong against the UAPI at these members: asserted to differ, and kept out of the count. */
  kernelWrong?: { members: string[]; why: string };
}

/** A compat command number the kernel defines, and the UAPI ioctl whose i386 (or x32) number it is. */
interface NumberRow {
  file: string;
  kernel: string;
  unit: UnitId;
  uapi: string;
  abi?: CompatAbi;
  /** The kernel's number is not the one i386 tasks send: asserted to differ, and kept out of the count. */
  kernelWrong?: string;
}

const DRM = 'drivers/gpu/drm/drm_ioc32.c';
const V4L2 = 'drivers/media/v4l2-core/v4l2-compat-ioctl32.c';
const CTL = 'sound/core/control_compat.c';
const PCM = 'sound/core/pcm_compat.c';
const TIMER = 'sound/core/timer_compat.c';
const FLOPPY = 'drivers/block/floppy.c';
const USBDEVFS = 'include/linux/usbdevice_fs.h';

/** `tstamp_sec` for `tstamp.tv_sec`: the kernel spells a struct timespec out as two members. */
const split = (...ts: string[]) =>
  Object.fromEntries(ts.flatMap((t) => [`${t}_sec`, `${t}_nsec`].map((k, i) => [k, `${t}.tv_${i ? 'nsec' : 'sec'}`])));

const STRUCTS: StructRow[] = [
  { file: 'drivers/block/loop.c', kernel: 'struct compat_loop_info', unit: 'loop', uapi: 'struct loop_info' },
  { file: DRM, kernel: 'drm_version32_t', unit: 'drm', uapi: 'struct drm_version' },
  { file: DRM, kernel: 'drm_unique32_t', unit: 'drm', uapi: 'struct drm_unique' },
  { file: DRM, kernel: 'drm_map32_t', unit: 'drm', uapi: 'struct drm_map' },
  { file: DRM, kernel: 'drm_client32_t', unit: 'drm', uapi: 'struct drm_client' },
  { file: DRM, kernel: 'drm_stats32_t', unit: 'drm', uapi: 'struct drm_stats' },
  { file: DRM, kernel: 'drm_buf_desc32_t', unit: 'drm', uapi: 'struct drm_buf_desc' },
  { file: DRM, kernel: 'drm_buf_info32_t', unit: 'drm', uapi: 'struct drm_buf_info' },
  { file: DRM, kernel: 'drm_buf_map32_t', unit: 'drm', uapi: 'struct drm_buf_map' },
  { file: DRM, kernel: 'drm_buf_free32_t', unit: 'drm', uapi: 'struct drm_buf_free' },
  { file: DRM, kernel: 'drm_ctx_priv_map32_t', unit: 'drm', uapi: 'struct drm_ctx_priv_map' },
  { file: DRM, kernel: 'drm_ctx_res32_t', unit: 'drm', uapi: 'struct drm_ctx_res' },
  { file: DRM, kernel: 'drm_dma32_t', unit: 'drm', uapi: 'struct drm_dma' },
  { file: DRM, kernel: 'drm_agp_mode32_t', unit: 'drm', uapi: 'struct drm_agp_mode' },
  { file: DRM, kernel: 'drm_agp_info32_t', unit: 'drm', uapi: 'struct drm_agp_info' },
  { file: DRM, kernel: 'drm_agp_buffer32_t', unit: 'drm', uapi: 'struct drm_agp_buffer' },
  { file: DRM, kernel: 'drm_agp_binding32_t', unit: 'drm', uapi: 'struct drm_agp_binding' },
  { file: DRM, kernel: 'drm_scatter_gather32_t', unit: 'drm', uapi: 'struct drm_scatter_gather' },
  { file: DRM, kernel: 'drm_update_draw32_t', unit: 'drm', uapi: 'struct drm_update_draw' },
  { file: DRM, kernel: 'struct drm_wait_vblank_request32', unit: 'drm', uapi: 'struct drm_wait_vblank_request' },
  { file: DRM, kernel: 'struct drm_wait_vblank_reply32', unit: 'drm', uapi: 'struct drm_wait_vblank_reply' },
  { file: DRM, kernel: 'drm_wait_vblank32_t', unit: 'drm', uapi: 'union drm_wait_vblank' },
  { file: DRM, kernel: 'drm_mode_fb_cmd232_t', unit: 'drm', uapi: 'struct drm_mode_fb_cmd2' },
  { file: V4L2, kernel: 'struct v4l2_window32', unit: 'v4l2', uapi: 'struct v4l2_window' },
  { file: V4L2, kernel: 'struct v4l2_format32', unit: 'v4l2', uapi: 'struct v4l2_format' },
  { file: V4L2, kernel: 'struct v4l2_create_buffers32', unit: 'v4l2', uapi: 'struct v4l2_create_buffers' },
  { file: V4L2, kernel: 'struct v4l2_standard32', unit: 'v4l2', uapi: 'struct v4l2_standard' },
  { file: V4L2, kernel: 'struct v4l2_buffer32_time32', unit: 'v4l2', uapi: 'struct v4l2_buffer' },
  { file: V4L2, kernel: 'struct v4l2_framebuffer32', unit: 'v4l2', uapi: 'struct v4l2_framebuffer' },
  { file: V4L2, kernel: 'struct v4l2_input32', unit: 'v4l2', uapi: 'struct v4l2_input' },
  { file: V4L2, kernel: 'struct v4l2_ext_controls32', unit: 'v4l2', uapi: 'struct v4l2_ext_controls' },
  { file: V4L2, kernel: 'struct v4l2_event32_time32', unit: 'v4l2', uapi: 'struct v4l2_event' },
  { file: V4L2, kernel: 'struct v4l2_edid32', unit: 'v4l2', uapi: 'struct v4l2_edid' },
  { file: V4L2, kernel: 'struct v4l2_buffer32', unit: 'v4l2_time64', uapi: 'struct v4l2_buffer' },
  { file: V4L2, kernel: 'struct v4l2_event32', unit: 'v4l2_time64', uapi: 'struct v4l2_event' },
  { file: CTL, kernel: 'struct snd_ctl_elem_list32', unit: 'asound', uapi: 'struct snd_ctl_elem_list' },
  { file: CTL, kernel: 'struct snd_ctl_elem_info32', unit: 'asound', uapi: 'struct snd_ctl_elem_info' },
  { file: CTL, kernel: 'struct snd_ctl_elem_value32', unit: 'asound', uapi: 'struct snd_ctl_elem_value' },
  {
    file: 'sound/core/hwdep_compat.c',
    kernel: 'struct snd_hwdep_dsp_image32',
    unit: 'asound',
    uapi: 'struct snd_hwdep_dsp_image',
  },
  { file: PCM, kernel: 'struct snd_pcm_hw_params32', unit: 'asound', uapi: 'struct snd_pcm_hw_params' },
  { file: PCM, kernel: 'struct snd_pcm_sw_params32', unit: 'asound', uapi: 'struct snd_pcm_sw_params' },
  { file: PCM, kernel: 'struct snd_pcm_channel_info32', unit: 'asound', uapi: 'struct snd_pcm_channel_info' },
  { file: PCM, kernel: 'struct snd_xferi32', unit: 'asound', uapi: 'struct snd_xferi' },
  { file: PCM, kernel: 'struct snd_xfern32', unit: 'asound', uapi: 'struct snd_xfern' },
  // i386's snd_pcm_mmap_status and friends (32-bit time_t) are the header's __snd_ ones: under __KERNEL__,
  // __SND_STRUCT_TIME64 is defined (include/uapi/sound/asound.h:298-300), and snd_pcm_mmap_status, _control and
  // snd_pcm_sync_ptr name the __snd_..._64 structs (:493-496); the time32 ones keep their __snd_ names (:518-546)
  {
    file: 'sound/core/pcm_native.c',
    kernel: 'struct snd_pcm_mmap_status32',
    unit: 'asound',
    uapi: 'struct __snd_pcm_mmap_status',
    rename: split('tstamp', 'audio_tstamp'),
  },
  {
    file: 'sound/core/pcm_native.c',
    kernel: 'struct snd_pcm_mmap_control32',
    unit: 'asound',
    uapi: 'struct __snd_pcm_mmap_control',
  },
  {
    file: 'sound/core/pcm_native.c',
    kernel: 'struct snd_pcm_sync_ptr32',
    unit: 'asound',
    uapi: 'struct __snd_pcm_sync_ptr',
  },
  {
    file: 'sound/core/rawmidi_compat.c',
    kernel: 'struct snd_rawmidi_params32',
    unit: 'asound',
    uapi: 'struct snd_rawmidi_params',
  },
  { file: TIMER, kernel: 'struct snd_timer_gparams32', unit: 'asound', uapi: 'struct snd_timer_gparams' },
  { file: TIMER, kernel: 'struct snd_timer_info32', unit: 'asound', uapi: 'struct snd_timer_info' },
  // x32 (sound/core/*_compat.c, CONFIG_X86_X32_ABI): 8-byte time_t, 8-aligned 64-bit integers, 4-byte longs
  { file: CTL, kernel: 'struct snd_ctl_elem_value_x32', unit: 'asound', uapi: 'struct snd_ctl_elem_value', abi: 'x32' },
  {
    file: PCM,
    kernel: 'struct snd_pcm_mmap_status_x32',
    unit: 'asound',
    uapi: 'struct __snd_pcm_mmap_status',
    abi: 'x32',
    rename: split('tstamp', 'audio_tstamp'),
    padding: { pad2: 'hw_ptr', pad3: 'suspended_state' },
  },
  {
    file: PCM,
    kernel: 'struct snd_pcm_mmap_control_x32',
    unit: 'asound',
    uapi: 'struct __snd_pcm_mmap_control',
    abi: 'x32',
  },
  {
    file: PCM,
    kernel: 'struct snd_pcm_sync_ptr_x32',
    unit: 'asound',
    uapi: 'struct __snd_pcm_sync_ptr',
    abi: 'x32',
    padding: { rsvd: 'flags' },
  },
  { file: 'include/linux/compat.h', kernel: 'struct compat_ifmap', unit: 'if', uapi: 'struct ifmap' },
  { file: 'include/linux/compat.h', kernel: 'struct compat_if_settings', unit: 'if', uapi: 'struct if_settings' },
  { file: 'include/linux/compat.h', kernel: 'struct compat_ifreq', unit: 'if', uapi: 'struct ifreq' },
  {
    file: 'include/linux/compat.h',
    kernel: 'struct compat_ifconf',
    unit: 'if',
    uapi: 'struct ifconf',
    rename: { ifcbuf: 'ifc_ifcu' },
  },
  // the kernel has no iomap_base (`FIXME`): its `reserved` is where the UAPI's iomap_base is
  {
    file: 'drivers/tty/tty_io.c',
    kernel: 'struct serial_struct32',
    unit: 'serial',
    uapi: 'struct serial_struct',
    rename: { reserved: 'iomap_base' },
  },
  {
    file: 'include/linux/blktrace_api.h',
    kernel: 'struct compat_blk_user_trace_setup',
    unit: 'fs',
    uapi: 'struct blk_user_trace_setup',
  },
  {
    file: 'fs/btrfs/ioctl.c',
    kernel: 'struct btrfs_ioctl_timespec_32',
    unit: 'btrfs',
    uapi: 'struct btrfs_ioctl_timespec',
  },
  {
    file: 'fs/btrfs/ioctl.c',
    kernel: 'struct btrfs_ioctl_received_subvol_args_32',
    unit: 'btrfs',
    uapi: 'struct btrfs_ioctl_received_subvol_args',
  },
  {
    file: 'fs/btrfs/ioctl.c',
    kernel: 'struct btrfs_ioctl_send_args_32',
    unit: 'btrfs',
    uapi: 'struct btrfs_ioctl_send_args',
  },
  {
    file: 'fs/btrfs/ioctl.c',
    kernel: 'struct btrfs_ioctl_encoded_io_args_32',
    unit: 'btrfs',
    uapi: 'struct btrfs_ioctl_encoded_io_args',
  },
  { file: 'drivers/mtd/mtdchar.c', kernel: 'struct mtd_oob_buf32', unit: 'mtd', uapi: 'struct mtd_oob_buf' },
  { file: 'virt/kvm/kvm_main.c', kernel: 'struct compat_kvm_dirty_log', unit: 'kvm', uapi: 'struct kvm_dirty_log' },
  {
    file: 'virt/kvm/kvm_main.c',
    kernel: 'struct compat_kvm_clear_dirty_log',
    unit: 'kvm',
    uapi: 'struct kvm_clear_dirty_log',
  },
  { file: 'drivers/net/ppp/ppp_generic.c', kernel: 'struct sock_fprog32', unit: 'ppp', uapi: 'struct sock_fprog' },
  {
    file: 'drivers/net/ppp/ppp_generic.c',
    kernel: 'struct ppp_option_data32',
    unit: 'ppp',
    uapi: 'struct ppp_option_data',
  },
  { file: 'include/uapi/linux/ppp_defs.h', kernel: 'struct ppp_idle32', unit: 'ppp', uapi: 'struct ppp_idle' },
  {
    file: 'drivers/media/mc/mc-device.c',
    kernel: 'struct media_links_enum32',
    unit: 'media',
    uapi: 'struct media_links_enum',
  },
  {
    file: 'drivers/media/usb/uvc/uvc_v4l2.c',
    kernel: 'struct uvc_xu_control_mapping32',
    unit: 'uvc',
    uapi: 'struct uvc_xu_control_mapping',
  },
  {
    file: 'drivers/media/usb/uvc/uvc_v4l2.c',
    kernel: 'struct uvc_xu_control_query32',
    unit: 'uvc',
    uapi: 'struct uvc_xu_control_query',
  },
  { file: USBDEVFS, kernel: 'struct usbdevfs_ctrltransfer32', unit: 'usbdevfs', uapi: 'struct usbdevfs_ctrltransfer' },
  { file: USBDEVFS, kernel: 'struct usbdevfs_bulktransfer32', unit: 'usbdevfs', uapi: 'struct usbdevfs_bulktransfer' },
  {
    file: USBDEVFS,
    kernel: 'struct usbdevfs_disconnectsignal32',
    unit: 'usbdevfs',
    uapi: 'struct usbdevfs_disconnectsignal',
  },
  { file: USBDEVFS, kernel: 'struct usbdevfs_urb32', unit: 'usbdevfs', uapi: 'struct usbdevfs_urb' },
  { file: USBDEVFS, kernel: 'struct usbdevfs_ioctl32', unit: 'usbdevfs', uapi: 'struct usbdevfs_ioctl' },
  { file: 'drivers/nvme/host/ioctl.c', kernel: 'struct nvme_user_io32', unit: 'nvme', uapi: 'struct nvme_user_io' },
  {
    file: 'drivers/scsi/ch.c',
    kernel: 'struct changer_element_status32',
    unit: 'chio',
    uapi: 'struct changer_element_status',
  },
  { file: 'fs/f2fs/file.c', kernel: 'struct compat_f2fs_gc_range', unit: 'f2fs', uapi: 'struct f2fs_gc_range' },
  { file: 'fs/f2fs/file.c', kernel: 'struct compat_f2fs_move_range', unit: 'f2fs', uapi: 'struct f2fs_move_range' },
  { file: 'include/linux/mtio.h', kernel: 'struct mtget32', unit: 'mtio', uapi: 'struct mtget' },
  { file: 'include/linux/mtio.h', kernel: 'struct mtpos32', unit: 'mtio', uapi: 'struct mtpos' },
  { file: 'include/linux/fd.h', kernel: 'struct compat_floppy_struct', unit: 'fd', uapi: 'struct floppy_struct' },
  { file: FLOPPY, kernel: 'struct compat_floppy_drive_params', unit: 'fd', uapi: 'struct floppy_drive_params' },
  { file: FLOPPY, kernel: 'struct compat_floppy_drive_struct', unit: 'fd', uapi: 'struct floppy_drive_struct' },
  { file: FLOPPY, kernel: 'struct compat_floppy_fdc_state', unit: 'fd', uapi: 'struct floppy_fdc_state' },
  { file: FLOPPY, kernel: 'struct compat_floppy_write_errors', unit: 'fd', uapi: 'struct floppy_write_errors' },
  { file: 'drivers/video/fbdev/core/fbmem.c', kernel: 'struct fb_cmap32', unit: 'fb', uapi: 'struct fb_cmap' },
  {
    file: 'drivers/video/fbdev/core/fbmem.c',
    kernel: 'struct fb_fix_screeninfo32',
    unit: 'fb',
    uapi: 'struct fb_fix_screeninfo',
    kernelWrong: {
      members: ['reserved'],
      why:
        'it has `u16 reserved[3]` where the UAPI has `__u16 capabilities; __u16 reserved[2]`, and ' +
        'fb_get_fscreeninfo() copies fix->reserved to its reserved: i386 tasks read reserved[0] as capabilities',
    },
  },
];

const NUMBERS: NumberRow[] = [
  ...(
    [
      ['DRM_IOCTL_VERSION32', 'DRM_IOCTL_VERSION'],
      ['DRM_IOCTL_GET_UNIQUE32', 'DRM_IOCTL_GET_UNIQUE'],
      ['DRM_IOCTL_GET_MAP32', 'DRM_IOCTL_GET_MAP'],
      ['DRM_IOCTL_GET_CLIENT32', 'DRM_IOCTL_GET_CLIENT'],
      ['DRM_IOCTL_GET_STATS32', 'DRM_IOCTL_GET_STATS'],
      ['DRM_IOCTL_SET_UNIQUE32', 'DRM_IOCTL_SET_UNIQUE'],
      ['DRM_IOCTL_ADD_MAP32', 'DRM_IOCTL_ADD_MAP'],
      ['DRM_IOCTL_ADD_BUFS32', 'DRM_IOCTL_ADD_BUFS'],
      ['DRM_IOCTL_MARK_BUFS32', 'DRM_IOCTL_MARK_BUFS'],
      ['DRM_IOCTL_INFO_BUFS32', 'DRM_IOCTL_INFO_BUFS'],
      ['DRM_IOCTL_MAP_BUFS32', 'DRM_IOCTL_MAP_BUFS'],
      ['DRM_IOCTL_FREE_BUFS32', 'DRM_IOCTL_FREE_BUFS'],
      ['DRM_IOCTL_RM_MAP32', 'DRM_IOCTL_RM_MAP'],
      ['DRM_IOCTL_SET_SAREA_CTX32', 'DRM_IOCTL_SET_SAREA_CTX'],
      ['DRM_IOCTL_GET_SAREA_CTX32', 'DRM_IOCTL_GET_SAREA_CTX'],
      ['DRM_IOCTL_RES_CTX32', 'DRM_IOCTL_RES_CTX'],
      ['DRM_IOCTL_DMA32', 'DRM_IOCTL_DMA'],
      ['DRM_IOCTL_AGP_ENABLE32', 'DRM_IOCTL_AGP_ENABLE'],
      ['DRM_IOCTL_AGP_INFO32', 'DRM_IOCTL_AGP_INFO'],
      ['DRM_IOCTL_AGP_ALLOC32', 'DRM_IOCTL_AGP_ALLOC'],
      ['DRM_IOCTL_AGP_FREE32', 'DRM_IOCTL_AGP_FREE'],
      ['DRM_IOCTL_AGP_BIND32', 'DRM_IOCTL_AGP_BIND'],
      ['DRM_IOCTL_AGP_UNBIND32', 'DRM_IOCTL_AGP_UNBIND'],
      ['DRM_IOCTL_SG_FREE32', 'DRM_IOCTL_SG_FREE'],
      ['DRM_IOCTL_UPDATE_DRAW32', 'DRM_IOCTL_UPDATE_DRAW'],
      ['DRM_IOCTL_WAIT_VBLANK32', 'DRM_IOCTL_WAIT_VBLANK'],
      ['DRM_IOCTL_MODE_ADDFB232', 'DRM_IOCTL_MODE_ADDFB2'],
    ] as const
  ).map(([kernel, uapi]): NumberRow => ({ file: DRM, kernel, unit: 'drm', uapi })),
  {
    file: DRM,
    kernel: 'DRM_IOCTL_SG_ALLOC32',
    unit: 'drm',
    uapi: 'DRM_IOCTL_SG_ALLOC',
    kernelWrong:
      'it is DRM_IOW where the UAPI has DRM_IOWR; harmless, as drm_compat_ioctl() looks handlers up by ' +
      'DRM_IOCTL_NR() alone',
  },
  ...(
    [
      ['VIDIOC_G_FMT32', 'VIDIOC_G_FMT'],
      ['VIDIOC_S_FMT32', 'VIDIOC_S_FMT'],
      ['VIDIOC_TRY_FMT32', 'VIDIOC_TRY_FMT'],
      ['VIDIOC_G_FBUF32', 'VIDIOC_G_FBUF'],
      ['VIDIOC_S_FBUF32', 'VIDIOC_S_FBUF'],
      ['VIDIOC_ENUMSTD32', 'VIDIOC_ENUMSTD'],
      ['VIDIOC_ENUMINPUT32', 'VIDIOC_ENUMINPUT'],
      ['VIDIOC_G_EDID32', 'VIDIOC_G_EDID'],
      ['VIDIOC_S_EDID32', 'VIDIOC_S_EDID'],
      ['VIDIOC_G_EXT_CTRLS32', 'VIDIOC_G_EXT_CTRLS'],
      ['VIDIOC_S_EXT_CTRLS32', 'VIDIOC_S_EXT_CTRLS'],
      ['VIDIOC_TRY_EXT_CTRLS32', 'VIDIOC_TRY_EXT_CTRLS'],
      ['VIDIOC_CREATE_BUFS32', 'VIDIOC_CREATE_BUFS'],
      ['VIDIOC_QUERYBUF32_TIME32', 'VIDIOC_QUERYBUF'],
      ['VIDIOC_QBUF32_TIME32', 'VIDIOC_QBUF'],
      ['VIDIOC_DQBUF32_TIME32', 'VIDIOC_DQBUF'],
      ['VIDIOC_PREPARE_BUF32_TIME32', 'VIDIOC_PREPARE_BUF'],
    ] as const
  ).map(([kernel, uapi]): NumberRow => ({ file: V4L2, kernel, unit: 'v4l2', uapi })),
  ...(
    [
      ['VIDIOC_QUERYBUF32', 'VIDIOC_QUERYBUF'],
      ['VIDIOC_QBUF32', 'VIDIOC_QBUF'],
      ['VIDIOC_DQBUF32', 'VIDIOC_DQBUF'],
      ['VIDIOC_PREPARE_BUF32', 'VIDIOC_PREPARE_BUF'],
    ] as const
  ).map(([kernel, uapi]): NumberRow => ({ file: V4L2, kernel, unit: 'v4l2_time64', uapi })),
  { file: V4L2, kernel: 'VIDIOC_DQEVENT32_TIME32', unit: 'v4l2', uapi: 'VIDIOC_DQEVENT' },
  { file: V4L2, kernel: 'VIDIOC_DQEVENT32', unit: 'v4l2_time64', uapi: 'VIDIOC_DQEVENT' },
  ...(
    [
      [CTL, 'SNDRV_CTL_IOCTL_ELEM_LIST32', 'SNDRV_CTL_IOCTL_ELEM_LIST'],
      [CTL, 'SNDRV_CTL_IOCTL_ELEM_INFO32', 'SNDRV_CTL_IOCTL_ELEM_INFO'],
      [CTL, 'SNDRV_CTL_IOCTL_ELEM_READ32', 'SNDRV_CTL_IOCTL_ELEM_READ'],
      [CTL, 'SNDRV_CTL_IOCTL_ELEM_WRITE32', 'SNDRV_CTL_IOCTL_ELEM_WRITE'],
      [CTL, 'SNDRV_CTL_IOCTL_ELEM_ADD32', 'SNDRV_CTL_IOCTL_ELEM_ADD'],
      [CTL, 'SNDRV_CTL_IOCTL_ELEM_REPLACE32', 'SNDRV_CTL_IOCTL_ELEM_REPLACE'],
      ['sound/core/hwdep_compat.c', 'SNDRV_HWDEP_IOCTL_DSP_LOAD32', 'SNDRV_HWDEP_IOCTL_DSP_LOAD'],
      [PCM, 'SNDRV_PCM_IOCTL_HW_REFINE32', 'SNDRV_PCM_IOCTL_HW_REFINE'],
      [PCM, 'SNDRV_PCM_IOCTL_HW_PARAMS32', 'SNDRV_PCM_IOCTL_HW_PARAMS'],
      [PCM, 'SNDRV_PCM_IOCTL_SW_PARAMS32', 'SNDRV_PCM_IOCTL_SW_PARAMS'],
      [PCM, 'SNDRV_PCM_IOCTL_DELAY32', 'SNDRV_PCM_IOCTL_DELAY'],
      [PCM, 'SNDRV_PCM_IOCTL_CHANNEL_INFO32', 'SNDRV_PCM_IOCTL_CHANNEL_INFO'],
      [PCM, 'SNDRV_PCM_IOCTL_REWIND32', 'SNDRV_PCM_IOCTL_REWIND'],
      [PCM, 'SNDRV_PCM_IOCTL_FORWARD32', 'SNDRV_PCM_IOCTL_FORWARD'],
      [PCM, 'SNDRV_PCM_IOCTL_WRITEI_FRAMES32', 'SNDRV_PCM_IOCTL_WRITEI_FRAMES'],
      [PCM, 'SNDRV_PCM_IOCTL_READI_FRAMES32', 'SNDRV_PCM_IOCTL_READI_FRAMES'],
      [PCM, 'SNDRV_PCM_IOCTL_WRITEN_FRAMES32', 'SNDRV_PCM_IOCTL_WRITEN_FRAMES'],
      [PCM, 'SNDRV_PCM_IOCTL_READN_FRAMES32', 'SNDRV_PCM_IOCTL_READN_FRAMES'],
      // SNDRV_PCM_IOCTL_SYNC_PTR is the time64 number in the kernel's view (asound.h:675, 493-496)
      ['sound/core/pcm_native.c', '__SNDRV_PCM_IOCTL_SYNC_PTR32', '__SNDRV_PCM_IOCTL_SYNC_PTR'],
      ['sound/core/rawmidi_compat.c', 'SNDRV_RAWMIDI_IOCTL_PARAMS32', 'SNDRV_RAWMIDI_IOCTL_PARAMS'],
      [TIMER, 'SNDRV_TIMER_IOCTL_GPARAMS32', 'SNDRV_TIMER_IOCTL_GPARAMS'],
      [TIMER, 'SNDRV_TIMER_IOCTL_INFO32', 'SNDRV_TIMER_IOCTL_INFO'],
    ] as const
  ).map(([file, kernel, uapi]): NumberRow => ({ file, kernel, unit: 'asound', uapi })),
  ...(
    [
      [CTL, 'SNDRV_CTL_IOCTL_ELEM_READ_X32', 'SNDRV_CTL_IOCTL_ELEM_READ'],
      [CTL, 'SNDRV_CTL_IOCTL_ELEM_WRITE_X32', 'SNDRV_CTL_IOCTL_ELEM_WRITE'],
      // the native struct: x32 lays snd_pcm_channel_info out as x86_64 does (pcm_compat.c:150-156)
      [PCM, 'SNDRV_PCM_IOCTL_CHANNEL_INFO_X32', 'SNDRV_PCM_IOCTL_CHANNEL_INFO'],
      [PCM, 'SNDRV_PCM_IOCTL_SYNC_PTR_X32', '__SNDRV_PCM_IOCTL_SYNC_PTR'],
    ] as const
  ).map(([file, kernel, uapi]): NumberRow => ({ file, kernel, unit: 'asound', uapi, abi: 'x32' })),
  { file: 'include/uapi/linux/fs.h', kernel: 'FS_IOC32_GETFLAGS', unit: 'fs', uapi: 'FS_IOC_GETFLAGS' },
  { file: 'include/uapi/linux/fs.h', kernel: 'FS_IOC32_SETFLAGS', unit: 'fs', uapi: 'FS_IOC_SETFLAGS' },
  { file: 'include/uapi/linux/fs.h', kernel: 'FS_IOC32_GETVERSION', unit: 'fs', uapi: 'FS_IOC_GETVERSION' },
  { file: 'include/uapi/linux/fs.h', kernel: 'FS_IOC32_SETVERSION', unit: 'fs', uapi: 'FS_IOC_SETVERSION' },
  { file: 'block/ioctl.c', kernel: 'BLKBSZGET_32', unit: 'fs', uapi: 'BLKBSZGET' },
  { file: 'block/ioctl.c', kernel: 'BLKBSZSET_32', unit: 'fs', uapi: 'BLKBSZSET' },
  { file: 'block/ioctl.c', kernel: 'BLKGETSIZE64_32', unit: 'fs', uapi: 'BLKGETSIZE64' },
  { file: 'include/linux/blktrace_api.h', kernel: 'BLKTRACESETUP32', unit: 'fs', uapi: 'BLKTRACESETUP' },
  {
    file: 'fs/btrfs/ioctl.c',
    kernel: 'BTRFS_IOC_SET_RECEIVED_SUBVOL_32',
    unit: 'btrfs',
    uapi: 'BTRFS_IOC_SET_RECEIVED_SUBVOL',
  },
  { file: 'fs/btrfs/ioctl.c', kernel: 'BTRFS_IOC_SEND_32', unit: 'btrfs', uapi: 'BTRFS_IOC_SEND' },
  { file: 'fs/btrfs/ioctl.c', kernel: 'BTRFS_IOC_ENCODED_READ_32', unit: 'btrfs', uapi: 'BTRFS_IOC_ENCODED_READ' },
  { file: 'fs/btrfs/ioctl.c', kernel: 'BTRFS_IOC_ENCODED_WRITE_32', unit: 'btrfs', uapi: 'BTRFS_IOC_ENCODED_WRITE' },
  { file: 'drivers/mtd/mtdchar.c', kernel: 'MEMWRITEOOB32', unit: 'mtd', uapi: 'MEMWRITEOOB' },
  { file: 'drivers/mtd/mtdchar.c', kernel: 'MEMREADOOB32', unit: 'mtd', uapi: 'MEMREADOOB' },
  { file: 'drivers/net/ppp/ppp_generic.c', kernel: 'PPPIOCSPASS32', unit: 'ppp', uapi: 'PPPIOCSPASS' },
  { file: 'drivers/net/ppp/ppp_generic.c', kernel: 'PPPIOCSACTIVE32', unit: 'ppp', uapi: 'PPPIOCSACTIVE' },
  { file: 'drivers/net/ppp/ppp_generic.c', kernel: 'PPPIOCSCOMPRESS32', unit: 'ppp', uapi: 'PPPIOCSCOMPRESS' },
  { file: 'include/uapi/linux/ppp-ioctl.h', kernel: 'PPPIOCGIDLE32', unit: 'ppp', uapi: 'PPPIOCGIDLE' },
  {
    file: 'drivers/media/mc/mc-device.c',
    kernel: 'MEDIA_IOC_ENUM_LINKS32',
    unit: 'media',
    uapi: 'MEDIA_IOC_ENUM_LINKS',
  },
  { file: 'drivers/media/usb/uvc/uvc_v4l2.c', kernel: 'UVCIOC_CTRL_MAP32', unit: 'uvc', uapi: 'UVCIOC_CTRL_MAP' },
  { file: 'drivers/media/usb/uvc/uvc_v4l2.c', kernel: 'UVCIOC_CTRL_QUERY32', unit: 'uvc', uapi: 'UVCIOC_CTRL_QUERY' },
  ...(
    [
      ['USBDEVFS_CONTROL32', 'USBDEVFS_CONTROL'],
      ['USBDEVFS_BULK32', 'USBDEVFS_BULK'],
      ['USBDEVFS_SUBMITURB32', 'USBDEVFS_SUBMITURB'],
      ['USBDEVFS_REAPURB32', 'USBDEVFS_REAPURB'],
      ['USBDEVFS_REAPURBNDELAY32', 'USBDEVFS_REAPURBNDELAY'],
      ['USBDEVFS_DISCSIGNAL32', 'USBDEVFS_DISCSIGNAL'],
      ['USBDEVFS_IOCTL32', 'USBDEVFS_IOCTL'],
    ] as const
  ).map(([kernel, uapi]): NumberRow => ({ file: 'include/uapi/linux/usbdevice_fs.h', kernel, unit: 'usbdevfs', uapi })),
  { file: 'drivers/nvme/host/ioctl.c', kernel: 'NVME_IOCTL_SUBMIT_IO32', unit: 'nvme', uapi: 'NVME_IOCTL_SUBMIT_IO' },
  { file: 'drivers/scsi/ch.c', kernel: 'CHIOGSTATUS32', unit: 'chio', uapi: 'CHIOGSTATUS' },
  {
    file: 'fs/f2fs/file.c',
    kernel: 'F2FS_IOC32_GARBAGE_COLLECT_RANGE',
    unit: 'f2fs',
    uapi: 'F2FS_IOC_GARBAGE_COLLECT_RANGE',
  },
  { file: 'fs/f2fs/file.c', kernel: 'F2FS_IOC32_MOVE_RANGE', unit: 'f2fs', uapi: 'F2FS_IOC_MOVE_RANGE' },
  { file: 'include/linux/mtio.h', kernel: 'MTIOCGET32', unit: 'mtio', uapi: 'MTIOCGET' },
  { file: 'include/linux/mtio.h', kernel: 'MTIOCPOS32', unit: 'mtio', uapi: 'MTIOCPOS' },
  { file: 'include/linux/fd.h', kernel: 'FDGETPRM32', unit: 'fd', uapi: 'FDGETPRM' },
  ...(
    [
      ['FDSETPRM32', 'FDSETPRM'],
      ['FDDEFPRM32', 'FDDEFPRM'],
      ['FDSETDRVPRM32', 'FDSETDRVPRM'],
      ['FDGETDRVPRM32', 'FDGETDRVPRM'],
      ['FDGETDRVSTAT32', 'FDGETDRVSTAT'],
      ['FDPOLLDRVSTAT32', 'FDPOLLDRVSTAT'],
      ['FDGETFDCSTAT32', 'FDGETFDCSTAT'],
      ['FDWERRORGET32', 'FDWERRORGET'],
    ] as const
  ).map(([kernel, uapi]): NumberRow => ({ file: FLOPPY, kernel, unit: 'fd', uapi })),
  { file: 'drivers/rtc/dev.c', kernel: 'RTC_IRQP_SET32', unit: 'rtc', uapi: 'RTC_IRQP_SET' },
  { file: 'drivers/rtc/dev.c', kernel: 'RTC_IRQP_READ32', unit: 'rtc', uapi: 'RTC_IRQP_READ' },
  { file: 'drivers/rtc/dev.c', kernel: 'RTC_EPOCH_SET32', unit: 'rtc', uapi: 'RTC_EPOCH_SET' },
  {
    file: 'include/uapi/linux/auto_fs.h',
    kernel: 'AUTOFS_IOC_SETTIMEOUT32',
    unit: 'autofs',
    uapi: 'AUTOFS_IOC_SETTIMEOUT',
  },
];

/**
 * A UAPI record the kernel's view of its header does not have: `#ifndef __KERNEL__` hides it, and the kernel
 * answers its ioctls with structs and numbers of its own. gen c reads the native side as the kernel compiles it,
 * so there is no native record to convert to: it must name each of those ioctls as left out, for every compat
 * ABI, for want of the type. The line numbers are linux-source's, and checked.
 */
interface KernelOnlyRow {
  /** The file of the kernel tree that defines the record. */
  header: string;
  uapi: string;
  /** Where the header defines it, and the line of the `#ifndef __KERNEL__` around it. */
  line: number;
  guard: number;
  /** The units whose generated file must name the ioctls as left out. */
  units: UnitId[];
  ioctls: string[];
  /** The kernel's own structs and numbers in their place (checked to exist), as [file, name]. */
  kernel: Array<[string, string]>;
  /**
   * Kernel numbers whose macro is not the UAPI number's (`macros.kernel` where the header has `macros.uapi`):
   * asserted, with why.
   */
  kernelWrong?: {
    numbers: Array<[string, string]>;
    uapi: string;
    macros: { uapi: string; kernel: string };
    why: string;
  };
}

const ASOUND_H = 'include/uapi/sound/asound.h';
const PCM_H = 'include/sound/pcm.h';
const RAWMIDI = 'sound/core/rawmidi.c';
const RAWMIDI_COMPAT = 'sound/core/rawmidi_compat.c';
const TIMER_C = 'sound/core/timer.c';
const PPDEV = 'drivers/char/ppdev.c';

const KERNEL_ONLY: KernelOnlyRow[] = [
  {
    header: ASOUND_H,
    uapi: 'struct snd_pcm_status',
    line: 468,
    guard: 464,
    units: ['asound', 'asound_time64'],
    ioctls: ['SNDRV_PCM_IOCTL_STATUS', 'SNDRV_PCM_IOCTL_STATUS_EXT'],
    kernel: [
      [PCM_H, 'struct snd_pcm_status64'],
      [PCM_H, 'struct snd_pcm_status32'],
      [PCM_H, 'SNDRV_PCM_IOCTL_STATUS32'],
      [PCM_H, 'SNDRV_PCM_IOCTL_STATUS_EXT32'],
      [PCM, 'struct compat_snd_pcm_status64'],
      [PCM, 'SNDRV_PCM_IOCTL_STATUS_COMPAT32'],
      [PCM, 'SNDRV_PCM_IOCTL_STATUS_EXT_COMPAT32'],
      [PCM, 'SNDRV_PCM_IOCTL_STATUS_COMPAT64'],
      [PCM, 'SNDRV_PCM_IOCTL_STATUS_EXT_COMPAT64'],
    ],
  },
  {
    header: ASOUND_H,
    uapi: 'struct snd_rawmidi_status',
    line: 766,
    guard: 765,
    units: ['asound', 'asound_time64'],
    ioctls: ['SNDRV_RAWMIDI_IOCTL_STATUS'],
    kernel: [
      [RAWMIDI, 'struct snd_rawmidi_status64'],
      [RAWMIDI, 'struct snd_rawmidi_status32'],
      [RAWMIDI, 'SNDRV_RAWMIDI_IOCTL_STATUS32'],
      [RAWMIDI, 'SNDRV_RAWMIDI_IOCTL_STATUS64'],
      [RAWMIDI_COMPAT, 'struct compat_snd_rawmidi_status64'],
      [RAWMIDI_COMPAT, 'SNDRV_RAWMIDI_IOCTL_STATUS_COMPAT32'],
      [RAWMIDI_COMPAT, 'SNDRV_RAWMIDI_IOCTL_STATUS_COMPAT64'],
    ],
  },
  {
    header: ASOUND_H,
    uapi: 'struct snd_timer_status',
    line: 883,
    guard: 882,
    units: ['asound', 'asound_time64'],
    ioctls: ['SNDRV_TIMER_IOCTL_STATUS'],
    kernel: [
      [TIMER_C, 'struct snd_timer_status64'],
      [TIMER_C, 'struct snd_timer_status32'],
      [TIMER_C, 'SNDRV_TIMER_IOCTL_STATUS32'],
      [TIMER_C, 'SNDRV_TIMER_IOCTL_STATUS64'],
    ],
    kernelWrong: {
      numbers: [
        [TIMER, 'SNDRV_TIMER_IOCTL_STATUS_COMPAT32'],
        [TIMER, 'SNDRV_TIMER_IOCTL_STATUS_COMPAT64'],
      ],
      uapi: 'SNDRV_TIMER_IOCTL_STATUS',
      macros: { uapi: '_IOR', kernel: '_IOW' },
      why:
        'the compat handler switches on `_IOW(...)` where the UAPI (asound.h:902) and timer.c (for native tasks) ' +
        "have `_IOR`: an i386 or x32 task's SNDRV_TIMER_IOCTL_STATUS matches no case and gets ENOTTY",
    },
  },
  {
    header: 'include/uapi/linux/time.h',
    uapi: 'struct timeval',
    line: 17,
    guard: 8,
    units: ['ppdev'],
    // linux/ppdev.h:81-82
    ioctls: ['PPGETTIME', 'PPSETTIME'],
    kernel: [
      [PPDEV, 'PPGETTIME32'],
      [PPDEV, 'PPSETTIME32'],
      [PPDEV, 'PPGETTIME64'],
      [PPDEV, 'PPSETTIME64'],
    ],
  },
];

const COMPAT_ABIS = ['i386', 'x32'] as const satisfies readonly CompatAbi[];
const pair = { native: getAbi('x86_64'), compat: COMPAT_ABIS.map((a) => getAbi(a)) };

type Row = StructRow | NumberRow;
const isStruct = (r: Row): r is StructRow => STRUCTS.includes(r as StructRow);
const abiOf = (r: Row): CompatAbi => r.abi ?? 'i386';
const label = (r: Row) => (isStruct(r) ? `S${STRUCTS.indexOf(r) + 1}` : `N${NUMBERS.indexOf(r as NumberRow) + 1}`);
const describeRow = (r: Row) =>
  `[${label(r)}] ${r.kernel} (${r.file}) ~ ${r.uapi} (${UNITS[r.unit].headers.join(', ')})` +
  (r.abi ? ` for ${r.abi} tasks` : '');
const base = (name: string) => name.replace(/^(struct|union) /, '');
const fileName = ([file, name]: [string, string]) => `${name} (${file})`;
const numberIn = (r: Row) => `${r.kernel}${r.abi ? ` for ${r.abi}` : ''} (${r.file})`;
const fromHeader = (file: string) => file.startsWith('include/');

/** A C file built up line by line, knowing which lines came from where. */
class Lines {
  readonly text: string[] = [];
  get next(): number {
    return this.text.length + 1;
  }
  add(s: string): void {
    this.text.push(...s.split('\n'));
  }
}

/** A row as its unit's file asserts it. */
interface Placed {
  row: Row;
  /** Its lines, and those of the kernel definitions (from .c files) it uses: an error there is the row's. */
  spans: Array<[number, number]>;
  /** Members asserted by offset. */
  members: number;
  /** Kernel members that are bitfields: offsetof() takes none; the size and the members around them hold them. */
  bitfields: string[];
  /** How C names the twin, and its definition in the generated source. */
  twin?: { name: string; def: CRecordDef };
  kernelDef?: CRecordDef;
  /** What a file that reads both layouts back includes and defines (struct rows). */
  probe?: { includes: string[]; defs: string[] };
  /** Why it has no asserts: the generator made no twin, or left the ioctl out (its own words). */
  missing?: string;
  /**
   * Left out for a conversion by hand, as the kernel's own compat code does it: its handler uses a union otherwise
   * on one way than the converters of its record (an ioctl of BUILTIN_IOCTL_MEMBERS with a null member).
   */
  byHand?: string;
}

/** The ioctls whose handler reads a union as one member and writes it back by its selector (cited built-ins). */
const BY_SELECTOR_ONE_WAY = new Set(
  BUILTIN_IOCTL_MEMBERS.filter((b) =>
    [...Object.values(b.members), ...Object.values(b.membersBack ?? {})].includes(null),
  ).flatMap((b) => b.ioctls),
);

/** The C text a preprocessor conditional puts around a line. */
const guarded = (m: CMember, line: string) => [...m.guards.flat(), line, ...m.guards.map(() => '#endif')].join('\n');

/** A compiler error: the unit file it came from, its line there when it is in it, the row a static_assert names. */
interface CompilerError {
  file: string | null;
  line: number | null;
  label: string | null;
  text: string;
}

/**
 * The build's errors. One in a kernel header belongs to the unit file whose include chain or macro expansion
 * the compiler named last; a failing static_assert is reported in build_bug.h, its row's label in the message.
 */
function compilerErrors(output: string): CompilerError[] {
  const errors: CompilerError[] = [];
  let current: string | null = null;
  for (const line of output.split('\n')) {
    const err = /^(\S+?):(\d+):\d+: error: (.*)$/.exec(line);
    if (err) {
      const inUnit = /\/([gp]_\w+\.c)$/.exec(err[1]!)?.[1] ?? null;
      errors.push({
        file: inUnit ?? current,
        line: inUnit ? Number(err[2]) : null,
        label: /"\[([SN]\d+)\] /.exec(err[3]!)?.[1] ?? null,
        text: `${inUnit ? `${inUnit}:${err[2]}` : err[1]!.replace(/^.*?\/include\//, 'include/')}: ${err[3]}`,
      });
    }
    const at = /\/([gp]_\w+\.c):\d+/.exec(line);
    if (at) current = at[1]!;
  }
  return errors;
}

/** Both sides' layouts, read back from an object file the compiler made: what a failing row reports. */
function layoutProbe(kdir: string, probes: Placed[]): Map<Placed, string> {
  const files: Record<string, string> = {};
  const symbols = new Map<Placed, { kernel: Array<[string, string]>; twin: Array<[string, string]> }>();
  probes.forEach((p, i) => {
    const out = [...p.probe!.includes, ...p.probe!.defs];
    const sides = { kernel: [] as Array<[string, string]>, twin: [] as Array<[string, string]> };
    const one = (side: 'kernel' | 'twin', what: string, expr: string, m?: CMember) => {
      const sym = `k32_probe_${i}_${side}_${sides[side].length}`;
      sides[side].push([what, sym]);
      const line = `const unsigned long ${sym} = ${expr};`;
      out.push(m ? guarded(m, line) : line);
    };
    one('kernel', 'size', `sizeof(${p.row.kernel})`);
    for (const m of recordMembers(p.kernelDef!.body))
      if (!m.bitfield) one('kernel', m.name, `offsetof(${p.row.kernel}, ${m.name})`, m);
    if (p.twin?.def) {
      one('twin', 'size', `sizeof(${p.twin.name})`);
      for (const m of recordMembers(p.twin.def.body))
        if (!m.bitfield) one('twin', m.name, `offsetof(${p.twin.name}, ${m.name})`, m);
    }
    files[`p_${i}.c`] = `${out.join('\n')}\n`;
    symbols.set(p, sides);
  });
  const dir = mkdtempSync(join(tmpdir(), 'ioctl32-kcompat-probe-'));
  const build = buildModule(kdir, dir, files, { strict: false });
  const errors = compilerErrors(build.output);
  const layouts = new Map<Placed, string>();
  probes.forEach((p, i) => {
    const file = `p_${i}.c`;
    if (!build.built.has(file)) {
      layouts.set(p, `layouts not read: ${errors.find((e) => e.file === file)?.text ?? 'see the build output'}`);
      return;
    }
    const elf = readElf(readFileSync(join(dir, `p_${i}.o`)));
    const read = (sym: string) => {
      const b = elf.symbols.get(sym);
      return b ? Number(Buffer.from(b).readBigUInt64LE()) : undefined;
    };
    const show = (name: string, side: Array<[string, string]>) =>
      `${name} { ${side.map(([what, sym]) => `${what}${what === 'size' ? ' ' : '@'}${read(sym) ?? '-'}`).join(', ')} }`;
    const { kernel, twin } = symbols.get(p)!;
    layouts.set(
      p,
      `kernel ${show(p.row.kernel, kernel)}; ` +
        `generated ${p.twin?.def ? show(p.twin.name, twin) : `${p.twin?.name}: none`}`,
    );
  });
  return layouts;
}

/** The kernel's C text: each file of the rows, and what it defines. */
interface KernelText {
  texts: Map<string, string>;
  defs: (file: string) => Map<string, CRecordDef>;
}

/** Whether the kernel file defines the struct (`struct x`, a typedef name) or the number. */
const defines = (kernel: KernelText, file: string, name: string) =>
  /^(struct|union) /.test(name) || kernel.defs(file).has(name)
    ? kernel.defs(file).has(name)
    : numberExpression(kernel.texts.get(file)!, name) !== null;

/** What the generator reads for a unit (both sides; the native one as the kernel compiles it). */
function scanOf(u: Unit, drmDir: string): Omit<ScanOptions, 'abi'> {
  // the kernel tree's UAPI headers still carry __user (headers_install strips it)
  const defines = [...(u.defines ?? []), ...(u.drm ? [['__user', ''] as [string, string]] : [])];
  return { headers: u.headers, ...(defines.length && { defines }), ...(u.drm && { includeDirs: [drmDir] }) };
}

/** The generator's output for each unit; a unit it throws on is named with the message. */
function generateUnits(
  units: Iterable<UnitId>,
  drmDir: string,
): { gens: Map<UnitId, GeneratedC>; thrown: Map<UnitId, string> } {
  const gens = new Map<UnitId, GeneratedC>();
  const thrown = new Map<UnitId, string>();
  for (const unit of new Set(units)) {
    const u: Unit = UNITS[unit];
    try {
      gens.set(
        unit,
        generateCompatC({
          pair,
          scan: scanOf(u, drmDir),
          ...(u.choose && { choose: u.choose }),
          ...(u.annotations && { annotations: parseAnnotations(JSON.stringify(u.annotations), `UNITS.${unit}`) }),
          prefix: `g_${unit}`,
          twinPrefix: `g32_${unit}_`,
        }),
      );
    } catch (e) {
      thrown.set(unit, `gen c ${u.headers.join(' ')}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  return { gens, thrown };
}

/**
 * Why the generator made no twin of a row's record: what it says of the ioctls whose argument is the record or
 * holds it, as the kernel's view of the header (the native side the generator reads) declares them.
 */
function missingTwin(r: StructRow, g: GeneratedC, native: DumpResult): string {
  const abi = abiOf(r);
  const named = new RegExp(`(^|\\W)${r.uapi}(\\W|$)`);
  const users = Object.entries(native.ioctls)
    .filter(
      ([, i]) =>
        i.arg !== undefined && (i.arg === r.uapi || native.records[i.arg]?.fields.some((f) => named.test(f.type))),
    )
    .map(([name]) => name);
  const said = users.map((name) => {
    const i = g.ioctls.find((x) => x.name === name && x.abi === abi);
    return i ? `${name} (${i.handling}${i.why ? `: ${i.why}` : ''})` : `${name} (not named)`;
  });
  return (
    `gen c made no ${abi} twin of ${r.uapi}; ` +
    (said.length
      ? `of the ioctls using it, it says: ${said.join('; ')}`
      : "no ioctl of the kernel's view of the header uses it")
  );
}

/**
 * One unit's file of the module: the generated source, then the kernel's definitions its rows use (a .c
 * file's copied, the ones they use first; a header's included), then each row's static_asserts. A row whose
 * twin or number the generator does not make gets none, and says why.
 */
function unitFile(
  unit: UnitId,
  g: GeneratedC,
  rows: Row[],
  kernel: KernelText,
  native: () => DumpResult,
): { text: string; placed: Placed[] } {
  const out = new Lines();
  out.add(g.source);
  out.add("\n/* ---- the kernel's own compat structs and numbers ---- */");
  const headerIncludes = [...new Set(rows.map((r) => r.file).filter(fromHeader))].map(
    (f) => `#include <${f.replace(/^include\/(uapi\/)?/, '')}>`,
  );
  out.add(headerIncludes.join('\n'));
  const needs = new Map<Row, CRecordDef[]>();
  const defLines = new Map<CRecordDef, [number, number]>();
  const expression = new Map<Row, string>();
  for (const file of new Set(rows.map((r) => r.file))) {
    const d = kernel.defs(file);
    const roots = new Map<Row, CRecordDef[]>();
    for (const r of rows.filter((x) => x.file === file)) {
      if (isStruct(r)) {
        if (!d.get(r.kernel)) throw new Error(`${file} defines no ${r.kernel}`);
        roots.set(r, [d.get(r.kernel)!]);
        continue;
      }
      const expr = numberExpression(kernel.texts.get(file)!, r.kernel);
      if (expr === null) throw new Error(`${file} defines no ${r.kernel}`);
      // a header's number is used by its name, the module including the header
      expression.set(r, fromHeader(file) ? r.kernel : expr);
      roots.set(
        r,
        [...new Set(d.values())].filter((def) => uses(expr, def)),
      );
    }
    if (fromHeader(file)) continue;
    out.add(`\n/* ${file} */`);
    for (const def of inDependencyOrder(d, [...roots.values()].flat())) {
      const first = out.next;
      out.add(def.text);
      defLines.set(def, [first, out.next - 1]);
    }
    for (const [r, rs] of roots) needs.set(r, inDependencyOrder(d, rs));
  }
  const twinDefs = recordDefinitions(g.source);
  const includes = [...g.source.split('\n').filter((l) => l.startsWith('#include ')), ...headerIncludes];
  const placed: Placed[] = [];
  for (const r of rows) {
    const first = out.next;
    const abi = abiOf(r);
    const p: Placed = { row: r, spans: [], members: 0, bitfields: [] };
    out.add(`\n/* ${describeRow(r)} */`);
    if (isStruct(r)) {
      p.kernelDef = kernel.defs(r.file).get(r.kernel)!;
      const twinName = g.records.find(
        (x) => x.abi === abi && base(x.name) === `g32_${unit}_${TWIN_TAG[abi]}${base(r.uapi)}`,
      )?.name;
      const twin = twinName === undefined ? undefined : twinDefs.get(twinName);
      if (twinName === undefined) p.missing = missingTwin(r, g, native());
      else if (!twin) p.missing = `gen c lists ${twinName} among its records, and its source defines none`;
      else {
        p.twin = { name: twinName, def: twin };
        out.add(structAsserts(r, p, recordMembers(twin.body)));
        p.probe = {
          includes,
          defs: [...inDependencyOrder(twinDefs, [twin]).map((d) => d.text), ...(needs.get(r) ?? []).map((d) => d.text)],
        };
      }
    } else {
      const said = g.ioctls.find((i) => i.name === r.uapi && i.abi === abi);
      const own = `${r.uapi}${NUMBER_SUFFIX[abi]}`;
      if (!said) p.missing = `gen c names no ${r.uapi} for ${abi} tasks`;
      else if (
        said.handling === 'skipped' &&
        BY_SELECTOR_ONE_WAY.has(r.uapi) &&
        /convert it by hand$/.test(said.why ?? '')
      )
        p.byHand = said.why!;
      else if (said.handling === 'skipped')
        p.missing = `gen c leaves ${r.uapi} out for ${abi} tasks (${said.verdict}): ${said.why ?? 'no reason given'}`;
      // NAME_32 where the generator renumbers or resizes the ioctl, else the native NAME
      else
        out.add(
          numberAsserts(r, expression.get(r)!, new RegExp(`^#define ${own}\\s`, 'm').test(g.source) ? own : null),
        );
    }
    p.spans = [[first, out.next - 1], ...(needs.get(r) ?? []).map((d) => defLines.get(d)!)];
    placed.push(p);
  }
  return { text: `${out.text.join('\n')}\n`, placed };
}

/**
 * static_asserts of one size and, for every member of the kernel's struct, one offset (or, kernelWrong, two;
 * or, padding, the end of the twin member it follows).
 */
function structAsserts(r: StructRow, p: Placed, twinMembers: CMember[]): string {
  const twin = p.twin!.name;
  const assert = (cond: string, what: string) => `static_assert(${cond}, "[${label(r)}] ${what}");`;
  const end = (member: string) => `offsetof(${twin}, ${member}) + sizeof(((${twin} *)0)->${member})`;
  const lines = [assert(`sizeof(${r.kernel}) == sizeof(${twin})`, `sizeof(${r.kernel})`)];
  for (const m of recordMembers(p.kernelDef!.body)) {
    if (m.bitfield) {
      p.bitfields.push(m.name);
      continue;
    }
    p.members++;
    const follows = r.padding?.[m.name];
    if (follows !== undefined) {
      const what = `${m.name} == the end of ${follows}`;
      lines.push(guarded(m, assert(`offsetof(${r.kernel}, ${m.name}) == ${end(follows)}`, what)));
      continue;
    }
    const t = r.rename?.[m.name] ?? m.name;
    const at = twinMembers.findIndex((x) => x.name === t);
    const prev = at > 0 ? twinMembers[at - 1]! : undefined;
    // a bitfield of the twin has no offset in C: its storage unit starts where the member before it ends
    const twinOffset = twinMembers[at]?.bitfield ? (prev ? end(prev.name) : '0') : `offsetof(${twin}, ${t})`;
    const op = r.kernelWrong?.members.includes(m.name) ? '!=' : '==';
    lines.push(guarded(m, assert(`offsetof(${r.kernel}, ${m.name}) ${op} ${twinOffset}`, `${m.name} ${op} ${t}`)));
  }
  return lines.join('\n');
}

/**
 * The generator's compat number (`own`: NAME_32 or NAME_X32; null where it defines none, the numbers being
 * equal, and NAME is meant) against the kernel's, renamed k32_.
 */
function numberAsserts(r: NumberRow, expression: string, own: string | null): string {
  const op = r.kernelWrong ? '!=' : '==';
  // under another name: block/ioctl.c's BLKBSZGET_32 is also the name of the generator's number
  const k = `k32_${r.kernel}`;
  const what = own ?? `${r.uapi} (no ${r.uapi}${NUMBER_SUFFIX[abiOf(r)]})`;
  return [
    `#define ${k} (${expression})`,
    `static_assert(${own ?? r.uapi} ${op} ${k}, "[${label(r)}] ${what} ${op} ${r.kernel}");`,
  ].join('\n');
}

/**
 * Why each row that does not pass fails. A static_assert that fails leaves the others as they were: a row
 * fails by its own errors alone (or for want of a twin or number), and is left unjudged only when its file has
 * an error of the generated code.
 */
function judge(placed: Placed[], output: string): Map<Placed, string> {
  const errors = compilerErrors(output);
  const owns = (p: Placed, e: CompilerError) =>
    e.label === label(p.row) ||
    (e.file === `g_${p.row.unit}.c` && e.line !== null && p.spans.some(([a, b]) => e.line! >= a && e.line! <= b));
  const failed = new Map<Placed, string>();
  for (const p of placed) {
    const own = [...(p.missing ? [p.missing] : []), ...errors.filter((e) => owns(p, e)).map((e) => e.text)];
    const generated = errors.find((e) => e.file === `g_${p.row.unit}.c` && !placed.some((q) => owns(q, e)));
    if (own.length > 0) failed.set(p, own.join(' | '));
    else if (generated) failed.set(p, `not judged (its asserts raised no error): ${generated.text}`);
  }
  return failed;
}

/** What KERNEL_ONLY asserts of one row: the header hides the record from the kernel, gen c leaves its ioctls out. */
function kernelOnlyFailures(k: KernelOnlyRow, gens: Map<UnitId, GeneratedC>, kernel: KernelText): string[] {
  const out: string[] = [];
  const header = kernel.texts.get(k.header)!;
  const def = recordDefinitions(header).get(k.uapi);
  if (def?.line !== k.line) out.push(`${k.header} defines ${k.uapi} at line ${def?.line ?? '(none)'}, not ${k.line}`);
  const around = def ? conditionalsAt(header, def.line).at(-1) : undefined;
  if (around?.length !== 1 || around[0]!.line !== k.guard || around[0]!.text !== '#ifndef __KERNEL__')
    out.push(
      `${k.header}:${k.line} ${k.uapi} is not in \`#ifndef __KERNEL__\` at line ${k.guard}: ${JSON.stringify(around)}`,
    );
  for (const unit of k.units) {
    const g = gens.get(unit);
    if (!g) continue; // the unit's failure is named with the rows
    for (const name of k.ioctls)
      for (const abi of COMPAT_ABIS) {
        const i = g.ioctls.find((x) => x.name === name && x.abi === abi);
        if (i?.handling !== 'skipped' || !i.why?.includes(`incomplete type '${k.uapi}'`))
          out.push(
            `${unit}: gen c does not leave ${name} out for ${abi} tasks for want of ${k.uapi}: ` +
              (i ? `${i.handling}${i.why ? `: ${i.why}` : ''}` : 'it names no such ioctl'),
          );
      }
  }
  for (const [file, name] of k.kernel) if (!defines(kernel, file, name)) out.push(`${file} defines no ${name}`);
  const w = k.kernelWrong;
  if (w) {
    const macro = (expr: string | null) => (expr === null ? null : (/^(\w+)\s*\(/.exec(expr)?.[1] ?? expr));
    const uapi = macro(numberExpression(header, w.uapi));
    if (uapi !== w.macros.uapi) out.push(`${k.header}'s ${w.uapi} is ${uapi}, not ${w.macros.uapi}`);
    for (const [file, name] of w.numbers) {
      const got = macro(numberExpression(kernel.texts.get(file)!, name));
      if (got !== w.macros.kernel) out.push(`${file}'s ${name} is ${got}, not ${w.macros.kernel}`);
    }
  }
  return out;
}

/** Everything the tests judge: the generated units, the module built of them, and each row's verdict. */
interface Judged {
  tarball: string;
  kdir: string;
  placed: Placed[];
  failed: Map<Placed, string>;
  layouts: Map<Placed, string>;
  /** Rows that fail, with why (a unit the generator threw on fails all its rows). */
  failures: string[];
  gens: Map<UnitId, GeneratedC>;
  thrown: Map<UnitId, string>;
  kernel: KernelText;
}

let judged: Judged | undefined;

function judgeAll(): Judged {
  if (judged) return judged;
  const tarball = linuxSourceTarball();
  if (!tarball)
    throw new Error('no /usr/src/linux-source-*.tar.xz: install linux-source-6.1 (scripts/install-toolchains.sh)');
  const kdir = kernelBuildDir();
  if (!kdir)
    throw new Error('no /usr/src/linux-headers-*-amd64: install linux-headers-amd64 (scripts/install-toolchains.sh)');
  const rows: Row[] = [...STRUCTS, ...NUMBERS];
  const { root, files: texts } = linuxSourceFiles(tarball, [
    ...new Set([
      ...rows.map((r) => r.file),
      ...KERNEL_ONLY.flatMap((k) => [
        k.header,
        ...k.kernel.map(([f]) => f),
        ...(k.kernelWrong?.numbers ?? []).map(([f]) => f),
      ]),
    ]),
    'include/uapi/drm/drm.h',
    'include/uapi/drm/drm_mode.h',
  ]);
  // an include directory that holds drm/ alone: the rest of include/uapi must not shadow the host's UAPI set
  const drmDir = join(root, 'uapi-drm');
  mkdirSync(drmDir, { recursive: true });
  try {
    symlinkSync(join(root, 'include/uapi/drm'), join(drmDir, 'drm'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const defsOf = new Map<string, Map<string, CRecordDef>>();
  const kernel: KernelText = {
    texts,
    defs: (file) => defsOf.get(file) ?? defsOf.set(file, recordDefinitions(texts.get(file)!)).get(file)!,
  };

  const { gens, thrown } = generateUnits([...rows.map((r) => r.unit), ...KERNEL_ONLY.flatMap((k) => k.units)], drmDir);
  const failures = rows.filter((r) => thrown.has(r.unit)).map((r) => `${describeRow(r)}: ${thrown.get(r.unit)}`);
  const placed: Placed[] = [];
  const sources: Record<string, string> = {};
  for (const [unit, g] of gens) {
    const mine = rows.filter((r) => r.unit === unit);
    if (!mine.length) continue;
    let native: DumpResult | undefined;
    const nativeOf = () => (native ??= dump({ ...scanOf(UNITS[unit], drmDir), abi: pair.native, view: 'kernel' }));
    const file = unitFile(unit, g, mine, kernel, nativeOf);
    sources[`g_${unit}.c`] = file.text;
    placed.push(...file.placed);
  }
  const stubs = Object.keys(sources).map(
    (f) => `long ${f.slice(0, -2)}_ioctl_kernel(struct file *file, unsigned int cmd, void *karg) { return -ENOTTY; }`,
  );
  sources['stub.c'] = `#include <linux/module.h>\n#include <linux/fs.h>\n${stubs.join('\n')}\nMODULE_LICENSE("GPL");\n`;
  const build = buildModule(kdir, mkdtempSync(join(tmpdir(), 'ioctl32-kcompat-')), sources, { strict: false });
  const failed = judge(placed, build.output);

  // both layouts where a struct row fails on its asserts, or where the kernel is wrong
  const probed = placed.filter(
    (p) => p.probe && ((failed.has(p) && !failed.get(p)!.startsWith('not judged')) || p.row.kernelWrong),
  );
  const layouts = probed.length ? layoutProbe(kdir, probed) : new Map<Placed, string>();
  for (const [p, why] of failed)
    failures.push(`${describeRow(p.row)}: ${why}${layouts.has(p) ? `\n      ${layouts.get(p)}` : ''}`);
  judged = { tarball, kdir, placed, failed, layouts, failures, gens, thrown, kernel };
  return judged;
}

describe("gen c's compat structs and numbers against the kernel's own (linux-source, x86_64 <- i386, x32)", () => {
  test('every row builds in one module with its static_asserts holding', () => {
    const { tarball, kdir, placed, failed, layouts, failures } = judgeAll();
    // left out for a conversion by hand (the kernel's own is one): not compared, and only those
    const byHand = placed.filter((p) => p.byHand);
    expect([...new Set(byHand.map((p) => p.row.uapi))]).toEqual(
      [...new Set(placed.map((p) => p.row.uapi))].filter((u) => BY_SELECTOR_ONE_WAY.has(u)),
    );
    const passed = placed.filter((p) => !failed.has(p) && !p.byHand);
    const compared = passed.filter((p) => !p.row.kernelWrong);
    const wrong = passed.filter((p) => p.row.kernelWrong);
    const whyWrong = (r: Row) => (isStruct(r) ? r.kernelWrong!.why : r.kernelWrong!);
    const figures = COMPAT_ABIS.map((abi) => {
      const structs = compared.filter((p) => isStruct(p.row) && abiOf(p.row) === abi);
      const numbers = compared.filter((p) => !isStruct(p.row) && abiOf(p.row) === abi);
      return (
        `${abi}: ${structs.length} structs compared (${structs.reduce((k, p) => k + p.members, 0)} member offsets; ` +
        `${structs.reduce((k, p) => k + p.bitfields.length, 0)} kernel bitfields held by the members around them), ` +
        `${numbers.length} numbers`
      );
    });
    const structs = compared.filter((p) => isStruct(p.row));
    const numbers = compared.filter((p) => !isStruct(p.row));
    console.log(
      `kernel compat structs (${tarball}, built against ${kdir}): ${figures.join('; ')}; ` +
        `${wrong.length} places the kernel is wrong pinned; ` +
        `${byHand.length} left out for a conversion by hand (${[...new Set(byHand.map((p) => p.row.uapi))].join(', ')}); ` +
        `${failures.length} of ${STRUCTS.length + NUMBERS.length} rows fail ` +
        `(${[...failed.values()].filter((w) => w.startsWith('not judged')).length} not judged: ` +
        'the generated code of their file does not build)\n' +
        structs.map((p) => `  ${describeRow(p.row)}: size and ${p.members} members`).join('\n') +
        `\n  numbers: ${numbers.map((p) => numberIn(p.row)).join(', ')}\n` +
        wrong
          .map((p) => `  kernel wrong ${describeRow(p.row)}: ${whyWrong(p.row)}\n      ${layouts.get(p) ?? ''}`)
          .join('\n') +
        (failures.length ? `\nfailing:\n  ${failures.join('\n  ')}` : ''),
    );
    expect(failures).toEqual([]);
    expect(compared.filter((p) => isStruct(p.row) && abiOf(p.row) === 'i386').length).toBeGreaterThanOrEqual(20);
    expect(compared.filter((p) => isStruct(p.row) && abiOf(p.row) === 'x32').length).toBeGreaterThanOrEqual(4);
  }, 600_000);

  test("records the kernel's view of the header lacks: gen c leaves their ioctls out, and says why", () => {
    const { gens, thrown, kernel } = judgeAll();
    const failures = KERNEL_ONLY.flatMap((k) => [
      ...k.units.filter((u) => thrown.has(u)).map((u) => `${thrown.get(u)}`),
      ...kernelOnlyFailures(k, gens, kernel).map((f) => `${k.uapi}: ${f}`),
    ]);
    console.log(
      "not comparable (no native struct in the kernel's view; gen c leaves their ioctls out for " +
        `${COMPAT_ABIS.join(' and ')} tasks):\n` +
        KERNEL_ONLY.map(
          (k) =>
            `  ${k.uapi} (${k.header}:${k.line}, #ifndef __KERNEL__ at ${k.guard}): ${k.ioctls.join(', ')}; ` +
            `the kernel's own: ${k.kernel.map(fileName).join(', ')}` +
            (k.kernelWrong
              ? `\n  kernel wrong: ${k.kernelWrong.numbers.map(fileName).join(', ')}: ${k.kernelWrong.why}`
              : ''),
        ).join('\n'),
    );
    expect(failures).toEqual([]);
  }, 600_000);
});
