/**
 * Built-in annotations for the UAPI headers themselves: what only the kernel's handlers reveal
 * (a __u64 that carries a user pointer, a signal mask, an argument the kernel copies the other way
 * than its macro says). Applied by default under a user's `--annotations` file, which adds to them,
 * overrides them (the same record member or ioctl) or turns them off (`{ "kind": "none" }` on a
 * member, `"builtins": false` for all).
 *
 * Each entry cites the kernel source that shows it, Linux 6.1: the file, the function, and text of
 * that function (`shows`) naming the member and the conversion it goes through — a test extracts
 * each function from Debian's linux-source-6.1 and finds the text there.
 */
import { stripTypedefs, type RecordDecl } from '../cfront/types.js';
import { flattenFields } from '../layout/fields.js';
import type { Layouter } from '../layout/layout.js';
import { mergeAnnotations, type Annotations, type HandlerMembers, type MemberAnnotation } from './annotations.js';

export interface KernelSource {
  /** Path inside the kernel tree. */
  file: string;
  function: string;
  /** Text of the function (whitespace aside) that shows the fact: the member and its conversion. */
  shows: readonly string[];
}

export interface BuiltinMember {
  record: string;
  /** The member's path as annotations name it (`payload.data`). */
  member: string;
  kind: Extract<MemberAnnotation['kind'], 'user-pointer' | 'sigset'>;
  /** A flexible sigset's length member (MemberAnnotation's `count`). */
  count?: string;
  source: readonly KernelSource[];
}

const NVME = 'drivers/nvme/host/ioctl.c';
/** nvme_to_user_ptr(): `if (in_compat_syscall()) ptrval = (compat_uptr_t)ptrval;` */
const NVME_TRUNCATES: KernelSource = {
  file: NVME,
  function: 'nvme_to_user_ptr',
  shows: ['in_compat_syscall()', '(compat_uptr_t)ptrval'],
};
/** The data buffer (`addr`) reaches nvme_to_user_ptr() here. */
const NVME_MAPS: KernelSource = { file: NVME, function: 'nvme_map_user_request', shows: ['nvme_to_user_ptr(ubuffer)'] };

const FIREWIRE = 'drivers/firewire/core-cdev.c';
/** u64_to_uptr(): compat_ptr() for a compat task. */
const FIREWIRE_COMPAT_PTR: KernelSource = {
  file: FIREWIRE,
  function: 'u64_to_uptr',
  shows: ['in_compat_syscall()', 'compat_ptr(value)'],
};

const ALSA_CONTROL = 'sound/core/control_compat.c';

const up = (record: string, member: string, ...source: KernelSource[]): BuiltinMember => ({
  record,
  member,
  kind: 'user-pointer',
  source,
});

