// A school moves in: the admin imports its own sheets (120 places, 100 staff, 24 classes, 40 check points, from
// school-sheets.mjs) on a phone, reads each preview, confirms, and importing a sheet again changes nothing; prints
// the new people's sign-in slips; one of them signs in with the code on their slip and sets a password. On a
// server of its own, so the imported school does not change what the other specs see.
import { chromium, expect, test } from '@playwright/test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSchoolSheets } from '../school-sheets.mjs';
import { chromiumArgs, chromiumPath, ownServer, phoneSize, screenshot, signIn, visit } from './helpers';

const server = ownServer(3011, 'import');
test.describe.configure({ mode: 'serial' });
test.beforeAll(server.start);
test.afterAll(server.stop);
test.use({ baseURL: server.base });

test('the admin imports a school from its sheets, sees each preview, and a second import changes nothing', async ({ page }) => {
  test.setTimeout(120_000);
  const files = writeSchoolSheets(mkdtempSync(join(tmpdir(), 'houqin-sheets-')));
  await signIn(page, 'zhuren');
  await visit(page, '/admin');
  await page.getByRole('link', { name: '导入表格' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('导入表格');

  const importSheet = async (kind: string, label: string, file: string, rows: number) => {
    await page.getByRole('button', { name: label, exact: true }).click();
    await page.getByTestId('import-file').setInputFiles(file);
    await expect(page.getByTestId('import-summary')).toContainText(`共 ${rows} 行`);
    const summary = await page.getByTestId('import-summary').innerText();
    await expect(page.getByTestId('import-refused')).toHaveCount(0);
    return summary;
  };

  // Places: rooms come before their floors and buildings in the sheet; all 120 are new.
  const places = await importSheet('places', '场所', files.places, 120);
  expect(places).toContain('新增 120');
  await expect(page.getByTestId('import-add')).toContainText('致远楼/1F/101室（房间）');
  await screenshot(page, 'import-preview');
  await page.getByTestId('import-apply').click();
  await expect(page.getByTestId('import-done')).toContainText('新增 120');

  // Staff: 100 new people, two of them taking over a demo class; no one has a password yet.
  const staff = await importSheet('staff', '人员', files.staff, 100);
  expect(staff).toContain('新增 100');
  await expect(page.getByTestId('import-add')).toContainText('王晓红（wangxiaohong）教职工、班主任，一年级1班班主任（原为 杨老师）');
  await page.getByTestId('import-apply').click();
  await expect(page.getByTestId('import-done')).toContainText('新增 100');
  await expect(page.getByTestId('import-to-slips')).toBeVisible();

  // Classes: the demo's 12 stay as they are, 12 are new, with class teachers from the staff sheet.
  const classes = await importSheet('classes', '班级', files.classes, 24);
  expect(classes).toContain('新增 12');
  expect(classes).toContain('不变 12');
  await page.getByTestId('import-apply').click();
  await expect(page.getByTestId('import-done')).toContainText('新增 12');

  const points = await importSheet('check-points', '检查点', files['check-points'], 40);
  expect(points).toContain('新增 40');
  await page.getByTestId('import-apply').click();
  await expect(page.getByTestId('import-done')).toContainText('新增 40');

  // The same places sheet again: nothing to add, and nothing can be applied.
  const again = await importSheet('places', '场所', files.places, 120);
  expect(again).toContain('新增 0');
  expect(again).toContain('不变 120');
  await expect(page.getByTestId('import-apply')).toBeDisabled();

  // A sheet with a mistake names its row and column, and holds the whole sheet back.
  const bad = join(mkdtempSync(join(tmpdir(), 'houqin-bad-')), 'bad.csv');
  writeFileSync(bad, '场所路径,类型\n图书馆/2F,楼层\n致远楼/5F,楼层\n');
  await page.getByTestId('import-file').setInputFiles(bad);
  const refused = page.getByTestId('import-refused');
  await expect(refused).toContainText('图书馆');
  await expect(refused.locator('tbody tr')).toHaveCount(1);
  await expect(refused.locator('tbody tr td').first()).toHaveText('2');
  await expect(page.getByTestId('import-apply')).toBeDisabled();
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width, 'the preview fits the phone').toBeLessThanOrEqual(390);
  await screenshot(page, 'import-refused');

  // The imported places are in the directory everyone's phone gets.
  await visit(page, '/admin/places');
  await expect(page.locator('main')).toContainText('致远楼');
});

test('the admin prints the new staff their sign-in slips; one signs in with the code and sets a password', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, 'zhuren');
  await visit(page, '/admin');
  await page.getByRole('link', { name: /登录条/ }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('登录条');
  // Everyone imported and waiting for a first sign-in comes chosen.
  await expect(page.getByTestId('slips-people').locator('li')).toHaveCount(100);
  await expect(page.getByTestId('slips-choice')).toContainText('已选 100 人');
  await screenshot(page, 'sign-in-slips-choice');
  await page.getByTestId('slips-make').click();
  await expect(page.getByTestId('slips-made')).toContainText('已为 100 人生成登录码', { timeout: 60_000 });
  await expect(page.getByTestId('slip')).toHaveCount(100);
  // The slips come first now: the list of 100 people folds away until asked for.
  await expect(page.getByTestId('slips-choice')).toHaveCount(0);
  await expect(page.getByTestId('slips-again')).toBeVisible();
  const slip = page.getByTestId('slip').filter({ hasText: 'zhangxiaohong' });
  await expect(slip).toContainText('张晓红');
  await expect(slip.locator('svg')).toBeVisible();
  const code = (await slip.getByTestId('slip-code').innerText()).trim();
  // Eight characters with no look-alikes (no 0, o, 1, l, i), in two fours.
  expect(code).toMatch(/^[2-9a-hjkmnp-z]{4}-[2-9a-hjkmnp-z]{4}$/);
  await screenshot(page, 'sign-in-slips');

  // Printed on A4: the slips only, two to a row, no control showing.
  await page.emulateMedia({ media: 'print' });
  const controls = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('input:not([type=hidden]), select, textarea, button')].filter((e) => e.getClientRects().length > 0).length,
  );
  expect(controls, 'no control on the printout').toBe(0);
  const columns = await page.evaluate(() => getComputedStyle(document.querySelector('.slip-sheet')!).gridTemplateColumns.split(' ').length);
  expect(columns).toBe(2);
  const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true });
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
  expect(pages, 'the PDF has pages').toBeGreaterThan(0);
  expect(pages, '100 slips, 12 to an A4 page (the first holds the title too)').toBeLessThanOrEqual(Math.ceil(100 / 12));
  await page.emulateMedia({ media: 'screen' });

  // The teacher, on their own phone, types what the slip says.
  const phone = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  const context = await phone.newContext({ ...phoneSize, baseURL: server.base });
  const own = await context.newPage();
  await own.goto('/sign-in');
  await own.getByLabel('用户名').fill('zhangxiaohong');
  await own.getByLabel('密码').fill(code.toUpperCase());
  await own.getByRole('button', { name: '登录' }).click();
  await expect(own.getByRole('heading', { level: 1 })).toHaveText('设置密码');
  await expect(own.getByTestId('new-password-for')).toContainText('张晓红');
  await own.getByLabel('新密码', { exact: true }).fill('zhang-2026-ok');
  await own.getByLabel('再输一次新密码').fill('zhang-2026-no');
  await own.getByRole('button', { name: '保存并登录' }).click();
  await expect(own.getByText('两次输入不一致')).toBeVisible();
  await screenshot(own, 'first-sign-in-mismatch');
  await own.getByLabel('新密码', { exact: true }).fill('zhang-2026-ok');
  await own.getByLabel('再输一次新密码').fill('zhang-2026-ok');
  await own.getByRole('button', { name: '保存并登录' }).click();
  await expect(own.getByRole('navigation', { name: '主导航' })).toBeVisible();
  await context.close();
  await phone.close();

  // The code is spent; the password chosen signs in.
  const again = await page.context().browser()!.newContext({ ...phoneSize, baseURL: server.base });
  const other = await again.newPage();
  await other.goto('/sign-in');
  await other.getByLabel('用户名').fill('zhangxiaohong');
  await other.getByLabel('密码').fill(code);
  await other.getByRole('button', { name: '登录' }).click();
  await expect(other.getByRole('alert')).toContainText('用户名或密码不正确');
  await signIn(other, 'zhangxiaohong', 'zhang-2026-ok');
  await again.close();
});
