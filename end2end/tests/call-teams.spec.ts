// An administrator creates a contact, builds a call team of two users and the contact,
// disables one user and sees them marked on the team.
import { expect, test, type Page } from "@playwright/test";
import { ADMIN, hydrated, inviteAndAccept, signInAs, type Person } from "./helpers";

const unique = Date.now().toString(36);
const una: Person = { first: "Una", last: `Caller${unique}`, email: `una.${unique}@example.com`, password: "first on the rota" };
const vic: Person = { first: "Vic", last: `Caller${unique}`, email: `vic.${unique}@example.com`, password: "second on the rota" };
const contact = { first: "Cora", last: `Contact${unique}` };
const team = `Night shift ${unique}`;
const full = (p: { first: string; last: string }) => `${p.first} ${p.last}`;

/** Opens the agency's page; returns its path (`/nodes/ID`). */
async function openAgency(page: Page): Promise<string> {
  await page.goto("/");
  await hydrated(page);
  await page.getByRole("treeitem", { name: new RegExp(ADMIN.agency) }).click();
  await expect(page.getByTestId("node-title")).toHaveText(ADMIN.agency);
  await hydrated(page);
  return new URL(page.url()).pathname;
}

test("a call team of two users and a contact, one user disabled", async ({ page, browser }) => {
  await signInAs(page, ADMIN.email, ADMIN.password);
  await inviteAndAccept(page, browser, una);
  await inviteAndAccept(page, browser, vic);
  const agency = await openAgency(page);

  // The contact, from the node page's links. A missing number is shown at its field, and
  // what was typed stays.
  await page.getByRole("navigation", { name: "This account" }).getByRole("link", { name: "Contacts" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Contacts" })).toBeVisible();
  await hydrated(page);
  await page.getByRole("textbox", { name: "First name" }).fill(contact.first);
  await page.getByRole("textbox", { name: "Last name" }).fill(contact.last);
  await page.getByRole("radio", { name: "Text" }).check();
  await page.getByRole("button", { name: "Add contact" }).click();
  await expect(page.locator("#contact-phone-error")).toHaveText("Enter a phone number: this contact gets their calls by text.");
  await expect(page.getByRole("textbox", { name: "Phone" })).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByRole("textbox", { name: "Last name" })).toHaveValue(contact.last);
  await page.getByRole("textbox", { name: "Phone" }).fill("+1 (202) 555-0142");
  await page.getByRole("button", { name: "Add contact" }).click();
  const row = page.getByTestId("contact-row").filter({ hasText: contact.last });
  await expect(row).toContainText("+1 202 555 0142");
  await expect(row).toContainText("Text");
  await expect(page.getByRole("textbox", { name: "Last name" })).toHaveValue("");

  // The call team: Una, Vic, then the contact; then the contact moved up one place.
  await page.goto(`${agency}/call-teams`);
  await hydrated(page);
  await page.getByRole("textbox", { name: "Name" }).fill(team);
  await page.getByRole("button", { name: "Create call team" }).click();
  const card = page.getByTestId("call-team").filter({ has: page.getByRole("heading", { name: team }) });
  await expect(card).toBeVisible();
  const members = card.getByTestId("call-team-member");
  for (const [i, p] of [una, vic].entries()) {
    await card.getByLabel("Add a person").selectOption({ label: `${full(p)} <${p.email}>` });
    await card.getByRole("button", { name: "Add person" }).click();
    await expect(members).toHaveCount(i + 1);
  }
  await card.getByLabel("Add a contact").selectOption({ label: full(contact) });
  await card.getByRole("button", { name: "Add contact" }).click();
  await expect(members).toHaveCount(3);
  await expect(members.nth(0)).toContainText(full(una));
  await expect(members.nth(0).getByTestId("member-route")).toHaveText(`E-mail ${una.email}`);
  await expect(members.nth(2)).toContainText(full(contact));
  await expect(members.nth(2).getByTestId("member-route")).toHaveText("Text +1 202 555 0142");
  await card.getByRole("button", { name: `Move ${full(contact)} up` }).click();
  await expect(members.nth(1)).toContainText(full(contact));
  await expect(members.nth(2)).toContainText(full(vic));

  // Missed-call e-mails: off until the team turns them on; then everyone who follows the
  // team (all three: no one has chosen otherwise) is e-mailed.
  await expect(card.getByTestId("member-missed-calls")).toHaveCount(0);
  await card.getByLabel("E-mail members about their missed calls").check();
  await expect(card.getByTestId("member-missed-calls")).toHaveCount(3);
  await expect(card.getByLabel("E-mail members about their missed calls")).toBeChecked();

  // Una is disabled on her page: she stays on the team, in her place, marked.
  await openAgency(page);
  await page.getByTestId("member-row").filter({ hasText: una.email }).getByRole("link", { name: full(una) }).click();
  await expect(page.getByTestId("user-name")).toHaveText(full(una));
  await hydrated(page);
  await expect(page.getByTestId("user-teams")).toContainText(team);
  await page.getByTestId("account-status").getByRole("button", { name: "Disable…" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Disable", exact: true }).click();
  await expect(page.getByTestId("user-status")).toHaveText("Disabled");

  await page.goto(`${agency}/call-teams`);
  await hydrated(page);
  await expect(members).toHaveCount(3);
  const unaRow = members.filter({ hasText: full(una) });
  await expect(members.nth(0)).toContainText(full(una));
  await expect(unaRow.getByTestId("member-status")).toHaveText("Disabled");
  await expect(members.filter({ hasText: full(vic) }).getByTestId("member-status")).toHaveCount(0);

  // Taking someone off the team asks first: cancelled, nothing changes; confirmed, they go.
  const removeVic = card.getByRole("button", { name: `Remove ${full(vic)}` });
  const asked = page.getByRole("dialog", { name: `Take ${full(vic)} off the call team` });
  await removeVic.click();
  await expect(asked).toContainText("They stop getting this team's calls.");
  await expect(asked.getByRole("button", { name: "Cancel" })).toBeFocused();
  await asked.getByRole("button", { name: "Cancel" }).click();
  await expect(asked).toBeHidden();
  await expect(members).toHaveCount(3);
  await removeVic.click();
  await asked.getByRole("button", { name: "Remove", exact: true }).click();
  await expect(members).toHaveCount(2);
  await expect(members.filter({ hasText: full(vic) })).toHaveCount(0);
});
