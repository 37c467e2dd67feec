#!/usr/bin/env node
// A floor under `ioctl32 dump --abi ABI`'s time on this runtime: what a fresh node process takes
// to start, load the front end, and read, tokenize and preprocess the UAPI set ONCE, as a single
// translation unit, as clang does. It keeps none of what makes a dump: no unit per header (each
// header is entered after all the headers before it, so one already included costs nothing),
// no parse, no layout, no catalogue, no output. A front end built on this preprocessor and
// runtime pays at least this much for one ABI.
// Usage: node bench/floor.mjs ABI; prints {seconds, tokens, headers, failed} as JSON.
const t0 = process.hrtime.bigint();
const { getAbi } = await import('../dist/abi/index.js');
const { CFrontError, FileCache, includeDirsFor, Preprocessor } = await import('../dist/cfront/index.js');
const { uapiHeaders } = await import('../dist/scan/scan.js');

const abi = getAbi(process.argv[2]);
const includeDirs = includeDirsFor(abi);
// one preprocessor: its macros and #pragma once files carry over from header to header
const pp = new Preprocessor({ abi, includeDirs, files: new FileCache() });
let tokens = 0;
let failed = 0;
const headers = uapiHeaders(includeDirs);
for (const h of headers) {
  try {
    tokens += pp.preprocessSource(`#include <${h}>\n`, '<floor>').length;
  } catch (e) {
    // an #error or a missing include stops that header only, as a compiler goes on
    if (!(e instanceof CFrontError)) throw e;
    failed++;
  }
}
// node's own start is not in t0's reach: the caller times the whole process as well
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(JSON.stringify({ seconds, tokens, headers: headers.length, failed }));
