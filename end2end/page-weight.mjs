// Loads a page in Debian's Chromium at phone size, as a first-time visitor (empty cache), waits until it is
// interactive and the network is idle, and prints every response with its compressed body size on the wire,
// then the time until the page was interactive on a weak 4G link (CDP throttling: 150 ms, 1.6 Mbps down,
// 750 kbps up; a second, separate load).
// Usage: node page-weight.mjs URL [--as USER] [--budget KB]
//   --as USER   sign in first (the form post, as a phone does), then load URL: a job page's first load after
//               sign-in, the cache holding only what the sign-in page fetched
// A page that loads wasm is interactive once the wasm has hydrated it; a plain page (sign-in) once it has
// loaded, since its form works without code.
import { chromium } from '@playwright/test';

const args = process.argv.slice(2);
const url = args[0];
const option = (name) => {
  const at = args.indexOf(name);
  return at > 0 ? args[at + 1] : undefined;
};
const user = option('--as');
const budgetKb = Number(option('--budget') ?? 300);
const password = process.env.HOUQIN_PASSWORD ?? 'houqin2026';

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

/** One load of `url` in a new phone; returns the responses and the milliseconds until interactive. */
async function load({ throttle }) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, locale: 'zh-CN' });
  const page = await context.newPage();
  if (user) {
    await page.goto(new URL('/sign-in', url).href);
    await page.getByLabel('用户名').fill(user);
    await page.getByLabel('密码').fill(password);
    await page.getByRole('button', { name: '登录' }).click();
    // Each lands on their own home: the admin on /admin, everyone else on /.
    await page.waitForURL((u) => u.pathname !== '/sign-in');
    // Only what the sign-in page itself fetched stays cached: the app's code is what the job page brings.
    await page.goto('about:blank');
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.clearBrowserCache');
  }
  const cdp = await context.newCDPSession(page);
  if (throttle) {
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 150,
      downloadThroughput: (1.6 * 1024 * 1024) / 8,
      uploadThroughput: (750 * 1024) / 8,
    });
  }
  const responses = [];
  let wasm = false;
  page.on('requestfinished', async (request) => {
    const path = new URL(request.url()).pathname;
    if (path.endsWith('.wasm')) wasm = true;
    const response = await request.response();
    const sizes = await request.sizes();
    responses.push({
      path,
      bytes: sizes.responseBodySize,
      encoding: (await response?.headerValue('content-encoding')) ?? 'none',
    });
  });
  const start = Date.now();
  await page.goto(url, { waitUntil: 'load', timeout: 60_000 });
  const loaded = Date.now() - start;
  const scripts = await page.evaluate(() => document.querySelectorAll('script[src], link[rel=modulepreload]').length);
  let interactive = loaded;
  if (scripts > 0 || wasm) {
    await page.waitForFunction(() => window.__houqin_hydrated === true, undefined, { timeout: 60_000 });
    interactive = Date.now() - start;
  }
  await page.waitForLoadState('networkidle');
  await context.close();
  return { responses, interactive };
}

const { responses } = await load({ throttle: false });
let total = 0;
console.log(`  ${'resource'.padEnd(52)} ${'bytes'.padStart(8)}  encoding`);
for (const r of responses) {
  total += r.bytes;
  console.log(`  ${r.path.slice(0, 52).padEnd(52)} ${String(r.bytes).padStart(8)}  ${r.encoding}`);
}
const budget = budgetKb * 1024;
console.log(`  ${'total'.padEnd(52)} ${String(total).padStart(8)}  (budget ${budget} = ${budgetKb} KB: ${total <= budget ? 'within' : 'OVER'})`);
const { interactive } = await load({ throttle: true });
console.log(`  interactive on 150 ms / 1.6 Mbps / 750 kbps after ${interactive} ms`);
await browser.close();