/** Members of UAPI records that carry a user pointer (or a signal mask), one line each. */
export const BUILTIN_MEMBERS: readonly BuiltinMember[] = [
  // NVMe passthru: addr and metadata are user pointers, truncated to 32 bits for compat tasks
  up('struct nvme_passthru_cmd', 'addr', { file: NVME, function: 'nvme_user_cmd', shows: ['cmd.addr'] }, NVME_MAPS),
  up(
    'struct nvme_passthru_cmd',
    'metadata',
    { file: NVME, function: 'nvme_user_cmd', shows: ['nvme_to_user_ptr(cmd.metadata)'] },
    NVME_TRUNCATES,
  ),
  up('struct nvme_passthru_cmd64', 'addr', { file: NVME, function: 'nvme_user_cmd64', shows: ['cmd.addr'] }, NVME_MAPS),
  up(
    'struct nvme_passthru_cmd64',
    'metadata',
    { file: NVME, function: 'nvme_user_cmd64', shows: ['nvme_to_user_ptr(cmd.metadata)'] },
    NVME_TRUNCATES,
  ),
  up('struct nvme_user_io', 'addr', { file: NVME, function: 'nvme_submit_io', shows: ['io.addr'] }, NVME_MAPS),
  up(
    'struct nvme_user_io',
    'metadata',
    { file: NVME, function: 'nvme_submit_io', shows: ['nvme_to_user_ptr(io.metadata)'] },
    NVME_TRUNCATES,
  ),
  // EVIOCGMASK/EVIOCSMASK: codes_ptr points at a bitmap the kernel copies as compat longs for compat tasks
  up(
    'struct input_mask',
    'codes_ptr',
    {
      file: 'drivers/input/evdev.c',
      function: 'evdev_do_ioctl',
      shows: ['(void __user *)(unsigned long)mask.codes_ptr', '(const void __user *)(unsigned long)mask.codes_ptr'],
    },
    { file: 'drivers/input/evdev.c', function: 'evdev_get_mask', shows: ['bits_to_user(', 'compat'] },
    { file: 'drivers/input/evdev.c', function: 'evdev_set_mask', shows: ['bits_from_user(', 'compat'] },
  ),
  // KVM_SET_SIGNAL_MASK: the mask is a compat_sigset_t for a compat task, `len` bytes of it
  {
    record: 'struct kvm_signal_mask',
    member: 'sigset',
    kind: 'sigset',
    count: 'len',
    source: [
      {
        file: 'virt/kvm/kvm_main.c',
        function: 'kvm_vcpu_compat_ioctl',
        shows: ['kvm_sigmask.len != sizeof(compat_sigset_t)', 'get_compat_sigset(&sigset,', 'sigmask_arg->sigset'],
      },
    ],
  },
  // SNDRV_CTL_IOCTL_ELEM_ADD/REPLACE: an enumerated control's item names, in user memory
  up('struct snd_ctl_elem_info', 'value.enumerated.names_ptr', {
    file: ALSA_CONTROL,
    function: 'snd_ctl_elem_add_compat',
    shows: ['data->value.enumerated.names_ptr = (uintptr_t)compat_ptr(data->value.enumerated.names_ptr);'],
  }),
  // firewire: every __u64 the handlers dereference goes through u64_to_uptr()
  up('struct fw_cdev_get_info', 'rom', { file: FIREWIRE, function: 'ioctl_get_info', shows: ['u64_to_uptr(a->rom)'] }),
  up('struct fw_cdev_get_info', 'bus_reset', {
    file: FIREWIRE,
    function: 'ioctl_get_info',
    shows: ['u64_to_uptr(a->bus_reset)'],
  }),
  up(
    'struct fw_cdev_send_request',
    'data',
    { file: FIREWIRE, function: 'init_request', shows: ['u64_to_uptr(request->data)'] },
    FIREWIRE_COMPAT_PTR,
  ),
  up(
    'struct fw_cdev_send_response',
    'data',
    { file: FIREWIRE, function: 'ioctl_send_response', shows: ['u64_to_uptr(a->data)'] },
    FIREWIRE_COMPAT_PTR,
  ),
  up(
    'struct fw_cdev_add_descriptor',
    'data',
    { file: FIREWIRE, function: 'ioctl_add_descriptor', shows: ['u64_to_uptr(a->data)'] },
    FIREWIRE_COMPAT_PTR,
  ),
  up(
    'struct fw_cdev_queue_iso',
    'packets',
    { file: FIREWIRE, function: 'ioctl_queue_iso', shows: ['u64_to_uptr(a->packets)'] },
    FIREWIRE_COMPAT_PTR,
  ),
  // u64_to_user_ptr() and (void __user *)(unsigned long) casts of __u64 members
  up('struct tee_ioctl_buf_data', 'buf_ptr', {
    file: 'drivers/tee/tee_core.c',
    function: 'tee_ioctl_open_session',
    shows: ['u64_to_user_ptr(buf.buf_ptr)'],
  }),
  up('struct sync_file_info', 'sync_fence_info', {
    file: 'drivers/dma-buf/sync_file.c',
    function: 'sync_file_ioctl_fence_info',
    shows: ['u64_to_user_ptr(info.sync_fence_info)'],
  }),
  up('struct fsverity_enable_arg', 'salt_ptr', {
    file: 'fs/verity/enable.c',
    function: 'enable_verity',
    shows: ['u64_to_user_ptr(arg->salt_ptr)'],
  }),
  up('struct fsverity_enable_arg', 'sig_ptr', {
    file: 'fs/verity/enable.c',
    function: 'enable_verity',
    shows: ['u64_to_user_ptr(arg->sig_ptr)'],
  }),
  up('struct fsverity_read_metadata_arg', 'buf_ptr', {
    file: 'fs/verity/read_metadata.c',
    function: 'fsverity_ioctl_read_metadata',
    shows: ['u64_to_user_ptr(arg.buf_ptr)'],
  }),
  up('struct ssam_cdev_request', 'payload.data', {
    file: 'drivers/platform/surface/surface_aggregator_cdev.c',
    function: 'ssam_cdev_request',
    shows: ['u64_to_user_ptr(rqst.payload.data)'],
  }),
  up('struct ssam_cdev_request', 'response.data', {
    file: 'drivers/platform/surface/surface_aggregator_cdev.c',
    function: 'ssam_cdev_request',
    shows: ['u64_to_user_ptr(rqst.response.data)'],
  }),
  ...['fb_id_ptr', 'crtc_id_ptr', 'encoder_id_ptr', 'connector_id_ptr'].map((m) =>
    up('struct drm_mode_card_res', m, {
      file: 'drivers/gpu/drm/drm_mode_config.c',
      function: 'drm_mode_getresources',
      shows: [`u64_to_user_ptr(card_res->${m})`],
    }),
  ),
  up('struct drm_mode_get_plane_res', 'plane_id_ptr', {
    file: 'drivers/gpu/drm/drm_plane.c',
    function: 'drm_mode_getplane_res',
    shows: ['u64_to_user_ptr(plane_resp->plane_id_ptr)'],
  }),
  ...[
    ['props_ptr', 'uint32_t'],
    ['prop_values_ptr', 'uint64_t'],
  ].map(([m, t]) =>
    up('struct drm_mode_obj_get_properties', m!, {
      file: 'drivers/gpu/drm/drm_mode_object.c',
      function: 'drm_mode_obj_get_properties_ioctl',
      shows: [`(${t} __user *)(unsigned long)(arg->${m})`],
    }),
  ),
  ...['values_ptr', 'enum_blob_ptr'].map((m) =>
    up('struct drm_mode_get_property', m, {
      file: 'drivers/gpu/drm/drm_property.c',
      function: 'drm_mode_getproperty_ioctl',
      shows: [`u64_to_user_ptr(out_resp->${m})`],
    }),
  ),
  ...[
    ['objs_ptr', 'uint32_t'],
    ['count_props_ptr', 'uint32_t'],
    ['props_ptr', 'uint32_t'],
    ['prop_values_ptr', 'uint64_t'],
  ].map(([m, t]) =>
    up('struct drm_mode_atomic', m!, {
      file: 'drivers/gpu/drm/drm_atomic_uapi.c',
      function: 'drm_mode_atomic_ioctl',
      shows: [`(${t} __user *)(unsigned long)(arg->${m})`],
    }),
  ),
  // the other DRM core ioctls whose __u64 members the handlers turn into user pointers
  ...[
    ['encoders_ptr', '(uint32_t __user *)(unsigned long)(out_resp->encoders_ptr)'],
    ['modes_ptr', '(struct drm_mode_modeinfo __user *)(unsigned long)out_resp->modes_ptr'],
    ['props_ptr', '(uint32_t __user *)(unsigned long)(out_resp->props_ptr)'],
    ['prop_values_ptr', '(uint64_t __user *)(unsigned long)(out_resp->prop_values_ptr)'],
  ].map(([m, shows]) =>
    up('struct drm_mode_get_connector', m!, {
      file: 'drivers/gpu/drm/drm_connector.c',
      function: 'drm_mode_getconnector',
      shows: [shows!],
    }),
  ),
  up('struct drm_mode_get_plane', 'format_type_ptr', {
    file: 'drivers/gpu/drm/drm_plane.c',
    function: 'drm_mode_getplane',
    shows: ['(uint32_t __user *)(unsigned long)plane_resp->format_type_ptr'],
  }),
  up('struct drm_mode_crtc', 'set_connectors_ptr', {
    file: 'drivers/gpu/drm/drm_crtc.c',
    function: 'drm_mode_setcrtc',
    shows: ['(uint32_t __user *)(unsigned long)crtc_req->set_connectors_ptr'],
  }),
  ...['red', 'green', 'blue'].map((m) =>
    up(
      'struct drm_mode_crtc_lut',
      m,
      {
        file: 'drivers/gpu/drm/drm_color_mgmt.c',
        function: 'drm_mode_gamma_set_ioctl',
        shows: [`copy_from_user(${m[0]}_base, (void __user *)(unsigned long)crtc_lut->${m}, size)`],
      },
      {
        file: 'drivers/gpu/drm/drm_color_mgmt.c',
        function: 'drm_mode_gamma_get_ioctl',
        shows: [`copy_to_user((void __user *)(unsigned long)crtc_lut->${m}, ${m[0]}_base, size)`],
      },
    ),
  ),
  up('struct drm_mode_fb_dirty_cmd', 'clips_ptr', {
    file: 'drivers/gpu/drm/drm_framebuffer.c',
    function: 'drm_mode_dirtyfb_ioctl',
    shows: ['(struct drm_clip_rect __user *)(unsigned long)r->clips_ptr'],
  }),
  up('struct drm_mode_get_blob', 'data', {
    file: 'drivers/gpu/drm/drm_property.c',
    function: 'drm_mode_getblob_ioctl',
    shows: ['u64_to_user_ptr(out_resp->data)'],
  }),
  up('struct drm_mode_create_blob', 'data', {
    file: 'drivers/gpu/drm/drm_property.c',
    function: 'drm_mode_createblob_ioctl',
    shows: ['u64_to_user_ptr(out_resp->data)'],
  }),
  up('struct drm_mode_create_lease', 'object_ids', {
    file: 'drivers/gpu/drm/drm_lease.c',
    function: 'drm_mode_create_lease_ioctl',
    shows: ['u64_to_user_ptr(cl->object_ids)'],
  }),
  up('struct drm_mode_list_lessees', 'lessees_ptr', {
    file: 'drivers/gpu/drm/drm_lease.c',
    function: 'drm_mode_list_lessees_ioctl',
    shows: ['(__u32 __user *) (uintptr_t) (arg->lessees_ptr)'],
  }),
  up('struct drm_mode_get_lease', 'objects_ptr', {
    file: 'drivers/gpu/drm/drm_lease.c',
    function: 'drm_mode_get_lease_ioctl',
    shows: ['(__u32 __user *) (uintptr_t) (arg->objects_ptr)'],
  }),
  up('struct drm_syncobj_wait', 'handles', {
    file: 'drivers/gpu/drm/drm_syncobj.c',
    function: 'drm_syncobj_wait_ioctl',
    shows: ['u64_to_user_ptr(args->handles)'],
  }),
  up('struct drm_syncobj_timeline_wait', 'handles', {
    file: 'drivers/gpu/drm/drm_syncobj.c',
    function: 'drm_syncobj_timeline_wait_ioctl',
    shows: ['u64_to_user_ptr(args->handles)'],
  }),
  up('struct drm_syncobj_timeline_wait', 'points', {
    file: 'drivers/gpu/drm/drm_syncobj.c',
    function: 'drm_syncobj_array_wait',
    shows: ['u64_to_user_ptr(timeline_wait->points)'],
  }),
  up(
    'struct drm_syncobj_array',
    'handles',
    ...['drm_syncobj_reset_ioctl', 'drm_syncobj_signal_ioctl'].map((f) => ({
      file: 'drivers/gpu/drm/drm_syncobj.c',
      function: f,
      shows: ['u64_to_user_ptr(args->handles)'],
    })),
  ),
  ...['handles', 'points'].map((m) =>
    up(
      'struct drm_syncobj_timeline_array',
      m,
      ...['drm_syncobj_timeline_signal_ioctl', 'drm_syncobj_query_ioctl'].map((f) => ({
        file: 'drivers/gpu/drm/drm_syncobj.c',
        function: f,
        shows: [`u64_to_user_ptr(args->${m})`],
      })),
    ),
  ),
];

