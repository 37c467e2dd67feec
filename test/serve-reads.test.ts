/**
 * `ioctl32 serve` reads nothing outside its include directories: the server runs under strace(1),
 * the traversal probes and valid requests go to it, and no file below a directory outside (reached
 * by `..`, an absolute path, or a symlink from inside) is ever opened — while the header inside is.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';

const CLI = resolve('dist/cli/main.cjs');

function get(port: number, target: string): Promise<number> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port, path: target }, (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode!));
    });
    req.on('error', fail);
    req.end();
  });
}

describe('ioctl32 serve under strace', () => {
  test('no file outside the include directories is opened', async () => {
    if (spawnSync('strace', ['-V']).status !== 0)
      throw new Error('strace is missing: install it (scripts/install-toolchains.sh)');
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'ioctl32-reads-')));
    const outside = realpathSync(mkdtempSync(join(tmpdir(), 'ioctl32-outside-')));
    writeFileSync(join(outside, 'secret.h'), 'struct secret { int x; };\n');
    mkdirSync(join(dir, 'mydrv'));
    writeFileSync(join(dir, 'mydrv/ok.h'), '#include <linux/ioctl.h>\nstruct ok { int a; long b; };\n');
    symlinkSync(join(outside, 'secret.h'), join(dir, 'mydrv/evil.h'));
    symlinkSync(outside, join(dir, 'out'));
    const log = join(dir, '..', `${dir.split('/').pop()}.strace`);
    const child = spawn(
      'strace',
      [
        '-f',
        '-qq',
        '-e',
        'trace=open,openat,openat2',
        '-o',
        log,
        process.execPath,
        CLI,
        'serve',
        '--port',
        '0',
        '-I',
        dir,
      ],
      // its own process group: strace detaches on a signal, the server is stopped with it
      { env: { ...process.env, NO_COLOR: '1' }, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    try {
      const url = await new Promise<string>((done, fail) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
          if (m) done(m[0]);
        });
        child.on('exit', (code) => fail(new Error(`serve exited (${code}) before printing its URL: ${out}`)));
      });
      const port = Number(new URL(url).port);
      const probes = [
        `/api/check?header=${encodeURIComponent(`${outside}/secret.h`)}`,
        '/api/check?header=../../../..' + encodeURIComponent(outside) + '/secret.h',
        '/api/check?header=%2e%2e/%2e%2e/%2e%2e' + encodeURIComponent(outside) + '/secret.h',
        '/api/check?header=mydrv/evil.h',
        '/api/layout?header=mydrv/evil.h&record=struct%20secret',
        '/api/check?header=out/secret.h',
        '/api/gen-c?header=out/secret.h',
      ];
      for (const p of probes) expect(await get(port, p), p).toBeGreaterThanOrEqual(400);
      // the one inside is served (so the trace sees the server open headers at all)
      expect(await get(port, '/api/layout?header=mydrv/ok.h&record=ok&abis=x86_64,i386')).toBe(200);
    } finally {
      const closed = new Promise((done) => child.on('close', done));
      process.kill(-child.pid!, 'SIGKILL');
      await closed;
    }
    const opened = readFileSync(log, 'utf8')
      .split('\n')
      .map((l) => /open(?:at2?)?\((?:AT_FDCWD, |\d+, )?"([^"]*)"/.exec(l)?.[1])
      .filter((p): p is string => p !== undefined)
      .map((p) => resolve(dir, p));
    expect(opened.filter((p) => p === join(dir, 'mydrv/ok.h')).length).toBeGreaterThan(0);
    expect(
      opened.filter((p) => p.startsWith(outside) || p.startsWith(join(dir, 'out')) || p.endsWith('evil.h')),
    ).toEqual([]);
  }, 120_000);
});
