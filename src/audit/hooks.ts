/**
 * Facts about the kernel's ioctl entry points, as tables: which ops structures carry ioctl hooks,
 * where the command sits among each hook's parameters, and which kernel functions take the
 * command without dispatching on it. Each row cites the linux 6.1 source it was read from.
 */

/** An ops structure with a native and a compat ioctl hook. */
export interface IoctlHookKind {
  struct: string;
  native: string;
  compat: string;
  /** The command's index among the hook's parameters (the same in both hooks). */
  cmdParam: number;
  /** What the kernel does for a compat task whose ops have no compat hook. */
  withoutCompat: string;
  /**
   * The core serves a list of generic commands itself, or passes them to the native hook, after the
   * compat hook's ENOIOCTLCMD or without one (the lists are not read): no `no-compat-hook` note is drawn
   * for these ops, and a command no compat case reaches is a note, not an error.
   */
  genericPassThrough?: true;
  /** Without a compat hook the core calls the native one with the command unchanged (tty_ldisc_ops). */
  absentPassesThrough?: true;
  /** The core function that calls the hooks. */
  caller?: string;
  source: string;
}

export const IOCTL_HOOKS: readonly IoctlHookKind[] = [
  {
    struct: 'file_operations',
    native: 'unlocked_ioctl',
    compat: 'compat_ioctl',
    cmdParam: 1,
    withoutCompat: 'compat_sys_ioctl answers ENOTTY (after its generic commands: FIOCLEX, FIONBIO, FICLONE ...)',
    source: 'include/linux/fs.h struct file_operations; fs/ioctl.c compat_sys_ioctl',
  },
  {
    struct: 'block_device_operations',
    native: 'ioctl',
    compat: 'compat_ioctl',
    cmdParam: 2,
    withoutCompat: 'blkdev_compat_ioctl answers ENOIOCTLCMD (after the generic block commands)',
    source: 'include/linux/blkdev.h struct block_device_operations; block/ioctl.c blkdev_compat_ioctl',
  },
  {
    struct: 'tty_operations',
    native: 'ioctl',
    compat: 'compat_ioctl',
    cmdParam: 1,
    withoutCompat:
      'tty_compat_ioctl passes only its list of generic commands to tty_ioctl; the others go to the line ' +
      "discipline's compat_ioctl/ioctl, not the driver's",
    genericPassThrough: true,
    source: 'include/linux/tty_driver.h struct tty_operations; drivers/tty/tty_io.c tty_compat_ioctl',
  },
  {
    struct: 'proto_ops',
    native: 'ioctl',
    compat: 'compat_ioctl',
    cmdParam: 1,
    withoutCompat:
      'compat_sock_ioctl falls back to compat_sock_ioctl_trans, which passes only the generic socket ' +
      'commands it lists to sock_ioctl (ENOIOCTLCMD otherwise)',
    genericPassThrough: true,
    source: 'include/linux/net.h struct proto_ops; net/socket.c compat_sock_ioctl, compat_sock_ioctl_trans',
  },
  {
    struct: 'proto',
    native: 'ioctl',
    compat: 'compat_ioctl',
    cmdParam: 1,
    withoutCompat:
      'inet_compat_ioctl/inet6_compat_ioctl answer ENOIOCTLCMD, and compat_sock_ioctl falls back to ' +
      'compat_sock_ioctl_trans (its generic socket commands only)',
    genericPassThrough: true,
    source: 'include/net/sock.h struct proto; net/ipv4/af_inet.c inet_compat_ioctl; net/ipv6/af_inet6.c',
  },
  {
    struct: 'tty_ldisc_ops',
    native: 'ioctl',
    compat: 'compat_ioctl',
    cmdParam: 1,
    withoutCompat: "tty_compat_ioctl calls the line discipline's ioctl with the command unchanged",
    absentPassesThrough: true,
    caller: 'tty_compat_ioctl',
    source: 'include/linux/tty_ldisc.h struct tty_ldisc_ops; drivers/tty/tty_io.c tty_compat_ioctl',
  },
  {
    struct: 'fb_ops',
    native: 'fb_ioctl',
    compat: 'fb_compat_ioctl',
    cmdParam: 1,
    withoutCompat:
      "fb_compat_ioctl serves its generic FBIO* commands (through fb_ioctl) and answers ENOTTY to the driver's own",
    genericPassThrough: true,
    source: 'include/linux/fb.h struct fb_ops; drivers/video/fbdev/core/fbmem.c fb_compat_ioctl',
  },
  {
    struct: 'proc_ops',
    native: 'proc_ioctl',
    compat: 'proc_compat_ioctl',
    cmdParam: 1,
    withoutCompat: 'proc_get_inode gives the file proc_reg_file_ops, which has no compat_ioctl: ENOTTY',
    source: 'include/linux/proc_fs.h struct proc_ops; fs/proc/inode.c proc_get_inode',
  },
  {
    struct: 'media_file_operations',
    native: 'ioctl',
    compat: 'compat_ioctl',
    cmdParam: 1,
    withoutCompat: 'media_compat_ioctl calls __media_ioctl with no handler: ENOTTY',
    source: 'include/media/media-devnode.h struct media_file_operations; drivers/media/mc/mc-devnode.c',
  },
  {
    struct: 'v4l2_subdev_core_ops',
    native: 'ioctl',
    compat: 'compat_ioctl32',
    cmdParam: 1,
    withoutCompat:
      "subdev_compat_ioctl32 calls the subdev's compat_ioctl32 for private commands: ENOIOCTLCMD without one",
    source: 'include/media/v4l2-subdev.h struct v4l2_subdev_core_ops; drivers/media/v4l2-core/v4l2-subdev.c',
  },
  {
    struct: 'scsi_host_template',
    native: 'ioctl',
    compat: 'compat_ioctl',
    cmdParam: 1,
    withoutCompat: "scsi_ioctl answers EINVAL to a compat task's command it does not handle itself",
    source: 'include/scsi/scsi_host.h struct scsi_host_template; drivers/scsi/scsi_ioctl.c scsi_ioctl',
  },
  {
    struct: 'snd_hwdep_ops',
    native: 'ioctl',
    compat: 'ioctl_compat',
    cmdParam: 2,
    withoutCompat:
      "snd_hwdep_ioctl_compat serves the hwdep core's own commands and answers ENOIOCTLCMD to the driver's",
    source: 'include/sound/hwdep.h struct snd_hwdep_ops; sound/core/hwdep_compat.c snd_hwdep_ioctl_compat',
  },
  {
    struct: 'atmdev_ops',
    native: 'ioctl',
    compat: 'compat_ioctl',
    cmdParam: 1,
    withoutCompat: 'atm_dev_ioctl answers EINVAL to a compat task when the device has no compat_ioctl',
    source: 'include/linux/atmdev.h struct atmdev_ops; net/atm/resources.c atm_dev_ioctl',
  },
];

