// The offline promise, for real: a server of its own that this file stops and starts, a phone-sized Chromium
// profile that is closed and opened again on its installed service worker, and the network switched off.
import { chromium, expect, test, type BrowserContext, type Page } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumArgs, chromiumPath, ownServer, phoneSize, pickHost, registerVisitor, screenshot, signIn, waitForHydration } from './helpers';

const server = ownServer(3006, 'offline');
const base = server.base;
const startServer = server.start;
const stopServer = server.stop;
const phone = { ...phoneSize, baseURL: base, executablePath: chromiumPath, args: chromiumArgs };

async function openPhone(profile: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profile, phone);
}

/** Opens the gate page, installed for offline use: controlled by the worker, first sync done. */
async function gatePageReadyOffline(page: Page) {
  await page.goto('/gate-visits');
  await waitForHydration(page);
  await page.waitForFunction(async () => {
    const registration = await navigator.serviceWorker.ready;
    return !!registration.active;
  });
  // Once the worker controls the page, a reload keeps the page for offline use.
  await page.reload();
  await waitForHydration(page);
  await expect.poll(() => page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
  await expect(page.getByTestId('sync-chip')).toHaveText('已同步', { timeout: 15_000 });
}

async function serverVisitorNames(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const now = new Date();
    const date = new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
    const response = await fetch('/api/gate_visits/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ date }),
    });
    const register = await response.json();
    return register.rows.map((row: any) => row[0].visitor_name);
  });
}

test.describe.configure({ mode: 'serial' });

test.beforeAll(startServer);
test.afterAll(stopServer);

test('five visitors registered offline survive a reload and a closed browser, and arrive exactly once', async () => {
  test.setTimeout(120_000);
  const profile = mkdtempSync(join(tmpdir(), 'houqin-phone-'));
  let context = await openPhone(profile);
  let page = context.pages()[0] ?? (await context.newPage());
  await signIn(page, 'menwei');
  await gatePageReadyOffline(page);

  // No signal: the server is gone and the phone is offline.
  await stopServer();
  await context.setOffline(true);
  const names = ['离线一', '离线二', '离线三', '离线四', '离线五'];
  for (const [i, name] of names.entries()) {
    await registerVisitor(page, name, `1390000000${i}`);
  }
  await expect(page.getByTestId('sync-chip')).toHaveText('待同步 5');
  await screenshot(page, 'gate-offline-five-pending');

  await page.reload();
  await waitForHydration(page);
  await expect(page.getByTestId('visit').filter({ hasText: '未同步' })).toHaveCount(5);

  // Close the browser; open it again, still offline: the installed worker opens the app.
  await context.close();
  context = await openPhone(profile);
  await context.setOffline(true);
  page = context.pages()[0] ?? (await context.newPage());
  await page.goto('/gate-visits');
  await waitForHydration(page);
  await expect(page.getByTestId('visit').filter({ hasText: '未同步' })).toHaveCount(5);
  await screenshot(page, 'gate-cold-start-offline');

  // The network comes back.
  await startServer();
  await context.setOffline(false);
  await expect(page.getByTestId('sync-chip')).toHaveText('已同步', { timeout: 30_000 });
  await expect(page.getByTestId('visit').filter({ hasText: '未同步' })).toHaveCount(0);
  const onServer = await serverVisitorNames(page);
  for (const name of names) {
    expect(onServer.filter((n) => n === name)).toHaveLength(1);
  }
  await context.close();
});

