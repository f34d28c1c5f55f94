// Loads microcred-server's verification page in Debian's headless Chromium, verifies the
// files of a plan on it (filling the challenge and domain fields first when the plan says),
// opens `microcred-verify --html` transcripts, loads the page with JavaScript off, and
// reports what each shows, with a screenshot of each. Started by the Rust test
// tests/integration/browser.rs, which writes the plan, runs the server and asserts on the
// JSON summary this prints on success.
//
// Usage: node verify-page.js PLAN.json
// PLAN: {"base": URL, "outDir": DIR,
//        "page": [{"name", "file", "challenge"?: string, "domain"?: string}],
//        "transcripts": [{"name", "file"}]}
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

async function launch(options) {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "microcred-chromium-"));
  try {
    const context = await chromium.launchPersistentContext(userDataDir, {
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
      ...options,
    });
    return { context, userDataDir };
  } catch (e) {
    fs.rmSync(userDataDir, { recursive: true, force: true });
    fail(`cannot start ${CHROMIUM}: ${e.message}\n(install or repair it with \`apt-get install -y chromium\`)`);
  }
}

async function close({ context, userDataDir }) {
  await context.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
}

// What the first transcript on a page shows: verdict words, class and colour, facts, checks.
function transcriptOf() {
  const article = document.querySelector("article.mc-transcript");
  if (!article) {
    return null;
  }
  const text = (sel) => {
    const el = article.querySelector(sel);
    return el ? el.textContent : null;
  };
  const verdict = article.querySelector(".mc-verdict");
  const proof = article.querySelector('li[data-check="proof"]');
  const facts = {};
  for (const dt of article.querySelectorAll(".mc-facts dt")) {
    facts[dt.textContent] = dt.nextElementSibling.textContent;
  }
  return {
    className: article.className,
    dataVerdict: article.getAttribute("data-verdict"),
    verdict: verdict ? verdict.textContent : null,
    verdictColor: verdict ? getComputedStyle(verdict).color : null,
    verdictBackground: verdict ? getComputedStyle(verdict).backgroundColor : null,
    reasons: text(".mc-reasons"),
    caution: text(".mc-caution"),
    heading: text("h2"),
    facts,
    claimedGreyed: article.querySelector(".mc-claimed") !== null,
    proof: proof ? proof.textContent : null,
    proofClass: proof ? proof.className : null,
    mark: proof ? proof.querySelector(".mc-mark").textContent : null,
    failed: article.querySelectorAll("li.mc-fail").length,
    passed: article.querySelectorAll("li.mc-pass").length,
    headings: [...document.querySelectorAll("h3")].map((h) => h.textContent),
  };
}

async function main() {
  const [planFile] = process.argv.slice(2);
  if (!planFile) {
    fail("usage: node verify-page.js PLAN.json");
  }
  if (!fs.existsSync(CHROMIUM)) {
    fail(`${CHROMIUM} not found: install Debian's Chromium with \`apt-get install -y chromium\` (.ci/run does)`);
  }
  const plan = JSON.parse(fs.readFileSync(planFile, "utf8"));
  const { base, outDir } = plan;
  fs.mkdirSync(outDir, { recursive: true });
  const found = { page: {}, transcripts: {} };

  let browser = await launch({});
  try {
    const page = browser.context.pages()[0] || (await browser.context.newPage());
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
    // The challenge the page made up, and kept when the page is loaded again.
    found.generatedChallenge = await page.inputValue("#challenge");
    await page.reload({ waitUntil: "load" });
    found.challengeAfterReload = await page.inputValue("#challenge");
    await page.click("#new-challenge");
    found.newChallenge = await page.inputValue("#challenge");

    for (const c of plan.page) {
      if (typeof c.challenge === "string") {
        await page.fill("#challenge", c.challenge);
      }
      if (typeof c.domain === "string") {
        await page.fill("#domain", c.domain);
      }
      await page.evaluate(() => {
        document.getElementById("status").textContent = "";
        document.getElementById("result").textContent = "";
      });
      await page.setInputFiles("#file", c.file);
      // Until the status line holds the answer (waitForFunction would need eval, which
      // the page's Content-Security-Policy forbids).
      await page.evaluate(
        () =>
          new Promise((resolve, reject) => {
            const status = document.getElementById("status");
            const done = () => status.textContent !== "" && !status.textContent.startsWith("Verifying");
            if (done()) {
              resolve();
              return;
            }
            const watch = new MutationObserver(() => {
              if (done()) {
                watch.disconnect();
                resolve();
              }
            });
            watch.observe(status, { childList: true, characterData: true, subtree: true });
            setTimeout(() => reject(new Error("no answer after 20 s: " + status.textContent)), 20000);
          }),
      );
      found.page[c.name] = {
        status: await page.textContent("#status"),
        statusClass: await page.getAttribute("#status", "class"),
        transcript: await page.evaluate(transcriptOf),
      };
      await page.screenshot({ path: path.join(outDir, `page-${c.name}.png`), fullPage: true });
    }
    found.offsite = offsite;
    found.pageErrors = errors;

    // The transcripts of microcred-verify --html: on screen, and printed on A4.
    for (const t of plan.transcripts) {
      const tab = await browser.context.newPage();
      const url = "file://" + t.file;
      const fetched = [];
      tab.on("request", (r) => {
        if (r.url() !== url && !r.url().startsWith("data:")) {
          fetched.push(r.url());
        }
      });
      await tab.goto(url, { waitUntil: "load" });
      const shown = await tab.evaluate(transcriptOf);
      await tab.screenshot({ path: path.join(outDir, `html-${t.name}.png`), fullPage: true });
      const pdf = await tab.pdf({ format: "A4", preferCSSPageSize: true });
      const text = pdf.toString("latin1");
      const pages = (text.match(/\/Type\s*\/Page[^s]/g) || []).length;
      found.transcripts[t.name] = { ...shown, pdfPages: pages, fetched };
      await tab.close();
    }
  } finally {
    await close(browser);
  }

  // With JavaScript off: the page says what to do instead of showing a dead drop zone.
  browser = await launch({ javaScriptEnabled: false });
  try {
    const page = browser.context.pages()[0] || (await browser.context.newPage());
    await page.goto(base + "/", { waitUntil: "load" });
    found.noscript = {
      advice: (await page.isVisible("#noscript")) ? await page.textContent("#noscript") : null,
      dropVisible: await page.isVisible("#drop"),
      requestVisible: await page.isVisible("#request"),
    };
    await page.screenshot({ path: path.join(outDir, "page-noscript.png"), fullPage: true });
  } finally {
    await close(browser);
  }
  process.stdout.write(JSON.stringify(found) + "\n");
}

main().catch((e) => fail(e.stack || String(e)));
