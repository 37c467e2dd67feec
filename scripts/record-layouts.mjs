#!/usr/bin/env node
// Records the compiler answers of the Node-only layout test (test/fixtures/layouts/) with every
// ABI's reference compiler, then checks ioctl32 against them. Needs the toolchains
// (scripts/install-toolchains.sh); run it when test/harness/gen.ts learns new shapes of records
// or a reference compiler changes. The fixture holds the C text, so it stays valid until then.
import { spawnSync } from 'node:child_process';

const r = spawnSync('npx', ['vitest', 'run', 'test/layout-recorded.fast.test.ts'], {
  stdio: 'inherit',
  env: { ...process.env, IOCTL32_RECORD: '1' },
});
process.exit(r.status ?? 1);
