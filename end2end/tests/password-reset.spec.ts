import { expect, test } from "@playwright/test";
import { ADMIN, hydrated, inviteAndAccept, latestLink, signIn, signInAs } from "./helpers";

const unique = Date.now().toString(36);
const person = { first: "Fay", last: "Forgetful", email: `fay.${unique}@example.com`, password: "first of many passwords" };
const newPassword = "second and better passphrase";

test("forgot password: the same answer for anyone, a mailed link works once and signs in", async ({ page, browser }) => {
  await signInAs(page, ADMIN.email, ADMIN.password);
  await inviteAndAccept(page, browser, person);

  // Fay, signed out, in a browser of her own.
  const context = await browser.newContext();
  const fay = await context.newPage();
  await fay.goto("/sign-in");
  await hydrated(fay);
  await fay.getByRole("link", { name: "Forgot your password?" }).click();
  await expect(fay.getByRole("heading", { name: "Forgot your password?" })).toBeVisible();
  await hydrated(fay);
  await fay.getByLabel("E-mail address").fill("not an address");
  await fay.getByRole("button", { name: "Send me a link" }).click();
  await expect(fay.locator("#email-error")).toContainText("valid e-mail");
  await fay.getByLabel("E-mail address").fill(person.email);
  await fay.getByRole("button", { name: "Send me a link" }).click();
  await expect(fay.getByTestId("reset-requested")).toContainText("If an active account uses this address");

  // An unknown address gets the very same answer.
  const stranger = await context.newPage();
  await stranger.goto("/forgot-password");
  await hydrated(stranger);
  await stranger.getByLabel("E-mail address").fill(`nobody.${unique}@example.com`);
  await stranger.getByRole("button", { name: "Send me a link" }).click();
  await expect(stranger.getByTestId("reset-requested")).toHaveText(await fay.getByTestId("reset-requested").innerText());

  const link = await latestLink(person.email, "/reset-password/");
  await fay.goto(link);
  await expect(fay.getByRole("heading", { name: "Choose a new password" })).toBeVisible();
  await hydrated(fay);
  await fay.getByLabel("New password").fill("password");
  await fay.getByRole("button", { name: "Set password" }).click();
  await expect(fay.locator("#password-error")).toBeVisible();
  await fay.getByLabel("New password").fill(newPassword);
  await fay.getByRole("button", { name: "Set password" }).click();
  await expect(fay.getByTestId("viewer-name")).toHaveText(`${person.first} ${person.last}`);

  // The link works once; the old password is gone, the new one works.
  await fay.goto(link);
  await expect(fay.getByTestId("reset-error")).toContainText("already been used");
  await context.close();
  const later = await (await browser.newContext()).newPage();
  await signIn(later, person.email, person.password);
  await expect(later.getByRole("alert")).toContainText("incorrect");
  await signInAs(later, person.email, newPassword);
  await expect(later.getByTestId("viewer-name")).toHaveText(`${person.first} ${person.last}`);
});
