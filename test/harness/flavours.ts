/**
 * Tests whose programs include no libc header (random records, _IOC numbers, driver headers) learn nothing from a
 * flavour (i386+t64) that its base has not answered: a flavour differs only in macros glibc's headers
 * test. They keep one flavour, to see the flavour's plumbing work, and save the compiler time of the rest.
 */
import type { Abi } from '../../src/abi/types.js';

export const REPRESENTATIVE_FLAVOUR = 'i386+t64';

/** The ABIs without their flavours but the representative one. */
export function withOneFlavour(abis: readonly Abi[]): Abi[] {
  return abis.filter((a) => !a.flavourOf || a.name === REPRESENTATIVE_FLAVOUR);
}

/** The pairs whose compat ABI is no flavour, or the representative one. */
export function pairsWithOneFlavour<P extends { compat: Abi }>(pairs: readonly P[]): P[] {
  return pairs.filter((p) => !p.compat.flavourOf || p.compat.name === REPRESENTATIVE_FLAVOUR);
}
