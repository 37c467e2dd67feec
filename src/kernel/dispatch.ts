/**
 * A driver's ioctl commands as a table of small named handlers, by command name, the way the
 * kernel's own compat code keeps them (drivers/gpu/drm/drm_ioc32.c drm_compat_ioctls[]); the
 * names become numbers once the ABI's headers are read.
 */

/** Command name → the handler that models it; the order is the order of the driver's switch. */
export type IoctlTable<N extends string, H> = Readonly<Partial<Record<N, H>>>;

/**
 * `table` by command number. Where two names share a number the first listed wins, as the first
 * matching case of a switch does.
 */
export function byNumber<N extends string, H>(
  numbers: Readonly<Record<N, number>>,
  table: IoctlTable<N, H>,
): ReadonlyMap<number, H> {
  const handlers = new Map<number, H>();
  for (const [name, handler] of Object.entries(table) as Array<[N, H]>) {
    if (!handlers.has(numbers[name])) handlers.set(numbers[name], handler);
  }
  return handlers;
}
