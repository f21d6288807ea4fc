// Repair tickets at phone size, on a server of its own that this file can stop mid-upload: a teacher reports with
// a photo while offline; online again, the maintenance phone (a second browser context) receives the ticket and
// works it to done with a photo; the teacher confirms and rates. Then a photo upload cut halfway by a server
// crash completes after the restart and is stored once.
import { chromium, expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PASSWORD, cameraPhoto, chromiumArgs, chromiumPath, ownServer, phoneSize, screenshot, signIn, visit } from './helpers';

const server = ownServer(3007, 'repair');
const { base, dataDir } = server;
const startServer = server.start;
const stopServer = server.stop;
let browser: Browser;

/** Photo files the server keeps (not the half-written uploads in `incoming`). */
function storedPhotos(): number {
  const root = join(dataDir, 'photos');
  return readdirSync(root)
    .filter((d) => d !== 'incoming')
    .reduce((n, d) => n + readdirSync(join(root, d)).length, 0);
}

async function phone(): Promise<BrowserContext> {
  return browser.newContext({ ...phoneSize, baseURL: base });
}

async function openTickets(page: Page) {
  await visit(page, '/repair-tickets');
  await expect(page.getByTestId('sync-chip')).toHaveText('已同步', { timeout: 15_000 });
}

async function report(page: Page, description: string, photo: Buffer) {
  await page.getByTestId('new-report').click();
  const form = page.getByTestId('report-form');
  await form.getByLabel('地点').selectOption({ index: 1 });
  await form.getByRole('button', { name: '水暖' }).click();
  await form.getByRole('button', { name: '紧急' }).click();
  await form.getByLabel('问题描述').fill(description);
  await form.getByTestId('photo-input').setInputFiles({ name: 'leak.jpg', mimeType: 'image/jpeg', buffer: photo });
  await expect(form.locator('.photos img')).toHaveCount(1, { timeout: 15_000 });
  await form.getByRole('button', { name: '提交报修' }).click();
  await expect(form.getByTestId('saved')).toBeVisible();
}

