// Friday rounds at phone size: an inspector, offline, completes five check points with one failure and signs
// each; online again, the admin's board shows them, and the failure's repair ticket exists with its photo.
import { expect, test } from '@playwright/test';
import { cameraPhoto, screenshot, sign, signIn, switchTo, visit } from './helpers';

test('an inspector checks five points offline with one failure; the board and a repair ticket follow', async ({ page, context }) => {
  await signIn(page, 'anquan');
  await visit(page, '/safety-checks');
  await expect(page.getByTestId('sync-chip')).toHaveText('已同步', { timeout: 15_000 });
  const mine = page.getByTestId('my-points');
  await expect(mine.locator('li').first()).toBeVisible();
  const photo = await cameraPhoto(page, false);

  await context.setOffline(true);
  const checked: string[] = [];
  for (let n = 0; n < 5; n++) {
    // The first point not checked yet: those already checked this week sink below.
    await mine.locator('li', { hasNotText: '未同步' }).first().locator('a').click();
    const form = page.getByTestId('check-form');
    const label = (await page.getByTestId('point-label').textContent())!.trim();
    checked.push(label);
    const first = form.locator('.check-item').first();
    if (n === 0) {
      await first.getByRole('button', { name: '不合格', exact: true }).click();
      // Refused without a note or a photo, in Chinese, nothing lost.
      await form.getByRole('button', { name: '其余全部合格' }).click();
      await sign(page);
      await form.getByRole('button', { name: '签名并提交' }).click();
      await expect(form.getByText('不合格项请填写说明或拍照')).toBeVisible();
      await first.getByLabel('不合格情况说明').fill('压力不足');
      await first.getByTestId('photo-input').setInputFiles({ name: 'gauge.jpg', mimeType: 'image/jpeg', buffer: photo });
      await expect(first.locator('.photos img')).toHaveCount(1, { timeout: 15_000 });
    } else {
      await form.getByRole('button', { name: '其余全部合格' }).click();
      await sign(page);
    }
    await form.getByRole('button', { name: '签名并提交' }).click();
    await expect(form.getByTestId('saved')).toBeVisible();
    await page.goBack();
  }
  await expect(mine.getByText('未同步')).toHaveCount(5);
  await screenshot(page, 'safety-offline');

  await context.setOffline(false);
  await page.evaluate(() => window.dispatchEvent(new Event('online')));
  await expect(page.getByTestId('sync-chip')).toHaveText('已同步', { timeout: 20_000 });
  await expect(mine.getByText('未同步')).toHaveCount(0);

  // The admin's board: one failed, four checked, the failure linked to its ticket.
  await switchTo(page, 'zhuren');
  await visit(page, '/admin/safety');
  const board = page.getByTestId('board');
  const failedRow = board.locator(`tr[data-point="${checked[0]}"]`);
  await expect(failedRow.getByText('有不合格')).toBeVisible();
  for (const label of checked.slice(1)) {
    await expect(board.locator(`tr[data-point="${label}"]`).getByText('已检查')).toBeVisible();
  }
  await screenshot(page, 'safety-board');
  // The 消防安全检查记录表: a row per point and check, a mark per item; the failed one crossed, with its note.
  await visit(page, '/safety-checks/ledger');
  const ledger = page.getByTestId('safety-ledger');
  const failedEntry = ledger.locator('tbody tr', { hasText: checked[0] });
  await expect(failedEntry.locator('td.mark-fail')).toHaveCount(1);
  await expect(failedEntry).toContainText('压力不足');
  for (const label of checked.slice(1)) {
    await expect(ledger.locator('tbody tr', { hasText: label }).locator('td.mark-fail')).toHaveCount(0);
  }
  await screenshot(page, 'safety-ledger');
  await visit(page, '/admin/safety');
  await failedRow.getByRole('link', { name: '维修单' }).click();
  const ticket = page.getByTestId('ticket');
  await expect(ticket).toContainText('压力不足', { timeout: 20_000 });
  await expect(ticket.locator('img')).toHaveCount(1, { timeout: 20_000 });
  await expect.poll(() => ticket.locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth), { timeout: 20_000 }).toBe(1600);
  // …and back: the ticket links to the check that opened it, marked in its point's history.
  await ticket.getByTestId('source-check').getByRole('link').click();
  await expect(page.getByTestId('point-history').locator('li.linked')).toContainText('压力不足');
});
