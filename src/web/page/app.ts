/**
 * The viewer's page. Its whole state is the URL's hash (header, pairs, ABIs, filters, the ioctl or
 * record picked, the tab), so a link shows the same view; every choice is a link or a form control,
 * reachable by keyboard. It draws nothing itself: the diagram is the SVG the server's /api/layout
 * gives, made by the same function as `ioctl32 layout --svg`.
 */

// The shapes of the /api/ answers this page reads (the server's types live in the Node build).
interface Config {
  native: string;
  abis: string[];
  pairs: string[];
  verdicts: string[];
}
interface Place {
  offset: number;
  size: number;
}
interface Reason {
  rule: string;
  path: string;
  native?: Place;
  compat?: Place;
  message?: string;
}
interface IoctlVerdict {
  name: string;
  header: string;
  arg?: string;
  verdict: string;
  nativeCmd: number | null;
  compatCmd: number | null;
  cmdDiffers: boolean;
  reasons: Reason[];
  action: string;
}
interface Finding {
  rule: string;
  level: string;
  record?: string;
  ioctl?: string;
  path?: string;
  file: string;
  line: number;
  message: string;
  fix: string;
}
interface CheckAnswer {
  pairs: Array<{ native: string; compat: string; ioctls: IoctlVerdict[] }>;
  findings: Finding[];
  failed: Record<string, Record<string, string>>;
  /** The lint rules failed on this header (the verdicts stand). */
  lintError?: string;
}
interface LayoutAnswer {
  svg: string;
  diagram: { name: string; differing: string[] };
}
interface GenAnswer {
  source: string;
  ioctls: Array<{ name: string; abi: string; verdict: string; handling: string; why?: string }>;
}
interface ExplainAnswer {
  native: string;
  candidates: Array<{
    abi: string;
    decoded: { cmd: number; dir: string | null; type: number; nr: number; size: number };
    names: Array<{ name: string; header?: string; verdict?: string; action?: string }>;
  }>;
}

type Tab = 'layout' | 'gen-c';

interface State {
  header: string;
  pairs: string;
  abis: string;
  verdict: string;
  q: string;
  hq: string;
  ioctl: string;
  record: string;
  tab: Tab;
}

const KEYS: Array<keyof State> = ['header', 'pairs', 'abis', 'verdict', 'q', 'hq', 'ioctl', 'record', 'tab'];