// What the kernel really does with an ioctl's argument (EVIOCGMASK is _IOR, evdev only reads it) is the legacy
// table's (src/ioctl/legacy/): the catalogue carries it to check, gen c and the thunk.

/** Ioctls whose handler uses one member of each union in the argument, whatever its bytes say. */
export interface BuiltinIoctlMembers {
  ioctls: readonly string[];
  /** Union path → the member the handler uses (IoctlAnnotation.members; "" the argument itself). */
  members: Readonly<HandlerMembers>;
  /** The members it writes back where they are others (IoctlAnnotation.membersBack; null: by the union's selector). */
  membersBack?: Readonly<HandlerMembers>;
  /** Each shows `.PATH.MEMBER` for every union of `members` (`switch (data->SELECTOR)` for a null). */
  source: readonly KernelSource[];
}

export const BUILTIN_IOCTL_MEMBERS: readonly BuiltinIoctlMembers[] = [
  // the status the kernel writes and the control it reads; the unions' `reserved[64]` only size them
  {
    ioctls: ['SNDRV_PCM_IOCTL_SYNC_PTR', '__SNDRV_PCM_IOCTL_SYNC_PTR', '__SNDRV_PCM_IOCTL_SYNC_PTR64'],
    members: { s: 'status', c: 'control' },
    source: [
      {
        file: 'sound/core/pcm_native.c',
        function: 'snd_pcm_sync_ptr',
        shows: [
          'copy_from_user(&sync_ptr.c.control, &(_sync_ptr->c.control), sizeof(struct snd_pcm_mmap_control))',
          'sync_ptr.s.status.state = status->state;',
        ],
      },
    ],
  },
  // the item index in, whatever `type` says; back, the member `type` selects (BUILTIN_UNIONS)
  {
    ioctls: ['SNDRV_CTL_IOCTL_ELEM_INFO'],
    members: { value: 'enumerated' },
    membersBack: { value: null },
    source: [
      {
        file: ALSA_CONTROL,
        function: 'snd_ctl_elem_info_compat',
        shows: ['get_user(data->value.enumerated.item, &data32->value.enumerated.item)', 'switch (data->type)'],
      },
    ],
  },
  // the request in, the reply back (drm_wait_vblank_ioctl answers in the same union)
  {
    ioctls: ['DRM_IOCTL_WAIT_VBLANK'],
    members: { '': 'request' },
    membersBack: { '': 'reply' },
    source: [
      {
        file: 'drivers/gpu/drm/drm_ioc32.c',
        function: 'compat_drm_wait_vblank',
        shows: ['req.request.type = req32.request.type;', 'req32.reply.tval_usec = req.reply.tval_usec;'],
      },
    ],
  },
  // VIA's own wait, alike: the request in, the reply back (no compat code converts it: drm_compat_ioctl passes the
  // task's number on to drm_ioctl, which copies the task's size of it)
  {
    ioctls: ['DRM_IOCTL_VIA_WAIT_IRQ'],
    members: { '': 'request' },
    membersBack: { '': 'reply' },
    source: [
      {
        file: 'drivers/gpu/drm/via/via_dri1.c',
        function: 'via_wait_irq',
        shows: ['irqwait->request.irq >= dev_priv->num_irqs', 'irqwait->reply.tval_sec = now.tv_sec;'],
      },
    ],
  },
];

