import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser } from "puppeteer-core";
import { hubOnlyPage, launchBrowser, screenshot, skipWithoutChromium } from "../support/browser";
import { DemoIds, loadDemoStory } from "../support/demo";
import { agencyOf, ormasOf, startTestHub, TestHub } from "../support/hub";
import { reportInput } from "../support/report-writers";

describe("the API explorer at /graphiql, in a real browser", { skip: skipWithoutChromium() }, () => {
  let hub: TestHub;
  let ids: DemoIds;
  let browser: Browser;
  let origin: string;
  before(async () => {
    hub = await startTestHub();
    ids = await loadDemoStory(hub);
    origin = new URL(hub.url).origin;
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await hub?.dispose();
  });

  test("an integrator with no internet opens the explorer and runs the README's Manggar query", async () => {
    const { page, foreign } = await hubOnlyPage(browser, origin);
    await page.goto(`${origin}/graphiql`);
    await page.waitForSelector(".graphiql-execute-button", { timeout: 15_000 });
    await page.click(".graphiql-execute-button");
    await page.waitForFunction(() => document.querySelector(".result-window")?.textContent?.includes("Sosialisasi"), { timeout: 15_000 });
    await screenshot(page, "explorer-manggar");
    assert.deepEqual(foreign, [], "the explorer fetched something from another origin");
  });

  test("an integrator puts a token in the headers editor and watches live alerts over graphql-ws", async () => {
    const { page, foreign } = await hubOnlyPage(browser, origin);
    await page.goto(`${origin}/graphiql`);
    await page.waitForSelector(".graphiql-execute-button", { timeout: 15_000 });
    const [tab] = await page.$$('xpath/.//button[contains(@class, "graphiql-tab-button") and contains(., "Beltim")]');
    await (tab as unknown as { click(): Promise<void> }).click();
    const token = await hub.token(agencyOf(ids.org.bawaslu));
    // The headers editor is CodeMirror: its value is set through the editor, as typing would.
    await page.evaluate((headers: string) => {
      const editors = [...document.querySelectorAll(".CodeMirror")] as Array<Element & { CodeMirror: { getValue(): string; setValue(value: string): void } }>;
      editors.find((editor) => editor.CodeMirror.getValue() === "{}")?.CodeMirror.setValue(headers); // the default headers
    }, JSON.stringify({ Authorization: `Bearer ${token}` }));
    await page.click(".graphiql-execute-button");
    await new Promise((resolve) => setTimeout(resolve, 1000)); // the subscription reaches the gateway
    const title = "Fitnah lewat siaran langsung TikTok";
    const { errors } = await hub.query(`mutation ($input: ReportIncidentInput!) { reportIncident(input: $input) { id } }`, { input: reportInput(title) }, ormasOf(ids.org.pemuda));
    assert.equal(errors, undefined);
    await page.waitForFunction((wanted: string) => document.querySelector(".result-window")?.textContent?.includes(wanted), { timeout: 10_000 }, title);
    await screenshot(page, "explorer-subscription");
    assert.deepEqual(foreign, []);
  });

  test("a browser opening /graphql is led to the explorer, not to Apollo's online landing page", async () => {
    const { page } = await hubOnlyPage(browser, origin);
    const response = await page.goto(`${origin}/graphql`);
    assert.equal(new URL(response!.url()).pathname, "/graphiql");
    await page.waitForSelector(".graphiql-container", { timeout: 15_000 });
  });

  test("with introspection off (production), the explorer loads the committed api.graphql and still runs the query", async () => {
    const production = await startTestHub("sqlite", { NODE_ENV: "production" });
    try {
      await loadDemoStory(production);
      const productionOrigin = new URL(production.url).origin;
      const { page, foreign } = await hubOnlyPage(browser, productionOrigin);
      const schemaLoaded = page.waitForResponse((response) => response.url().endsWith("/schema/api.graphql") && response.status() === 200);
      await page.goto(`${productionOrigin}/graphiql`);
      await schemaLoaded;
      await page.waitForSelector(".graphiql-execute-button", { timeout: 15_000 });
      await page.click(".graphiql-execute-button");
      await page.waitForFunction(() => document.querySelector(".result-window")?.textContent?.includes("Sosialisasi"), { timeout: 15_000 });
      assert.deepEqual(foreign, []);
    } finally {
      await production.dispose();
    }
  });
});
