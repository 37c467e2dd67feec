/**
 * The user's cache directory for ioctl32, where every cache of it lives (results, replays, the host's DRM
 * links, synthesized kernel trees): IOCTL32_CACHE, else $XDG_CACHE_HOME/ioctl32, else ~/.cache/ioctl32.
 * Shared by every stage (src/stages.json); CommonJS, as a replayed run (src/cli/replay.cts) reads it before
 * the rest of ioctl32 is loaded.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The user's cache directory for ioctl32 (as the environment says now). */
export function cacheRoot(): string {
  if (process.env.IOCTL32_CACHE) return process.env.IOCTL32_CACHE;
  if (process.env.XDG_CACHE_HOME) return join(process.env.XDG_CACHE_HOME, 'ioctl32');
  return join(homedir(), '.cache', 'ioctl32');
}
