import { expect, test, type Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import { ADMIN, hydrated, signInAs } from "./helpers";

type Person = { first: string; last: string; email: string };

/** Three people of a surname no other test uses (each test makes its own): Ann and Ben
 *  Quill…, and Cid Other…. */
function cast(): { unique: string; surname: string; people: Person[] } {
  const unique = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  const surname = `Quill${unique}`;
  return {
    unique,
    surname,
    people: [
      { first: "Ann", last: surname, email: `ann.${unique}@example.com` },
      { first: "Ben", last: surname, email: `ben.${unique}@example.com` },
      { first: "Cid", last: `Other${unique}`, email: `cid.${unique}@example.com` },
    ],
  };
}

/** Invites `people` at the agency with the User role, through the API; the agency's id. */
async function invite(page: Page, people: Person[]): Promise<string> {
  const [agency, user] = await agencyAndRole(page, "User");
  for (const p of people) {
    const res = await page.request.post("/api/invite_user", {
      form: { node_id: agency, email: p.email, first_name: p.first, last_name: p.last, "role_ids[0]": user },
    });
    expect(res.status(), await res.text()).toBe(200);
  }
  return agency;
}

/** The agency's id and the id of the role called `name` there, asked of the API. */
async function agencyAndRole(page: Page, name: string): Promise<[string, string]> {
  const entries = await (await page.request.post("/api/list_entry_points")).json();
  const agency = String(entries[0].node.id);
  const roles = await (await page.request.post("/api/list_roles", { form: { agency_node_id: agency } })).json();
  const role = roles.find((r: { name: string }) => r.name === name);
  expect(role, JSON.stringify(roles)).toBeTruthy();
  return [agency, String(role.id)];
}

test("search narrows the list, a bulk action reports on each person, the export holds the list", async ({ page }) => {
  const { unique, surname, people } = cast();
  await signInAs(page, ADMIN.email, ADMIN.password);
  const agency = await invite(page, people);

  // From the agency's page to its users (in the app, from the tree).
  await page.goto("/");
  await hydrated(page);
  await page.getByRole("treeitem", { name: new RegExp(ADMIN.agency) }).click();
  await expect(page.getByTestId("node-title")).toHaveText(ADMIN.agency);
  await page.getByTestId("directory-link").click();
  await expect(page).toHaveURL(new RegExp(`/nodes/${agency}/users$`));
  await expect(page.getByTestId("directory-title")).toContainText(ADMIN.agency);
  await expect(page.getByTestId("directory-row").first()).toBeVisible();

  // Search as you type: the list narrows to the two Quills, and the address follows.
  await page.getByLabel("Search").pressSequentially(surname.toLowerCase(), { delay: 20 });
  await expect(page.getByTestId("directory-row")).toHaveCount(2);
  await expect(page).toHaveURL(new RegExp(`q=${surname.toLowerCase()}`));
  await expect(page.getByTestId("directory-count")).toHaveText("2 people");
  await expect(page.getByTestId("directory-table")).toContainText(people[0].email);
  await expect(page.getByTestId("directory-table")).not.toContainText(people[2].email);
  // Two words: each the start of a name.
  await page.getByLabel("Search").fill(`ann ${surname}`);
  await expect(page.getByTestId("directory-row")).toHaveCount(1);
  await page.getByLabel("Search").fill(surname);
  await expect(page.getByTestId("directory-row")).toHaveCount(2);

  // Sorting by name, descending: Ben before Ann.
  await page.getByRole("button", { name: "Name", exact: true }).click();
  await expect(page.getByRole("columnheader", { name: "Name", exact: true })).toHaveAttribute("aria-sort", "descending");
  await expect(page.getByTestId("directory-row").first()).toContainText("Ben");
  await page.getByRole("button", { name: "Name", exact: true }).click();
  await expect(page.getByTestId("directory-row").first()).toContainText("Ann");

  // Bulk: Call Agent for both, confirmed, with what happened to each.
  await page.getByLabel("Select everyone on this page").check();
  await expect(page.getByTestId("bulk-bar")).toContainText("2 people selected");
  await page.getByLabel("Action", { exact: true }).selectOption({ label: "Add role here" });
  // No role chosen yet: said at the field, nothing asked.
  await page.getByRole("button", { name: "Apply…" }).click();
  await expect(page.locator("#bulk-role-error")).toHaveText("Choose a role.");
  await page.getByTestId("bulk-bar").getByLabel("Role").selectOption({ label: "Call Agent" });
  await page.getByRole("button", { name: "Apply…" }).click();
  const dialog = page.getByRole("dialog", { name: "Give Call Agent to 2 people?" });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  // Giving takes nothing away: the action is not a red button.
  await expect(dialog.getByRole("button", { name: "Give Call Agent to 2 people" })).toHaveClass(/button-primary/);
  await dialog.getByRole("button", { name: "Give Call Agent to 2 people" }).click();
  const results = page.getByTestId("bulk-results");
  await expect(results).toContainText("Done for 2 of 2.");
  await expect(results.getByTestId("bulk-outcome")).toHaveCount(2);
  await expect(results).toContainText(`Ann ${surname}: Call Agent given.`);
  await expect(results).toContainText(`Ben ${surname}: Call Agent given.`);
  // The list shows the new roles; nobody is selected any more.
  for (const row of await page.getByTestId("directory-row").all()) {
    await expect(row).toContainText("Call Agent");
  }
  await expect(page.getByTestId("bulk-bar")).not.toContainText("selected");

  // The export carries the current filter: the two Quills, not Cid.
  const link = page.getByTestId("export-csv");
  await expect(link).toHaveAttribute("href", new RegExp(`q=${surname}`));
  const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
  expect(download.suggestedFilename()).toBe(`users-${agency}.csv`);
  const csv = readFileSync(await download.path(), "utf8");
  const lines = csv.trim().split("\n");
  expect(lines[0]).toBe("First name,Last name,E-mail,Username,Status,Home account,Roles here");
  expect(lines).toHaveLength(3);
  expect(csv).toContain(people[0].email);
  expect(csv).toContain(people[1].email);
  expect(csv).not.toContain(people[2].email);
  // Invited people hold their invitation's roles once they accept: Call Agent only, now.
  expect(lines[1]).toContain(",Invited,");
  expect(lines[1]).toMatch(/,Call Agent$/);

  // A team narrows the list too: Ann is on "Closers", Ben is not.
  const href = await page.getByTestId("directory-row").filter({ hasText: people[0].email }).getByRole("link").first().getAttribute("href");
  const annId = href!.split("/").pop()!;
  const teamName = `Closers ${unique}`;
  const team = await page.request.post("/api/create_team", { form: { node_id: agency, name: teamName } });
  expect(team.status(), await team.text()).toBe(200);
  const teamId = String((await team.json()).id);
  const members = await page.request.post("/api/set_team_members", {
    form: { node_id: agency, team_id: teamId, "user_ids[0]": annId },
  });
  expect(members.status(), await members.text()).toBe(200);
  await page.reload();
  await hydrated(page);
  await page.getByLabel("Team").selectOption({ label: teamName });
  await expect(page).toHaveURL(new RegExp(`team=${teamId}`));
  await expect(page.getByTestId("directory-row")).toHaveCount(1);
  await expect(page.getByTestId("directory-table")).toContainText(people[0].email);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the filters are a plain GET form and the view is in the address", async ({ page }) => {
    await page.goto("/sign-in");
    await page.getByLabel("E-mail address").fill(ADMIN.email);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/$/);
    const { unique, surname, people } = cast();
    const agency = await invite(page, people);
    await page.goto(`/nodes/${agency}/users?q=${surname}`);
    await expect(page.getByTestId("directory-row")).toHaveCount(2);
    await expect(page.getByLabel("Search")).toHaveValue(surname);
    // Submitting the form: a new address, the page rendered by the server.
    await page.getByLabel("Search").fill(`cid ${unique}`);
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await expect(page).toHaveURL(/q=cid\+/);
    await expect(page.getByTestId("directory-row")).toHaveCount(0);
    await page.getByLabel("Search").fill(`other${unique}`);
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await expect(page.getByTestId("directory-row")).toHaveCount(1);
    await expect(page.getByTestId("directory-table")).toContainText(people[2].email);
    // Column headers are the form's submit buttons: sorting keeps the search.
    await page.goto(`/nodes/${agency}/users?q=${surname}`);
    await page.getByRole("button", { name: "Name", exact: true }).click();
    await expect(page).toHaveURL(/sort=-name/);
    await expect(page.getByTestId("directory-row").first()).toContainText("Ben");
  });
});
