// `cargo xtask lighthouse`: Lighthouse (mobile: slow 4G, 4x CPU, simulated, its defaults) on
// the login page and on a logged-in consultant's Today, in one headless chromium.
//
//   node run.mjs <base url> <chromium> <report dir> <runs>
//
// The login page is measured as a new visitor sees it (Lighthouse clears the origin's storage).
// Today is measured as a consultant whose device is logged in and synced sees it after an
// update of the app: the session and the records stay in IndexedDB, while the service worker,
// its caches and the HTTP cache are emptied before each run, so every file of the app comes
// over the (throttled) network. Prints one JSON line per run on stdout; the full reports go to
// <report dir>.
import fs from 'node:fs';
import path from 'node:path';
import lighthouse from 'lighthouse';
import puppeteer from 'puppeteer-core';

const [base, chromium, reportDir, runsArg] = process.argv.slice(2);
if (!base || !chromium || !reportDir) {
  console.error('usage: node run.mjs <base url> <chromium> <report dir> [runs]');
  process.exit(2);
}
const runs = Number(runsArg || '1');
const USER = 'consultant';
const PASSWORD = 'demo1234';
const SYNCED = '已同步';

const browser = await puppeteer.launch({
  executablePath: chromium,
  headless: true,
  args: ['--no-sandbox', '--disable-dev-shm-usage', '--no-first-run'],
  defaultViewport: null,
});

// Lighthouse's scores and the metrics its performance score is made of.
function summary(name, run, lhr) {
  const audit = (id) => lhr.audits[id]?.numericValue ?? null;
  const score = (id) =>
    lhr.categories[id] ? Math.round(lhr.categories[id].score * 100) : null;
  return {
    page: name,
    run,
    url: lhr.finalDisplayedUrl,
    performance: score('performance'),
    accessibility: score('accessibility'),
    best_practices: score('best-practices'),
    seo: score('seo'),
    fcp_ms: audit('first-contentful-paint'),
    lcp_ms: audit('largest-contentful-paint'),
    tbt_ms: audit('total-blocking-time'),
    cls: audit('cumulative-layout-shift'),
    si_ms: audit('speed-index'),
    tti_ms: audit('interactive'),
    transfer_kb: Math.round((audit('total-byte-weight') ?? 0) / 1024),
    warnings: lhr.runWarnings,
    opportunities: Object.values(lhr.audits)
      .filter(
        (a) =>
          a.score !== null &&
          a.score < 0.9 &&
          a.scoreDisplayMode !== 'informative' &&
          a.scoreDisplayMode !== 'notApplicable' &&
          a.scoreDisplayMode !== 'manual'
      )
      .map((a) => `${a.id}: ${a.displayValue ?? a.title}`),
  };
}

async function audit(name, url, run, page, flags) {
  const result = await lighthouse(
    url,
    { output: 'html', logLevel: 'error', ...flags },
    undefined,
    page
  );
  if (!result) throw new Error(`lighthouse gave no result for ${url}`);
  fs.writeFileSync(path.join(reportDir, `${name}-${run}.html`), result.report);
  const line = summary(name, run, result.lhr);
  console.log(JSON.stringify(line));
}

// Forgets the service worker, its caches and the HTTP cache; keeps IndexedDB (the session and
// the synced records).
async function forgetTheApp(page) {
  await page.evaluate(async () => {
    const regs = await navigator.serviceWorker.getRegistrations();
    await Promise.all(regs.map((r) => r.unregister()));
    const keys = await caches.keys();
    await Promise.all(keys.map((k) => caches.delete(k)));
  });
  const cdp = await page.createCDPSession();
  await cdp.send('Network.clearBrowserCache');
  await cdp.detach();
}

try {
  for (let run = 1; run <= runs; run++) {
    const page = await browser.newPage();
    await audit('login', `${base}/login`, run, page, {});
    await page.close();
  }

  // Log the consultant in once and wait for the first sync.
  const page = await browser.newPage();
  await page.goto(`${base}/login`, { waitUntil: 'load' });
  await page.waitForSelector('#login-username', { timeout: 60000 });
  await page.type('#login-username', USER);
  await page.type('#login-password', PASSWORD);
  if (await page.$('#login-device-name')) {
    await page.type('#login-device-name', 'lighthouse');
  }
  await page.click('button[type=submit]');
  await page.waitForFunction(
    (text) =>
      [...document.querySelectorAll('[role=status]')].some((e) =>
        e.textContent.includes(text)
      ),
    { timeout: 120000 },
    SYNCED
  );
  for (let run = 1; run <= runs; run++) {
    await page.goto(`${base}/sales`, { waitUntil: 'load' });
    await page.waitForSelector('body[data-ready]', { timeout: 60000 });
    await forgetTheApp(page);
    await audit('today', `${base}/sales`, run, page, { disableStorageReset: true });
  }
  await page.close();
} finally {
  await browser.close();
}
