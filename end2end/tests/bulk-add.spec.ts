import { expect, test } from "@playwright/test";
import { ADMIN, hydrated, signInAs } from "./helpers";

const unique = Date.now().toString(36);
const account = `Bulk ${unique}`;
const ann = `ann.bulk.${unique}@example.com`;
const bo = `bo.bulk.${unique}@example.com`;

test("bulk add: preview each line, fix the text, add everyone, see them invited", async ({ page }) => {
  await signInAs(page, ADMIN.email, ADMIN.password);
  await page.goto("/");
  await hydrated(page);
  await page.getByRole("treeitem", { name: new RegExp(ADMIN.agency) }).click();
  await expect(page.getByTestId("node-title")).toHaveText(ADMIN.agency);
  await hydrated(page);
  await page.getByLabel("New account or sub-group").fill(account);
  await page.getByRole("button", { name: "Create", exact: true }).click();
  await page.getByRole("treeitem", { name: new RegExp(account) }).click();
  await expect(page.getByTestId("node-title")).toHaveText(account);
  await hydrated(page);

  await page.getByRole("link", { name: "Bulk add" }).click();
  await expect(page).toHaveURL(/\/bulk-add$/);
  await expect(page.getByRole("heading", { name: `Bulk add at ${account}` })).toBeVisible();
  await hydrated(page);

  // One good line, one invalid, one duplicate of the first (another case, spaces around).
  const people = page.getByLabel("People, one per line: email, first name, last name");
  await people.fill(`email,first,last\n${ann}, Ann, Bulk\nnot-an-address, Bad, Line\n  ${ann.toUpperCase()} , Ann, Again\n`);
  await page.getByLabel("Role for everyone, here").selectOption({ label: "Call Agent" });
  await page.getByRole("button", { name: "Preview" }).click();

  const counts = page.getByTestId("bulk-counts");
  await expect(counts).toContainText("1 to invite");
  await expect(counts).toContainText("1 duplicate");
  await expect(counts).toContainText("1 to fix");
  // Problems first: only the invalid line, with its line number and reason.
  const rows = page.getByTestId("bulk-line");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("3");
  await expect(rows.first()).toContainText("Enter a valid e-mail address");
  await page.getByRole("button", { name: "All (3)" }).click();
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(0)).toContainText(ann);
  await expect(rows.nth(0)).toContainText("New: invite");
  await expect(rows.nth(1)).toContainText("Fix");
  await expect(rows.nth(2)).toContainText("Same address as line 2");
  await expect(page.getByRole("button", { name: "Add 1 user" })).toBeDisabled();

  // Fixed: the old preview no longer counts until previewed again.
  await people.fill(`email,first,last\n${ann}, Ann, Bulk\n"${bo}", "Bo, Jr.", Bulk\n  ${ann.toUpperCase()} , Ann, Again\n`);
  await expect(page.getByText("The text or the role changed since this preview")).toBeVisible();
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(counts).toContainText("2 to invite");
  await expect(counts).toContainText("0 to fix");
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(1)).toContainText("Bo, Jr. Bulk");
  const add = page.getByRole("button", { name: "Add 2 users" });
  await expect(add).toBeEnabled();
  await add.click();

  await expect(page.getByTestId("bulk-result")).toHaveText(
    "2 invited, 0 given access, 0 already had the role, 1 duplicate skipped.",
  );
  await page.getByRole("link", { name: `Back to ${account}` }).click();
  await expect(page.getByTestId("node-title")).toHaveText(account);
  const pending = page.getByTestId("pending-invitations");
  await expect(pending).toContainText(ann);
  await expect(pending).toContainText(bo);
  await expect(pending).toContainText("Call Agent");
});