/**
 * The kernel's generic compat hook: `file->f_op->unlocked_ioctl(file, cmd, compat_ptr(arg))`, the
 * command passed on unchanged (fs/ioctl.c compat_ptr_ioctl).
 */
export const COMPAT_PASS_THROUGH = 'compat_ptr_ioctl';

/**
 * Other generic compat hooks that pass the command on unchanged to the native hook of the same
 * ops: block/ioctl.c blkdev_compat_ptr_ioctl (`fops->ioctl(bdev, mode, cmd, compat_ptr(arg))`).
 */
export const PASS_THROUGH_HOOKS: ReadonlySet<string> = new Set([COMPAT_PASS_THROUGH, 'blkdev_compat_ptr_ioctl']);

/**
 * Functions a handler passes the command to without dispatching on it (logging, tracing): a call
 * to one neither handles a command nor makes the handler's reach unknown. include/linux/printk.h,
 * include/linux/dev_printk.h, include/linux/dynamic_debug.h, include/asm-generic/bug.h.
 */
export const NON_DISPATCHING: ReadonlySet<string> = new Set([
  '_printk',
  'printk',
  '__dynamic_pr_debug',
  '__dynamic_dev_dbg',
  '__dynamic_netdev_dbg',
  '_dev_printk',
  '_dev_emerg',
  '_dev_alert',
  '_dev_crit',
  '_dev_err',
  '_dev_warn',
  '_dev_notice',
  '_dev_info',
  '__warn_printk',
  'netdev_printk',
  'netdev_err',
  'netdev_warn',
  'netdev_info',
  'netdev_dbg',
]);

