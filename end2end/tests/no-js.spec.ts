// Runs with JavaScript disabled: the sign-in form must work as plain HTML.
import { expect, test } from "@playwright/test";
import { ADMIN } from "./helpers";

test("sign in and out without JavaScript", async ({ page }) => {
  await page.goto("/sign-in");
  await page.getByLabel("E-mail address").fill(ADMIN.email);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/sign-in\?error=/);
  await expect(page.getByRole("alert")).toHaveText("The e-mail address or password is incorrect.");

  await page.getByLabel("E-mail address").fill(ADMIN.email);
  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("treeitem", { name: ADMIN.agency })).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
});
