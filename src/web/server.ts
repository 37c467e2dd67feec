/**
 * `ioctl32 serve`: a local web viewer over the library. node:http only; the page is plain
 * TypeScript compiled by the build (src/web/page/); JSON endpoints under /api/ answer what
 * check, layout (the SVG of report/svg.ts), gen c and explain answer. Headers are read only below
 * the configured include directories (HeaderGuard).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { ABIS, compatPairs, getAbi, noCompatPairs } from '../abi/index.js';
import type { Abi } from '../abi/types.js';
import { includeConfigFor, type IncludeOptions } from '../cfront/index.js';
import { uapiHeaders, type ScanOptions } from '../scan/scan.js';
import { stamped, stillAsRead, type ReadStamp } from '../scan/cache.js';
import { HeaderReadError } from '../scan/failed.js';
import { check, type CheckReport } from '../compat/check.js';
import { VERDICTS } from '../compat/compare.js';
import { generateCompatC } from '../codegen/c.js';
import { explain } from '../report/explain.js';
import { layoutDiagrams, renderSvg } from '../report/svg.js';
import { Ioctl32Error, UsageError } from '../errors.js';
import { HeaderGuard, PathRefused } from './paths.js';
import { PAGE_HTML } from './page.js';

export interface ViewerOptions {
  /** Scan settings of every ABI as the CLI reads them: include directories, kernel tree, -D/-U (no ABI, no headers). */
  scan: Omit<ScanOptions, 'abi' | 'headers' | 'files'>;
  /** Each ABI's own over `scan` (--sysroot ABI=DIR). */
  scanFor?: (abi: Abi) => Partial<ScanOptions>;
  /** The kernel's ABI the page starts with (default x86_64). */
  native?: Abi;
}

/** A request the viewer refuses: 4xx and a message. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const CACHE_ENTRIES = 64;
const MAX_QUERY = 4096;

/** Where the compiled page is: beside this module in dist, or in dist when running from the sources. */
function pageScript(): string {
  const candidates = [
    new URL('./page/app.js', import.meta.url),
    new URL('../../dist/web/page/app.js', import.meta.url),
  ].map((u) => fileURLToPath(u));
  const found = candidates.find((f) => existsSync(f));
  return found
    ? readFileSync(found, 'utf8')
    : "document.body.textContent = 'The page is not built: run npm run build.';\n";
}

/** The viewer's answers as functions of a path and its parameters (the server's and the tests' one entry). */
export class Viewer {
  private readonly guards = new Map<string, HeaderGuard>();
  private readonly cache = new Map<string, { value: unknown; stamp: ReadStamp }>();
  readonly native: Abi;

  constructor(readonly opts: ViewerOptions) {
    this.native = opts.native ?? getAbi('x86_64');
  }

  private scanOf(abi: Abi, headers: string[]): ScanOptions {
    return { ...this.opts.scan, ...(this.opts.scanFor?.(abi) ?? {}), abi, headers };
  }

  private includeOf(abi: Abi): IncludeOptions {
    const s = this.scanOf(abi, []);
    const o: IncludeOptions = {};
    if (s.includeDirs) o.includeDirs = s.includeDirs;
    if (s.sysroot !== undefined) o.sysroot = s.sysroot;
    if (s.kernelTree !== undefined) o.kernelTree = s.kernelTree;
    return o;
  }

  /** The header's include name, checked against every ABI's include directories that will read it. */
  header(name: string | null, abis: readonly Abi[]): string {
    if (name === null || name === '') throw new HttpError(400, 'missing parameter: header');
    for (const abi of abis) {
      let g = this.guards.get(abi.name);
      if (!g) this.guards.set(abi.name, (g = new HeaderGuard(includeConfigFor(abi, this.includeOf(abi)).includeDirs)));
      try {
        g.check(name);
      } catch (e) {
        // the ABI whose directories lack it, as the CLI says (linux/kvm.h is arm64's, not arm's)
        if (!(e instanceof PathRefused) || e.status !== 404 || abis.length < 2) throw e;
        throw new PathRefused(`${e.message} (on ${abi.name})`, 404);
      }
    }
    return name;
  }