/** Assigns new plumbing tickets to 赵师傅 (the admin's rule), through the server function. */
async function plumbingGoesToZhao(page: Page) {
  const ok = await page.evaluate(async (password) => {
    const call = (path: string, body: unknown) =>
      fetch(`/api/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
      });
    await call('auth/sign_in', { username: 'zhuren', password });
    const rules = await (await call('repair_tickets/rules', {})).json();
    const zhao = rules.workers.find((w: [string, string]) => w[1] === '赵师傅')[0];
    const set = await call('repair_tickets/set_rule', { category: 'plumbing', assignee: zhao });
    await call('auth/sign_out', {});
    return set.ok;
  }, PASSWORD);
  expect(ok).toBe(true);
}

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  await startServer();
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
});
test.afterAll(async () => {
  await browser?.close();
  await stopServer();
});

test('a teacher reports with a photo offline; the maintenance phone fixes it; the teacher confirms and rates', async () => {
  const teacherPhone = await phone();
  const teacher = await teacherPhone.newPage();
  await teacher.goto('/sign-in');
  await plumbingGoesToZhao(teacher);
  await signIn(teacher, 'jiaozhigong');
  await openTickets(teacher);
  const photo = await cameraPhoto(teacher, false);

  await teacherPhone.setOffline(true);
  await report(teacher, '二楼男厕水龙头漏水', photo);
  await teacher.goBack();
  const mine = teacher.getByTestId('my-reports');
  await expect(mine.getByText('二楼男厕水龙头漏水')).toBeVisible();
  await expect(mine.getByText('未同步')).toBeVisible();
  await expect(mine.getByText('照片上传中')).toBeVisible();
  await screenshot(teacher, 'repair-reported-offline');

  const workerPhone = await phone();
  const worker = await workerPhone.newPage();
  await signIn(worker, 'weixiu');
  await openTickets(worker);
  const queue = worker.getByTestId('my-queue');
  await expect(queue.getByText('二楼男厕水龙头漏水')).toHaveCount(0);

  await teacherPhone.setOffline(false);
  await teacher.evaluate(() => window.dispatchEvent(new Event('online')));
  // The rule assigned it; the photo went up after the report.
  await expect(mine.getByText('已派单')).toBeVisible({ timeout: 20_000 });
  await expect(mine.getByText('照片上传中')).toHaveCount(0, { timeout: 20_000 });

  // Already open on the worker's phone: the new ticket arrives by the server's hint, with no reload.
  await expect(queue.getByText('二楼男厕水龙头漏水')).toBeVisible({ timeout: 10_000 });
  await queue.getByText('二楼男厕水龙头漏水').click();
  // The reporter's photo, shrunk on the phone: at most 1600 px on its long side.
  const reported = worker.getByTestId('ticket').locator('img');
  await expect(reported).toHaveCount(1);
  await expect.poll(() => reported.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1600);
  // One tap per step, each with its own name.
  await worker.getByTestId('actions').getByRole('button', { name: '开始维修' }).click();
  await expect(worker.getByTestId('status')).toHaveText('维修中');
  await worker.getByTestId('actions').getByRole('button', { name: '完成维修' }).click();
  // A finish needs what was done and a photo: said in Chinese, the field in view with the cursor in it, nothing lost.
  await expect(worker.getByText('请填写此项').first()).toBeVisible();
  await expect(worker.getByLabel('维修说明')).toBeFocused();
  await expect(worker.getByTestId('status')).toHaveText('维修中');
  await worker.getByLabel('维修说明').fill('更换了水龙头阀芯');
  await worker.getByTestId('actions').getByTestId('photo-input').setInputFiles({ name: 'fixed.jpg', mimeType: 'image/jpeg', buffer: await cameraPhoto(worker, false) });
  await expect(worker.getByTestId('actions').locator('.photos img')).toHaveCount(1, { timeout: 15_000 });
  await worker.getByTestId('actions').getByRole('button', { name: '完成维修' }).click();
  await expect(worker.getByTestId('status')).toHaveText('待确认');
  await expect(worker.getByTestId('sync-chip')).toHaveText('已同步', { timeout: 20_000 });
  await screenshot(worker, 'repair-worker-done');

  await teacher.getByText('二楼男厕水龙头漏水').click();
  await expect(teacher.getByTestId('status')).toHaveText('待确认', { timeout: 20_000 });
  await expect(teacher.getByTestId('timeline').locator('img')).toHaveCount(1, { timeout: 20_000 });
  await teacher.getByTestId('rating').getByRole('button', { name: '★★★★★' }).click();
  await teacher.getByTestId('actions').getByRole('button', { name: '确认完成' }).click();
  await expect(teacher.getByTestId('status')).toHaveText('已完成');
  await expect(teacher.getByTestId('sync-chip')).toHaveText('已同步', { timeout: 20_000 });
  await screenshot(teacher, 'repair-confirmed');

  // On the server: confirmed, rated 5, two photos stored.
  const row = await teacher.evaluate(async () => {
    const call = (path: string, body: unknown) =>
      fetch(`/api/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
      });
    await call('auth/sign_out', {});
    await call('auth/sign_in', { username: 'zhuren', password: 'houqin2026' });
    const month = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);
    const log = await (await call('repair_tickets/log', { month })).json();
    return log.rows.find((r: any) => r.ticket.description === '二楼男厕水龙头漏水').ticket;
  });
  expect(row.status).toBe('confirmed');
  expect(row.rating).toBe(5);
  expect(storedPhotos()).toBe(2);
  await teacherPhone.close();
  await workerPhone.close();
});

test('a photo upload cut halfway completes after reconnection and is stored once', async () => {
  const context = await phone();
  const page = await context.newPage();
  await signIn(page, 'jiaozhigong');
  await openTickets(page);
  const before = storedPhotos();
  // A slow uplink, so the upload is still under way when the server dies.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 64 * 1024 });
  const uploading = page.waitForRequest((r) => r.url().includes('/api/photos/') && r.method() === 'PUT');
  await report(page, '三楼教室门锁坏了', await cameraPhoto(page, true));
  await uploading;
  await page.waitForTimeout(1500);
  await stopServer();
  expect(storedPhotos()).toBe(before);
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  await startServer();
  await page.evaluate(() => window.dispatchEvent(new Event('online')));
  await page.goBack();
  const mine = page.getByTestId('my-reports');
  await expect(mine.getByText('三楼教室门锁坏了')).toBeVisible();
  await expect(mine.getByText('照片上传中')).toHaveCount(0, { timeout: 30_000 });
  expect(storedPhotos()).toBe(before + 1);
  await context.close();
});
