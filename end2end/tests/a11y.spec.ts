import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { ADMIN, hydrated, signInAs } from "./helpers";

/** Fails on serious or critical WCAG 2.x A/AA violations, naming each with its elements. */
async function scan(page: Page, what: string) {
  await hydrated(page);
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const report = bad.map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.map((n) => n.target.join(" ")).join("\n  ")}`);
  expect(report, `${what}: accessibility violations`).toEqual([]);
}

test("signed-out pages have no serious accessibility violations", async ({ page }) => {
  for (const path of ["/sign-in", "/forgot-password", "/reset-password/0000", "/invitations/0000"]) {
    await page.goto(path);
    await scan(page, path);
  }
});

test("every main admin page has no serious accessibility violations", async ({ page }) => {
  await signInAs(page, ADMIN.email, ADMIN.password);
  await page.goto("/");
  await scan(page, "home");
  await page.getByRole("treeitem", { name: new RegExp(ADMIN.agency) }).click();
  await expect(page.getByTestId("node-title")).toHaveText(ADMIN.agency);
  const node = new URL(page.url()).pathname;
  const pages = [
    node,
    `${node}/roles`,
    `${node}/audit`,
    `${node}/users`,
    `${node}/bulk-add`,
    `${node}/contacts`,
    `${node}/call-teams`,
    `${node}/teams`,
    `${node}/access`,
    "/profile",
    "/profile/calls",
  ];
  for (const path of pages) {
    await page.goto(path);
    await scan(page, path);
  }
  // A person's page: the first member listed at the agency.
  await page.goto(node);
  // Clicked once the page is live: a click while the router takes over the page can be lost.
  await hydrated(page);
  await page.getByTestId("member-row").first().getByRole("link").first().click();
  await expect(page.getByTestId("user-name")).toBeVisible();
  await scan(page, "a person's page");
  await page.getByTestId("call-prefs-link").click();
  await expect(page).toHaveURL(/\/users\/\d+\/calls$/);
  await scan(page, "a person's call preferences");
});