/** A union of a UAPI record whose member another member selects, as the kernel's compat handler switches on it. */
export interface BuiltinUnion {
  record: string;
  /** The header that declares the record and the cases' macros. */
  header: string;
  /** The union's path in the record. */
  member: string;
  /** The member whose value selects (an integer member of the record). */
  selector: string;
  /** Each value by the header's macro that names it (a test checks each against the compilers), and its member. */
  cases: ReadonlyArray<{ macro: string; value: number; member: string }>;
  /** The member for other values, "" for none (`default: break;`). */
  default?: string;
  /**
   * A selector asked before `selector` (MemberAnnotation's `first`): the values for which the header's function-like
   * macro `test` holds, each with its member (struct v4l2_buffer's `m` is `planes` for a multiplanar `type`).
   */
  first?: { selector: string; test: string; cases: ReadonlyArray<{ macro: string; value: number; member: string }> };
  /** Each shows `case MACRO:` for every case and `.UNION.MEMBER` for every member. */
  source: readonly KernelSource[];
}

const ALSA_TYPE = (macro: string, value: number, member: string) => ({ macro, value, member });
const V4L2_COMPAT = 'drivers/media/v4l2-core/v4l2-compat-ioctl32.c';
/** enum v4l2_buf_type's value and the member of struct v4l2_format's `fmt` it selects. */
const BUF_TYPE = (name: string, value: number, member: string) => ({ macro: `V4L2_BUF_TYPE_${name}`, value, member });
/** enum v4l2_memory's value and the member of struct v4l2_buffer's `m` it selects. */
const MEMORY = (name: string, value: number, member: string) => ({ macro: `V4L2_MEMORY_${name}`, value, member });

