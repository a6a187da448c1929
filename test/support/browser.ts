import fs from "node:fs";
import path from "node:path";
import axe from "axe-core";
import puppeteer, { Browser, Page } from "puppeteer-core";

/** Debian's chromium; the tests never download a browser (`.ci/run` installs it with apt). */
export const CHROMIUM = process.env.KAWAL_TEST_CHROMIUM ?? "/usr/bin/chromium";

/** Screenshots of browser tests, for a person to look at (ignored by git). */
export const SCREENSHOTS = path.join(__dirname, "..", "..", "..", "test-screenshots");

/** A skip reason when chromium is not installed (never on CI, where it is required), else false. */
export function skipWithoutChromium(): string | false {
  if (fs.existsSync(CHROMIUM)) return false;
  if (process.env.CI) throw new Error(`CI needs chromium at ${CHROMIUM} for the browser tests`);
  return `no chromium at ${CHROMIUM} (apt-get install chromium, or set KAWAL_TEST_CHROMIUM)`;
}

export function launchBrowser(): Promise<Browser> {
  return puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
}

/**
 * A page that records every request leaving for another origin than `origin` (the hub), so a test can
 * show the app needs nothing from the internet.
 */
export async function hubOnlyPage(browser: Browser, origin: string, viewport = { width: 1280, height: 800 }): Promise<{ page: Page; foreign: string[] }> {
  const page = await browser.newPage();
  await page.setViewport(viewport);
  const foreign: string[] = [];
  // The page's own errors, in the test's output, to tell a broken app from a slow one.
  page.on("pageerror", (error) => console.error(`# page error: ${String(error)}`));
  page.on("request", (request) => {
    const url = request.url();
    if (!url.startsWith("data:") && !url.startsWith("blob:") && new URL(url).origin !== origin && !url.startsWith(origin.replace(/^http/, "ws"))) foreign.push(url);
  });
  return { page, foreign };
}

/** Saves a screenshot under test-screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) as `${string}.png` });
}

/** Waits until the page's text contains `text`. */
export async function waitForText(page: Page, text: string, timeout = 10_000): Promise<void> {
  try {
    await page.waitForFunction((wanted: string) => document.body.innerText.includes(wanted), { timeout }, text);
  } catch (error) {
    await screenshot(page, "failed-wait");
    throw new Error(`the page never showed "${text}"; it shows: ${await page.evaluate(() => document.body.innerText)}`, { cause: error });
  }
}

/** Sets an input's value the way typing does, so React sees it (datetime-local cannot be typed portably). */
export async function fill(page: Page, selector: string, value: string): Promise<void> {
  await page.$eval(
    selector,
    (element, text) => {
      const input = element as HTMLInputElement | HTMLTextAreaElement;
      const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(input), "value")?.set;
      setter?.call(input, text);
      input.dispatchEvent(new Event("input", { bubbles: true }));
    },
    value,
  );
}

/** Signs in on a page showing the sign-in form. */
export async function signInOnPage(page: Page, loginName: string, password: string): Promise<void> {
  await page.waitForSelector("input[name=loginName]");
  await fill(page, "input[name=loginName]", loginName);
  await fill(page, "input[name=password]", password);
  await page.click("form.sign-in button[type=submit]");
}

/** axe-core's serious and critical accessibility violations on the page as it is now, as "rule: target" lines. */
export async function seriousViolations(page: Page): Promise<string[]> {
  // Through the DevTools protocol, which the pages' Content-Security-Policy does not govern.
  await page.evaluate(axe.source);
  const results = await page.evaluate(() => (window as unknown as { axe: typeof axe }).axe.run(document, { resultTypes: ["violations"] }));
  return results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .flatMap((violation) => violation.nodes.map((node) => `${violation.id}: ${node.target.join(" ")}`));
}
