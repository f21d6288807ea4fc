// First contact, on a server of its own that this file stops: every page of the route table opened cold with no
// network on a phone that never visited it (a QR label scanned in a basement), sign-in before the wasm arrives
// and without JavaScript, handing the phone over with no signal, and the warning on a plain-http LAN address.
import { chromium, expect, test, type BrowserContext, type Page } from '@playwright/test';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  PASSWORD,
  addressFor,
  callApi,
  chromiumArgs,
  chromiumPath,
  ownServer,
  phoneSize,
  registerVisitor,
  routeTable,
  screenshot,
  sign,
  signIn,
  visit,
  waitForHydration,
} from './helpers';

const port = 3008;
const server = ownServer(port, 'first-contact');
const { base } = server;

test.describe.configure({ mode: 'serial' });
test.beforeAll(server.start);
test.afterAll(server.stop);

async function openPhone(
  extraArgs: string[] = [],
  baseURL = base,
  profile = mkdtempSync(join(tmpdir(), 'houqin-phone-')),
): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profile, {
    ...phoneSize,
    baseURL,
    executablePath: chromiumPath,
    args: [...chromiumArgs, ...extraArgs],
  });
}

async function firstPage(context: BrowserContext): Promise<Page> {
  return context.pages()[0] ?? (await context.newPage());
}

/**
 * Waits until the page has settled: something on it (a job's page shows nothing until its piece of the wasm is
 * read from the phone's cache) and no "加载中…" left, or it gives the reason it cannot show the page.
 */
async function settledText(page: Page, errors: string[] = []): Promise<string> {
  const text = async () => (await page.locator('body').innerText()).trim();
  await expect
    .poll(async () => { const shown = await text(); return shown.length > 0 && !shown.includes('加载中'); }, {
      message: `${page.url()} settles on something to read; errors so far: ${errors.join(' | ') || 'none'}`,
      timeout: 15_000,
    })
    .toBe(true);
  return text();
}