export const BUILTIN_UNIONS: readonly BuiltinUnion[] = [
  // SNDRV_CTL_IOCTL_ELEM_INFO back, ELEM_ADD and ELEM_REPLACE in: by the control's type, nothing for the others
  {
    record: 'struct snd_ctl_elem_info',
    header: 'sound/asound.h',
    member: 'value',
    selector: 'type',
    cases: [
      ALSA_TYPE('SNDRV_CTL_ELEM_TYPE_BOOLEAN', 1, 'integer'),
      ALSA_TYPE('SNDRV_CTL_ELEM_TYPE_INTEGER', 2, 'integer'),
      ALSA_TYPE('SNDRV_CTL_ELEM_TYPE_ENUMERATED', 3, 'enumerated'),
      ALSA_TYPE('SNDRV_CTL_ELEM_TYPE_INTEGER64', 6, 'integer64'),
    ],
    default: '',
    source: [
      {
        file: ALSA_CONTROL,
        function: 'snd_ctl_elem_info_compat',
        shows: [
          'switch (data->type)',
          'case SNDRV_CTL_ELEM_TYPE_BOOLEAN: case SNDRV_CTL_ELEM_TYPE_INTEGER: if (put_user(data->value.integer.min,',
          'case SNDRV_CTL_ELEM_TYPE_INTEGER64: if (copy_to_user(&data32->value.integer64,',
          'case SNDRV_CTL_ELEM_TYPE_ENUMERATED: if (copy_to_user(&data32->value.enumerated,',
          'default: break;',
        ],
      },
      {
        file: ALSA_CONTROL,
        function: 'snd_ctl_elem_add_compat',
        shows: [
          'switch (data->type)',
          'case SNDRV_CTL_ELEM_TYPE_BOOLEAN: case SNDRV_CTL_ELEM_TYPE_INTEGER: if (get_user(data->value.integer.min,',
          'case SNDRV_CTL_ELEM_TYPE_INTEGER64: if (copy_from_user(&data->value.integer64,',
          'case SNDRV_CTL_ELEM_TYPE_ENUMERATED: if (copy_from_user(&data->value.enumerated,',
          'default: break;',
        ],
      },
    ],
  },
  // VIDIOC_G_FMT, S_FMT, TRY_FMT and CREATE_BUFS' format: by the buffer type, -EINVAL for the others
  {
    record: 'struct v4l2_format',
    header: 'linux/videodev2.h',
    member: 'fmt',
    selector: 'type',
    cases: [
      BUF_TYPE('VIDEO_CAPTURE', 1, 'pix'),
      BUF_TYPE('VIDEO_OUTPUT', 2, 'pix'),
      BUF_TYPE('VIDEO_OVERLAY', 3, 'win'),
      BUF_TYPE('VBI_CAPTURE', 4, 'vbi'),
      BUF_TYPE('VBI_OUTPUT', 5, 'vbi'),
      BUF_TYPE('SLICED_VBI_CAPTURE', 6, 'sliced'),
      BUF_TYPE('SLICED_VBI_OUTPUT', 7, 'sliced'),
      BUF_TYPE('VIDEO_OUTPUT_OVERLAY', 8, 'win'),
      BUF_TYPE('VIDEO_CAPTURE_MPLANE', 9, 'pix_mp'),
      BUF_TYPE('VIDEO_OUTPUT_MPLANE', 10, 'pix_mp'),
      BUF_TYPE('SDR_CAPTURE', 11, 'sdr'),
      BUF_TYPE('SDR_OUTPUT', 12, 'sdr'),
      BUF_TYPE('META_CAPTURE', 13, 'meta'),
      BUF_TYPE('META_OUTPUT', 14, 'meta'),
    ],
    source: (['get', 'put'] as const).map((way) => {
      const [copy, to, from] = way === 'get' ? ['copy_from_user', 'p64', 'p32'] : ['copy_to_user', 'p32', 'p64'];
      const copies = (member: string) => `return ${copy}(&${to}->fmt.${member}, &${from}->fmt.${member},`;
      return {
        file: V4L2_COMPAT,
        function: `${way}_v4l2_format32`,
        shows: [
          'switch (p64->type)',
          `case V4L2_BUF_TYPE_VIDEO_CAPTURE: case V4L2_BUF_TYPE_VIDEO_OUTPUT: ${copies('pix')}`,
          `case V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE: case V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE: ${copies('pix_mp')}`,
          'case V4L2_BUF_TYPE_VIDEO_OVERLAY: case V4L2_BUF_TYPE_VIDEO_OUTPUT_OVERLAY: ' +
            `return ${way}_v4l2_window32(&p64->fmt.win, &p32->fmt.win);`,
          `case V4L2_BUF_TYPE_VBI_CAPTURE: case V4L2_BUF_TYPE_VBI_OUTPUT: ${copies('vbi')}`,
          `case V4L2_BUF_TYPE_SLICED_VBI_CAPTURE: case V4L2_BUF_TYPE_SLICED_VBI_OUTPUT: ${copies('sliced')}`,
          `case V4L2_BUF_TYPE_SDR_CAPTURE: case V4L2_BUF_TYPE_SDR_OUTPUT: ${copies('sdr')}`,
          `case V4L2_BUF_TYPE_META_CAPTURE: case V4L2_BUF_TYPE_META_OUTPUT: ${copies('meta')}`,
          'default: return -EINVAL;',
        ],
      };
    }),
  },
  // VIDIOC_QUERYBUF, QBUF, DQBUF and PREPARE_BUF: m by the memory, the plane array's address for a multiplanar type
  {
    record: 'struct v4l2_buffer',
    header: 'linux/videodev2.h',
    member: 'm',
    selector: 'memory',
    cases: [
      MEMORY('MMAP', 1, 'offset'),
      MEMORY('USERPTR', 2, 'userptr'),
      MEMORY('OVERLAY', 3, 'offset'),
      MEMORY('DMABUF', 4, 'fd'),
    ],
    // before the switch, m.offset is copied whatever the memory: the other values keep those 32 bits
    default: 'offset',
    first: {
      selector: 'type',
      test: 'V4L2_TYPE_IS_MULTIPLANAR',
      cases: [BUF_TYPE('VIDEO_CAPTURE_MPLANE', 9, 'planes'), BUF_TYPE('VIDEO_OUTPUT_MPLANE', 10, 'planes')],
    },
    source: [
      {
        file: V4L2_COMPAT,
        function: 'get_v4l2_buffer32',
        shows: [
          '.m.offset = vb32.m.offset,',
          'switch (vb->memory)',
          'case V4L2_MEMORY_MMAP: case V4L2_MEMORY_OVERLAY: vb->m.offset = vb32.m.offset;',
          'case V4L2_MEMORY_USERPTR: vb->m.userptr = (unsigned long)compat_ptr(vb32.m.userptr);',
          'case V4L2_MEMORY_DMABUF: vb->m.fd = vb32.m.fd;',
          'if (V4L2_TYPE_IS_MULTIPLANAR(vb->type)) vb->m.planes = (void __force *) compat_ptr(vb32.m.planes);',
        ],
      },
      {
        file: V4L2_COMPAT,
        function: 'put_v4l2_buffer32',
        shows: [
          '.m.offset = vb->m.offset,',
          'switch (vb->memory)',
          'case V4L2_MEMORY_MMAP: case V4L2_MEMORY_OVERLAY: vb32.m.offset = vb->m.offset;',
          'case V4L2_MEMORY_USERPTR: vb32.m.userptr = (uintptr_t)(vb->m.userptr);',
          'case V4L2_MEMORY_DMABUF: vb32.m.fd = vb->m.fd;',
          'if (V4L2_TYPE_IS_MULTIPLANAR(vb->type)) vb32.m.planes = (uintptr_t)vb->m.planes;',
        ],
      },
    ],
  },
];

