// Loads microcred-server's verification page in Debian's headless Chromium, uploads a valid
// and a tampered credential, and checks what the page shows. Started by the Rust test
// tests/integration/browser.rs, which runs the server; prints a JSON summary on success.
//
// Usage: node verify-page.js BASE_URL VALID.json TAMPERED.json SCREENSHOT_DIR
"use strict";

const fs = require("fs");
const os = require("os");
const path = require("path");
const { chromium } = require("playwright-core");

const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

function fail(message) {
  console.error("browser test: " + message);
  process.exit(1);
}

async function main() {
  const [base, valid, tampered, outDir] = process.argv.slice(2);
  if (!outDir) {
    fail("usage: node verify-page.js BASE_URL VALID.json TAMPERED.json SCREENSHOT_DIR");
  }
  if (!fs.existsSync(CHROMIUM)) {
    fail(`${CHROMIUM} not found: install Debian's Chromium with \`apt-get install -y chromium\` (.ci/run does)`);
  }
  fs.mkdirSync(outDir, { recursive: true });
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "microcred-chromium-"));
  let context;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
      viewport: { width: 1000, height: 1400 },
    });
  } catch (e) {
    fail(`cannot start ${CHROMIUM}: ${e.message}\n(install or repair it with \`apt-get install -y chromium\`)`);
  }
  const found = {};
  try {
    const page = context.pages()[0] || (await context.newPage());
    const offsite = [];
    page.on("request", (r) => {
      if (!r.url().startsWith(base) && !r.url().startsWith("data:")) {
        offsite.push(r.url());
      }
    });
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));

    await page.goto(base + "/", { waitUntil: "load" });
    found.title = await page.title();

    // A valid credential: a green verdict and ticks.
    await page.setInputFiles("#file", valid);
    await page.waitForSelector("article.mc-transcript", { timeout: 20000 });
    found.valid = {
      status: await page.textContent("#status"),
      verdict: await page.textContent("article.mc-transcript .mc-verdict"),
      heading: await page.textContent("article.mc-transcript h2"),
      facts: await page.$$eval(".mc-facts dt", (dts) =>
        Object.fromEntries(dts.map((dt) => [dt.textContent, dt.nextElementSibling.textContent])),
      ),
      proof: await page.textContent('li[data-check="proof"]'),
      proofClass: await page.getAttribute('li[data-check="proof"]', "class"),
      failed: await page.$$eval("li.mc-fail", (l) => l.length),
      passed: await page.$$eval("li.mc-pass", (l) => l.length),
      profiles: await page.$$eval("h3", (h) => h.map((x) => x.textContent)),
    };
    await page.screenshot({ path: path.join(outDir, "valid.png"), fullPage: true });

    // A tampered one: a red verdict, and a cross on the proof with its reason.
    await page.setInputFiles("#file", tampered);
    await page.waitForSelector("article.mc-transcript.mc-invalid", { timeout: 20000 });
    found.tampered = {
      status: await page.textContent("#status"),
      verdict: await page.textContent("article.mc-transcript .mc-verdict"),
      proof: await page.textContent('li[data-check="proof"]'),
      proofClass: await page.getAttribute('li[data-check="proof"]', "class"),
      mark: await page.textContent('li[data-check="proof"] .mc-mark'),
    };
    await page.screenshot({ path: path.join(outDir, "tampered.png"), fullPage: true });

    found.offsite = offsite;
    found.pageErrors = errors;
  } finally {
    await context.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
  process.stdout.write(JSON.stringify(found) + "\n");
}

main().catch((e) => fail(e.stack || String(e)));
