// Every ABI's UAPI set dumped in this one process; prints {seconds, rssMb} as JSON.
// One FileCache: the ABIs' header trees share the tokens of the files they have in common
// (same name, same text); each dump's include memos go with it.
import { ABIS } from '../dist/abi/index.js';
import { FileCache } from '../dist/cfront/index.js';
import { dump } from '../dist/report/dump.js';

const t0 = process.hrtime.bigint();
const files = new FileCache();
for (const abi of ABIS) dump({ abi, sysroot: `/usr/${abi.headerTriple}`, files });
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(JSON.stringify({ seconds, rssMb: process.resourceUsage().maxRSS / 1024 }));
