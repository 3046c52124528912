// Time to interactive of a Roster page in Debian's Chromium with the CPU slowed 4x
// (Chrome DevTools' "4x slowdown", a mid-range phone or a busy laptop), for scripts/bench.sh.
//
//   BENCH_URL=http://127.0.0.1:3931/nodes/1/users?per_page=100 \
//   BENCH_COOKIE='roster_session=…' node end2end/bench/tti.mjs
//
// Time to interactive, as measured here: from the start of the navigation (the page's
// `performance.timeOrigin`) until the page has answered a click on the directory's "Active"
// status filter, which the hydrated page does by changing the address (`status=active`,
// through the History API) at once. Before hydration the same click would only tick a box in
// a plain form. The click is made inside the page the moment `<body data-hydrated="true">`
// appears (the marker frontend/src/lib.rs sets after hydration, which the end-to-end tests
// wait for too), so no round trip to this script is counted; both moments are reported.
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

/**
 * Runs in the page before its own scripts: clicks `selector` as soon as the page is hydrated,
 * and notes when the address changes to say so.
 */
function watch(selector) {
  const marks = (window.__tti = {});
  for (const method of ["pushState", "replaceState"]) {
    const original = history[method].bind(history);
    history[method] = (...args) => {
      original(...args);
      if (marks.interactive === undefined && location.search.includes("status=active")) {
        marks.interactive = performance.now();
      }
    };
  }
  new MutationObserver((_, observer) => {
    if (document.body?.dataset.hydrated !== "true") return;
    observer.disconnect();
    marks.hydrated = performance.now();
    document.querySelector(selector).click();
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-hydrated"] });
}

/** One load of `url` in `page`: [hydrated, interactive] in ms after navigation start. */
async function measure(page) {
  await page.goto(url, { waitUntil: "commit" });
  try {
    const marks = await page.waitForFunction(() => window.__tti?.interactive && window.__tti, undefined, {
      timeout: 60_000,
    });
    const { hydrated, interactive } = await marks.jsonValue();
    return [hydrated, interactive];
  } catch (err) {
    const state = await page.evaluate(() => ({
      marks: window.__tti,
      address: location.href,
      hydrated: document.body?.dataset.hydrated,
    }));
    throw new Error(`the page did not answer the click within a minute: ${JSON.stringify(state)}`, {
      cause: err,
    });
  }
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
    await page.addInitScript(watch, filter);
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
