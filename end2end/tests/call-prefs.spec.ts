import { expect, test } from "@playwright/test";
import { ADMIN, hydrated, inviteAndAccept, signInAs } from "./helpers";

const unique = Date.now().toString(36);
const agent = {
  first: "Cara",
  last: "Caller",
  email: `cara.${unique}@example.com`,
  password: "a call agent's passphrase",
};

test("call preferences: a call agent sends calls to text, with an invalid then a valid number", async ({ page, browser }) => {
  await signInAs(page, ADMIN.email, ADMIN.password);
  await inviteAndAccept(page, browser, agent);

  const context = await browser.newContext();
  const cara = await context.newPage();
  await signInAs(cara, agent.email, agent.password);
  await cara.getByTestId("viewer-name").click();
  await cara.getByRole("link", { name: "Call preferences" }).click();
  await expect(cara.getByRole("heading", { name: "Call preferences", level: 1 })).toBeVisible();
  await hydrated(cara);

  // The defaults: calls by e-mail to the person's own address; the administrators' flags
  // shown but not changeable.
  await expect(cara.getByLabel("E-mail", { exact: true })).toBeChecked();
  await expect(cara.getByLabel("E-mail address for calls")).toHaveValue(agent.email);
  await expect(cara.getByLabel("Can view all SMS")).toBeDisabled();

  // Text messages, to a number that is not in international format, and Saturday hours
  // that overlap: both named at their field, nothing saved, the input kept.
  await cara.getByLabel("Text message (SMS)").check();
  const phone = cara.getByLabel("Mobile number for text messages (SMS)");
  await expect(phone).toBeVisible();
  await phone.fill("555-1234");
  await cara.getByLabel("Saturday", { exact: true }).check();
  await cara.getByRole("button", { name: "Add hours on Saturday" }).click();
  await cara.getByLabel("Saturday from (2)").fill("12:00");
  await cara.getByRole("button", { name: "Save call preferences" }).click();
  await expect(cara.locator("#phone-error")).toContainText("international format");
  await expect(phone).toHaveAttribute("aria-invalid", "true");
  await expect(phone).toHaveValue("555-1234");
  await expect(cara.getByTestId("schedule-saturday")).toContainText("must not overlap");

  await phone.fill("+1 202 555 0123");
  await cara.getByLabel("Saturday from (2)").fill("17:00");
  await cara.getByRole("button", { name: "Save call preferences" }).click();
  await expect(cara.getByText("Saved.")).toBeVisible();
  await expect(cara.locator("#phone-error")).toHaveCount(0);
  await expect(phone).toHaveValue("+12025550123");

  await cara.reload();
  await hydrated(cara);
  await expect(cara.getByLabel("Text message (SMS)")).toBeChecked();
  await expect(cara.getByLabel("Mobile number for text messages (SMS)")).toHaveValue("+12025550123");
  await expect(cara.getByLabel("Saturday to (2)")).toHaveValue("18:00");
  await context.close();
});

test("the agency names its custom fields: a blank name is refused at the field, a name is kept", async ({ page }) => {
  await signInAs(page, ADMIN.email, ADMIN.password);
  await page.goto("/");
  await hydrated(page);
  await page.getByRole("treeitem", { name: new RegExp(ADMIN.agency) }).click();
  await expect(page.getByTestId("node-title")).toHaveText(ADMIN.agency);
  await hydrated(page);
  const first = page.getByLabel("Custom field 1", { exact: true });
  await first.fill("");
  await page.getByRole("button", { name: "Save labels" }).click();
  await expect(page.locator("#custom_field_labels\\[0\\]-error")).not.toBeEmpty();
  const name = `Region ${unique}`;
  await first.fill(name);
  await page.getByRole("button", { name: "Save labels" }).click();
  await expect(page.getByText("Labels saved.")).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("Custom field 1", { exact: true })).toHaveValue(name);
});