/** A macro writing one entry of a `struct drm_ioctl_desc` table: where its command and handler sit. */
export interface DrmTableMacro {
  macro: string;
  /** The argument naming the ioctl, and the prefix `.cmd` adds to it (DRM_IOCTL_##ioctl). */
  ioctlArg: number;
  cmdPrefix: string;
  funcArg: number;
  /** The member the expanded entry sets to its handler. */
  funcField: string;
  /** The core table (drm_ioctls[], nr below DRM_COMMAND_BASE) or a driver's (nr - DRM_COMMAND_BASE). */
  core: boolean;
  source: string;
}

/**
 * How DRM dispatches ioctls (linux 6.1): by the command's nr through tables, not by cmd.
 * drm_ioctl (drivers/gpu/drm/drm_ioctl.c) takes nr = DRM_IOCTL_NR(cmd), looks it up in drm_ioctls[]
 * or, for DRM_COMMAND_BASE <= nr < DRM_COMMAND_END, in dev->driver->ioctls[nr - DRM_COMMAND_BASE],
 * and copies in and out _IOC_SIZE(cmd) — the caller's size — zero-filling up to the kernel's.
 * drm_compat_ioctl (drivers/gpu/drm/drm_ioc32.c) calls drm_compat_ioctls[nr].fn where the table
 * has one and `return drm_ioctl(filp, cmd, arg);` otherwise: the compat number unchanged.
 */
export const DRM_DISPATCH = {
  compatEntry: 'drm_compat_ioctl',
  nativeEntry: 'drm_ioctl',
  tables: [
    {
      macro: 'DRM_IOCTL_DEF',
      ioctlArg: 0,
      cmdPrefix: '',
      funcArg: 1,
      funcField: 'func',
      core: true,
      source: 'drivers/gpu/drm/drm_ioctl.c DRM_IOCTL_DEF: [DRM_IOCTL_NR(ioctl)] = {.cmd = ioctl, .func = _func}',
    },
    {
      macro: 'DRM_LEGACY_IOCTL_DEF',
      ioctlArg: 0,
      cmdPrefix: '',
      funcArg: 1,
      funcField: 'func',
      core: true,
      source: 'drivers/gpu/drm/drm_ioctl.c DRM_LEGACY_IOCTL_DEF: drm_invalid_op as _func without CONFIG_DRM_LEGACY',
    },
    {
      macro: 'DRM_IOCTL_DEF_DRV',
      ioctlArg: 0,
      cmdPrefix: 'DRM_IOCTL_',
      funcArg: 1,
      funcField: 'func',
      core: false,
      source: 'include/drm/drm_ioctl.h DRM_IOCTL_DEF_DRV: [... - DRM_COMMAND_BASE] = {.cmd = DRM_IOCTL_##ioctl}',
    },
  ] as readonly DrmTableMacro[],
  /** Compat tables of converters indexed by nr - base (`[DRM_IOCTL_NR(n##32)] = {.fn = f}`). */
  compatTables: [
    { array: 'drm_compat_ioctls', fnField: 'fn', base: '0', source: 'drivers/gpu/drm/drm_ioc32.c drm_compat_ioctls' },
  ],
  /** Handlers that never read the argument: the entry's layout does not matter. */
  nonReading: [
    { func: 'drm_invalid_op', source: 'drivers/gpu/drm/drm_ioctl.c drm_invalid_op: return -EINVAL' },
    { func: 'drm_noop', source: 'drivers/gpu/drm/drm_ioctl.c drm_noop: return 0' },
  ],
  /**
   * What ties a driver's table to its device files: `struct drm_driver { .ioctls = T, .fops = &F }`
   * (include/drm/drm_drv.h); F's .compat_ioctl is drm_compat_ioctl directly or through
   * DEFINE_DRM_GEM_FOPS / DRM_GEM_FOPS (include/drm/drm_gem.h), or a driver function passing cmd on.
   */
  driver: { struct: 'drm_driver', ioctls: 'ioctls', fops: 'fops' },
} as const;

