import { expect, test } from "@playwright/test";
import { ADMIN, hydrated, signIn } from "./helpers";

test("first-run setup, sign in, see the agency, sign out", async ({ page }) => {
  // No agency yet: every page leads to setup.
  await page.goto("/");
  await expect(page).toHaveURL(/\/setup$/);
  await expect(page.getByRole("heading", { name: "Set up your agency" })).toBeVisible();
  await hydrated(page);

  // A wrong code is refused at its field, and nothing typed is lost.
  await page.getByLabel("Setup code").fill("WRONG-CODE1");
  await page.getByLabel("Agency name").fill(ADMIN.agency);
  await page.getByLabel("First name").fill(ADMIN.first);
  await page.getByLabel("Last name").fill(ADMIN.last);
  await page.getByLabel("Your e-mail address").fill(ADMIN.email);
  await page.getByLabel("Choose a password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Create agency" }).click();
  await expect(page.locator("#code-error")).toHaveText(/not valid/);
  await expect(page.getByLabel("Agency name")).toHaveValue(ADMIN.agency);

  await page.getByLabel("Setup code").fill(process.env.E2E_SETUP_CODE!);
  await page.getByRole("button", { name: "Create agency" }).click();

  // Signed in, at the account tree.
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("heading", { name: "Account tree" })).toBeVisible();
  await expect(page.getByRole("treeitem", { name: ADMIN.agency })).toBeVisible();
  await expect(page.getByTestId("viewer-name")).toHaveText(`${ADMIN.first} ${ADMIN.last}`);

  // Sign out, and the pages are closed again.
  await hydrated(page);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in$/);

  // Setup is closed for good.
  await page.goto("/setup");
  await expect(page).not.toHaveURL(/\/setup/);

  // Sign in again.
  await signIn(page, ADMIN.email, ADMIN.password);
  await expect(page.getByRole("treeitem", { name: ADMIN.agency })).toBeVisible();
});