/**
 * Dispatchers that tolerate an argument whose size differs from the kernel's, by the ioctl type
 * (`_IOC_TYPE`) they serve: a size difference that is only tail padding needs no conversion there.
 */
export interface SizeTolerantDispatcher {
  type: number;
  dispatcher: string;
  /** What it does, as a clause after its name. */
  tolerates: string;
  source: readonly KernelSource[];
}

export const SIZE_TOLERANT_DISPATCHERS: readonly SizeTolerantDispatcher[] = [
  {
    type: 0x64, // 'd': DRM_IOCTL_BASE
    dispatcher: 'drm_ioctl',
    tolerates: "dispatches by nr, copies in and out the caller's size and zero-fills the rest of the kernel's",
    source: [
      {
        file: 'drivers/gpu/drm/drm_ioctl.c',
        function: 'drm_ioctl',
        shows: [
          'unsigned int nr = DRM_IOCTL_NR(cmd);',
          'out_size = in_size = _IOC_SIZE(cmd);',
          'ksize = max(max(in_size, out_size), drv_size);',
          'memset(kdata + in_size, 0, ksize - in_size);',
          'copy_to_user((void __user *)arg, kdata, out_size)',
        ],
      },
      // a compat task's number reaches it: drm_compat_ioctl() passes what its table does not convert
      {
        file: 'drivers/gpu/drm/drm_ioc32.c',
        function: 'drm_compat_ioctl',
        shows: ['return drm_ioctl(filp, cmd, arg);'],
      },
    ],
  },
];

