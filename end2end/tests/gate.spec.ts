// The gate job online: the admin's watch list warns the guard before saving, the sync page explains itself,
// a returning visitor is prefilled, and the roll call lists who is on campus.
import { expect, test } from '@playwright/test';
import { pickHost, screenshot, signIn, visit } from './helpers';

test('a watch-list phone number warns the guard, who turns the visitor away', async ({ page }) => {
  await signIn(page, 'zhuren');
  await visit(page, '/admin/watch-list');
  await page.getByLabel('手机号').fill('13812345678');
  await page.getByLabel('说明（门卫会看到）').fill('曾多次强行进校');
  await page.getByRole('button', { name: '加入名单' }).click();
  await expect(page.getByTestId('watch-list')).toContainText('曾多次强行进校');
  await screenshot(page, 'watch-list');

  await page.context().clearCookies();
  await signIn(page, 'menwei');
  await visit(page, '/gate-visits');
  await expect(page.getByTestId('sync-chip')).toHaveText('已同步', { timeout: 15_000 });
  const form = page.getByTestId('register-form');
  await form.getByLabel('手机号').fill('138 1234 5678');
  await form.getByLabel('姓名').fill('关注人');
  await form.getByRole('button', { name: '无证件' }).click();
  await pickHost(form, '主任', '李主任');
  await form.getByRole('button', { name: '保存登记' }).click();
  const warning = page.getByTestId('watch-warning');
  await expect(warning).toContainText('曾多次强行进校');
  await screenshot(page, 'gate-watch-warning');
  await warning.getByRole('button', { name: '劝离' }).click();
  await expect(page.getByTestId('saved')).toContainText('关注人 · 已保存在本机');
  const left = page.getByRole('region', { name: '今日已离校' });
  await expect(left.getByTestId('visit').filter({ hasText: '关注人' })).toHaveCount(1);
  await expect(page.getByTestId('sync-chip')).toHaveText('已同步', { timeout: 15_000 });
  // The server's own warning came back with the entry; the guard already decided, so it is not asked again.
  await expect(page.getByTestId('watch-hit')).toHaveCount(0);
});

test('a returning visitor is prefilled from the phone number and the ID is not typed again', async ({ page }) => {
  await signIn(page, 'menwei2');
  await visit(page, '/gate-visits');
  await expect(page.getByTestId('sync-chip')).toHaveText('已同步', { timeout: 15_000 });
  const form = page.getByTestId('register-form');
  await form.getByLabel('手机号').fill('13911112222');
  await form.getByLabel('姓名').fill('回访者');
  await form.getByLabel('证件号码').fill('320102199001011237');
  await form.getByLabel('单位').fill('鼓楼区教育局');
  await pickHost(form, 'lzr', '李主任');
  await form.getByRole('button', { name: '公务' }).click();
  await form.getByRole('button', { name: '保存登记' }).click();
  // A wrong check digit is caught on the phone, in Chinese, with the field in view and the cursor in it, and
  // nothing typed is lost.
  await expect(form.getByText('校验位不符，请逐位核对证件号码')).toBeVisible();
  await expect(form.getByLabel('证件号码')).toBeFocused();
  await expect(form.getByLabel('证件号码')).toBeInViewport();
  await expect(form.getByLabel('姓名')).toHaveValue('回访者');
  await form.getByLabel('证件号码').fill('320102199001011232');
  await form.getByRole('button', { name: '保存登记' }).click();
  await expect(page.getByTestId('saved')).toContainText('回访者 · 已保存在本机');
  await expect(page.getByTestId('sync-chip')).toHaveText('已同步', { timeout: 15_000 });
  const row = page.getByTestId('visit').filter({ hasText: '回访者' });
  await row.getByRole('button', { name: '签离' }).click();

  await form.getByLabel('手机号').fill('13911112222');
  await expect(form.getByLabel('姓名')).toHaveValue('回访者');
  await expect(form.getByLabel('单位')).toHaveValue('鼓楼区教育局');
  await expect(page.getByTestId('returning')).toContainText('3201**********1232');
  await expect(form.getByLabel('证件号码')).toHaveCount(0);
  // Whom they came to see and why, as last time.
  await expect(form.getByLabel('被访人/地点')).toHaveValue('李主任');
  await expect(form.getByRole('button', { name: '公务' })).toHaveAttribute('aria-pressed', 'true');
  await form.getByRole('button', { name: '送货' }).click();
  await form.getByRole('button', { name: '保存登记' }).click();
  await expect(page.getByTestId('saved')).toContainText('回访者 · 已保存在本机');
  await screenshot(page, 'gate-returning-saved');

  await visit(page, '/gate-visits/roll-call');
  await expect(page.locator('table')).toContainText('回访者');
  await screenshot(page, 'roll-call');
  await visit(page, '/sync');
  await expect(page.getByTestId('pending-count')).toHaveText('0', { timeout: 15_000 });
  await expect(page.getByTestId('sync-state')).toHaveText('已连接');
  await screenshot(page, 'sync-page');
});
