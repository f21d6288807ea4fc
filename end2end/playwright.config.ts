// Playwright drives Debian's Chromium (Playwright cannot download its own browser here) against the real
// release server, started fresh in demo mode on its own port and data folder, at phone size.
import { defineConfig } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumArgs, chromiumPath, phoneSize } from './tests/helpers';

const port = Number(process.env.HOUQIN_E2E_PORT ?? 3005);
const dataDir = mkdtempSync(join(tmpdir(), 'houqin-e2e-'));

export default defineConfig({
  testDir: './tests',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    ...phoneSize,
    launchOptions: { executablePath: chromiumPath, args: chromiumArgs },
  },
  webServer: {
    command: 'target/release/houqin',
    cwd: '..',
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    env: {
      HOUQIN_DEMO: '1',
      HOUQIN_DATA_DIR: dataDir,
      HOUQIN_LISTEN: `127.0.0.1:${port}`,
      RUST_LOG: 'warn',
    },
  },
});
