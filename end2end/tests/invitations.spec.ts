import { expect, test, type Page } from "@playwright/test";
import { ADMIN, acceptInvitation, hydrated, inviteHere, latestLink, signInAs } from "./helpers";

const unique = Date.now().toString(36);
const account = `North ${unique}`;
const shift = `North Night Shift ${unique}`;
const agent = { first: "Cal", last: "Agent", email: `cal.agent.${unique}@example.com`, password: "a phone on every desk" };

async function child(page: Page, name: string) {
  await page.getByRole("treeitem", { name: new RegExp(name) }).click();
  await expect(page.getByTestId("node-title")).toHaveText(name);
  await hydrated(page);
}

async function create(page: Page, name: string) {
  await page.getByLabel("New account or sub-group").fill(name);
  await page.getByRole("button", { name: "Create", exact: true }).click();
  await expect(page.getByRole("treeitem", { name: new RegExp(name) })).toBeVisible();
}

test("invite at a sub-group, accept from the mail, see only that sub-group", async ({ page, browser }) => {
  await signInAs(page, ADMIN.email, ADMIN.password);
  await page.goto("/");
  await hydrated(page);
  await child(page, ADMIN.agency);
  await create(page, account);
  await child(page, account);
  await create(page, shift);
  await child(page, shift);

  // Invalid e-mail: refused at the field, nothing sent.
  await page.getByLabel("E-mail address").fill("not an address");
  await page.getByLabel("First name").fill(agent.first);
  await page.getByLabel("Last name").fill(agent.last);
  await page.getByRole("group", { name: "Roles here" }).getByLabel("Call Agent").check();
  await page.getByRole("button", { name: "Send invite" }).click();
  await expect(page.locator(".invite-form .field-error")).toContainText("valid e-mail");

  await page.getByLabel("E-mail address").fill(agent.email);
  await page.getByRole("button", { name: "Send invite" }).click();
  await expect(page.getByText("Invitation sent.")).toBeVisible();
  await expect(page.getByTestId("pending-invitations")).toContainText(agent.email);

  // The mail arrives in the operator's mail folder, with the link; Roster itself shows mail
  // to no one (the development mailbox is gone).
  const link = await latestLink(agent.email, "/invitations/");
  expect((await page.goto("/dev/mailbox"))?.status()).toBe(404);

  // The invitee, in a browser of their own.
  const context = await browser.newContext();
  const invitee = await context.newPage();
  await invitee.goto(link!);
  await expect(invitee.getByRole("heading", { name: `Welcome, ${agent.first}` })).toBeVisible();
  await hydrated(invitee);
  await invitee.getByLabel("Choose a password").fill("short");
  await invitee.getByRole("button", { name: "Accept and sign in" }).click();
  await expect(invitee.locator("#password-error")).toContainText("at least 8");
  await invitee.getByLabel("Choose a password").fill(agent.password);
  await invitee.getByRole("button", { name: "Accept and sign in" }).click();
  await expect(invitee.getByTestId("node-title")).toHaveText(shift);
  await expect(invitee.getByTestId("viewer-name")).toHaveText(`${agent.first} ${agent.last}`);

  // They see only the sub-group where they hold the role.
  await invitee.goto("/");
  await expect(invitee.getByRole("treeitem", { name: new RegExp(shift) })).toBeVisible();
  await expect(invitee.getByRole("treeitem", { name: new RegExp(ADMIN.agency) })).toHaveCount(0);
  await expect(invitee.getByRole("treeitem", { name: new RegExp(`^Account ${account}$`) })).toHaveCount(0);

  // The link works once.
  await invitee.goto(link!);
  await expect(invitee.getByTestId("invitation-error")).toBeVisible();
  await context.close();

  // Inviting the same address elsewhere offers to grant access instead.
  await page.goto("/");
  await hydrated(page);
  await child(page, ADMIN.agency);
  await child(page, account);
  await page.getByLabel("E-mail address").fill(agent.email.toUpperCase());
  await page.getByLabel("First name").fill("Someone");
  await page.getByLabel("Last name").fill("Else");
  await page.getByRole("group", { name: "Roles here" }).getByLabel("Report Manager").check();
  await page.getByRole("button", { name: "Send invite" }).click();
  await expect(page.getByTestId("already-exists")).toContainText("A user with this e-mail address already exists.");
  await page.getByRole("button", { name: "Grant access instead" }).click();
  await expect(page.getByTestId("member-row").filter({ hasText: agent.email })).toContainText("Report Manager");
});

test("an Account Admin is offered only the roles within their own permissions", async ({ page, browser }) => {
  const south = `South ${unique}`;
  const ava = { first: "Ava", last: "Accounts", email: `ava.accounts.${unique}@example.com`, password: "a ledger for every desk" };
  await signInAs(page, ADMIN.email, ADMIN.password);
  await page.goto("/");
  await hydrated(page);
  await child(page, ADMIN.agency);
  await create(page, south);
  await child(page, south);
  // Ada, who holds everything, is offered Billing Manager here.
  const roles = page.getByRole("group", { name: "Roles here" });
  await expect(roles.getByLabel("Billing Manager", { exact: true })).toBeVisible();
  const link = await inviteHere(page, ava, "Account Admin");
  const invitee = await acceptInvitation(browser, link, ava);
  await expect(invitee.getByTestId("node-title")).toHaveText(south);
  // Account Admin carries no billing permission: Billing Manager is not offered to Ava,
  // in the invite form nor in "+ Add role"; Call Agent is.
  const offered = invitee.getByRole("group", { name: "Roles here" });
  await expect(offered.getByLabel("Call Agent", { exact: true })).toBeVisible();
  await expect(offered.getByLabel("Billing Manager", { exact: true })).toHaveCount(0);
  const grant = invitee.getByLabel("Role", { exact: true });
  await expect(grant.locator("option", { hasText: "Call Agent" })).toHaveCount(1);
  await expect(grant.locator("option", { hasText: "Billing Manager" })).toHaveCount(0);
  await invitee.context().close();
});
