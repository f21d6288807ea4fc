import { expect, type Locator, type Page } from '@playwright/test';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PASSWORD = 'houqin2026';

/** Signs in through the form, as a person would, and waits for the signed-in shell. */
export async function signIn(page: Page, username: string, password = PASSWORD) {
  await page.goto('/sign-in');
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByRole('navigation', { name: '主导航' })).toBeVisible();
}

/** Signs this page's browser in as another user, the way switching users on a shared phone does. */
export async function switchTo(page: Page, username: string, password = PASSWORD) {
  await page.evaluate(
    async ({ username, password }) => {
      const call = (path: string, body: unknown) =>
        fetch(`/api/${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify(body),
        });
      await call('auth/sign_out', {});
      await call('auth/sign_in', { username, password });
    },
    { username, password },
  );
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

/** Chromium's flags for every run here (Debian's Chromium, headless, no background traffic). */
export const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** A phone: its screen, touch, language and time zone (the school's). */
export const phoneSize = {
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
  deviceScaleFactor: 2,
  locale: 'zh-CN',
  timezoneId: 'Asia/Shanghai',
};

/**
 * The release server on a port and data folder of its own, for a test file that stops and starts it (a crash, a
 * cold start offline). Killed with SIGKILL, as a power cut would.
 */
export function ownServer(port: number, name: string) {
  const base = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), `houqin-${name}-`));
  let server: ChildProcess | undefined;
  return {
    base,
    dataDir,
    async start() {
      server = spawn('target/release/houqin', [], {
        cwd: '..',
        env: { ...process.env, HOUQIN_DEMO: '1', HOUQIN_DATA_DIR: dataDir, HOUQIN_LISTEN: `127.0.0.1:${port}`, RUST_LOG: 'warn' },
        stdio: 'inherit',
      });
      for (let i = 0; i < 100; i++) {
        try {
          if ((await fetch(`${base}/healthz`)).ok) return;
        } catch {}
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('server did not start');
    },
    async stop() {
      if (!server) return;
      const running = server;
      const stopped = new Promise((r) => running.once('exit', r));
      running.kill('SIGKILL');
      await stopped;
      server = undefined;
    },
  };
}

/** A camera-sized JPEG drawn in the page: 2400×1800, smooth or full of noise (which compresses badly). */
export async function cameraPhoto(page: Page, noisy: boolean): Promise<Buffer> {
  const dataUrl = await page.evaluate((noisy) => {
    const canvas = document.createElement('canvas');
    canvas.width = 2400;
    canvas.height = 1800;
    const g = canvas.getContext('2d')!;
    const gradient = g.createLinearGradient(0, 0, 2400, 1800);
    gradient.addColorStop(0, '#446688');
    gradient.addColorStop(1, '#ddccaa');
    g.fillStyle = gradient;
    g.fillRect(0, 0, 2400, 1800);
    if (noisy) {
      const image = g.getImageData(0, 0, 2400, 1800);
      for (let i = 0; i < image.data.length; i += 4) {
        image.data[i] = (Math.random() * 255) | 0;
        image.data[i + 1] = (Math.random() * 255) | 0;
      }
      g.putImageData(image, 0, 0);
    }
    g.fillStyle = '#aa2222';
    g.fillRect(900, 600, 600, 400);
    return canvas.toDataURL('image/jpeg', 0.95);
  }, noisy);
  return Buffer.from(dataUrl.split(',')[1], 'base64');
}


/** Draws a signature with the pointer in the signature box. */
export async function sign(page: Page) {
  // The mouse works in the viewport: bring the box into it first (a long checklist pushes it below the fold).
  await page.getByTestId('signature').scrollIntoViewIfNeeded();
  const box = await page.getByTestId('signature').boundingBox();
  if (!box) throw new Error('no signature box');
  await page.mouse.move(box.x + 20, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 3, box.y + 20, { steps: 5 });
  await page.mouse.move(box.x + box.width / 2, box.y + box.height - 20, { steps: 5 });
  await page.mouse.move(box.x + box.width - 20, box.y + 30, { steps: 5 });
  await page.mouse.up();
}

/** Picks whom the visitor came to see as a guard does: a few pinyin initials typed, then a tap on the match. */
export async function pickHost(form: Locator, typed: string, name: string) {
  await form.getByLabel('被访人/地点').fill(typed);
  await form.getByRole('button', { name, exact: true }).click();
  await expect(form.getByLabel('被访人/地点')).toHaveValue(name);
}

/** Registers a visitor on the gate page, as a guard would, and waits until it is saved on the phone. */
export async function registerVisitor(page: Page, name: string, phoneNumber: string, idNumber = '11010519491231002X') {
  const form = page.getByTestId('register-form');
  await form.getByLabel('手机号').fill(phoneNumber);
  await form.getByLabel('姓名').fill(name);
  await form.getByLabel('证件号码').fill(idNumber);
  await pickHost(form, 'lzr', '李主任');
  await form.getByRole('button', { name: '家长' }).click();
  await form.getByRole('button', { name: '保存登记' }).click();
  await expect(page.getByTestId('saved')).toContainText(`${name} · 已保存在本机`);
}

/**
 * The route table as the server builds it (`houqin routes`), each page with the roles whose jobs hold it: a new
 * page is covered by the tests without anyone listing it.
 */
export function routeTable(): { path: string; roles: string[] }[] {
  return execFileSync('target/release/houqin', ['routes'], { cwd: '..', encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.startsWith('/'))
    .map((line) => {
      const [path, roles = ''] = line.split('\t');
      return { path: path.trim(), roles: roles.trim().split(',').filter(Boolean) };
    });
}

/** Calls a server endpoint from inside the page, as the signed-in user, and returns its JSON answer. */
export async function callApi(page: Page, path: string, body: unknown): Promise<any> {
  return page.evaluate(
    async ({ path, body }) => {
      const response = await fetch(`/api/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
      });
      return response.json();
    },
    { path, body },
  );
}

/**
 * Fills a route's parameter (`{id}` or `:id`) with the record kept for its prefix (`/places/` → a place's id),
 * failing loudly for a new kind of page, so whoever adds it also adds a record to open it with.
 */
export function addressFor(ids: Record<string, string | undefined>): (route: string) => string {
  return (route) =>
    route.replace(/\{(\w+)\}|:(\w+)/, () => {
      const prefix = Object.keys(ids).find((p) => route.startsWith(p));
      const id = prefix && ids[prefix];
      if (!id) throw new Error(`no record to open ${route} with: add one to this test`);
      return id;
    });
}
