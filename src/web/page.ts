/** The viewer's page: its markup and style (no CDN, no web fonts); its behaviour is page/app.ts, served as /app.js. */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ioctl32 — layouts side by side</title>
<link rel="icon" href="data:,">
<style>
  :root { font-family: system-ui, sans-serif; font-size: 14px; color: #1d1d1d; background: #fafafa; }
  body { margin: 0; }
  header { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; padding: 8px 12px;
    background: #23384d; color: #fff; }
  header h1 { font-size: 16px; margin: 0 12px 0 0; }
  header a { color: #fff; }
  header label { display: flex; gap: 4px; align-items: center; }
  fieldset { border: 1px solid #6b8299; padding: 2px 6px; margin: 0; display: flex; flex-wrap: wrap; gap: 4px; }
  fieldset legend { font-size: 12px; }
  main { display: grid; grid-template-columns: 240px 380px 1fr; gap: 0; height: calc(100vh - 48px); }
  section { overflow: auto; padding: 8px; border-right: 1px solid #ddd; }
  h2 { font-size: 14px; margin: 4px 0 8px; }
  input[type=search], select { font: inherit; padding: 3px 5px; }
  #header-list, #ioctl-list { list-style: none; margin: 0; padding: 0; }
  #header-list li a, #ioctl-list li a { display: block; padding: 2px 4px; color: #1d1d1d; text-decoration: none;
    border-radius: 3px; }
  #header-list li a:hover, #ioctl-list li a:hover { background: #e6eef6; }
  a[aria-current="true"] { background: #23384d !important; color: #fff !important; }
  a:focus-visible, g.block:focus-visible, button:focus-visible { outline: 3px solid #e08a00; outline-offset: 1px; }
  .verdict { display: inline-block; font-size: 11px; padding: 0 4px; border-radius: 3px; margin-left: 4px;
    background: #ddd; }
  .v-identical, .v-no-arg { background: #cde8cd; } .v-renumber { background: #f7e3a1; }
  .v-pointer-inside { background: #f9c98a; } .v-convert { background: #f3a7a0; } .v-unknown { background: #ccc; }
  .num { font-family: monospace; font-size: 12px; color: #555; }
  .tabs { display: flex; gap: 4px; margin-bottom: 8px; }
  .tabs a { padding: 4px 10px; border: 1px solid #bbb; border-radius: 4px 4px 0 0; text-decoration: none;
    color: #1d1d1d; }
  .tabs a[aria-selected="true"] { background: #23384d; color: #fff; }
  #diagram { overflow: auto; background: #fff; border: 1px solid #ddd; }
  #diagram svg { display: block; width: 100%; height: auto; }
  pre { background: #fff; border: 1px solid #ddd; padding: 8px; overflow: auto; font-size: 12px; }
  .reason { margin: 2px 0; }
  .finding { margin: 4px 0; padding: 4px; border-left: 3px solid #b35c00; background: #fff; }
  .error { color: #a00; }
  #explain:empty { display: none; }
  #explain { background: #fff; border: 1px solid #ddd; padding: 6px; margin-bottom: 8px; font-size: 12px; }
</style>
</head>
<body>
<header>
  <h1><a href="#">ioctl32</a></h1>
  <label>Pairs <select id="pairs" aria-label="compat pairs"></select></label>
  <fieldset id="abis"><legend>ABIs drawn</legend></fieldset>
  <span id="status" role="status" aria-live="polite"></span>
</header>
<main>
  <section aria-labelledby="headers-h">
    <h2 id="headers-h">Headers</h2>
    <input type="search" id="header-filter" placeholder="search headers" aria-label="search headers">
    <ul id="header-list"></ul>
  </section>
  <section aria-labelledby="ioctls-h">
    <h2 id="ioctls-h">Ioctls <span id="header-name" class="num"></span></h2>
    <input type="search" id="ioctl-filter" placeholder="name, number or log line" aria-label="search ioctls">
    <select id="verdict-filter" aria-label="filter by verdict"></select>
    <div id="explain"></div>
    <ul id="ioctl-list"></ul>
  </section>
  <section aria-labelledby="view-h">
    <h2 id="view-h">Layout</h2>
    <nav class="tabs" id="tabs" aria-label="views"></nav>
    <div id="view"></div>
  </section>
</main>
<script type="module" src="/app.js"></script>
</body>
</html>
`;
