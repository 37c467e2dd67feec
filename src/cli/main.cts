#!/usr/bin/env node
/**
 * The `ioctl32` command. A run repeated while nothing it read changed is replayed (replay.cts) before
 * the program is loaded; any other run is the program's (program.ts), recorded for a replay when it
 * is one that may be. CommonJS, as what a replay loads: node starts an ES module entry a few
 * milliseconds later, and a replay takes about thirty.
 */
import { quietOnEpipe, recordRun, replayRun } from './replay.cjs';

async function run(argv: string[]): Promise<number> {
  const replayed = replayRun(argv);
  if (replayed !== null) return replayed;
  quietOnEpipe();
  const recording = await recordRun(argv);
  const { main } = await import('./program.js');
  const code = await main(argv);
  recording?.finish(code);
  return code;
}

void run(process.argv.slice(2)).then((code) => (process.exitCode = code));
