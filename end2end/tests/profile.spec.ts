import { expect, test } from "@playwright/test";
import { ADMIN, hydrated, inviteAndAccept, signIn, signInAs } from "./helpers";

const unique = Date.now().toString(36);
const person = { first: "Pat", last: "Profile", email: `pat.${unique}@example.com`, password: "a first good passphrase" };

test("my profile: fields checked at the field, saved, and filed in the audit log in my time zone", async ({ page, browser }) => {
  await signInAs(page, ADMIN.email, ADMIN.password);
  await inviteAndAccept(page, browser, person);

  const context = await browser.newContext();
  const pat = await context.newPage();
  await signInAs(pat, person.email, person.password);
  await pat.getByTestId("viewer-name").click();
  await expect(pat.getByRole("heading", { name: "My profile" })).toBeVisible();
  await hydrated(pat);
  await pat.getByLabel("Time zone").fill("Mars/Olympus");
  await pat.getByLabel("Username").fill("x");
  await pat.getByRole("button", { name: "Save profile" }).click();
  await expect(pat.locator("#time_zone-error")).toContainText("Choose a time zone");
  await expect(pat.locator("#username-error")).toContainText("at least 3");
  await pat.getByLabel("Time zone").fill("Europe/Paris");
  await pat.getByLabel("Username").fill(`pat-${unique}`);
  await pat.getByRole("button", { name: "Save profile" }).click();
  await expect(pat.getByText("Profile saved.")).toBeVisible();
  await pat.reload();
  await expect(pat.getByLabel("Time zone")).toHaveValue("Europe/Paris");

  // Changing the password: the current one is checked; other devices can be signed out.
  const other = await (await browser.newContext()).newPage();
  await signInAs(other, person.email, person.password);
  await hydrated(pat);
  await expect(pat.getByTestId("session-row")).toHaveCount(2);
  await pat.getByLabel("Current password").fill("not it at all");
  await pat.getByLabel("New password").fill("a second good passphrase");
  await pat.getByRole("button", { name: "Change password" }).click();
  await expect(pat.locator("#current_password-error")).toContainText("not your current password");
  await pat.getByLabel("Current password").fill(person.password);
  await pat.getByLabel("Sign out of every other device").check();
  await pat.getByRole("button", { name: "Change password" }).click();
  await expect(pat.getByText("Password changed.")).toBeVisible();
  await other.reload();
  await expect(other).toHaveURL(/\/sign-in/);
  await signIn(other, person.email, person.password);
  await expect(other.getByRole("alert")).toContainText("incorrect");
  await context.close();

  // The admin sees the change in the agency's audit log.
  await page.goto("/");
  await hydrated(page);
  await page.getByRole("treeitem", { name: new RegExp(ADMIN.agency) }).click();
  await expect(page.getByTestId("node-title")).toHaveText(ADMIN.agency);
  await page.getByRole("link", { name: "Audit log" }).click();
  await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
  await page.getByLabel("Person concerned").fill("Pat");
  await page.getByLabel("Action").selectOption({ label: "Profile changed" });
  await page.getByRole("button", { name: "Filter" }).click();
  const row = page.getByTestId("audit-row").first();
  await expect(row).toContainText("time zone: America/New_York → Europe/Paris");
  await expect(page.getByTestId("audit-row")).toHaveCount(1);
});

/** A 40 × 30 PNG (red). */
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAACgAAAAeCAIAAADRv8uKAAAAKklEQVR4nO3NMQ0AAAgDsAmb/yALGXA06d9MeyJisVgsFovFYrFYLP4bL9HP3Ew1mJ9PAAAAAElFTkSuQmCC",
  "base64",
);

test("profile picture: a file that is not an image is refused at the field; a picture is kept as a square", async ({ page }) => {
  await signInAs(page, ADMIN.email, ADMIN.password);
  await page.goto("/profile");
  await hydrated(page);
  const file = page.getByLabel("Profile picture");

  // A text file named like a picture: the content decides.
  await file.setInputFiles({ name: "me.png", mimeType: "image/png", buffer: Buffer.from("just some text") });
  await page.getByRole("button", { name: "Upload picture" }).click();
  await expect(page).toHaveURL(/\/profile\?picture_error=not_an_image/);
  await expect(page.locator("#picture-error")).toHaveText("This file is not a PNG, JPEG or WebP image.");
  await expect(page.getByLabel("Profile picture")).toHaveAttribute("aria-invalid", "true");

  await hydrated(page);
  await page.getByLabel("Profile picture").setInputFiles({ name: "me.png", mimeType: "image/png", buffer: PNG });
  await page.getByRole("button", { name: "Upload picture" }).click();
  await expect(page).toHaveURL(/\/profile\?picture=saved/);
  await expect(page.getByText("Picture saved.")).toBeVisible();
  const img = page.getByTestId("profile-picture");
  await expect(img).toBeVisible();
  // Served as the 256-pixel square made on upload, not the file as sent.
  await expect.poll(() => img.evaluate((i: HTMLImageElement) => [i.naturalWidth, i.naturalHeight])).toEqual([256, 256]);

  await page.getByRole("button", { name: "Remove picture" }).click();
  await expect(page).toHaveURL(/\/profile\?picture=removed/);
  await expect(page.getByTestId("profile-picture")).toHaveCount(0);
  await expect(page.getByTestId("profile-initials")).toBeVisible();
});
