import { expect, type Browser, type Page } from "@playwright/test";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

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

/**
 * The link to `linkPath` (e.g. "/invitations/") in the newest mail to `to` that has one, read
 * from the folder the server writes mail to (no SMTP in the suite; Roster shows mail to no
 * one). Waits up to 10 s for the mail to be delivered.
 */
export async function latestLink(to: string, linkPath: string): Promise<string> {
  const escaped = linkPath.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  // A whole token (64 hex digits): a file still being written never yields a partial link.
  const pattern = new RegExp(`https?://\\S+?${escaped}[0-9a-f]{64}(?![0-9a-f])`);
  let link: string | undefined;
  await expect
    .poll(
      () => {
        link = mailsTo(to)
          .map((mail) => mail.body.match(pattern)?.[0])
          .find((found) => found !== undefined);
        return link;
      },
      { message: `a mail to ${to} with a ${linkPath} link`, timeout: 10_000 },
    )
    .toBeTruthy();
  return link!;
}

type Mail = { order: number; to: string[]; body: string };

/** The mail to `to` in the mail folder (E2E_MAIL_DIR, set by global-setup.ts), newest first. */
function mailsTo(to: string): Mail[] {
  const dir = process.env.E2E_MAIL_DIR;
  if (!dir) throw new Error("E2E_MAIL_DIR is not set: global-setup.ts starts the server with it");
  return readdirSync(dir)
    .filter((name) => name.endsWith(".eml"))
    .map((name) => parseMail(readFileSync(path.join(dir, name), "latin1")))
    .filter((mail) => mail.to.includes(to.toLowerCase()))
    .sort((a, b) => b.order - a.order);
}

/**
 * One mail as the server writes it: headers, a blank line, one text/plain body in 7bit,
 * 8bit, quoted-printable or base64. `raw` is the file read as latin1 (one char per byte).
 * The server names each message `<outbox id.created_at@domain>`: the id gives the order.
 */
export function parseMail(raw: string): Mail {
  const blank = raw.search(/\r?\n\r?\n/);
  const head = (blank < 0 ? raw : raw.slice(0, blank)).replace(/\r?\n[ \t]+/g, " ");
  const rawBody = blank < 0 ? "" : raw.slice(blank).replace(/^\r?\n\r?\n/, "");
  const headers = new Map<string, string>();
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const encoding = (headers.get("content-transfer-encoding") ?? "7bit").toLowerCase();
  const bytes =
    encoding === "quoted-printable"
      ? decodeQuotedPrintable(rawBody)
      : encoding === "base64"
        ? Buffer.from(rawBody.replace(/\s+/g, ""), "base64")
        : Buffer.from(rawBody, "latin1");
  const to = (headers.get("to") ?? "")
    .split(",")
    .map((address) => (address.match(/<([^>]*)>/)?.[1] ?? address).trim().toLowerCase());
  const order = Number(headers.get("message-id")?.match(/^<(\d+)\./)?.[1] ?? -1);
  return { order, to, body: bytes.toString("utf8") };
}

/** Quoted-printable (RFC 2045) to bytes: soft line breaks dropped, `=XX` decoded. */
export function decodeQuotedPrintable(latin1: string): Buffer {
  const text = latin1.replace(/=\r?\n/g, "");
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const hex = text.slice(i + 1, i + 3);
    if (text[i] === "=" && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(text.charCodeAt(i) & 0xff);
    }
  }
  return Buffer.from(bytes);
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
  return latestLink(person.email, "/invitations/");
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
