import { expect, type Page } from "@playwright/test";

export const ADMIN = {
  agency: "Acme Insurance Agency",
  first: "Ada",
  last: "Admin",
  email: "ada.admin@example.com",
  password: "correct horse battery staple",
};

/** Waits until the WASM has hydrated the page, so clicks reach the live app. */
export async function hydrated(page: Page) {
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
}

/** Fills in and submits the sign-in form (the outcome is the caller's to check). */
export async function signIn(page: Page, email: string, password: string) {
  await page.goto("/sign-in");
  await hydrated(page);
  await page.getByLabel("E-mail address").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Signs in and waits until the app has left the sign-in page. */
export async function signInAs(page: Page, email: string, password: string) {
  await signIn(page, email, password);
  await page.waitForURL((url) => !url.pathname.startsWith("/sign-in"));
  await hydrated(page);
}
