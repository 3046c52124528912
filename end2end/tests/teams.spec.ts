// Teams and access-control groups: created by name, a member added, taken out and the team
// deleted, each destructive step asked first in the page's own dialog.
import { expect, test, type Page } from "@playwright/test";
import { ADMIN, hydrated, signInAs } from "./helpers";

const unique = Date.now().toString(36);
const admin = `${ADMIN.first} ${ADMIN.last}`;

/** The agency's page path (`/nodes/ID`). */
async function agencyPath(page: Page): Promise<string> {
  await page.goto("/");
  await hydrated(page);
  await page.getByRole("treeitem", { name: new RegExp(ADMIN.agency) }).click();
  await expect(page.getByTestId("node-title")).toHaveText(ADMIN.agency);
  return new URL(page.url()).pathname;
}

test("a team: created, a member added then taken out, deleted; all asked first", async ({ page }) => {
  await signInAs(page, ADMIN.email, ADMIN.password);
  const agency = await agencyPath(page);
  await page.goto(`${agency}/teams`);
  await hydrated(page);

  // A blank name is refused at the field; a name creates the team.
  await page.getByRole("button", { name: "Create team" }).click();
  await expect(page.locator("#new-team-name-error")).not.toBeEmpty();
  const name = `Closers ${unique}`;
  await page.getByRole("textbox", { name: "New team" }).fill(name);
  await page.getByRole("button", { name: "Create team" }).click();
  await expect(page.getByText(`The team ${name} was created.`)).toBeVisible();
  await expect(page.getByRole("textbox", { name: "New team" })).toHaveValue("");
  const team = page.getByRole("group", { name });
  await expect(team).toContainText("No members yet.");

  // Ada joins; her page lists the team, rendered with the page.
  await team.getByLabel("Add a member").selectOption({ label: `${admin} <${ADMIN.email}>` });
  await team.getByRole("button", { name: "Add", exact: true }).click();
  await expect(team.getByRole("link", { name: admin })).toBeVisible();
  const adminPage = await team.getByRole("link", { name: admin }).getAttribute("href");
  await page.goto(adminPage!);
  await expect(page.getByTestId("user-teams")).toContainText(name);
  await page.goto(`${agency}/teams`);
  await hydrated(page);

  // Taking her out: Cancel keeps her, Remove takes her out.
  await team.getByRole("button", { name: `Remove ${admin} from ${name}` }).click();
  const asked = page.getByRole("dialog", { name: `Take ${admin} out of ${name}?` });
  await expect(asked).toContainText("They keep their roles");
  await expect(asked.getByRole("button", { name: "Cancel" })).toBeFocused();
  await asked.getByRole("button", { name: "Cancel" }).click();
  await expect(asked).toBeHidden();
  await expect(team.getByRole("link", { name: admin })).toBeVisible();
  await team.getByRole("button", { name: `Remove ${admin} from ${name}` }).click();
  await asked.getByRole("button", { name: "Remove", exact: true }).click();
  await expect(team).toContainText("No members yet.");

  // Deleting the team.
  await team.getByRole("button", { name: "Delete team…" }).click();
  const deleting = page.getByRole("dialog", { name: `Delete the team ${name}?` });
  await deleting.getByRole("button", { name: "Delete team", exact: true }).click();
  await expect(team).toHaveCount(0);
});

test("an access-control group: created, then deleted after the question", async ({ page }) => {
  await signInAs(page, ADMIN.email, ADMIN.password);
  const agency = await agencyPath(page);
  await page.goto(`${agency}/access`);
  await hydrated(page);
  const name = `Managers ${unique}`;
  await page.getByRole("textbox", { name: "New access-control group" }).fill(name);
  await page.getByRole("button", { name: "Create group" }).click();
  await expect(page.getByText(`The access-control group ${name} was created.`)).toBeVisible();
  const group = page.getByRole("group", { name, exact: true });
  await expect(group).toContainText("No members yet.");
  await group.getByRole("button", { name: "Delete group…" }).click();
  const asked = page.getByRole("dialog", { name: `Delete the access-control group ${name}?` });
  await expect(asked).toContainText("Its members may then see every number.");
  await asked.getByRole("button", { name: "Delete group", exact: true }).click();
  await expect(group).toHaveCount(0);
});
