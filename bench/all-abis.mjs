// Every ABI's UAPI set dumped in this one process; prints {seconds, rssMb, first, later} as JSON:
// `first` and `later` are the milliseconds per stage of the first ABI and of all the others.
// One FileCache: the ABIs' header trees share the tokens of the files they have in common
// (same name, same text); each dump's include memos go with it.
import { ABIS } from '../dist/abi/index.js';
import { FileCache } from '../dist/cfront/index.js';
import { dump } from '../dist/scan/dump.js';

const stages = () => ({ preprocess: 0, parse: 0, records: 0, catalogue: 0 });
const first = stages();
const later = stages();
const t0 = process.hrtime.bigint();
const files = new FileCache();
for (const abi of ABIS)
  dump({ abi, sysroot: `/usr/${abi.headerTriple}`, files, timings: abi === ABIS[0] ? first : later });
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const round = (t) => Object.fromEntries(Object.entries(t).map(([k, v]) => [k, Math.round(v)]));
console.log(
  JSON.stringify({ seconds, rssMb: process.resourceUsage().maxRSS / 1024, first: round(first), later: round(later) }),
);