  /**
   * An answer made before, while every file it read is as it was (an edited header is read again, as
   * the CLI's results are); the least recently used goes first.
   */
  private memo<T>(key: string, make: () => T): T {
    const hit = this.cache.get(key);
    if (hit !== undefined) {
      this.cache.delete(key);
      if (stillAsRead(hit.stamp, uapiHeaders)) {
        this.cache.set(key, hit);
        return hit.value as T;
      }
    }
    const { value, stamp } = stamped(make);
    this.cache.set(key, { value, stamp });
    if (this.cache.size > CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    return value;
  }

  /** ABIs, pairs and verdicts the page offers. */
  config() {
    return {
      native: this.native.name,
      abis: ABIS.map((a) => a.name),
      pairs: compatPairs().map((p) => `${p.native.name}:${p.compat.name}`),
      verdicts: VERDICTS,
    };
  }

  /** The UAPI set as the native ABI's include directories hold it. */
  headers() {
    return this.memo('headers', () => ({
      headers: uapiHeaders(includeConfigFor(this.native, this.includeOf(this.native)).includeDirs),
    }));
  }

  /** `pairs`: comma-separated NATIVE:COMPAT, or a native ABI for its pairs without flavours (gen c's choice). */
  pairs(spec: string | null): Array<{ native: Abi; compat: Abi }> {
    const text = spec || this.native.name;
    const out: Array<{ native: Abi; compat: Abi }> = [];
    for (const part of text.split(',')) {
      const [n, c, extra] = part.split(':');
      if (!n || extra !== undefined) throw new HttpError(400, `pairs: NATIVE:COMPAT or NATIVE, not '${part}'`);
      const native = getAbi(n);
      if (c === undefined) {
        const all = compatPairs().filter((p) => p.native.name === native.name && !p.compat.flavourOf);
        if (!all.length) throw new HttpError(400, noCompatPairs(native));
        out.push(...all);
        continue;
      }
      const compat = getAbi(c);
      if (!native.compat.includes(compat.name)) {
        throw new HttpError(400, `${compat.name} is not a compat ABI of ${native.name}`);
      }
      out.push({ native, compat });
    }
    return out;
  }

  abis(spec: string | null): Abi[] {
    // by default the native ABI and its compat ABIs but flavours (i386, not i386+t64 too)
    const compat = this.native.compat.map(getAbi).filter((a) => !a.flavourOf);
    const names = (spec || [this.native, ...compat].map((a) => a.name).join(',')).split(',');
    if (names.length > 16) throw new HttpError(400, 'abis: at most 16');
    return names.map(getAbi);
  }

  /** `check` of one header on the pairs, lint included (CONTRACT.md's JSON). */
  check(header: string | null, pairsSpec: string | null) {
    const pairs = this.pairs(pairsSpec);
    const h = this.header(header, [...new Set(pairs.flatMap((p) => [p.native, p.compat]))]);
    return this.memo(`check ${h} ${pairs.map((p) => `${p.native.name}:${p.compat.name}`).join(',')}`, () => {
      const run = (lint: boolean) =>
        check({
          pairs,
          scan: { ...this.opts.scan, headers: [h] },
          ...(this.opts.scanFor ? { scanFor: this.opts.scanFor } : {}),
          lint,
          // the header asked about does not read: its error (422), as gen-c and the CLI say it, not an empty answer
          requireHeaders: true,
        });
      let r: CheckReport;
      let lintError: string | undefined;
      try {
        r = run(true);
      } catch (e) {
        // the verdicts stand without the lint rules: show them, and say the rules failed
        if (e instanceof Ioctl32Error) throw e;
        lintError = e instanceof Error ? e.message : String(e);
        r = run(false);
      }
      return {
        pairs: r.pairs,
        findings: r.findings,
        summary: r.summary,
        failed: r.failed,
        ...(lintError !== undefined ? { lintError } : {}),
      };
    });
  }

  /** One record's diagram on the ABIs: the model and its SVG (report/svg.ts, as `layout --svg` writes it). */
  layout(header: string | null, record: string | null, abisSpec: string | null) {
    const abis = this.abis(abisSpec);
    const h = this.header(header, abis);
    if (!record) throw new HttpError(400, 'missing parameter: record');
    if (record.length > 200) throw new HttpError(400, 'record: too long');
    return this.memo(`layout ${h} ${record} ${abis.map((a) => a.name).join(',')}`, () => {
      const drawn = layoutDiagrams(
        abis.map((a) => this.scanOf(a, [h])),
        [record],
      );
      const diagram = drawn.diagrams[0];
      if (!diagram) {
        // a header that does not parse declares nothing: its error is why
        const why = Object.entries(drawn.failed).find(([, f]) => f[h] !== undefined);
        const failed = why ? ` (${h} cannot be read on ${why[0]}: ${why[1][h]})` : '';
        throw new HttpError(404, `no record ${record} in ${h}${failed}`);
      }
      return { diagram, svg: renderSvg(diagram, { idPrefix: 'diagram', focusable: true }), failed: drawn.failed };
    });
  }

  /** `gen c` of the header for a native ABI and its compat ABIs (the native side from the configured headers). */
  genC(header: string | null, nativeName: string | null) {
    const native = getAbi(nativeName || this.native.name);
    const compat = native.compat.map(getAbi).filter((a) => !a.flavourOf);
    if (!compat.length) throw new HttpError(400, noCompatPairs(native));
    const h = this.header(header, [native, ...compat]);
    return this.memo(`genc ${h} ${native.name}`, () => {
      const g = generateCompatC({
        pair: { native, compat },
        // the kernel tree the viewer was given, else none: it reads no header outside its directories
        scan: { ...this.opts.scan, headers: [h], kernelTree: this.opts.scan.kernelTree ?? null },
        ...(this.opts.scanFor ? { scanFor: this.opts.scanFor } : {}),
      });
      return { source: g.source, ioctls: g.ioctls };
    });
  }

  /** `explain` of a log line or number, the kernel's ABI given. */
  explain(q: string | null, nativeName: string | null) {
    if (!q) throw new HttpError(400, 'missing parameter: q');
    if (q.length > 1000) throw new HttpError(400, 'q: too long');
    const native = getAbi(nativeName || this.native.name);
    return this.memo(`explain ${native.name} ${q}`, () =>
      explain(q, { native, includeFor: (abi) => this.includeOf(abi) }),
    );
  }

  /** The JSON answer of an /api/ path. */
  api(path: string, q: URLSearchParams): unknown {
    switch (path) {
      case '/api/config':
        return this.config();
      case '/api/headers':
        return this.headers();
      case '/api/check':
        return this.check(q.get('header'), q.get('pairs'));
      case '/api/layout':
        return this.layout(q.get('header'), q.get('record'), q.get('abis'));
      case '/api/gen-c':
        return this.genC(q.get('header'), q.get('native'));
      case '/api/explain':
        return this.explain(q.get('q'), q.get('native'));
      default:
        throw new HttpError(404, `no such endpoint: ${path.slice(0, 80)}`);
    }
  }
}

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, ...SECURITY_HEADERS });
  res.end(body);
}