/** The dispatcher of an ioctl type that tolerates size differences, if any. */
export function sizeTolerantDispatcher(type: number): SizeTolerantDispatcher | undefined {
  return SIZE_TOLERANT_DISPATCHERS.find((d) => d.type === type);
}

/** The built-in table as annotations (file `<built-in>`). */
export function builtinAnnotations(): Annotations {
  const out: Annotations = { file: '<built-in>', records: new Map(), ioctlArgs: new Map(), ioctls: new Map() };
  for (const b of BUILTIN_MEMBERS) {
    const m = out.records.get(b.record) ?? new Map<string, MemberAnnotation>();
    out.records.set(b.record, m);
    m.set(
      b.member,
      b.kind === 'sigset' && b.count !== undefined ? { kind: 'sigset', count: b.count } : { kind: b.kind },
    );
  }
  for (const b of BUILTIN_UNIONS) {
    const m = out.records.get(b.record) ?? new Map<string, MemberAnnotation>();
    out.records.set(b.record, m);
    const cases = Object.fromEntries(b.cases.map((c) => [String(c.value), c.member]));
    m.set(b.member, {
      kind: 'union',
      selector: b.selector,
      cases,
      ...(b.default !== undefined ? { default: b.default } : {}),
      ...(b.first
        ? {
            first: {
              selector: b.first.selector,
              cases: Object.fromEntries(b.first.cases.map((c) => [String(c.value), c.member])),
            },
          }
        : {}),
    });
  }
  for (const b of BUILTIN_IOCTL_MEMBERS)
    for (const name of b.ioctls)
      out.ioctls.set(name, {
        members: { ...b.members },
        ...(b.membersBack ? { membersBack: { ...b.membersBack } } : {}),
      });
  return out;
}

