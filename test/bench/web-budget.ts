import { performance } from "node:perf_hooks";
import zlib from "node:zlib";
import type { Browser, HTTPResponse } from "puppeteer-core";
import { launchBrowser } from "../support/browser";
import { dropTestData, testConfig, testHubOn } from "../support/hub";
import { percentile, round } from "./stats";

/*
 * The doors' budgets (issue 16): how long the console and Lapor take to show their first form on loopback in
 * Debian's chromium with an empty cache (after one unmeasured load that starts the browser's renderer), and how much JavaScript each page loads, gzipped (the budget's measure)
 * and as sent (the gateway sends the build's brotli twins).
 */

/** One page's first load, measured over fresh browser contexts (nothing cached, no service worker yet). */
export interface PageBudget {
  page: string;
  path: string;
  loads: number;
  /** From navigation to the first form on screen, ms. */
  firstLoadMs: { p50: number; max: number };
  budgetMs: number;
  /** The page's scripts, summed. */
  javascript: { files: number; rawKB: number; gzipKB: number; sentKB: number; contentEncoding: string };
  budgetGzipKB: number;
}

const PAGES = [
  { page: "agency console", path: "/", budgetGzipKB: 300 },
  { page: "Lapor (ormas report form)", path: "/lapor", budgetGzipKB: 150 },
];
const BUDGET_MS = 1000;

async function measurePage(browser: Browser, origin: string, target: (typeof PAGES)[number], loads: number): Promise<PageBudget> {
  const times: number[] = [];
  let javascript: PageBudget["javascript"] | undefined;
  // One load first, unmeasured: the browser's own start (its first renderer, its compilers) is not the page's.
  for (let load = -1; load < loads; load++) {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    const scripts: HTTPResponse[] = [];
    page.on("response", (response) => {
      if (response.request().resourceType() === "script") scripts.push(response);
    });
    const started = performance.now();
    await page.goto(`${origin}${target.path}`);
    await page.waitForSelector("form", { visible: true, timeout: 10_000 });
    if (load >= 0) times.push(performance.now() - started);
    if (!javascript) {
      const bodies = await Promise.all(scripts.map((response) => response.buffer()));
      const sent = scripts.reduce((sum, response) => sum + Number(response.headers()["content-length"] ?? 0), 0);
      javascript = {
        files: scripts.length,
        rawKB: round(bodies.reduce((sum, body) => sum + body.length, 0) / 1024, 1),
        gzipKB: round(bodies.reduce((sum, body) => sum + zlib.gzipSync(body, { level: 9 }).length, 0) / 1024, 1),
        sentKB: round(sent / 1024, 1),
        contentEncoding: [...new Set(scripts.map((response) => response.headers()["content-encoding"] ?? "identity"))].join(", "),
      };
    }
    await context.close();
  }
  const sorted = [...times].sort((a, b) => a - b);
  return {
    page: target.page,
    path: target.path,
    loads,
    firstLoadMs: { p50: round(percentile(sorted, 50), 1), max: round(sorted[sorted.length - 1], 1) },
    budgetMs: BUDGET_MS,
    javascript: javascript!,
    budgetGzipKB: target.budgetGzipKB,
  };
}

export async function benchWebBudgets(quick: boolean, log: (line: string) => void): Promise<PageBudget[]> {
  const config = testConfig("sqlite");
  const hub = await testHubOn(config);
  const browser = await launchBrowser();
  try {
    const origin = new URL(hub.url).origin;
    const results: PageBudget[] = [];
    for (const target of PAGES) {
      const result = await measurePage(browser, origin, target, quick ? 3 : 10);
      log(
        `  ${result.page}: first form in ${result.firstLoadMs.p50} ms (max ${result.firstLoadMs.max}), JavaScript ${result.javascript.gzipKB} KB gzipped ` +
          `(${result.javascript.rawKB} KB raw, ${result.javascript.sentKB} KB sent as ${result.javascript.contentEncoding})`,
      );
      results.push(result);
    }
    return results;
  } finally {
    await browser.close();
    await hub.dispose();
    await dropTestData(config);
  }
}