test('every page of the route table opens cold with no network on a phone that never opened it', async () => {
  test.setTimeout(300_000);
  const context = await openPhone();
  const page = await firstPage(context);
  await signIn(page, 'zhuren');
  // Installed: the worker is active and controls the page, and the first sync brought the phone's data.
  await page.waitForFunction(async () => !!(await navigator.serviceWorker.ready).active);
  await page.reload();
  await waitForHydration(page);
  await expect.poll(() => page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
  await expect(page.getByTestId('sync-chip')).toHaveText('已同步', { timeout: 20_000 });

  // One record of each kind an address names, and a ticket on the phone.
  const directory = await callApi(page, 'directory/load', {});
  const place = directory.places.find((p: any) => p.active && p.parent_id);
  const point = directory.check_points.find((c: any) => c.active);
  await visit(page, `/repair-tickets/new?place=${place.id}`);
  const form = page.getByTestId('report-form');
  await form.getByRole('button', { name: '水暖' }).click();
  await form.getByLabel('问题描述').fill('一楼洗手池漏水');
  await form.getByRole('button', { name: '提交报修' }).click();
  await expect(form.getByTestId('saved')).toBeVisible();
  await expect(page.getByTestId('sync-chip')).toHaveText('已同步', { timeout: 20_000 });
  const ticketId = await page.evaluate(() => {
    const key = Object.keys(localStorage).find((k) => k.includes('.row.tickets.'));
    return key ? key.split('.').pop() : undefined;
  });
  expect(ticketId, 'the reported ticket is on the phone').toBeTruthy();
  const ids: Record<string, string> = {
    '/places/': place.id,
    '/check-points/': point.id,
    '/repair-tickets/': ticketId!,
  };
  const address = addressFor(ids);

  // No signal at all: the server is gone.
  await server.stop();
  const errors: string[] = [];
  const results: string[] = [];
  for (const { path: route } of routeTable()) {
    const path = address(route);
    const tab = await context.newPage();
    tab.on('pageerror', (error) => errors.push(`${path}: ${error}`));
    // A plain load, not visit(): a page that fails to start must fail here, not be loaded again.
    await tab.goto(path);
    await waitForHydration(tab);
    const text = await settledText(tab, errors);
    expect(text, `${path} is not the worker's "not saved" page`).not.toContain('这个页面还没有存到手机上');
    expect(text.length, `${path} shows something`).toBeGreaterThan(0);
    const needsNetwork = text.includes('连接不到服务器');
    results.push(`${route}\t${needsNetwork ? 'opened; says it needs the network' : 'opened from the phone'}`);
    await tab.close();
  }
  console.log(`cold offline opening, route by route:\n${results.join('\n')}`);
  expect(errors, 'no page panicked').toEqual([]);

  // The pages people open from a label render their record from the phone's copy.
  const tab = await context.newPage();
  await visit(tab, `/places/${place.id}`);
  await expect(tab.getByRole('heading', { level: 1 })).toHaveText(place.name);
  await expect(tab.getByTestId('report-here')).toBeVisible();
  await screenshot(tab, 'place-cold-offline');
  await visit(tab, `/check-points/${point.id}?qr=1`);
  await expect(tab.getByRole('heading', { level: 1 })).toHaveText(point.label);
  await tab.getByTestId('start-check').click();
  await expect(tab.getByTestId('check-form')).toBeVisible();
  await expect(tab.locator('main')).toContainText('扫码到场');
  await screenshot(tab, 'check-point-cold-offline');
  await visit(tab, `/repair-tickets/${ticketId}`);
  await expect(tab.locator('main')).toContainText('一楼洗手池漏水');
  // An id this phone does not hold says so, with a way back, instead of loading for ever.
  await visit(tab, '/places/01900000-0000-7000-8000-000000000000');
  await expect(tab.getByTestId('not-on-phone')).toContainText('这部手机上没有这条记录');
  await visit(tab, '/safety-checks/check?point=01900000-0000-7000-8000-000000000000');
  await expect(tab.getByTestId('not-on-phone')).toBeVisible({ timeout: 15_000 });
  await screenshot(tab, 'not-on-this-phone');
  await tab.getByRole('link', { name: '返回' }).click();
  await expect(tab.getByRole('navigation', { name: '主导航' })).toBeVisible();
  await context.close();
  await server.start();
});

test('an id the phone does not hold says so online too', async ({ browser }) => {
  const context = await browser.newContext({ ...phoneSize, baseURL: base });
  const page = await context.newPage();
  await signIn(page, 'zhuren');
  for (const path of ['/repair-tickets/01900000-0000-7000-8000-000000000000', '/check-points/01900000-0000-7000-8000-000000000000']) {
    await visit(page, path);
    await expect(page.getByTestId('not-on-phone')).toContainText('这部手机上没有这条记录', { timeout: 20_000 });
  }
  await context.close();
});

test('signing in without JavaScript posts the form: no password in the address, errors shown, then home', async ({ browser }) => {
  const context = await browser.newContext({ ...phoneSize, baseURL: base, javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/sign-in');
  await page.getByLabel('用户名').fill('menwei');
  await page.getByLabel('密码').fill('not-the-password');
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByRole('alert')).toContainText('用户名或密码不正确');
  expect(page.url()).not.toContain('not-the-password');
  await expect(page.getByLabel('用户名')).toHaveValue('menwei');
  await page.getByLabel('密码').fill(PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByRole('navigation', { name: '主导航' })).toBeVisible();
  expect(new URL(page.url()).pathname).toBe('/');
  expect(page.url()).not.toContain(PASSWORD);
  await context.close();
});

test('a tap on 登录 before the wasm has arrived signs in, and the password never reaches an address', async ({ browser }) => {
  const context = await browser.newContext({ ...phoneSize, baseURL: base });
  const page = await context.newPage();
  const addresses: string[] = [];
  page.on('request', (request) => addresses.push(request.url()));
  // A weak link: the wasm is held back until the form has been sent.
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/pkg/*.wasm', async (route) => {
    await held;
    await route.continue();
  });
  await page.goto('/sign-in');
  await page.getByLabel('用户名').fill('anquan');
  await page.getByLabel('密码').fill(PASSWORD);
  expect(await page.evaluate(() => (window as any).__houqin_hydrated === true)).toBe(false);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL((url) => url.pathname === '/');
  release();
  await expect(page.getByRole('navigation', { name: '主导航' })).toBeVisible();
  expect(addresses.filter((a) => a.includes(PASSWORD))).toEqual([]);
  await context.close();
});

test('a guard hands the phone over with no signal: signed out at once, the entry kept for the next sign-in', async () => {
  test.setTimeout(120_000);
  const context = await openPhone();
  const page = await firstPage(context);
  await signIn(page, 'menwei');
  await visit(page, '/gate-visits');
  await expect(page.getByTestId('sync-chip')).toHaveText('已同步', { timeout: 20_000 });
  await context.setOffline(true);
  await registerVisitor(page, '交班访客', '13900001111');

  await page.getByRole('link', { name: '我的' }).click();
  await page.getByRole('button', { name: '退出登录' }).click();
  const warning = page.getByTestId('sign-out-warning');
  // Where the thumb is: wholly on screen, above the bottom bar.
  await expect(warning).toBeInViewport({ ratio: 1 });
  const nav = await page.getByRole('navigation', { name: '主导航' }).boundingBox();
  const box = await warning.boundingBox();
  expect(box!.y + box!.height).toBeLessThanOrEqual(nav!.y);
  await screenshot(page, 'sign-out-warning-offline');
  await warning.getByRole('button', { name: '仍然退出' }).click();
  await page.waitForURL((url) => url.pathname === '/sign-in', { timeout: 10_000 });
  await expect(page.getByRole('button', { name: '登录' })).toBeVisible();
  // Still offline: opening the app again does not bring the guard back.
  await page.goto('/gate-visits');
  await expect(page).toHaveURL(/\/sign-in/, { timeout: 15_000 });

  // Signal again: the server ends the old session at first contact.
  await context.setOffline(false);
  await page.goto('/sign-in');
  const whoami = await callApi(page, 'auth/whoami', {});
  expect(whoami.user).toBeNull();
  // The same guard signs in again: the entry kept on the phone goes out, once.
  await signIn(page, 'menwei');
  await visit(page, '/gate-visits');
  await expect(page.getByTestId('sync-chip')).toHaveText('已同步', { timeout: 20_000 });
  const date = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  const register = await callApi(page, 'gate_visits/register', { date });
  const names = register.rows.map((row: any) => row[0].visitor_name);
  expect(names.filter((n: string) => n === '交班访客')).toHaveLength(1);
  await context.close();
});

test('on a plain-http school address every signed-in page warns that offline opening is unavailable', async () => {
  const context = await openPhone([`--host-resolver-rules=MAP houqin.school 127.0.0.1`], `http://houqin.school:${port}`);
  const page = await firstPage(context);
  await signIn(page, 'zhuren');
  expect(await page.evaluate(() => window.isSecureContext)).toBe(false);
  for (const path of ['/', '/sync', '/admin']) {
    await visit(page, path);
    const banner = page.getByTestId('insecure-context');
    await expect(banner).toContainText('这个地址不能离线使用');
    await expect(banner).toContainText(`http://houqin.school:${port}`);
  }
  await screenshot(page, 'insecure-context-warning');
  await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '我的' }).click();
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.getByTestId('insecure-context')).toContainText('This address cannot work offline');
  await page.getByRole('button', { name: '中文' }).click();
  await context.close();

  // On a secure address (127.0.0.1 counts as one) there is nothing to warn about.
  const secure = await openPhone();
  const securePage = await firstPage(secure);
  await signIn(securePage, 'zhuren');
  await waitForHydration(securePage);
  await expect(securePage.getByRole('navigation', { name: '主导航' })).toBeVisible();
  await expect(securePage.getByTestId('insecure-context')).toHaveCount(0);
  await secure.close();
});

/** Every file below `dir` that holds `text`, as ASCII or as UTF-16 (how Chromium may keep localStorage). */
function filesHolding(dir: string, text: string): string[] {
  const needles = [Buffer.from(text, 'latin1'), Buffer.from(text, 'utf8'), Buffer.from(text, 'utf16le')];
  const found: string[] = [];
  const walk = (path: string) => {
    let stat;
    try {
      stat = statSync(path);
    } catch {
      return;
    }
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path)) walk(join(path, entry));
    } else if (stat.isFile()) {
      const bytes = readFileSync(path);
      if (needles.some((needle) => bytes.includes(needle))) found.push(path);
    }
  };
  walk(dir);
  return found;
}

test('the phone never holds a full ID number: not in storage, not on disk, not in the downloaded file', async () => {
  test.setTimeout(120_000);
  const number = '11010519491231002X';
  const profile = mkdtempSync(join(tmpdir(), 'houqin-phone-'));
  let context = await openPhone([], base, profile);
  let page = await firstPage(context);
  await signIn(page, 'menwei');
  await visit(page, '/gate-visits');
  await expect(page.getByTestId('sync-chip')).toHaveText('已同步', { timeout: 20_000 });
  await context.setOffline(true);
  await registerVisitor(page, '密封访客', '13900002222', number.toLowerCase());
  // The phone keeps the box and the mask (for its own lists), never the number.
  const stored = await page.evaluate(() => Object.values(localStorage).join('\n'));
  expect(stored).toContain('密封访客');
  expect(stored).toContain('1101**********002X');
  expect(stored.toUpperCase()).not.toContain(number);

  await page.getByRole('link', { name: '我的' }).click();
  await page.getByRole('button', { name: '退出登录' }).click();
  const download = page.waitForEvent('download');
  await page.getByTestId('sign-out-warning').getByRole('button', { name: '下载未同步记录' }).click();
  const file = readFileSync((await (await download).path())!, 'utf8');
  expect(file).toContain('密封访客');
  expect(file).toContain('1101**********002X');
  expect(file.toUpperCase()).not.toContain(number);

  // What Chromium wrote to disk, once it has closed and flushed everything.
  await context.close();
  // The entry itself did reach the disk (its phone number is there), so the scan can see what is kept.
  expect(filesHolding(profile, '13900002222').length).toBeGreaterThan(0);
  expect(filesHolding(profile, number)).toEqual([]);
  expect(filesHolding(profile, number.toLowerCase())).toEqual([]);

  // Online again: the server opens the box, and keeps only the mask and the hash.
  context = await openPhone([], base, profile);
  page = await firstPage(context);
  await visit(page, '/gate-visits');
  await expect(page.getByTestId('sync-chip')).toHaveText('已同步', { timeout: 20_000 });
  await expect(page.getByTestId('visit').filter({ hasText: '密封访客' })).not.toContainText('未同步');
  await context.close();
  expect(filesHolding(server.dataDir, '1101**********002X').length).toBeGreaterThan(0);
  expect(filesHolding(server.dataDir, number)).toEqual([]);
  expect(filesHolding(server.dataDir, number.toLowerCase())).toEqual([]);
});

/** Whether the signature box is blank, read from its pixels. */
async function signatureBlank(page: Page): Promise<boolean> {
  return page.getByTestId('signature').evaluate((canvas: HTMLCanvasElement) => {
    const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    return pixels.every((value) => value === 0);
  });
}

test('a safety check just saved cannot be saved again by a second tap, and a recheck minutes later asks first', async ({ browser }) => {
  const context = await browser.newContext({ ...phoneSize, baseURL: base });
  const page = await context.newPage();
  await signIn(page, 'anquan2');
  await visit(page, '/safety-checks');
  await expect(page.getByTestId('sync-chip')).toHaveText('已同步', { timeout: 20_000 });
  const point = page.getByTestId('my-points').locator('li').first();
  await expect(point).toBeVisible({ timeout: 20_000 });
  await context.setOffline(true);
  await point.locator('a').click();
  const pointUrl = page.url();
  const form = page.getByTestId('check-form');
  await form.getByRole('button', { name: '其余全部合格' }).click();
  await sign(page);
  expect(await signatureBlank(page)).toBe(false);
  await form.getByRole('button', { name: '签名并提交' }).click();
  await expect(form.getByTestId('saved')).toBeVisible();
  // Nothing left to tap twice: the submit button is gone, the next point is offered.
  await expect(form.getByRole('button', { name: '签名并提交' })).toBeHidden();
  await expect(form.getByTestId('next-point')).toHaveText('下一个检查点');
  await expect(page.getByTestId('sync-chip')).toHaveText('待同步 1');
  await screenshot(page, 'safety-saved-next-point');
  // Checking again starts from a blank form: no answers, no signature.
  await form.getByRole('button', { name: '再检查一次' }).click();
  await expect(form.getByRole('button', { name: '签名并提交' })).toBeVisible();
  await expect(form.locator('[aria-pressed="true"]')).toHaveCount(0);
  expect(await signatureBlank(page)).toBe(true);
  // Opening the same point again minutes later asks first.
  await visit(page, pointUrl);
  await expect(page.getByTestId('recheck-warning')).toContainText('分钟前刚检查过');
  await expect(page.getByTestId('check-form')).toBeHidden();
  await page.getByRole('button', { name: '再检查一次' }).click();
  await expect(page.getByTestId('check-form')).toBeVisible();
  await expect(page.getByTestId('sync-chip')).toHaveText('待同步 1');
  await context.setOffline(false);
  await context.close();
});

test('a cleaning score just saved cannot be saved again by a second tap, and a rescore minutes later asks first', async ({ browser }) => {
  const context = await browser.newContext({ ...phoneSize, baseURL: base });
  const page = await context.newPage();
  await signIn(page, 'weisheng');
  await visit(page, '/cleaning-scores');
  await expect(page.getByTestId('sync-chip')).toHaveText('已同步', { timeout: 20_000 });
  // The zones of this slot are on the phone before the signal goes.
  const zone = page.getByTestId('zones').locator('li', { hasText: '待检查' }).first();
  await expect(zone).toBeVisible({ timeout: 20_000 });
  await context.setOffline(true);
  await zone.locator('a').click();
  const form = page.getByTestId('score-form');
  await form.getByRole('button', { name: '保存评分' }).click();
  await expect(form.getByTestId('saved')).toContainText('10 / 10');
  await expect(form.getByRole('button', { name: '保存评分' })).toBeHidden();
  await expect(form.getByTestId('next-zone')).toHaveText('下一个区域');
  await expect(page.getByTestId('sync-chip')).toHaveText('待同步 1');
  const zoneUrl = page.url();
  await form.getByRole('button', { name: '再评一次' }).click();
  await expect(form.getByRole('button', { name: '保存评分' })).toBeVisible();
  // Opening the same zone again minutes later asks first.
  await visit(page, zoneUrl);
  await expect(page.getByTestId('rescore-warning')).toContainText('分钟前刚评过分');
  await expect(page.getByTestId('score-form')).toBeHidden();
  await page.getByTestId('rescore-warning').getByRole('button', { name: '再评一次' }).click();
  await expect(page.getByTestId('score-form').getByRole('button', { name: '保存评分' })).toBeVisible();
  await expect(page.getByTestId('sync-chip')).toHaveText('待同步 1');
  await context.setOffline(false);
  await context.close();
});

test('a sign-out can be taken back for five seconds, and goes out once the window has passed', async ({ browser }) => {
  test.setTimeout(90_000);
  const context = await browser.newContext({ ...phoneSize, baseURL: base });
  const page = await context.newPage();
  await signIn(page, 'menwei2');
  await visit(page, '/gate-visits');
  await expect(page.getByTestId('sync-chip')).toHaveText('已同步', { timeout: 20_000 });
  await registerVisitor(page, '撤销访客', '13900003333');
  await expect(page.getByTestId('sync-chip')).toHaveText('已同步', { timeout: 20_000 });
  const onCampus = page.getByRole('region', { name: '今日在校访客' });
  const left = page.getByRole('region', { name: '今日已离校' });

  // A sign-out tapped by mistake, taken back.
  await onCampus.getByTestId('visit').filter({ hasText: '撤销访客' }).getByRole('button', { name: '签离' }).click();
  const bar = page.getByTestId('undo-sign-out');
  await expect(bar).toContainText('已签离：撤销访客');
  await expect(left.getByTestId('visit').filter({ hasText: '撤销访客' })).toHaveCount(1);
  await screenshot(page, 'gate-undo-sign-out');
  await bar.getByRole('button', { name: '撤销' }).click();
  await expect(bar).toHaveCount(0);
  await expect(onCampus.getByTestId('visit').filter({ hasText: '撤销访客' })).toHaveCount(1);
  await expect(page.getByTestId('sync-chip')).toHaveText('已同步');
  // Past the window, the server still has the visitor on campus: the taken-back sign-out never went out.
  const date = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  const timeOut = async () => {
    const register = await callApi(page, 'gate_visits/register', { date });
    const row = register.rows.find((r: any) => r[0].visitor_name === '撤销访客');
    expect(row, 'the visit is on the register').toBeTruthy();
    return row[1];
  };
  await page.waitForTimeout(6_000);
  expect(await timeOut()).toBeNull();

  // Signed out for real: the bar goes after five seconds and the sign-out reaches the server once.
  await onCampus.getByTestId('visit').filter({ hasText: '撤销访客' }).getByRole('button', { name: '签离' }).click();
  await expect(bar).toBeVisible();
  await expect(bar).toHaveCount(0, { timeout: 8_000 });
  await expect(page.getByTestId('sync-chip')).toHaveText('已同步', { timeout: 20_000 });
  await expect.poll(timeOut, { timeout: 10_000 }).not.toBeNull();
  await context.close();
});

test('a place switched off by mistake is taken back within five seconds; left alone, it is switched off', async ({ browser }) => {
  test.setTimeout(90_000);
  const context = await browser.newContext({ ...phoneSize, baseURL: base });
  const page = await context.newPage();
  await signIn(page, 'zhuren');
  await visit(page, '/admin/places');
  const row = page.locator('ul.tree > li').last();
  const name = (await row.locator('strong').textContent())!.trim();
  const bar = page.getByTestId('undo-switch-off');

  await row.getByRole('button', { name: '停用' }).click();
  await expect(bar).toContainText(`将停用：${name}`);
  await screenshot(page, 'admin-undo-switch-off');
  await bar.getByRole('button', { name: '撤销' }).click();
  await expect(bar).toHaveCount(0);
  await page.waitForTimeout(6_000);
  await visit(page, '/admin/places');
  const again = page.locator('ul.tree > li', { hasText: name }).last();
  await expect(again).not.toHaveClass(/inactive/);

  // Left alone, it goes once the window has passed; 恢复 brings it back at once.
  await again.getByRole('button', { name: '停用' }).click();
  await expect(bar).toBeVisible();
  await expect(bar).toHaveCount(0, { timeout: 8_000 });
  await expect(page.locator('ul.tree > li', { hasText: name }).last()).toHaveClass(/inactive/, { timeout: 10_000 });
  await page.locator('ul.tree > li', { hasText: name }).last().getByRole('button', { name: '恢复' }).click();
  await expect(page.locator('ul.tree > li', { hasText: name }).last()).not.toHaveClass(/inactive/, { timeout: 10_000 });
  await context.close();
});
