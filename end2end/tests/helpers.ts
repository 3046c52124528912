import { expect, type Browser, type Page } from "@playwright/test";

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

/** The latest mail to `to` in the development mailbox (the page shows the admin's reach). */
export async function latestLink(page: Page, to: string, path: string): Promise<string> {
  await page.goto("/dev/mailbox");
  const mail = page.getByTestId("mail").filter({ hasText: `To ${to}` }).first();
  await expect(mail).toBeVisible();
  const body = await mail.locator(".mail-body").innerText();
  const link = body.match(new RegExp(`https?://\\S+${path}[0-9a-f]+`))?.[0];
  expect(link, body).toBeTruthy();
  return link!;
}

export type Person = { first: string; last: string; email: string; password: string };

/**
 * As the admin signed in on `page`: invites `person` at the agency as a Call Agent, then
 * accepts the mailed invitation in a browser context of their own, which is closed after.
 */
export async function inviteAndAccept(page: Page, browser: Browser, person: Person) {
  await page.goto("/");
  await hydrated(page);
  await page.getByRole("treeitem", { name: new RegExp(ADMIN.agency) }).click();
  await expect(page.getByTestId("node-title")).toHaveText(ADMIN.agency);
  await hydrated(page);
  const link = await inviteHere(page, person, "Call Agent");
  const invitee = await acceptInvitation(browser, link, person);
  await expect(invitee.getByTestId("viewer-name")).toHaveText(`${person.first} ${person.last}`);
  await invitee.context().close();
}

/** On the node page open in `page`: invites `person` with `role`; returns the mailed link. */
export async function inviteHere(page: Page, person: Person, role: string): Promise<string> {
  await page.getByLabel("E-mail address").fill(person.email);
  await page.getByLabel("First name").fill(person.first);
  await page.getByLabel("Last name").fill(person.last);
  await page.getByRole("group", { name: "Roles here" }).getByLabel(role, { exact: true }).check();
  await page.getByRole("button", { name: "Send invite" }).click();
  await expect(page.getByText("Invitation sent.")).toBeVisible();
  return latestLink(page, person.email, "/invitations/");
}

/** Accepts the invitation `link` as `person` in a browser context of their own (the
 * caller closes it); returns their page, signed in. */
export async function acceptInvitation(browser: Browser, link: string, person: Person): Promise<Page> {
  const invitee = await (await browser.newContext()).newPage();
  await invitee.goto(link);
  await hydrated(invitee);
  await invitee.getByLabel("Choose a password").fill(person.password);
  await invitee.getByRole("button", { name: "Accept and sign in" }).click();
  await invitee.waitForURL((url) => !url.pathname.startsWith("/invitations/"));
  return invitee;
}
