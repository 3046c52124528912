import { expect, test, type Page } from "@playwright/test";
import { ADMIN, hydrated, inviteAndAccept, latestLink, signIn, signInAs, type Person } from "./helpers";

const unique = Date.now().toString(36);
const sam: Person = { first: "Sam", last: "Suspended", email: `sam.${unique}@example.com`, password: "a quiet week off" };
const dora: Person = { first: "Dora", last: "Disabled", email: `dora.${unique}@example.com`, password: "the first of two" };
const doraNew = "the second of two";

/** Opens the page of `person` from the agency's people list; returns their id. */
async function openPerson(page: Page, person: Person): Promise<string> {
  await page.goto("/");
  await hydrated(page);
  await page.getByRole("treeitem", { name: new RegExp(ADMIN.agency) }).click();
  await expect(page.getByTestId("node-title")).toHaveText(ADMIN.agency);
  await page.getByTestId("member-row").filter({ hasText: person.email }).getByRole("link", { name: `${person.first} ${person.last}` }).click();
  await expect(page.getByTestId("user-name")).toHaveText(`${person.first} ${person.last}`);
  await hydrated(page);
  return page.url().match(/\/users\/(\d+)/)![1];
}

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/** "6 December 2026, 18:30 UTC" as UTC milliseconds. */
function parseLongUtc(text: string): number {
  const m = text.match(/(\d{1,2}) (\w+) (\d{4}), (\d{2}):(\d{2}) UTC/);
  expect(m, text).toBeTruthy();
  return Date.UTC(Number(m![3]), MONTHS.indexOf(m![2]), Number(m![1]), Number(m![4]), Number(m![5]));
}

test("suspend then reactivation refused", async ({ page, browser }) => {
  await signInAs(page, ADMIN.email, ADMIN.password);
  await inviteAndAccept(page, browser, sam);
  // Sam is signed in on a browser of their own.
  const context = await browser.newContext();
  const samPage = await context.newPage();
  await signInAs(samPage, sam.email, sam.password);

  const id = await openPerson(page, sam);
  const card = page.getByTestId("account-status");
  await expect(card.getByText("Active", { exact: true })).toBeVisible();
  await card.getByRole("button", { name: "Suspend…" }).click();
  // A reason is required: shown at the field.
  await card.getByRole("button", { name: "Suspend", exact: true }).click();
  await expect(page.locator("#suspend-reason-error")).toHaveText("Give a reason for the suspension.");
  await expect(page.getByTestId("user-status")).toHaveText("Active");
  await page.getByLabel("Reason for the suspension").fill("Left for a competitor");
  await card.getByRole("button", { name: "Suspend", exact: true }).click();

  await expect(page.getByTestId("user-status")).toHaveText("Suspended");
  await expect(page.getByTestId("status-reason")).toHaveText("Reason: Left for a competitor");
  // Reactivating waits 14 days: the button is off and the date is shown.
  await expect(card.getByRole("button", { name: "Reactivate" })).toBeDisabled();
  const shown = await page.getByTestId("reactivate-from").innerText();
  expect(shown).toMatch(/^Can be reactivated from \d{1,2} \w+ \d{4}, \d{2}:\d{2} UTC\.$/);
  const from = parseLongUtc(shown);
  const fourteenDays = 14 * 24 * 60 * 60 * 1000;
  expect(Math.abs(from - (Date.now() + fourteenDays))).toBeLessThan(10 * 60 * 1000);

  // The server refuses it too, naming the same date.
  const res = await page.request.post("/api/reactivate_user", { form: { user_id: id } });
  expect(res.status()).toBe(409);
  const date = shown.replace("Can be reactivated from ", "").replace(/\.$/, "");
  expect((await res.json()).message).toBe(`${sam.first} ${sam.last} can be reactivated from ${date}.`);
  await expect(page.getByTestId("user-status")).toHaveText("Suspended");

  // Sam's open session ended at its next request, and signing in is refused.
  await samPage.reload();
  await samPage.waitForURL((url) => url.pathname.startsWith("/sign-in"));
  await signIn(samPage, sam.email, sam.password);
  await expect(samPage.getByRole("alert")).toContainText("suspended");
  await context.close();
});

test("disable -> sign-in refused -> reinvite -> reset mail -> sign in", async ({ page, browser }) => {
  // Five sign-ins and two new passwords (argon2 on purpose), across three browsers.
  test.slow();
  await signInAs(page, ADMIN.email, ADMIN.password);
  await inviteAndAccept(page, browser, dora);
  await openPerson(page, dora);
  const card = page.getByTestId("account-status");
  await card.getByRole("button", { name: "Disable…" }).click();
  // Asked first, Cancel focused; the dialog says what disabling does.
  const dialog = page.getByRole("dialog", { name: `Disable ${dora.first} ${dora.last}?` });
  await expect(dialog).toContainText("stay on their call teams");
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await dialog.getByRole("button", { name: "Disable", exact: true }).click();
  await expect(page.getByTestId("user-status")).toHaveText("Disabled");
  await expect(card.getByRole("button", { name: "Reinvite" })).toBeVisible();

  // Dora cannot sign in.
  const context = await browser.newContext();
  const doraPage = await context.newPage();
  await signIn(doraPage, dora.email, dora.password);
  await expect(doraPage.getByRole("alert")).toContainText("disabled");
  await expect(doraPage).toHaveURL(/\/sign-in/);

  // The agency lists her among its disabled users; reinvite her from there.
  await page.goto("/");
  await hydrated(page);
  await page.getByRole("treeitem", { name: new RegExp(ADMIN.agency) }).click();
  await expect(page.getByTestId("node-title")).toHaveText(ADMIN.agency);
  await hydrated(page);
  const row = page.getByTestId("disabled-row").filter({ hasText: dora.email });
  await expect(row).toBeVisible();
  await row.getByRole("button", { name: `Reinvite ${dora.first} ${dora.last}` }).click();
  await expect(row).toHaveCount(0);
  await expect(page.getByTestId("member-row").filter({ hasText: dora.email })).toContainText("Active");

  // The reset mail: choose a new password, signed in.
  const link = await latestLink(dora.email, "/reset-password/");
  await doraPage.goto(link);
  await expect(doraPage.getByRole("heading", { name: "Choose a new password" })).toBeVisible();
  await hydrated(doraPage);
  await doraPage.getByLabel("New password").fill(doraNew);
  await doraPage.getByRole("button", { name: "Set password" }).click();
  await expect(doraPage.getByTestId("viewer-name")).toHaveText(`${dora.first} ${dora.last}`);
  await context.close();

  // And she signs in with it later.
  const later = await (await browser.newContext()).newPage();
  await signInAs(later, dora.email, doraNew);
  await expect(later.getByTestId("viewer-name")).toHaveText(`${dora.first} ${dora.last}`);
});
