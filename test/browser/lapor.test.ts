import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "puppeteer-core";
import { DemoAccount, loadDemoAccounts } from "../../launcher/demo";
import { fill, hubOnlyPage, launchBrowser, screenshot, seriousViolations, signInOnPage, skipWithoutChromium, waitForText } from "../support/browser";
import { loadDemoStory } from "../support/demo";
import { photoWithGps } from "../support/evidence";
import { Evidence } from "../../subgraphs/incidents/evidence/entity";
import { startTestHub, TestHub } from "../support/hub";

const PHONE = { width: 360, height: 740, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

describe("Lapor, the ormas volunteers' report form, on a phone", { skip: skipWithoutChromium() }, () => {
  let hub: TestHub;
  let browser: Browser;
  let origin: string;
  let volunteer: DemoAccount;
  before(async () => {
    hub = await startTestHub();
    await loadDemoStory(hub);
    volunteer = (await loadDemoAccounts(hub.url, hub.hub.config)).find((account) => account.loginName.startsWith("relawan"))!;
    origin = new URL(hub.url).origin;
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await hub?.dispose();
  });

  /** The reports with this title the hub stored, as Bawaslu's officer counts them. */
  async function stored(title: string): Promise<number> {
    const { data, errors } = await hub.query<{ incidentReports: { edges: Array<{ node: { title: string } }> } }>(
      `{ incidentReports(filter: { regionCode: "19.06" }, first: 100) { edges { node { title } } } }`,
      {},
      { sub: "officer", role: "AGENCY", org: "1", regions: ["19.06"], scopes: [] },
    );
    assert.equal(errors, undefined, JSON.stringify(errors));
    return data!.incidentReports.edges.filter((edge) => edge.node.title === title).length;
  }

  /** Opens Lapor in a fresh browser context (its own storage), signed in as the Manggar volunteer. */
  async function openSignedIn(): Promise<Page> {
    const context = await browser.createBrowserContext();
    const { page, foreign } = await hubOnlyPage(context as unknown as Browser, origin, PHONE);
    page.once("close", () => assert.deepEqual(foreign, [], "Lapor fetched something from another origin"));
    await page.goto(`${origin}/lapor`);
    await signInOnPage(page, volunteer.loginName, volunteer.password);
    await page.waitForSelector('#district option[value="19.06.01"]', { timeout: 10_000 });
    return page;
  }

  /** Writes a black-campaign report from Manggar (the district comes from the account's region). */
  async function write(page: Page, title: string, link: string): Promise<void> {
    await page.click('input[name=category][value="BLACK_CAMPAIGN"]');
    await fill(page, "#platform", "Facebook");
    await fill(page, "#url", link);
    await fill(page, "#title", title);
    await fill(page, "#occurredAt", "2024-11-20T20:00");
    await fill(page, "#description", "Akun anonim menuduh pasangan calon tanpa dasar.");
  }

  test("a volunteer on a 360×740 phone sees a field error in Bahasa, fixes it and sends the report", async () => {
    const page = await openSignedIn();
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), "the page scrolls sideways");
    const title = "Fitnah di grup Facebook Manggar";
    await write(page, title, "facebook.com/contoh/posts/1");
    await page.click("form.report button[type=submit]");
    await waitForText(page, "Tautan harus diawali http:// atau https://.");
    assert.ok(await page.$('.field.invalid[data-field="url"]'), "the error is not next to the link field");
    await screenshot(page, "lapor-field-error");
    assert.deepEqual(await seriousViolations(page), []);
    // The check sees a violation when there is one: an image with no text alternative.
    await page.evaluate(() => document.body.append(Object.assign(document.createElement("img"), { src: "/lapor/icon.svg", id: "probe" })));
    assert.match((await seriousViolations(page)).join("\n"), /image-alt: #probe/);
    await page.evaluate(() => document.getElementById("probe")?.remove());
    assert.equal(await stored(title), 0);

    await fill(page, "#url", "https://www.facebook.com/contoh/posts/1");
    await page.click("form.report button[type=submit]");
    await waitForText(page, "Terkirim");
    // Seven calendar days after the day it happened, to the end of that day in Manggar's time (WIB).
    await waitForText(page, "Batas lapor ke Bawaslu: 27 Nov 2024, 23.59 WIB");
    await page.waitForFunction((wanted: string) => document.querySelector(".own")?.textContent?.includes(wanted), {}, title);
    await screenshot(page, "lapor-sent");
    assert.equal(await stored(title), 1);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), "the page scrolls sideways");
    await page.close();
  });

  test("a report written with no signal waits on the phone and is stored exactly once when the signal returns", async () => {
    const page = await openSignedIn();
    const title = "Politik uang di Kelapa Kampit, ditulis tanpa sinyal";
    await write(page, title, "https://www.facebook.com/contoh/posts/2");
    await page.setOfflineMode(true);
    await page.click("form.report button[type=submit]");
    await waitForText(page, "Menunggu sinyal");
    await screenshot(page, "lapor-waiting");
    assert.equal(await stored(title), 0);

    await page.setOfflineMode(false);
    await waitForText(page, "Terkirim", 20_000);
    assert.equal(await stored(title), 1);
    // Another "online" and a retry round later, still one.
    await page.evaluate(() => window.dispatchEvent(new Event("online")));
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(await stored(title), 1);
    await page.close();
  });

  test("a photo taken with no signal waits with its report and goes up once, before the report, even when the report's first sending is lost", async () => {
    const page = await openSignedIn();
    const title = "Baliho fitnah di Manggar, difoto tanpa sinyal";
    const evidenceBefore = await hub.hub.subgraphs.incidents.db.getRepository(Evidence).count();
    const photoFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "kawal-photo-")), "baliho.jpg");
    fs.writeFileSync(photoFile, await photoWithGps());
    await write(page, title, "https://www.facebook.com/contoh/posts/3");
    await fill(page, "#discoveredAt", "2024-11-22T08:00");
    const gallery = await page.$("input[name=gallery]");
    await gallery!.uploadFile(photoFile);
    await waitForText(page, "baliho.jpg");
    await page.setOfflineMode(true);
    await page.click("form.report button[type=submit]");
    await waitForText(page, "Menunggu sinyal");
    await waitForText(page, "Foto bukti: 1");
    await screenshot(page, "lapor-photo-waiting");
    assert.deepEqual(await seriousViolations(page), []);

    // Back online, the photo goes up; the report's first sending is then lost on the way (its answer never comes).
    const uploads: string[] = [];
    let lostReports = 0;
    await page.setRequestInterception(true);
    page.on("request", (request) => {
      if (request.method() === "POST" && request.url().endsWith("/evidence")) uploads.push(request.headers()["idempotency-key"] ?? "");
      if (request.method() === "POST" && request.url().endsWith("/graphql") && (request.postData() ?? "").includes("mutation Lapor") && lostReports === 0) {
        lostReports += 1;
        return void request.abort("internetdisconnected");
      }
      void request.continue();
    });
    await page.setOfflineMode(false);
    await waitForText(page, "Terkirim", 30_000);
    assert.equal(lostReports, 1, "the first sending of the report was lost");
    assert.equal(uploads.length, 1, "the photo was uploaded once, not again with the report's retry");
    assert.match(uploads[0], /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, "it went up with the photo's own id as its Idempotency-Key");
    assert.equal(await hub.hub.subgraphs.incidents.db.getRepository(Evidence).count(), evidenceBefore + 1, "one stored file, no duplicate upload");
    const { data } = await hub.query<{ incidentReports: { edges: Array<{ node: { title: string; discoveredAt: string; evidence: Array<{ contentType: string }> } }> } }>(
      `{ incidentReports(filter: { regionCode: "19.06" }, first: 100) { edges { node { title discoveredAt evidence { contentType } } } } }`,
      {},
      { sub: "officer", role: "AGENCY", org: "1", regions: ["19.06"], scopes: [] },
    );
    const stored = data!.incidentReports.edges.filter((edge) => edge.node.title === title);
    assert.equal(stored.length, 1);
    assert.equal(stored[0].node.discoveredAt, "2024-11-22T01:00:00.000Z", "when the volunteer saw it, in Manggar's time (WIB)");
    assert.deepEqual(stored[0].node.evidence, [{ contentType: "image/jpeg" }]);
    await screenshot(page, "lapor-photo-sent");
    await page.close();
  });

  test("once visited, Lapor opens with no network at all (manifest and service worker)", async () => {
    const page = await openSignedIn();
    const manifest = await page.evaluate(async () => (await fetch("/lapor/manifest.webmanifest")).json());
    assert.equal(manifest.start_url, "/lapor");
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null || navigator.serviceWorker.ready.then(() => true), { timeout: 10_000 });
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.reload(); // now under the worker's control
    await page.waitForSelector("form.report");
    await page.setOfflineMode(true);
    await page.reload();
    await page.waitForSelector("form.report", { timeout: 10_000 });
    await screenshot(page, "lapor-offline");
    await page.close();
  });
});
