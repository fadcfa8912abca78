// Drives the AppHost dashboard in headless Debian chromium through playwright-core.
//
//   node tests/Dashboard.Browser/run.mjs <login-url> [--out <screenshot folder>] [--replica <id>]...
//        [--log-replica <id> --log-text <text>] [--trace-service <name>] [--action-replica <id>]
//
// Exit code 0 when every check passed; otherwise 1 and the failed check on stderr.
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

const args = process.argv.slice(2);
const loginUrl = args.shift();
if (!loginUrl) {
  console.error("usage: run.mjs <login-url> [options]");
  process.exit(2);
}

const options = { replica: [] };
while (args.length > 0) {
  const name = args.shift().replace(/^--/, "");
  const value = args.shift();
  if (name === "replica") options.replica.push(value);
  else options[name] = value;
}

const outDir = resolve(options.out ?? "artifacts/screenshots");
mkdirSync(outDir, { recursive: true });
const base = new URL(loginUrl).origin;
const userDataDir = mkdtempSync(join(tmpdir(), "mlaspire-chromium-"));
const timeout = 30_000;

const step = (message) => console.log(`[browser] ${message}`);
const stateIs = ([replica, state]) => document.querySelector(`tr[data-replica="${replica}"]`)?.dataset.state === state;

// Predicates are functions (run through CDP), not strings: the dashboard's CSP forbids eval.
async function waitFor(page, description, predicate, arg) {
  try {
    await page.waitForFunction(predicate, arg, { timeout, polling: 250 });
  } catch (error) {
    throw new Error(`${description} (${error.message.split("\n")[0]})`);
  }
}

const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  headless: true,
  viewport: { width: 1280, height: 800 },
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

let failed = false;
try {
  const page = context.pages()[0] ?? await context.newPage();
  page.setDefaultTimeout(timeout);
  page.on("pageerror", (error) => { console.error(`[browser] page error: ${error.message}`); failed = true; });

  // Without the cookie every page sends the browser to the sign-in page.
  await page.goto(`${base}/resources`);
  if (!page.url().endsWith("/unauthorized")) throw new Error(`expected /unauthorized without a cookie, got ${page.url()}`);
  step("no cookie -> /unauthorized");

  // The printed link logs in and lands on the resources page.
  await page.goto(loginUrl);
  if (!page.url().endsWith("/resources")) throw new Error(`login did not land on /resources: ${page.url()}`);
  for (const replica of options.replica) {
    await waitFor(page, `replica ${replica} running on the resources page`, stateIs, [replica, "Running"]);
  }
  step(`resources page shows ${options.replica.join(", ") || "the table"}`);
  await page.screenshot({ path: join(outDir, "resources.png"), fullPage: true });

  // Stop and start a replica with the page's own buttons (same-origin POST with the cookie).
  if (options["action-replica"]) {
    const id = options["action-replica"];
    await page.click(`tr[data-replica="${id}"] button[data-action="stop"]`);
    await waitFor(page, `${id} finished after stop`, stateIs, [id, "Finished"]);
    await page.click(`tr[data-replica="${id}"] button[data-action="start"]`);
    await waitFor(page, `${id} running after start`, stateIs, [id, "Running"]);
    step(`stop/start of ${id} through the buttons`);
  }

  // Console logs stream live over Server-Sent Events; the filter hides lines that do not match.
  if (options["log-replica"]) {
    await page.goto(`${base}/console?replica=${encodeURIComponent(options["log-replica"])}`);
    const text = options["log-text"] ?? "";
    await waitFor(page, `console line containing "${text}"`, (t) => document.getElementById("console").textContent.includes(t), text);
    const before = await page.locator("#console span").count();
    await waitFor(page, "a new line streamed after the history", (n) => document.querySelectorAll("#console span").length > n, before);
    await page.fill("#console-filter", "no line contains this 7f3a");
    const visible = await page.locator("#console span:not(.hidden)").count();
    if (visible !== 0) throw new Error(`filter left ${visible} lines visible`);
    await page.fill("#console-filter", "");
    step(`console streams "${text}"`);
    await page.screenshot({ path: join(outDir, "console.png"), fullPage: false });
  }

  // Traces: the list shows the exporting service; one trace opens as a nested waterfall.
  if (options["trace-service"]) {
    const service = options["trace-service"];
    await page.goto(`${base}/traces`);
    for (let i = 0; i < 60 && !(await page.locator("table.traces tbody tr").count()); i++) {
      await page.waitForTimeout(500);
      await page.reload();
    }
    await waitFor(page, `a trace from ${service}`, (s) => document.querySelector("table.traces")?.textContent.includes(s), service);
    await page.screenshot({ path: join(outDir, "traces.png"), fullPage: false });
    await page.click("table.traces tbody tr a");
    await waitFor(page, "a nested span in the waterfall", () => document.querySelector('.waterfall .span[data-depth="2"]') !== null);
    await page.click(".waterfall .span[data-depth='2'] summary");
    step("trace waterfall with nested spans");
    await page.screenshot({ path: join(outDir, "trace.png"), fullPage: true });

    await page.goto(`${base}/structured`);
    await waitFor(page, "structured log rows", () => document.querySelectorAll("table.logs tbody tr").length > 0);
    await page.screenshot({ path: join(outDir, "structured.png"), fullPage: false });
    await page.goto(`${base}/metrics`);
    await waitFor(page, "metric rows", () => document.querySelectorAll("table.metrics tbody tr").length > 0);
    const instrument = page.locator("table.metrics a", { hasText: "mlaspire_inference_batch_size" }).first();
    if (await instrument.count()) {
      await instrument.click();
      await waitFor(page, "metric chart", () => document.querySelector("svg.chart polyline") !== null);
    }
    step("structured logs and metrics");
    await page.screenshot({ path: join(outDir, "metrics.png"), fullPage: false });
  }
} catch (error) {
  failed = true;
  console.error(`[browser] FAILED: ${error.message}`);
  try {
    const page = context.pages()[0];
    if (page) await page.screenshot({ path: join(outDir, "failure.png"), fullPage: true });
  } catch { /* best effort */ }
} finally {
  await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
}

console.log(`[browser] screenshots in ${outDir}`);
process.exit(failed ? 1 : 0);
