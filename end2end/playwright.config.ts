import { defineConfig } from "@playwright/test";

// The server is started by global-setup.ts on this port with a fresh database.
export const PORT = Number(process.env.E2E_PORT ?? 3917);

export default defineConfig({
  testDir: "./tests",
  globalSetup: "./global-setup.ts",
  // One server, one database: the suite runs in order, one test at a time.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    trace: "retain-on-failure",
    launchOptions: {
      // Debian's chromium: Playwright's own browser download is not reachable here.
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [
    // Creates the agency through the first-run page; everything else builds on it.
    { name: "first-run", testMatch: /first-run\.spec\.ts/ },
    {
      name: "chromium",
      testIgnore: /(first-run|no-js)\.spec\.ts/,
      dependencies: ["first-run"],
    },
    {
      name: "no-javascript",
      testMatch: /no-js\.spec\.ts/,
      dependencies: ["first-run"],
      use: { javaScriptEnabled: false },
    },
  ],
});
