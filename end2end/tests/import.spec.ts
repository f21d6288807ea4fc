// A school moves in: the admin imports its own sheets (120 places, 24 classes, 40 check points, from
// school-sheets.mjs) on a phone, reads each preview, confirms, and importing a sheet again changes nothing. On a
// server of its own, so the imported school does not change what the other specs see.
import { expect, test } from '@playwright/test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSchoolSheets } from '../school-sheets.mjs';
import { ownServer, screenshot, signIn, visit } from './helpers';

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

  // Classes: the demo's 12 stay as they are, 12 are new.
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