function readState(): State {
  const p = new URLSearchParams(location.hash.replace(/^#/, ''));
  const get = (k: string) => p.get(k) ?? '';
  return {
    header: get('header'),
    pairs: get('pairs'),
    abis: get('abis'),
    verdict: get('verdict'),
    q: get('q'),
    hq: get('hq'),
    ioctl: get('ioctl'),
    record: get('record'),
    tab: get('tab') === 'gen-c' ? 'gen-c' : 'layout',
  };
}

/** The hash of a state: only what is set, in a fixed order (equal views, equal links). */
function hashOf(s: State): string {
  const p = new URLSearchParams();
  for (const k of KEYS) if (s[k] && !(k === 'tab' && s[k] === 'layout')) p.set(k, s[k]);
  return `#${p.toString()}`;
}

function link(change: Partial<State>): string {
  return hashOf({ ...readState(), ...change });
}

function go(change: Partial<State>, replace = false): void {
  const h = link(change);
  if (replace) history.replaceState(null, '', h);
  else location.hash = h;
  if (replace) void render();
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

const answers = new Map<string, Promise<unknown>>();

/** GET an /api/ path; answers are kept for the page's life (the server's are deterministic). */
async function api<T>(path: string, params: Record<string, string>): Promise<T> {
  const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== '')).toString();
  const url = `/api/${path}?${q}`;
  let p = answers.get(url);
  if (!p) {
    p = fetch(url).then(async (r) => {
      const body = (await r.json()) as { error?: string };
      if (!r.ok) throw new Error(body.error ?? `${r.status}`);
      return body;
    });
    answers.set(url, p);
    p.catch(() => answers.delete(url));
  }
  return (await p) as T;
}

const hex = (n: number | null) => (n === null ? '-' : `0x${(n >>> 0).toString(16).padStart(8, '0')}`);

/** A query that is a name searches names; anything else (a number, a log line) goes to explain. */
const isName = (q: string) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(q);

function parseNumber(q: string): number | null {
  const m = /^\s*(0x[0-9a-f]+|\d+)\s*$/i.exec(q);
  return m ? Number(m[1]) >>> 0 : null;
}

let config: Config | undefined;
let headerList: string[] = [];

function setStatus(text: string): void {
  $('status').textContent = text;
}

function renderControls(s: State, c: Config): void {
  const pairs = $<HTMLSelectElement>('pairs');
  if (!pairs.options.length) {
    const natives = [...new Set(c.pairs.map((p) => p.split(':')[0]!))];
    for (const n of natives) pairs.append(el('option', { value: n }, `${n} (its compat ABIs)`));
    for (const p of c.pairs) pairs.append(el('option', { value: p }, p));
    pairs.addEventListener('change', () => go({ pairs: pairs.value === c.native ? '' : pairs.value }));
  }
  pairs.value = s.pairs || c.native;
  const box = $('abis');
  if (box.querySelectorAll('input').length === 0) {
    for (const a of c.abis) {
      const input = el('input', { type: 'checkbox', value: a, id: `abi-${a}` });
      input.addEventListener('change', () => {
        const on = [...box.querySelectorAll<HTMLInputElement>('input:checked')].map((i) => i.value);
        go({ abis: on.join(',') });
      });
      box.append(el('label', { for: `abi-${a}` }, input, a));
    }
  }
  const shown = new Set(abisOf(s, c));
  for (const i of box.querySelectorAll<HTMLInputElement>('input')) i.checked = shown.has(i.value);
  const verdict = $<HTMLSelectElement>('verdict-filter');
  if (!verdict.options.length) {
    verdict.append(el('option', { value: '' }, 'every verdict'), el('option', { value: 'needs-work' }, 'needs work'));
    for (const v of c.verdicts) verdict.append(el('option', { value: v }, v));
    verdict.addEventListener('change', () => go({ verdict: verdict.value }));
  }
  verdict.value = s.verdict;
  const hf = $<HTMLInputElement>('header-filter');
  if (document.activeElement !== hf) hf.value = s.hq;
  const qf = $<HTMLInputElement>('ioctl-filter');
  if (document.activeElement !== qf) qf.value = s.q;
}

function abisOf(s: State, c: Config): string[] {
  if (s.abis) return s.abis.split(',');
  const natives = (s.pairs || c.native).split(',').map((p) => p.split(':'));
  const out = new Set<string>();
  for (const [n, compat] of natives) {
    out.add(n!);
    if (compat) out.add(compat);
    else for (const p of c.pairs) if (p.startsWith(`${n}:`) && !p.includes('+')) out.add(p.split(':')[1]!);
  }
  return [...out];
}

function renderHeaders(s: State): void {
  const list = $('header-list');
  const needle = s.hq.toLowerCase();
  const shown = headerList.filter((h) => h.toLowerCase().includes(needle)).slice(0, 300);
  list.replaceChildren(
    ...shown.map((h) => {
      const a = el('a', { href: link({ header: h, ioctl: '', record: '', q: '', verdict: '' }) }, h);
      if (h === s.header) a.setAttribute('aria-current', 'true');
      return el('li', {}, a);
    }),
  );
}

const NEEDS_WORK = new Set(['renumber', 'pointer-inside', 'convert', 'unknown']);

async function renderIoctls(s: State): Promise<CheckAnswer | undefined> {
  $('header-name').textContent = s.header;
  const list = $('ioctl-list');
  const explainBox = $('explain');
  explainBox.replaceChildren();
  if (s.q && !isName(s.q)) void renderExplain(s, explainBox);
  if (!s.header) {
    list.replaceChildren(el('li', {}, 'pick a header'));
    return undefined;
  }
  setStatus(`checking ${s.header}…`);
  let answer: CheckAnswer;
  try {
    answer = await api<CheckAnswer>('check', { header: s.header, pairs: s.pairs });
  } catch (e) {
    list.replaceChildren(el('li', { class: 'error' }, (e as Error).message));
    setStatus('');
    return undefined;
  }
  setStatus('');
  const byName = new Map<string, IoctlVerdict[]>();
  for (const p of answer.pairs) for (const v of p.ioctls) byName.set(v.name, [...(byName.get(v.name) ?? []), v]);
  const number = s.q && !isName(s.q) ? parseNumber(s.q) : null;
  const rows = [...byName].filter(([name, vs]) => {
    if (s.verdict === 'needs-work' && !vs.some((v) => NEEDS_WORK.has(v.verdict))) return false;
    if (s.verdict && s.verdict !== 'needs-work' && !vs.some((v) => v.verdict === s.verdict)) return false;
    if (s.q && isName(s.q)) return name.toLowerCase().includes(s.q.toLowerCase());
    if (number !== null) return vs.some((v) => v.nativeCmd === number || v.compatCmd === number);
    return true;
  });
  list.replaceChildren(
    ...rows.map(([name, vs]) => {
      const a = el(
        'a',
        { href: link({ ioctl: name, record: '' }), 'data-ioctl': name },
        name,
        ' ',
        el('span', { class: 'num' }, hex(vs[0]!.nativeCmd)),
        ...vs.map((v) =>
          el('span', { class: `verdict v-${v.verdict}`, title: `${pairName(answer, v)}: ${v.action}` }, v.verdict),
        ),
      );
      if (name === s.ioctl) a.setAttribute('aria-current', 'true');
      return el('li', {}, a);
    }),
  );
  if (!rows.length) list.replaceChildren(el('li', {}, 'no ioctl matches'));
  return answer;
}

function pairName(answer: CheckAnswer, v: IoctlVerdict): string {
  const p = answer.pairs.find((x) => x.ioctls.includes(v));
  return p ? `${p.native}:${p.compat}` : '';
}

async function renderExplain(s: State, box: HTMLElement): Promise<void> {
  const native = (s.pairs || config?.native || '').split(/[:,]/)[0] ?? '';
  try {
    const e = await api<ExplainAnswer>('explain', { q: s.q, native });
    box.replaceChildren(
      el('strong', {}, `explain (${e.native} kernel)`),
      ...e.candidates.map((c) => {
        const d = c.decoded;
        const names = c.names.length
          ? c.names.map((n) =>
              el(
                'div',
                {},
                el('a', { href: link({ header: n.header ?? s.header, ioctl: n.name, record: '', q: '' }) }, n.name),
                n.verdict ? el('span', { class: `verdict v-${n.verdict}` }, n.verdict) : '',
                n.action ? ` ${n.action}` : '',
              ),
            )
          : [el('div', {}, 'no ioctl in the catalogue has this number here')];
        return el(
          'div',
          {},
          el('div', {}, `as ${c.abi}: dir ${d.dir ?? '?'}, type 0x${d.type.toString(16)}, nr ${d.nr}, size ${d.size}`),
          ...names,
        );
      }),
    );
  } catch (e) {
    box.replaceChildren(el('span', { class: 'error' }, (e as Error).message));
  }
}

function renderTabs(s: State): void {
  const tabs: Array<[Tab, string]> = [
    ['layout', 'Layout'],
    ['gen-c', 'Generated compat code'],
  ];
  $('tabs').replaceChildren(
    ...tabs.map(([t, label]) => el('a', { href: link({ tab: t }), 'aria-selected': String(s.tab === t) }, label)),
  );
}

async function renderView(s: State, check: CheckAnswer | undefined): Promise<void> {
  const view = $('view');
  renderTabs(s);
  const verdicts = check ? check.pairs.flatMap((p) => p.ioctls.filter((v) => v.name === s.ioctl)) : [];
  const record = s.record || verdicts.find((v) => v.arg)?.arg || '';
  $('view-h').textContent = s.ioctl ? `${s.ioctl}${record ? ` — ${record}` : ''}` : record || 'Layout';
  if (!s.header || (!s.ioctl && !s.record)) {
    view.replaceChildren(el('p', {}, 'pick a header, then an ioctl'));
    return;
  }
  if (s.tab === 'gen-c') {
    const native = (s.pairs || config?.native || '').split(/[:,]/)[0] ?? '';
    view.replaceChildren(el('p', {}, 'generating…'));
    try {
      const g = await api<GenAnswer>('gen-c', { header: s.header, native });
      const mine = g.ioctls.filter((x) => x.name === s.ioctl);
      view.replaceChildren(
        ...mine.map((x) =>
          el('p', {}, `${x.name} for ${x.abi} tasks: ${x.verdict}, ${x.handling}${x.why ? `: ${x.why}` : ''}`),
        ),
        el('pre', { id: 'gen-source', tabindex: '0' }, g.source),
      );
    } catch (e) {
      view.replaceChildren(el('p', { class: 'error' }, (e as Error).message));
    }
    return;
  }
  const side = el('div', { id: 'reasons' });
  for (const v of verdicts) {
    const pair = check ? pairName(check, v) : '';
    side.append(
      el('h3', {}, `${pair}: `, el('span', { class: `verdict v-${v.verdict}` }, v.verdict)),
      el('p', {}, v.action),
      ...v.reasons.map((r) =>
        el(
          'div',
          { class: 'reason' },
          `${r.rule} ${r.path}`,
          r.native ? ` native ${r.native.offset}/${r.native.size}` : '',
          r.compat ? ` compat ${r.compat.offset}/${r.compat.size}` : '',
          r.message ? ` — ${r.message}` : '',
        ),
      ),
    );
  }
  const findings = (check?.findings ?? []).filter((f) => f.ioctl === s.ioctl || (record && f.record === record));
  if (check?.lintError) side.append(el('p', { class: 'error' }, `lint failed: ${check.lintError}`));
  if (findings.length) {
    side.append(
      el('h3', {}, 'Lint'),
      ...findings.map((f) =>
        el('div', { class: 'finding' }, `${f.level} ${f.rule}: ${f.message}`, el('br'), `fix: ${f.fix}`),
      ),
    );
  }
  if (!record) {
    view.replaceChildren(el('p', {}, 'no argument record'), side);
    return;
  }
  const diagram = el('div', { id: 'diagram' }, 'drawing…');
  view.replaceChildren(diagram, side);
  try {
    const l = await api<LayoutAnswer>('layout', {
      header: s.header,
      record,
      abis: abisOf(s, config!).join(','),
    });
    // the server's SVG, as `ioctl32 layout --svg` writes it (escaped there; no script in it)
    diagram.innerHTML = l.svg;
    diagram.setAttribute('data-record', l.diagram.name);
  } catch (e) {
    diagram.replaceChildren(el('p', { class: 'error' }, (e as Error).message));
  }
}

let rendering = 0;

async function render(): Promise<void> {
  const ticket = ++rendering;
  const s = readState();
  config ??= await api<Config>('config', {});
  if (!headerList.length) headerList = (await api<{ headers: string[] }>('headers', {})).headers;
  renderControls(s, config);
  renderHeaders(s);
  const check = await renderIoctls(s);
  if (ticket !== rendering) return;
  await renderView(s, check);
  if (ticket === rendering) document.body.setAttribute('data-ready', hashOf(s));
}

function debounce(f: () => void, ms: number): () => void {
  let t: number | undefined;
  return () => {
    clearTimeout(t);
    t = setTimeout(f, ms);
  };
}

function wire(): void {
  const hf = $<HTMLInputElement>('header-filter');
  hf.addEventListener(
    'input',
    debounce(() => go({ hq: hf.value }, true), 150),
  );
  const qf = $<HTMLInputElement>('ioctl-filter');
  qf.addEventListener(
    'input',
    debounce(() => go({ q: qf.value.trim() }, true), 250),
  );
  window.addEventListener('hashchange', () => void render());
}

wire();
void render();
