// Cleaning scores at phone size: an inspector scores six zones offline (deductions need a photo); online again
// they sync; the admin publishes the week; the board shows the ranking and the red flag; the class teacher of
// the lowest class appeals, the admin accepts, and the teacher sees the outcome.
import { expect, test } from '@playwright/test';
import { cameraPhoto, screenshot, signIn, switchTo, visit } from './helpers';

/** 三年级2班 → banzhuren32 (the demo's class teachers). */
function teacherOf(className: string): string {
  const grades = '一二三四五六';
  const grade = grades.indexOf(className[0]) + 1;
  const number = className.match(/(\d+)班/)![1];
  return `banzhuren${grade}${number}`;
}

test('six zones scored offline reach the published board; a class teacher appeals and sees the outcome', async ({ page, context, browser }) => {
  test.setTimeout(240_000);
  await signIn(page, 'weisheng');
  await visit(page, '/cleaning-scores');
  await expect(page.getByTestId('sync-chip')).toHaveText('已同步', { timeout: 15_000 });
  const zones = page.getByTestId('zones');
  await expect(zones.locator('li').first()).toBeVisible();
  const photo = await cameraPhoto(page, false);

  await context.setOffline(true);
  const scored: string[] = [];
  // The first zone loses 2 (差), the next four 1 (中), the last keeps full marks: it alone holds the flag.
  for (let n = 0; n < 6; n++) {
    await zones.locator('li', { hasText: '待检查' }).first().locator('a').click();
    const form = page.getByTestId('score-form');
    const title = (await page.getByTestId('zone-title').textContent())!.trim();
    scored.push(title.split(' · ')[0]);
    const first = form.locator('.check-item').first();
    if (n < 5) {
      await first.getByRole('button', { name: n === 0 ? /^差/ : /^中/ }).click();
      await expect(page.getByTestId('score-now')).toContainText(n === 0 ? '8' : '9');
      if (n === 0) {
        // Refused without a photo, in Chinese, and nothing lost.
        await form.getByRole('button', { name: '保存评分' }).click();
        await expect(form.getByText('扣分项请拍照留证')).toBeVisible();
      }
      await first.getByTestId('photo-input').setInputFiles({ name: 'zone.jpg', mimeType: 'image/jpeg', buffer: photo });
      await expect(first.locator('.photos img')).toHaveCount(1, { timeout: 15_000 });
    }
    await form.getByRole('button', { name: '保存评分' }).click();
    await expect(form.getByTestId('saved')).toContainText(n === 0 ? '8 / 10' : n < 5 ? '9 / 10' : '10 / 10');
    if (n === 0) await screenshot(page, 'cleaning-score-form');
    await page.goBack();
  }
  await expect(zones.getByText('未同步')).toHaveCount(6);
  await screenshot(page, 'cleaning-offline');

  await context.setOffline(false);
  await page.evaluate(() => window.dispatchEvent(new Event('online')));
  await expect(page.getByTestId('sync-chip')).toHaveText('已同步', { timeout: 30_000 });
  await expect(zones.getByText('未同步')).toHaveCount(0);

  // The admin sees the draft, publishes it; the red flag goes to the full-marks class, the lowest shows 8.00.
  await switchTo(page, 'zhuren');
  await visit(page, '/cleaning-scores/board');
  const board = page.getByTestId('league-board');
  await expect(board).toContainText('草稿');
  // Most classes have no score yet: the button says so before it publishes.
  await expect(page.getByTestId('unscored')).toContainText('还没有成绩');
  await expect(page.getByTestId('publish')).toHaveText('仍然发布');
  await page.getByTestId('publish').click();
  await expect(board).toContainText('已发布', { timeout: 15_000 });
  const flagged = board.locator('tr', { hasText: scored[5] });
  await expect(flagged).toContainText('流动红旗');
  await expect(flagged.getByTestId('league-score')).toHaveText('10.00');
  await expect(board.locator('tr', { hasText: scored[0] }).getByTestId('league-score')).toHaveText('8.00');
  await expect(page.getByTestId('red-flag')).toContainText(scored[5]);
  await screenshot(page, 'cleaning-board');

  // The hallway TV: a link the admin makes, opened with no account, full screen, the published week.
  await visit(page, '/admin/cleaning');
  const screens = page.getByTestId('screens');
  await screens.getByLabel('大屏名称').fill('一楼大厅');
  await screens.getByRole('button', { name: '生成大屏链接' }).click();
  const link = await screens.getByTestId('screen-link').getAttribute('href');
  expect(link).toMatch(/\/screen\?t=[0-9a-f]{64}$/);
  const tvContext = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const tv = await tvContext.newPage();
  await tv.goto(link!);
  const shown = tv.getByTestId('screen-board');
  await expect(shown.locator('tr', { hasText: scored[5] })).toContainText('10.00', { timeout: 15_000 });
  await expect(shown.locator('tr', { hasText: scored[5] })).toContainText('流动红旗');
  await expect(tv.getByRole('navigation')).toHaveCount(0);
  expect(await tv.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1366);
  await screenshot(tv, 'cleaning-hallway-screen');
  // Revoked, the TV shows nothing more at its next look.
  await screens.getByRole('button', { name: '撤销' }).last().click();
  await expect(screens).toContainText('已撤销');
  await tv.reload();
  await expect(tv.getByTestId('screen-unknown')).toBeVisible({ timeout: 15_000 });
  await tvContext.close();

  // The class teacher of the 8-point class appeals from their phone.
  const teacher = teacherOf(scored[0]);
  await switchTo(page, teacher);
  await visit(page, '/cleaning-scores');
  const check = page.getByTestId('class-check').first();
  await expect(check.getByTestId('check-score')).toHaveText('8/10', { timeout: 20_000 });
  await expect(check.locator('.photos img')).toHaveCount(1);
  await check.getByRole('button', { name: '申诉' }).click();
  await check.getByRole('button', { name: '提交申诉' }).click();
  await expect(check.getByText('请写明申诉理由')).toBeVisible();
  await check.getByLabel('申诉理由').fill('检查时刚下课，学生正在打扫');
  await check.getByRole('button', { name: '提交申诉' }).click();
  await expect(check.getByTestId('appeal-state')).toContainText('待处理');
  await expect(page.getByTestId('sync-chip')).toHaveText('已同步', { timeout: 20_000 });
  await screenshot(page, 'cleaning-appeal');

  await switchTo(page, 'zhuren');
  await visit(page, '/admin/cleaning');
  const appeal = page.getByTestId('appeal').filter({ hasText: '检查时刚下课' });
  await appeal.getByLabel('处理意见（可不填）').fill('情况属实');
  await appeal.getByTestId('accept').click();
  await expect(appeal).toContainText('已采纳', { timeout: 15_000 });
  await screenshot(page, 'cleaning-admin');
  // The ranking follows: the withdrawn check no longer counts for that class.
  await visit(page, '/cleaning-scores/board');
  await expect(board.locator('tr', { hasText: scored[0] }).getByTestId('league-score')).toHaveText('无成绩');
  // A class's page charts its term, week by week.
  await board.locator('tr', { hasText: scored[5] }).getByRole('link').click();
  await expect(page.getByTestId('trend')).toBeVisible();
  // The weeks are named under the axis (by their Monday), the latest always.
  await expect(page.getByTestId('trend').locator('text.trend-week').last()).toHaveText(/^\d\d-\d\d$/);
  await expect(page.getByTestId('latest-week')).toContainText('10.00');
  await screenshot(page, 'cleaning-trend');
  // On a hallway screen the same board, in large type.
  await page.setViewportSize({ width: 1366, height: 900 });
  await visit(page, '/cleaning-scores/board');
  await expect(page.getByTestId('red-flag')).toContainText(scored[5]);
  await screenshot(page, 'cleaning-board-screen');
  await page.setViewportSize({ width: 390, height: 844 });

  await switchTo(page, teacher);
  await visit(page, '/cleaning-scores');
  await expect(page.getByTestId('class-check').first().getByTestId('appeal-state')).toContainText('已采纳', { timeout: 20_000 });
  await expect(page.getByTestId('class-check').first()).toContainText('情况属实');
});