/** The status of what went wrong: the user's mistake (4xx) or ours (500). */
function statusOf(e: unknown): { status: number; message: string } {
  if (e instanceof HttpError || e instanceof PathRefused) return { status: e.status, message: e.message };
  if (e instanceof HeaderReadError || e instanceof UsageError || e instanceof Ioctl32Error) {
    return { status: 422, message: e.message };
  }
  return { status: 500, message: e instanceof Error ? e.message : String(e) };
}

/** Host names a loopback-bound viewer answers to: other names are a DNS rebinding page's. */
const LOOPBACK_HOSTS = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/;

export function handler(viewer: Viewer, opts: { loopback: boolean }) {
  let script: string | undefined;
  return (req: IncomingMessage, res: ServerResponse): void => {
    try {
      const raw = req.url ?? '';
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'only GET');
      if (!raw.startsWith('/') || raw.startsWith('//') || raw.length > MAX_QUERY) {
        throw new HttpError(400, 'bad request target');
      }
      if (opts.loopback && !LOOPBACK_HOSTS.test(req.headers.host ?? '')) {
        throw new HttpError(403, 'this viewer answers to localhost only');
      }
      // WHATWG URLs read `\` as `/`: a target with one (or a control character) is no path of ours
      if (/[\\\x00-\x20\x7f]/.test(raw)) throw new HttpError(400, 'bad request target');
      let url: URL;
      try {
        url = new URL(raw, 'http://localhost');
      } catch {
        throw new HttpError(400, 'bad request target');
      }
      if (url.pathname === '/' || url.pathname === '/index.html') {
        send(res, 200, 'text/html; charset=utf-8', PAGE_HTML);
        return;
      }
      if (url.pathname === '/favicon.ico') {
        res.writeHead(204, SECURITY_HEADERS).end();
        return;
      }
      if (url.pathname === '/app.js') {
        script ??= pageScript();
        send(res, 200, 'text/javascript; charset=utf-8', script);
        return;
      }
      if (!url.pathname.startsWith('/api/')) throw new HttpError(404, 'not found');
      const body = JSON.stringify(viewer.api(url.pathname, url.searchParams));
      send(res, 200, 'application/json; charset=utf-8', body);
    } catch (e) {
      const { status, message } = statusOf(e);
      if (status >= 500) process.stderr.write(`ioctl32 serve: ${req.url}: ${message}\n`);
      send(res, status, 'application/json; charset=utf-8', JSON.stringify({ error: message }));
    }
  };
}

export interface ServeOptions extends ViewerOptions {
  port?: number;
  /** Default 127.0.0.1: only this machine. */
  host?: string;
}

/** Starts the viewer; resolves with the server and its URL once it listens. */
export async function serve(opts: ServeOptions): Promise<{ server: Server; url: string; viewer: Viewer }> {
  const viewer = new Viewer(opts);
  const host = opts.host ?? '127.0.0.1';
  const loopback = ['127.0.0.1', 'localhost', '::1'].includes(host);
  const server = createServer(handler(viewer, { loopback }));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 8032, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return { server, url: `http://${shown}:${addr.port}/`, viewer };
}
