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

/**
 * Opens a page by its address (a full load, like following a QR code) and waits until it is interactive. Once
 * in CI (3 runs) a full load right after the first sign-in never hydrated and could not be reproduced; if that
 * happens the console errors are printed and the page is loaded once more, so the run says what it saw.
 */
export async function visit(page: Page, path: string) {
  const errors: string[] = [];
  const onConsole = (message: { type(): string; text(): string }) => {
    if (message.type() === 'error') errors.push(message.text());
  };
  const onError = (error: Error) => errors.push(String(error));
  page.on('console', onConsole);
  page.on('pageerror', onError);
  try {
    await page.goto(path);
    try {
      await waitForHydration(page);
    } catch {
      console.warn(`hydration of ${path} timed out; console errors: ${errors.join(' | ') || 'none'}; loading it again`);
      await page.reload();
      await waitForHydration(page);
    }
  } finally {
    page.off('console', onConsole);
    page.off('pageerror', onError);
  }
}