/**
 * How V4L2 dispatches its VIDIOC_* ioctls (linux 6.1): by a table indexed by _IOC_NR, after a compat
 * task's number has been translated to the native one. A device node's file_operations are v4l2_fops
 * (drivers/media/v4l2-core/v4l2-dev.c: .unlocked_ioctl = v4l2_ioctl, .compat_ioctl = v4l2_compat_ioctl32);
 * v4l2_ioctl calls vdev->fops->unlocked_ioctl, typically video_ioctl2 (v4l2-ioctl.c), which is
 * video_usercopy(file, cmd, arg, __video_do_ioctl).
 */
export const V4L2_DISPATCH = {
  compatEntry: 'v4l2_compat_ioctl32',
  nativeEntry: 'video_ioctl2',
  /**
   * v4l2_compat_ioctl32 (v4l2-compat-ioctl32.c) passes a command of this type whose nr is below `nrBelow`
   * to file->f_op->unlocked_ioctl with compat_ptr(arg), the number unchanged; others go to the driver's
   * vdev->fops->compat_ioctl32.
   */
  passThrough: {
    type: 'V',
    nrBelow: 'BASE_VIDIOC_PRIVATE',
    source: 'drivers/media/v4l2-core/v4l2-compat-ioctl32.c v4l2_compat_ioctl32',
  },
  /**
   * The table: `[_IOC_NR(_ioctl)] = {.ioctl = _ioctl, .func = _func, ...}`. v4l2_is_known_ioctl(cmd) is
   * `v4l2_ioctls[_IOC_NR(cmd)].ioctl == cmd`: __video_do_ioctl calls the entry's func only then, else
   * ops->vidioc_default (a driver's private commands) or -ENOTTY.
   */
  table: {
    array: 'v4l2_ioctls',
    macro: 'IOCTL_INFO',
    ioctlArg: 0,
    funcArg: 1,
    source: 'drivers/media/v4l2-core/v4l2-ioctl.c v4l2_ioctls[], IOCTL_INFO, v4l2_is_known_ioctl, __video_do_ioctl',
  },
  /**
   * video_usercopy's first step, video_translate_cmd (v4l2-ioctl.c), returns v4l2_compat_translate_cmd(cmd)
   * when in_compat_syscall(): a switch of `case VIDIOC_X32: return VIDIOC_X;`, cmd unchanged otherwise.
   * (Its own switch on the *_TIME32 numbers is compiled only without CONFIG_64BIT: a 32-bit kernel.)
   */
  translate: {
    func: 'v4l2_compat_translate_cmd',
    cmdParam: 0,
    source: 'drivers/media/v4l2-core/v4l2-compat-ioctl32.c v4l2_compat_translate_cmd; v4l2-ioctl.c video_translate_cmd',
  },
  /**
   * Where the number was translated (orig_cmd != the native one) and in_compat_syscall(), video_get_user
   * zeroes the native struct and calls the first for a command whose _IOC_DIR(orig_cmd) has _IOC_WRITE;
   * video_put_user calls the second where it has _IOC_READ. Each is a switch on the compat number that
   * converts; a number it lacks is not copied at all (`return 0`). Where the number was not translated,
   * both copy _IOC_SIZE bytes as they are (copy_from_user/copy_to_user).
   */
  copyIn: {
    func: 'v4l2_compat_get_user',
    cmdParam: 2,
    source: 'drivers/media/v4l2-core/v4l2-compat-ioctl32.c v4l2_compat_get_user; v4l2-ioctl.c video_get_user',
  },
  copyOut: {
    func: 'v4l2_compat_put_user',
    cmdParam: 2,
    source: 'drivers/media/v4l2-core/v4l2-compat-ioctl32.c v4l2_compat_put_user; v4l2-ioctl.c video_put_user',
  },
} as const;