test('two guard phones offline both sign out the same visitor, and nothing conflicts', async () => {
  test.setTimeout(90_000);
  const first = await openPhone(mkdtempSync(join(tmpdir(), 'houqin-phone-')));
  const second = await openPhone(mkdtempSync(join(tmpdir(), 'houqin-phone-')));
  const a = first.pages()[0] ?? (await first.newPage());
  const b = second.pages()[0] ?? (await second.newPage());
  await signIn(a, 'menwei');
  await gatePageReadyOffline(a);
  await registerVisitor(a, '双签离', '13700000001');
  await expect(a.getByTestId('sync-chip')).toHaveText('已同步', { timeout: 15_000 });
  await signIn(b, 'menwei2');
  await gatePageReadyOffline(b);
  await expect(b.getByTestId('visit').filter({ hasText: '双签离' })).toHaveCount(1, { timeout: 15_000 });

  await first.setOffline(true);
  await second.setOffline(true);
  for (const page of [a, b]) {
    await page.getByTestId('visit').filter({ hasText: '双签离' }).getByRole('button', { name: '签离' }).click();
    await expect(page.getByRole('region', { name: '今日已离校' }).getByTestId('visit').filter({ hasText: '双签离' })).toHaveCount(1);
  }
  await first.setOffline(false);
  await second.setOffline(false);
  for (const page of [a, b]) {
    await page.getByTestId('sync-chip').click();
    await page.getByRole('button', { name: '立即同步' }).click();
    await expect(page.getByTestId('pending-count')).toHaveText('0', { timeout: 15_000 });
    await expect(page.getByTestId('attention')).toHaveCount(0);
  }
  await first.close();
  await second.close();
});

test('a full storage says so and loses nothing typed', async () => {
  const context = await openPhone(mkdtempSync(join(tmpdir(), 'houqin-phone-')));
  const page = context.pages()[0] ?? (await context.newPage());
  await signIn(page, 'menwei');
  await gatePageReadyOffline(page);
  await context.setOffline(true);
  // Fill localStorage to its quota, down to the last character.
  await page.evaluate(() => {
    let n = 0;
    for (const size of [256 * 1024, 16 * 1024, 1024, 64, 1]) {
      const chunk = 'x'.repeat(size);
      for (;;) {
        try {
          localStorage.setItem(`filler-${n++}`, chunk);
        } catch {
          break;
        }
      }
    }
  });
  const form = page.getByTestId('register-form');
  await form.getByLabel('手机号').fill('13600000000');
  await form.getByLabel('姓名').fill('存满了');
  await form.getByLabel('证件号码').fill('11010519491231002X');
  await pickHost(form, 'lzr', '李主任');
  await form.getByRole('button', { name: '保存登记' }).click();
  await expect(page.getByTestId('storage-error')).toContainText('手机存储已满');
  await expect(form.getByLabel('姓名')).toHaveValue('存满了');
  await expect(form.getByLabel('手机号')).toHaveValue('13600000000');
  await screenshot(page, 'gate-storage-full');
  // Room again: the same form saves.
  await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('filler-')).forEach((k) => localStorage.removeItem(k)));
  await form.getByRole('button', { name: '保存登记' }).click();
  await expect(page.getByTestId('saved')).toContainText('存满了 · 已保存在本机');
  await context.setOffline(false);
  await expect(page.getByTestId('sync-chip')).toHaveText('已同步', { timeout: 30_000 });
  await context.close();
});

test('an entry the server refuses outright goes to needs-attention, and the entries around it still arrive', async () => {
  test.setTimeout(120_000);
  const context = await openPhone(mkdtempSync(join(tmpdir(), 'houqin-phone-')));
  const page = context.pages()[0] ?? (await context.newPage());
  await signIn(page, 'menwei');
  await gatePageReadyOffline(page);
  await context.setOffline(true);
  await registerVisitor(page, '拒收之前', '13600000021');
  // An entry bigger than the server takes in one request (1 MB), as a corrupted or tampered phone might hold:
  // a copy of the saved one with a long note, first in the outbox's order.
  await page.evaluate(() => {
    const key = Object.keys(localStorage).find((k) => k.includes('.out.'))!;
    const pending = JSON.parse(localStorage.getItem(key)!);
    const id = '00000000-0000-7000-8000-000000000001';
    pending.mutation.id = id;
    pending.mutation.seq = 0;
    pending.mutation.args = { ...pending.mutation.args, visit_id: id, visitor_name: '太大的记录', note: 'x'.repeat(1_200_000) };
    localStorage.setItem(key.replace(/\.out\..*$/, `.out.${id}`), JSON.stringify(pending));
  });
  await registerVisitor(page, '拒收之后', '13600000022');
  await context.setOffline(false);
  await page.getByTestId('sync-chip').click();
  await page.getByRole('button', { name: '立即同步' }).click();
  await expect(page.getByTestId('pending-count')).toHaveText('0', { timeout: 30_000 });
  const attention = page.getByTestId('attention');
  await expect(attention).toContainText('太大的记录');
  await expect(attention).toContainText('服务器拒收了这条记录');
  await screenshot(page, 'sync-request-refused');
  const names = await serverVisitorNames(page);
  expect(names).toContain('拒收之前');
  expect(names).toContain('拒收之后');
  expect(names).not.toContain('太大的记录');
  await context.close();
});

