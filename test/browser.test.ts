/**
 * The viewer in a real browser: playwright-core driving Debian's chromium (.ci/run installs it
 * through scripts/install-toolchains.sh). Pick linux/kvm.h's KVM_GET_DIRTY_LOG and sound/asound.h's
 * SNDRV_PCM_IOCTL_SW_PARAMS (struct snd_pcm_sw_params) by keyboard; every block the page shows has
 * layoutRecord's offset and size for each ABI drawn; the URL alone gives the same view; nothing is
 * fetched from outside. Screenshots go to test-results/.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Server } from 'node:http';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { getAbi } from '../src/abi/index.js';
import { flattenFields } from '../src/layout/fields.js';
import { layoutRecord, layouter } from '../src/layout/layout.js';
import { dumpHeaders } from '../src/scan/dump.js';
import { layoutDiagrams, renderSvg } from '../src/report/svg.js';
import { serve } from '../src/web/server.js';

const CHROMIUM = '/usr/bin/chromium';
const PAGE_SCRIPT = 'dist/web/page/app.js';
const RESULTS = resolve('test-results');

interface DomBlock {
  abi: string;
  kind: string;
  path: string;
  offset: number;
  size: number;
}

let server: Server;
let base: string;
let context: BrowserContext;
let profile: string;
const outside: string[] = [];
const problems: string[] = [];

beforeAll(async () => {
  // never skipped: a missing browser or page is a failure that says what to install or run
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (sh scripts/install-toolchains.sh does)`);
  }
  if (!existsSync(PAGE_SCRIPT)) throw new Error(`${PAGE_SCRIPT} is missing: run npm run build first`);
  mkdirSync(RESULTS, { recursive: true });
  const started = await serve({ scan: {}, port: 0 });
  server = started.server;
  base = started.url;
  profile = mkdtempSync(join(tmpdir(), 'ioctl32-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1500, height: 900 },
  });
  // offline: anything not asked of the viewer is refused and noted
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(base) || url.startsWith('file:')) return route.continue();
    outside.push(url);
    return route.abort();
  });
}, 120_000);

afterAll(async () => {
  await context?.close();
  if (server) await new Promise<void>((r) => server.close(() => r()));
  if (profile) rmSync(profile, { recursive: true, force: true });
});

function watch(page: Page): void {
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
}

/** The page has drawn the state its URL holds. */
async function ready(page: Page): Promise<void> {
  // expressions the browser evaluates are strings: the tests' TypeScript has no DOM types; polled from here, as
  // waitForFunction evaluates inside the page, which its Content-Security-Policy (no eval) forbids
  const drawn =
    "document.body.dataset.ready === location.hash && document.querySelector('#diagram svg g.block') !== null";
  for (const until = Date.now() + 120_000; !(await page.evaluate<boolean>(drawn));) {
    if (Date.now() > until) throw new Error(`the page did not draw ${page.url()} within 120 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function blocksOf(page: Page): Promise<DomBlock[]> {
  return page.evaluate<DomBlock[]>(`[...document.querySelectorAll('#diagram svg g.block')].map((g) => ({
    abi: g.getAttribute('data-abi') ?? '',
    kind: g.getAttribute('data-kind') ?? '',
    path: g.getAttribute('data-path') ?? '',
    offset: Number(g.getAttribute('data-offset')),
    size: Number(g.getAttribute('data-size')),
  }))`);
}

/** layoutRecord's members of the record on each ABI, as the page's blocks should show them. */
function expected(header: string, record: string, abis: string[]): Map<string, Map<string, [number, number]>> {
  return new Map(
    abis.map((name) => {
      const abi = getAbi(name);
      const decl = dumpHeaders({ abi, headers: [header] }).decls.get(record);
      if (!decl) throw new Error(`${record} not in ${header} on ${name}`);
      const fields = flattenFields(layoutRecord(decl, abi), layouter(abi));
      return [name, new Map(fields.map((f) => [f.path, [f.offset, f.size] as [number, number]]))];
    }),
  );
}

function drawn(blocks: DomBlock[]): Map<string, Map<string, [number, number]>> {
  const out = new Map<string, Map<string, [number, number]>>();
  for (const b of blocks.filter((x) => x.kind === 'member')) {
    const m = out.get(b.abi) ?? new Map<string, [number, number]>();
    m.set(b.path, [b.offset, b.size]);
    out.set(b.abi, m);
  }
  return out;
}

/** Picks a header and an ioctl the way a keyboard user does: type to search, focus the link, Enter. */
async function pick(page: Page, header: string, ioctl: string): Promise<void> {
  await page.focus('#header-filter');
  await page.keyboard.type(header);
  const headerLink = page.locator('#header-list a', { hasText: new RegExp(`^${header.replace('.', '\\.')}$`) });
  await headerLink.focus();
  await page.keyboard.press('Enter');
  await page.waitForSelector(`#ioctl-list a[data-ioctl]`, { timeout: 120_000 });
  await page.focus('#ioctl-filter');
  await page.keyboard.type(ioctl);
  const ioctlLink = page.locator(`#ioctl-list a[data-ioctl="${ioctl}"]`);
  await ioctlLink.waitFor({ timeout: 60_000 });
  await ioctlLink.focus();
  await page.keyboard.press('Enter');
  await ready(page);
}

const CASES = [
  { header: 'linux/kvm.h', ioctl: 'KVM_GET_DIRTY_LOG', record: 'struct kvm_dirty_log', shot: 'viewer-kvm' },
  {
    header: 'sound/asound.h',
    ioctl: 'SNDRV_PCM_IOCTL_SW_PARAMS',
    record: 'struct snd_pcm_sw_params',
    shot: 'viewer-asound',
  },
];

describe('ioctl32 serve in chromium', () => {
  for (const c of CASES) {
    test(`${c.header} ${c.ioctl}: blocks = layoutRecord, the URL gives the same view`, async () => {
      const page = await context.newPage();
      watch(page);
      await page.goto(base);
      await pick(page, c.header, c.ioctl);
      expect(await page.getAttribute('#diagram', 'data-record')).toBe(c.record);
      const abis = (await page.getAttribute('#diagram svg', 'data-abis'))!.split(',');
      expect(abis).toEqual(['x86_64', 'i386', 'x32']);
      const blocks = await blocksOf(page);
      expect(drawn(blocks)).toEqual(expected(c.header, c.record, abis));
      // the reasons of the verdict beside the diagram
      expect(await page.textContent('#reasons')).toMatch(/x86_64:i386/);
      // blocks take the focus (their title is what hovering shows)
      await page.focus('#diagram svg g.block');
      expect(await page.evaluate<string | null>("document.activeElement.getAttribute('data-kind')")).toBeTruthy();
      await page.screenshot({ path: join(RESULTS, `${c.shot}.png`) });
      // the link alone: a fresh page on the same URL shows the same view
      const url = page.url();
      expect(url).toContain(`ioctl=${c.ioctl}`);
      const again = await context.newPage();
      watch(again);
      await again.goto(url);
      await ready(again);
      expect(await blocksOf(again)).toEqual(blocks);
      expect(await again.textContent('#view-h')).toBe(await page.textContent('#view-h'));
      // the generated compat code tab
      await again.click('.tabs a:nth-child(2)');
      await again.waitForSelector('#gen-source', { timeout: 120_000 });
      expect(await again.textContent('#gen-source')).toContain('compat_ioctl');
      await again.screenshot({ path: join(RESULTS, `${c.shot}-gen-c.png`) });
      await page.close();
      await again.close();
    });
  }

  test('the --svg file in the same browser', async () => {
    const drawnSvg = layoutDiagrams(
      ['x86_64', 'i386', 'x32'].map((a) => ({ abi: getAbi(a), headers: ['linux/kvm.h'] })),
      ['struct kvm_dirty_log'],
    );
    const file = join(RESULTS, 'kvm_dirty_log.svg');
    writeFileSync(file, renderSvg(drawnSvg.diagrams[0]!));
    const page = await context.newPage();
    watch(page);
    await page.goto(pathToFileURL(file).href);
    const box = await page.evaluate<{ name: string; scripts: number }>(
      "({ name: document.documentElement.localName, scripts: document.querySelectorAll('script').length })",
    );
    expect(box).toEqual({ name: 'svg', scripts: 0 });
    await page.screenshot({ path: join(RESULTS, 'kvm_dirty_log-svg.png') });
    await page.close();
  });

  test('nothing was fetched from outside, no page error', () => {
    expect(outside).toEqual([]);
    expect(problems).toEqual([]);
  });
});
