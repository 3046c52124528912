import { expect, test } from "@playwright/test";
import { ADMIN, hydrated, signIn } from "./helpers";

test("a bad password shows the error and keeps the visitor out", async ({ page }) => {
  await signIn(page, ADMIN.email, "not the password");
  await expect(page.getByRole("alert")).toHaveText("The e-mail address or password is incorrect.");
  await expect(page).toHaveURL(/\/sign-in/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in/);
});

test("an unknown e-mail gets exactly the same message", async ({ page }) => {
  await signIn(page, "nobody@example.com", "not the password");
  await expect(page.getByRole("alert")).toHaveText("The e-mail address or password is incorrect.");
});

test("signing in returns to the page first asked for", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in$/);
  await signIn(page, ADMIN.email, ADMIN.password);
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("heading", { name: "Account tree" })).toBeVisible();
});

test("unknown pages say so", async ({ page }) => {
  const res = await page.goto("/no/such/page");
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await hydrated(page);
});