test('scanning a zone\'s label shows its latest scores and scores it from there', async ({ page }) => {
  await signIn(page, 'weisheng');
  await visit(page, '/cleaning-scores');
  await expect(page.getByTestId('sync-chip')).toHaveText('已同步', { timeout: 15_000 });
  // The place a QR label points at: 六年级2班's zone.
  const placeId = await page.evaluate(async () => {
    const response = await fetch('/api/directory/load', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: '{}',
    });
    const directory = await response.json();
    return directory.school_classes.find((c: { grade: number; number: number }) => c.grade === 6 && c.number === 2)
      .zone_id as string;
  });
  await visit(page, `/places/${placeId}`);
  const here = page.getByTestId('zones-here');
  await expect(here).toContainText('六年级2班');
  const before = await here.getByTestId('zone-here-check').count();

  await here.getByTestId('score-here').click();
  const form = page.getByTestId('score-form');
  await expect(page.getByTestId('zone-title')).toContainText('六年级2班');
  await form.getByRole('button', { name: '保存评分' }).click();
  await expect(form.getByTestId('saved')).toContainText('10 / 10');

  await page.goBack();
  await expect(here.getByTestId('zone-here-check')).toHaveCount(Math.min(before + 1, 3));
  await expect(here.getByTestId('zone-here-check').first()).toContainText('10/10');
  await expect(page.getByTestId('sync-chip')).toHaveText('已同步', { timeout: 20_000 });
  await screenshot(page, 'place-zone-scores');
});
