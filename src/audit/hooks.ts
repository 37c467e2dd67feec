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
   * The core passes a list of generic commands to the native hook without a compat hook (not
   * modelled yet): no `no-compat-hook` note is drawn for these ops.
   */
  genericPassThrough?: true;
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