/** One ABI's reading of the headers, as far as the built-ins need it. */
export interface HeaderSide {
  decls: ReadonlyMap<string, RecordDecl>;
  layouter: Layouter;
  ioctls?: ReadonlyMap<string, unknown>;
}

/**
 * The built-ins that apply to headers read on every side: members of records they define, of the
 * kind the annotation needs (a user pointer in an 8-byte integer), and ioctls the first side defines.
 * Headers that lack a record (another kernel version, a header not named) just do without it.
 */
export function applicableBuiltins(sides: readonly HeaderSide[]): Annotations {
  const all = builtinAnnotations();
  const fits = (record: string, path: string, a: MemberAnnotation): boolean =>
    sides.every(({ decls, layouter }) => {
      const decl = decls.get(record);
      if (!decl || decl.members === null) return false;
      const f = flattenFields(layouter.layout(decl), layouter).find((x) => x.path === path);
      if (!f) return false;
      const t = stripTypedefs(f.ctype);
      if (a.kind === 'union') {
        const names = new Set(t.kind === 'record' && t.decl.union ? (t.decl.members ?? []).map((x) => x.name) : []);
        const selector = flattenFields(layouter.layout(decl), layouter).find((x) => x.path === a.selector);
        const members = [...Object.values(a.cases), ...(a.default ? [a.default] : [])];
        return !!selector && stripTypedefs(selector.ctype).kind === 'int' && members.every((x) => names.has(x));
      }
      return a.kind === 'user-pointer' ? t.kind === 'int' && f.size === 8 : t.kind === 'int' || t.kind === 'array';
    });
  for (const [record, members] of all.records) {
    for (const [path, a] of members) if (!fits(record, path, a)) members.delete(path);
    if (!members.size) all.records.delete(record);
  }
  const ioctls = sides[0]?.ioctls;
  for (const name of all.ioctls.keys()) if (!ioctls?.has(name)) all.ioctls.delete(name);
  return all;
}

/** A user's annotations over the built-ins that apply to these headers (none with `"builtins": false`). */
export function withBuiltins(user: Annotations, sides: readonly HeaderSide[]): Annotations {
  if (user.builtins === false) return user;
  return mergeAnnotations(applicableBuiltins(sides), user);
}