test("an inspector's phone keeps the cleaning pages, as every job's, for opening with no signal", async () => {
  const context = await openPhone(mkdtempSync(join(tmpdir(), 'houqin-phone-')));
  const page = context.pages()[0] ?? (await context.newPage());
  await signIn(page, 'weisheng');
  await page.goto('/');
  await waitForHydration(page);
  await page.waitForFunction(async () => !!(await navigator.serviceWorker.ready).active);
  await page.reload();
  await waitForHydration(page);
  const kept = () =>
    page.evaluate(async () => {
      const cache = await caches.open('houqin-pages');
      return (await cache.keys()).map((request) => new URL(request.url).pathname);
    });
  await expect.poll(kept, { timeout: 20_000 }).toContain('/cleaning-scores');
  expect(await kept()).toContain('/');
  await expect(page.getByTestId('sync-chip')).toHaveText('已同步', { timeout: 20_000 });
  await context.setOffline(true);
  await page.goto('/cleaning-scores');
  await waitForHydration(page);
  await expect(page.getByTestId('zones').locator('li').first()).toBeVisible({ timeout: 15_000 });
  await context.close();
});

test('signing out with unsent entries warns and offers to wait or download them', async () => {
  const context = await openPhone(mkdtempSync(join(tmpdir(), 'houqin-phone-')));
  const page = context.pages()[0] ?? (await context.newPage());
  await signIn(page, 'menwei');
  await gatePageReadyOffline(page);
  await context.setOffline(true);
  await registerVisitor(page, '未发出', '13500000000');
  await page.getByRole('link', { name: '我的' }).click();
  await page.getByRole('button', { name: '退出登录' }).click();
  const warning = page.getByTestId('sign-out-warning');
  await expect(warning).toContainText('还有 1 条记录没有同步');
  await expect(warning.getByRole('button', { name: '下载未同步记录' })).toBeVisible();
  await expect(warning.getByRole('button', { name: '立即同步' })).toBeVisible();
  await screenshot(page, 'sign-out-warning');
  const download = page.waitForEvent('download');
  await warning.getByRole('button', { name: '下载未同步记录' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^houqin-pending-\d+\.json$/);
  await context.close();
});

test("another guard signing in on the same phone neither sees nor sends the first one's pending entries", async () => {
  test.setTimeout(90_000);
  const context = await openPhone(mkdtempSync(join(tmpdir(), 'houqin-phone-')));
  const page = context.pages()[0] ?? (await context.newPage());
  await signIn(page, 'menwei');
  await gatePageReadyOffline(page);
  // The sync server is out of reach (sign-in still works): the entry stays pending.
  await page.route('**/api/sync/**', (route) => route.abort());
  await registerVisitor(page, '王师傅的访客', '13300000000');
  await expect(page.getByTestId('sync-chip')).toHaveText('待同步 1');
  await page.evaluate(() => fetch('/api/auth/sign_out', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }));
  await page.unroute('**/api/sync/**');
  await signIn(page, 'menwei2');
  await page.goto('/gate-visits');
  await waitForHydration(page);
  await expect(page.getByTestId('sync-chip')).toHaveText('已同步', { timeout: 15_000 });
  await expect(page.getByTestId('visit').filter({ hasText: '王师傅的访客' })).toHaveCount(0);
  // Back to the first guard: the entry is still there, and goes out now.
  await page.evaluate(() => fetch('/api/auth/sign_out', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }));
  await signIn(page, 'menwei');
  await page.goto('/gate-visits');
  await waitForHydration(page);
  await expect(page.getByTestId('sync-chip')).toHaveText('已同步', { timeout: 15_000 });
  expect((await serverVisitorNames(page)).filter((n) => n === '王师傅的访客')).toHaveLength(1);
  await context.close();
});
