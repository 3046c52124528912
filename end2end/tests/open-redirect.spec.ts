// The open redirect of issue 11: browsers drop tabs and newlines from a URL, so a `next` of
// `/<tab>/evil.example/x` became `//evil.example/x`, another site, after signing in. Whatever
// `next` holds, signing in must land on Roster's own origin.
import { expect, test, type Page } from "@playwright/test";
import { ADMIN, hydrated } from "./helpers";

const PROBE = "/sign-in?next=/%09/evil.example/x";

/** Any request to the attacker's host is answered here (and recorded), never sent out. */
async function trapEvil(page: Page): Promise<string[]> {
  const reached: string[] = [];
  // Matched on the host: the probe's own address names evil.example in its query.
  await page.route((url) => url.hostname === "evil.example", (route) => {
    reached.push(route.request().url());
    return route.fulfill({ status: 200, contentType: "text/html", body: "<h1>evil</h1>" });
  });
  return reached;
}

async function signInThroughProbe(page: Page) {
  await page.getByLabel("E-mail address").fill(ADMIN.email);
  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/sign-in"));
}

test("signing in from a tab-smuggled next stays on Roster", async ({ page, baseURL }) => {
  const reached = await trapEvil(page);
  await page.goto(PROBE);
  await hydrated(page);
  await signInThroughProbe(page);
  expect(new URL(page.url()).origin).toBe(new URL(baseURL!).origin);
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("heading", { name: "Account tree" })).toBeVisible();
  expect(reached).toEqual([]);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the form post's redirect stays on Roster too", async ({ page, baseURL }) => {
    const reached = await trapEvil(page);
    await page.goto(PROBE);
    await signInThroughProbe(page);
    expect(new URL(page.url()).origin).toBe(new URL(baseURL!).origin);
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole("treeitem", { name: ADMIN.agency })).toBeVisible();
    expect(reached).toEqual([]);
  });
});
