import { expect, type Page } from '@playwright/test';

export const PASSWORD = 'houqin2026';

/** Signs in through the form, as a person would, and waits for the signed-in shell. */
export async function signIn(page: Page, username: string, password = PASSWORD) {
  await page.goto('/sign-in');
  await waitForHydration(page);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByRole('navigation', { name: '主导航' })).toBeVisible();
}

/** The wasm has taken over the server-rendered page once its script has run and the page is idle. */
export async function waitForHydration(page: Page) {
  await page.waitForFunction(() => (window as any).__houqin_hydrated === true, undefined, { timeout: 15_000 });
}

export async function screenshot(page: Page, name: string) {
  await page.screenshot({ path: `screenshots/${name}.png`, fullPage: false });
}

/** Opens a page by its address (a full load, like following a QR code) and waits until it is interactive. */
export async function visit(page: Page, path: string) {
  await page.goto(path);
  await waitForHydration(page);
}
