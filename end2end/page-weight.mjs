// Loads a page in Debian's Chromium at phone size, as a first-time visitor (empty cache), waits until it is
// interactive and the network is idle, and prints every response with its compressed body size on the wire.
// Usage: node page-weight.mjs http://127.0.0.1:3010/sign-in
import { chromium } from '@playwright/test';

const url = process.argv[2];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, locale: 'zh-CN' });
const page = await context.newPage();
const responses = [];
page.on('requestfinished', async (request) => {
  const response = await request.response();
  const sizes = await request.sizes();
  responses.push({
    path: new URL(request.url()).pathname,
    bytes: sizes.responseBodySize,
    encoding: (await response?.headerValue('content-encoding')) ?? 'none',
  });
});
await page.goto(url, { waitUntil: 'networkidle' });
await page.waitForFunction(() => window.__houqin_hydrated === true, undefined, { timeout: 15000 });
await page.waitForLoadState('networkidle');
await browser.close();

let total = 0;
console.log(`  ${'resource'.padEnd(52)} ${'bytes'.padStart(8)}  encoding`);
for (const r of responses) {
  total += r.bytes;
  console.log(`  ${r.path.slice(0, 52).padEnd(52)} ${String(r.bytes).padStart(8)}  ${r.encoding}`);
}
console.log(`  ${'total'.padEnd(52)} ${String(total).padStart(8)}  (budget 307200 = 300 KB: ${total <= 307200 ? 'within' : 'OVER'})`);
