// Each role signs in on a phone and sees its own navigation; mistakes are explained in Chinese.
import { expect, test } from '@playwright/test';
import { PASSWORD, callApi, screenshot, signIn, visit, waitForHydration } from './helpers';

const navigationByRole: Array<[string, string, string[]]> = [
  ['zhuren', '后勤主任', ['管理', '访客', '巡检', '卫生', '报修', '我的']],
  ['menwei', '门卫', ['首页', '访客', '报修', '我的']],
  ['anquan', '安全检查员', ['首页', '巡检', '报修', '我的']],
  ['jianduyuan', '卫生检查员', ['首页', '卫生', '我的']],
  ['weixiu', '维修工', ['首页', '报修', '我的']],
  ['jiaozhigong', '教职工', ['首页', '报修', '我的']],
  ['banzhuren11', '班主任', ['首页', '卫生', '报修', '我的']],
];

test('the sign-in page fits a phone and speaks Chinese', async ({ page }) => {
  // Plain HTML: a weak link downloads the form alone, and the app's code comes with the first page after it.
  const code: string[] = [];
  page.on('request', (request) => {
    if (/\.(wasm|js)(\?|$)/.test(new URL(request.url()).pathname)) code.push(request.url());
  });
  await page.goto('/sign-in');
  await page.waitForLoadState('networkidle');
  expect(code).toEqual([]);
  await expect(page.getByRole('heading', { name: '登录' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(390);
  const button = await page.getByRole('button', { name: '登录' }).boundingBox();
  expect(button!.height).toBeGreaterThanOrEqual(44);
  await screenshot(page, 'sign-in');
});

for (const [username, role, tabs] of navigationByRole) {
  test(`a ${role} (${username}) sees only their own tabs`, async ({ page }) => {
    await signIn(page, username);
    const nav = page.getByRole('navigation', { name: '主导航' });
    await expect(nav.getByRole('link')).toHaveText(tabs);
    // Each lands on their own home, and the bar says where they are (the admin on 管理).
    await expect(nav.locator('[aria-current="page"]')).toHaveText(tabs[0]);
    await screenshot(page, `home-${username}`);
  });
}

test('a wrong password is explained and what was typed stays', async ({ page }) => {
  await page.goto('/sign-in');
  await page.getByLabel('用户名').fill('menwei');
  await page.getByLabel('密码').fill('not-the-password');
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByRole('alert')).toHaveText('用户名或密码不正确');
  await expect(page.getByLabel('用户名')).toHaveValue('menwei');
  await expect(page).toHaveURL(/\/sign-in$/);
  await screenshot(page, 'sign-in-wrong-password');
});

test('a stranger opening a job page is sent to sign in', async ({ page }) => {
  await page.goto('/safety-checks');
  await expect(page).toHaveURL(/\/sign-in$/);
});

test('a guard cannot use the admin pages', async ({ page }) => {
  await signIn(page, 'menwei');
  await visit(page, '/admin/users');
  await expect(page.getByRole('alert')).toHaveText('您的角色无权进行此操作');
});

test('the director prints a QR label for a place', async ({ page }) => {
  await signIn(page, 'zhuren');
  await visit(page, '/admin/places');
  const gate = page.getByRole('listitem').filter({ has: page.getByRole('link', { name: '北门', exact: true }) });
  await gate.getByRole('link', { name: '二维码标签' }).click();
  await expect(page.locator('.label-title')).toHaveText('北门');
  await expect(page.locator('.label-qr svg')).toBeVisible();
  await expect(page.locator('.label-url')).toContainText('/places/');
  await screenshot(page, 'qr-label');
  // The label's URL opens the place page.
  const url = await page.locator('.label-url').innerText();
  await visit(page, url);
  await expect(page.getByRole('heading', { name: '北门' })).toBeVisible();
});

test('the director names the school and prints a sheet of check-point stickers', async ({ page }) => {
  await signIn(page, 'zhuren');
  await waitForHydration(page);
  const form = page.getByTestId('school-name-form');
  await form.getByLabel('学校名称').fill('城南实验小学');
  await form.getByRole('button', { name: '保存' }).click();
  await expect(form.getByRole('status')).toContainText('已保存');
  await expect(page).toHaveTitle(/^城南实验小学 · /);
  await visit(page, '/admin/labels');
  const choice = page.getByTestId('label-choice');
  const points = await choice.locator('input[type=checkbox]').count();
  expect(points).toBeGreaterThan(12);
  await choice.getByRole('button', { name: '全选' }).click();
  await choice.getByRole('button', { name: `生成 ${points} 张标签` }).click();
  const sheet = page.getByTestId('sticker-sheet');
  await expect(sheet.locator('.label')).toHaveCount(points);
  await expect(sheet.locator('.label-school').first()).toHaveText('城南实验小学');
  await expect(sheet.locator('.label-url').first()).toContainText('/check-points/');
  await screenshot(page, 'qr-sticker-sheet');
  // On paper: 3 stickers to a row, 12 to an A4 page, every page holding stickers.
  await page.emulateMedia({ media: 'print' });
  const perRow = await sheet.evaluate((s) => new Set([...s.querySelectorAll('.label')].slice(0, 6).map((l) => Math.round(l.getBoundingClientRect().top))).size);
  expect(perRow).toBe(2);
  const pdf = await page.pdf({ format: 'A4' });
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
  expect(pages).toBe(Math.ceil(points / 12));
  await page.emulateMedia({ media: 'screen' });
});

test('switching to English applies at once and follows the user to another phone', async ({ page, browser }) => {
  await page.goto('/sign-in');
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await page.getByRole('button', { name: '中文' }).click();
  await signIn(page, 'weixiu');
  await page.getByRole('link', { name: '我的' }).click();
  await page.getByRole('button', { name: 'English' }).click();
  const nav = page.getByRole('navigation', { name: 'Main navigation' });
  await expect(nav.getByRole('link')).toHaveText(['Home', 'Repairs', 'Me']);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Me' })).toBeVisible();
  await screenshot(page, 'profile-english');
  const otherPhone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
  const other = await otherPhone.newPage();
  await other.goto('/sign-in');
  await other.getByLabel('用户名').fill('weixiu');
  await other.getByLabel('密码').fill(PASSWORD);
  await other.getByRole('button', { name: '登录' }).click();
  await expect(other.getByRole('navigation', { name: 'Main navigation' })).toBeVisible();
  await otherPhone.close();
});

test('a language chosen with no network stays, and reaches the server once the network is back', async ({ page, context }) => {
  await signIn(page, 'jiaozhigong');
  await visit(page, '/me');
  await context.setOffline(true);
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.getByRole('heading', { name: 'Me' })).toBeVisible();
  await context.setOffline(false);
  // The server still says Chinese; the choice made here wins, and is sent again.
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Me' })).toBeVisible();
  await expect.poll(async () => (await callApi(page, 'auth/whoami', {})).user.locale, { timeout: 15_000 }).toBe('en');
  await page.getByRole('button', { name: '中文' }).click();
  await expect.poll(async () => (await callApi(page, 'auth/whoami', {})).user.locale, { timeout: 15_000 }).toBe('zh');
});

test('the admin, with the most tabs, still fits a 360 px phone', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await signIn(page, 'zhuren');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(360);
  for (const tab of await page.getByRole('navigation', { name: '主导航' }).getByRole('link').all()) {
    const box = await tab.boundingBox();
    expect(box!.width).toBeGreaterThanOrEqual(44);
    expect(box!.height).toBeGreaterThanOrEqual(44);
  }
  await visit(page, '/admin/places');
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  await screenshot(page, 'admin-places-360');
});
