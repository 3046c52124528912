// Time to interactive of a Roster page in Debian's Chromium with the CPU slowed 4x
// (Chrome DevTools' "4x slowdown", a mid-range phone or a busy laptop), for scripts/bench.sh.
//
//   BENCH_URL=http://127.0.0.1:3931/nodes/1/users?per_page=100 \
//   BENCH_COOKIE='roster_session=…' node end2end/bench/tti.mjs
//
// Time to interactive, as measured here: from the start of the navigation (the page's
// `performance.timeOrigin`) until the page has answered a click on the directory's "Active"
// status filter, which the hydrated page does by changing the address (`status=active`)
// at once. Before hydration the same click only ticks a box in a plain form, so the address
// changes only when the WASM is loaded, compiled and has taken over the page. The click is
// made as soon as `<body data-hydrated="true">` appears (the marker frontend/src/lib.rs sets
// after hydration, which the end-to-end tests wait for too); both moments are reported.
//
// Each run uses a new browser context, so nothing is cached (a first visit); then the same
// page is loaded again in that context (a later visit: the WASM from the HTTP cache).
// BENCH_RUNS runs (default 5); the last line printed is the summary bench.sh reports.
import { chromium } from "playwright-core";

const url = process.env.BENCH_URL;
const cookie = process.env.BENCH_COOKIE ?? "";
const runs = Number(process.env.BENCH_RUNS ?? 5);
const filter = process.env.BENCH_CLICK ?? 'input[name="status"][value="active"]';
if (!url) throw new Error("BENCH_URL is not set: the address of the page to measure");

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});

/** One load of `url` in `page`: [hydrated, interactive] in ms after navigation start. */
async function measure(page) {
  await page.goto(url, { waitUntil: "commit" });
  await page.waitForSelector('body[data-hydrated="true"]', { state: "attached", timeout: 60_000 });
  const hydrated = await page.evaluate(() => performance.now());
  await page.click(filter, { timeout: 60_000 });
  // Polled on every frame in the page, so the figure is when the page changed, not when
  // this script heard of it.
  const handle = await page.waitForFunction(
    () => location.search.includes("status=active") && performance.now(),
    undefined,
    { polling: "raf", timeout: 60_000 },
  );
  return [hydrated, await handle.jsonValue()];
}

const first = [];
const again = [];
try {
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext();
    if (cookie) {
      const [name, ...value] = cookie.split("=");
      await context.addCookies([{ name, value: value.join("="), url }]);
    }
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
    first.push(await measure(page));
    again.push(await measure(page));
    await context.close();
  }
} finally {
  await browser.close();
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => `${Math.round(x)} ms`;
for (const [label, list] of [["first visit", first], ["later visit", again]]) {
  console.log(
    `${label}: hydrated ${list.map(([h]) => ms(h)).join(", ")}; ` +
      `interactive ${list.map(([, t]) => ms(t)).join(", ")}`,
  );
}
console.log(
  `time to interactive ${ms(median(first.map(([, t]) => t)))} on a first visit, ` +
    `${ms(median(again.map(([, t]) => t)))} on a later one (median of ${runs}; hydrated at ` +
    `${ms(median(first.map(([h]) => h)))} and ${ms(median(again.map(([h]) => h)))})`,
);
