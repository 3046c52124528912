import { expect, test, type Page } from "@playwright/test";
import { ADMIN, hydrated, signInAs } from "./helpers";

const unique = Date.now().toString(36);

async function openNode(page: Page, name: string) {
  await page.goto("/");
  await hydrated(page);
  await page.getByRole("treeitem", { name: new RegExp(name) }).click();
  await expect(page.getByTestId("node-title")).toHaveText(name);
  await hydrated(page);
}

/** Opens a child of the node being viewed, from its "Below this account" tree. */
async function openChild(page: Page, name: string) {
  await page.getByRole("treeitem", { name: new RegExp(name) }).click();
  await expect(page.getByTestId("node-title")).toHaveText(name);
  await hydrated(page);
}

async function createChild(page: Page, name: string) {
  await page.getByLabel("New account or sub-group").fill(name);
  await page.getByRole("button", { name: "Create", exact: true }).click();
  await expect(page.getByRole("treeitem", { name: new RegExp(name) })).toBeVisible();
}

test("build a three-level tree and move through it with the keyboard", async ({ page }) => {
  // Sorts first among the agency's accounts, so it is the first item below the root.
  const account = `Aardvark Region ${unique}`;
  const group = `Denver Office ${unique}`;
  const sub = `Denver Night Shift ${unique}`;
  await signInAs(page, ADMIN.email, ADMIN.password);
  await openNode(page, ADMIN.agency);
  await createChild(page, account);
  await openChild(page, account);
  await createChild(page, group);
  await openChild(page, group);
  await createChild(page, sub);

  // The breadcrumbs show where we are.
  const crumbs = page.getByRole("navigation", { name: "Breadcrumb" });
  await expect(crumbs).toContainText(ADMIN.agency);
  await expect(crumbs).toContainText(account);

  // Moving the account under its own sub-group is refused with a clear message.
  await page.getByRole("navigation", { name: "Breadcrumb" }).getByRole("link", { name: account }).click();
  await expect(page.getByTestId("node-title")).toHaveText(account);
  await hydrated(page);
  await page.getByLabel("Move under").selectOption({ label: `${sub} (Sub-group)` });
  await page.getByRole("button", { name: "Move" }).click();
  await expect(page.getByRole("alert")).toContainText("cannot be moved under itself");

  // The tree on the home page: ARIA treeview with one tab stop and arrow keys.
  await page.goto("/");
  await hydrated(page);
  const root = page.getByRole("treeitem", { name: new RegExp(ADMIN.agency) });
  await expect(root).toHaveAttribute("aria-expanded", "true");
  await expect(root).toHaveAttribute("aria-level", "1");
  await expect(page.getByRole("treeitem", { name: new RegExp(account) })).toHaveAttribute("aria-level", "2");
  await root.focus();
  await page.keyboard.press("ArrowDown");
  await expect(page.getByRole("treeitem", { name: new RegExp(account) })).toBeFocused();
  await page.keyboard.press("ArrowRight"); // expand
  await expect(page.getByRole("treeitem", { name: new RegExp(account) })).toHaveAttribute("aria-expanded", "true");
  await page.keyboard.press("ArrowRight"); // first child
  await expect(page.getByRole("treeitem", { name: new RegExp(group) })).toBeFocused();
  await page.keyboard.press("ArrowLeft"); // back to the parent
  await expect(page.getByRole("treeitem", { name: new RegExp(account) })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("node-title")).toHaveText(account);
});

test("a custom role shows the permission difference before saving", async ({ page }) => {
  const role = `Front Desk ${unique}`;
  await signInAs(page, ADMIN.email, ADMIN.password);
  await openNode(page, ADMIN.agency);
  await page.getByRole("link", { name: "Roles and permissions" }).click();
  await expect(page.getByRole("heading", { name: "Roles and permissions" })).toBeVisible();
  await hydrated(page);

  // A built-in role is read-only.
  await page.getByRole("link", { name: "Call Agent", exact: true }).click();
  await expect(page.getByText("Built-in roles cannot be changed")).toBeVisible();

  await page.getByRole("link", { name: "+ New custom role" }).click();
  await hydrated(page);
  await page.getByLabel("Name", { exact: true }).fill(role);
  await page.getByLabel("Description").fill("Answers the phones");
  await page.getByLabel("View the account").check();
  await page.getByLabel("View the call log").check();
  await page.getByRole("button", { name: "Save role" }).click();
  await expect(page.getByRole("link", { name: role })).toBeVisible();

  // Give it to the administrator at the agency, so someone holds it.
  await openNode(page, ADMIN.agency);
  await page.getByLabel("Person", { exact: true }).selectOption({ label: `${ADMIN.first} ${ADMIN.last} <${ADMIN.email}>` });
  await page.getByLabel("Role", { exact: true }).selectOption({ label: role });
  await page.getByRole("button", { name: "+ Add role" }).click();
  await expect(page.getByTestId("member-row").filter({ hasText: role })).toBeVisible();

  // Now editing it shows what changes for its holder before saving.
  await page.getByRole("link", { name: "Roles and permissions" }).click();
  await hydrated(page);
  await page.getByRole("link", { name: role }).click();
  await hydrated(page);
  await expect(page.getByTestId("role-holders")).toContainText(`${ADMIN.first} ${ADMIN.last} at ${ADMIN.agency}`);
  await page.getByLabel("View the call log").uncheck();
  await page.getByLabel("Read and reply to text and chat").check();
  await page.getByRole("button", { name: "Review changes" }).click();
  const diff = page.getByTestId("permission-diff");
  await expect(diff).toContainText("This changes what 1 person can do.");
  await expect(diff).toContainText("+ Read and reply to text and chat");
  await expect(diff).toContainText("− View the call log");
  await page.getByRole("button", { name: "Confirm and save" }).click();
  await expect(page.getByTestId("permission-diff")).toHaveCount(0);
  await expect(page.getByLabel("Read and reply to text and chat")).toBeChecked();
});
