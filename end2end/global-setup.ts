// Starts the release server on a fresh database (SQLite by default, or E2E_DATABASE_URL),
// reads the one-time setup code from its log the way an operator would, and stops it when
// the suite ends. Without SMTP the server writes mail to a folder: a fresh one, whose path
// the tests read from E2E_MAIL_DIR (see `latestLink` in tests/helpers.ts).
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PORT } from "./playwright.config";

const root = path.resolve(__dirname, "..");

export default async function globalSetup() {
  const databaseUrl =
    process.env.E2E_DATABASE_URL ??
    `sqlite://${path.join(mkdtempSync(path.join(tmpdir(), "roster-e2e-")), "roster.db")}`;
  const mailDir = path.join(mkdtempSync(path.join(tmpdir(), "roster-e2e-mail-")), "mail");
  process.env.E2E_MAIL_DIR = mailDir;
  const bin = process.env.E2E_SERVER_BIN ?? path.join(root, "target", "release", "server");
  const server = spawn(bin, ["serve"], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      ROSTER_ADDR: `127.0.0.1:${PORT}`,
      ROSTER_MAIL_DIR: mailDir,
      // Never a real mail server from the caller's environment: the suite reads the folder.
      ROSTER_SMTP_URL: "",
      LEPTOS_SITE_ROOT: path.join(root, "target", "site"),
      LEPTOS_SITE_PKG_DIR: "pkg",
      LEPTOS_OUTPUT_NAME: "roster",
      LEPTOS_ENV: "PROD",
      RUST_LOG: "warn,server=info",
      NO_COLOR: "1",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${log}`)), 60_000);
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      const code = log.match(/one-time setup code: ([A-Z0-9]{5}-[A-Z0-9]{5})/);
      if (code) process.env.E2E_SETUP_CODE = code[1];
      if (/is listening on/.test(log)) {
        clearTimeout(timer);
        resolve();
      }
    };
    server.stdout.on("data", onData);
    server.stderr.on("data", onData);
    server.on("exit", (status) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${status}:\n${log}`));
    });
  });
  await ready;
  if (!process.env.E2E_SETUP_CODE) throw new Error(`no setup code in the server log:\n${log}`);
  console.log(`e2e: server on port ${PORT}, database ${databaseUrl.replace(/\/\/[^@]*@/, "//")}, mail in ${mailDir}`);
  return async () => {
    server.kill("SIGINT");
  };
}
