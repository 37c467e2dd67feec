// Every ABI's UAPI set dumped in this one process; prints {seconds, rssMb} as JSON.
// ABIs that share a header tree (s390x/s390, sparc64/sparc, riscv64/riscv32, parisc64/parisc)
// share its tokens; a tree's tokens are dropped once its ABIs are done.
import { ABIS } from '../dist/abi/index.js';
import { FileCache } from '../dist/cfront/index.js';
import { dump } from '../dist/report/dump.js';

const trees = new Map();
for (const abi of ABIS) trees.set(abi.headerTriple, [...(trees.get(abi.headerTriple) ?? []), abi]);
const t0 = process.hrtime.bigint();
for (const abis of trees.values()) {
  const files = new FileCache();
  for (const abi of abis) dump({ abi, sysroot: `/usr/${abi.headerTriple}`, files });
}
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(JSON.stringify({ seconds, rssMb: process.resourceUsage().maxRSS / 1024 }));
