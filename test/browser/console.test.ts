import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { parse } from "csv-parse/sync";
import type { Browser, Page } from "puppeteer-core";
import { DemoAccount, loadDemoAccounts } from "../../launcher/demo";
import { identity } from "../../subgraphs/identity";
import { AccountRole } from "../../subgraphs/identity/entities";
import { insertAccount } from "../../subgraphs/identity/seed";
import { openStorage } from "../../subgraphs/kit/storage";
import { startCutProxy } from "../support/cut-proxy";
import { fill, hubOnlyPage, launchBrowser, screenshot, seriousViolations, signInOnPage, skipWithoutChromium, waitForText } from "../support/browser";
import { DemoIds, loadDemoStory } from "../support/demo";
import { ormasOf, startTestHub, TestHub } from "../support/hub";
import { reportInput } from "../support/report-writers";

const REPORT = `mutation ($input: ReportIncidentInput!) { reportIncident(input: $input) { id } }`;

describe("the agency console at /, in a real browser", { skip: skipWithoutChromium() }, () => {
  let hub: TestHub;
  let ids: DemoIds;
  let browser: Browser;
  let origin: string;
  let officer: DemoAccount;
  before(async () => {
    hub = await startTestHub();
    ids = await loadDemoStory(hub);
    officer = (await loadDemoAccounts(hub.url, hub.hub.config)).find((account) => account.loginName.startsWith("petugas"))!;
    origin = new URL(hub.url).origin;
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await hub?.dispose();
  });

  async function fileReport(title: string): Promise<void> {
    const { errors } = await hub.query(REPORT, { input: reportInput(title) }, ormasOf(ids.org.pemuda));
    assert.equal(errors, undefined, JSON.stringify(errors));
  }

  /** A fresh browser context at the console (at `at`, default the hub), signed in as the Kesbangpol officer. */
  async function signedInOfficer(at = origin, account: { loginName: string; password: string } = officer): Promise<{ page: Page; foreign: string[] }> {
    const context = await browser.createBrowserContext();
    const opened = await hubOnlyPage(context as unknown as Browser, at);
    await opened.page.goto(`${at}/`);
    await signInOnPage(opened.page, account.loginName, account.password);
    await opened.page.waitForSelector('[data-status="live"]', { timeout: 10_000 });
    return opened;
  }

  /** Follows a link of the console's navigation ("#/regions"). */
  async function openSection(page: Page, hash: string): Promise<void> {
    await page.click(`nav.sections a[href="${hash}"]`);
  }

  /** Clicks the link whose text holds `text`. */
  async function clickLink(page: Page, text: string): Promise<void> {
    const link = await page.waitForSelector(`xpath/.//a[contains(., "${text}")]`, { timeout: 10_000 });
    await link!.click();
  }

  test("a Kesbangpol officer signs in and a report an ormas files through the API appears on the board without a reload", async () => {
    const { page, foreign } = await signedInOfficer();
    const title = "Fitnah di grup WhatsApp warga Manggar";
    await fileReport(title);
    await page.waitForFunction((wanted: string) => document.querySelector(".alerts")?.textContent?.includes(wanted), { timeout: 5_000 }, title);
    await waitForText(page, "Perkumpulan Pemuda Peduli Manggar"); // the reporter, which Kesbangpol may see
    await screenshot(page, "console-board");
    assert.deepEqual(await seriousViolations(page), []);
    assert.deepEqual(foreign, []);
    await page.close();
  });

  test("the session survives a reload without the password, and signing out ends it", async () => {
    const { page } = await signedInOfficer();
    await page.reload();
    await page.waitForSelector('[data-status="live"]', { timeout: 10_000 });
    const cookies = await page.cookies(`${origin}/auth/refresh`);
    assert.equal(cookies.find((cookie) => cookie.name === "kawal_refresh")?.httpOnly, true);
    assert.equal(await page.evaluate(() => document.cookie), "", "a script can read the session cookie");
    await page.click("header button.secondary");
    await page.waitForSelector("form.sign-in");
    await page.reload();
    await page.waitForSelector("form.sign-in");
    await page.close();
  });

  test("the officer switches to English, and the choice outlives a reload", async () => {
    const { page } = await signedInOfficer();
    await waitForText(page, "Papan peringatan");
    await page.select("header select", "en");
    await waitForText(page, "Alert board");
    await page.reload();
    await waitForText(page, "Alert board");
    assert.equal(await page.evaluate(() => document.body.innerText.includes("Papan peringatan")), false);
    await page.close();
  });

  test("an officer opens a report from the list and sees its status history", async () => {
    const { page } = await signedInOfficer();
    await openSection(page, "#/incidents");
    await page.waitForSelector(".incidents tbody tr");
    const title = "Unggahan fitnah terhadap pasangan calon nomor urut 2"; // the demo's forwarded report
    const [row] = await page.$$(`xpath/.//button[contains(., "${title}")]`);
    await (row as unknown as { click(): Promise<void> }).click();
    await waitForText(page, "Riwayat status");
    await waitForText(page, "Diteruskan");
    await screenshot(page, "console-detail");
    await page.close();
  });

  test("the region board shows open reports per district and category, and a new report adds one to its cell live", async () => {
    const { page } = await signedInOfficer();
    await openSection(page, "#/regions");
    const cell = '.region-board tr[data-region="19.06.01"] td[data-category="BLACK_CAMPAIGN"]';
    await page.waitForSelector(cell);
    const before = Number(await page.$eval(cell, (element) => element.textContent));
    assert.match(await page.$eval('.region-board tr[data-region="19.06.01"] th', (element) => element.textContent ?? ""), /Manggar/);
    await fileReport("Fitnah baru untuk papan wilayah");
    await page.waitForFunction((selector: string, wanted: number) => Number(document.querySelector(selector)?.textContent) === wanted, { timeout: 5_000 }, cell, before + 1);
    await screenshot(page, "console-region-board");
    assert.deepEqual(await seriousViolations(page), []);
    await page.close();
  });

  test("an officer searches the directory, opens the Manggar youth ormas and, from it, the Manggar event: organizer, 50 attendees, the declaration's signatories", async () => {
    const { page, foreign } = await signedInOfficer();
    await openSection(page, "#/directory");
    await page.type("input[name=search]", "pemuda mang");
    await page.click(".directory button[type=submit]");
    await clickLink(page, "Perkumpulan Pemuda Peduli Manggar");
    await waitForText(page, "Perkumpulan berbadan hukum");
    await waitForText(page, "Budi Rekaan"); // its board, which an agency may see
    await screenshot(page, "console-organization");
    assert.deepEqual(await seriousViolations(page), []);

    await clickLink(page, "Sosialisasi dan Pembinaan LSM");
    await page.waitForSelector('[data-part="signatories"] li');
    assert.match(await page.$eval('[data-part="organizer"]', (element) => element.textContent ?? ""), /Badan Kesatuan Bangsa dan Politik Kabupaten Belitung Timur/);
    assert.equal(await page.$eval('[data-part="attendees"]', (element) => element.textContent), "50 peserta");
    const signatories = await page.$$eval('[data-part="signatories"] li', (items) => items.map((item) => item.textContent ?? ""));
    for (const [organization, person] of [["Perkumpulan Pemuda Peduli Manggar", "Budi Rekaan"], ["Forum Masyarakat Gantung Bersatu", "Hasan Khayalan"], ["Lembaga Informasi Damai Belitung Timur", "Maya Fiksi"], ["Ikatan Nelayan Dendang Sejahtera", "Rudi Andaian"]]) {
      assert.ok(signatories.some((line) => line.includes(organization) && line.includes(person)), `${person} of ${organization} among ${signatories.join(" | ")}`);
    }
    await page.waitForSelector('[data-phase="CAMPAIGN"]'); // the election's phase on the day of the event
    await waitForText(page, "Tahap saat acara: Masa kampanye");
    await screenshot(page, "console-event");
    assert.deepEqual(await seriousViolations(page), []);
    assert.deepEqual(foreign, []);
    await page.close();
  });

  test("the event list finds the Manggar socialization by kind and by its day in WIB, and not from the next day on", async () => {
    const { page } = await signedInOfficer();
    await openSection(page, "#/events");
    await page.select("select[name=kind]", "SOCIALIZATION");
    await fill(page, "input[name=from]", "2024-10-17");
    await fill(page, "input[name=to]", "2024-10-17");
    await page.click(".events button[type=submit]");
    await waitForText(page, "Sosialisasi dan Pembinaan LSM");
    await screenshot(page, "console-events");
    assert.deepEqual(await seriousViolations(page), []);
    await fill(page, "input[name=from]", "2024-10-18");
    await fill(page, "input[name=to]", "");
    await page.click(".events button[type=submit]");
    await waitForText(page, "Tidak ada acara yang cocok.");
    await page.close();
  });

  test("an officer of two regencies sees the region board of each", async () => {
    const twoRegencies = { loginName: "petugas.dua.kabupaten@kesbangpol.example.id", password: "kapal layar Manggar tujuh" };
    const storage = await openStorage({ name: "identity", entities: identity.entities, migrations: identity.migrations }, hub.hub.config);
    try {
      await insertAccount(storage, { ...twoRegencies, organizationId: Number(ids.org.kesbangpol), role: AccountRole.AGENCY, regions: ["19.06", "19.01"], admin: false, mustChangePassword: false, origin: "the test" });
    } finally {
      await storage.close();
    }
    const { data } = await hub.query<{ regions: Array<{ code: string }> }>(`{ regions(parentCode: "19.01") { code } }`);
    const bangka = data!.regions[0].code;
    const filed = await hub.query(REPORT, { input: { ...reportInput("Hoaks di Bangka"), regionCode: bangka } }, ormasOf(ids.org.pemuda, ["19.01"]));
    assert.equal(filed.errors, undefined, JSON.stringify(filed.errors));

    const { page } = await signedInOfficer(origin, twoRegencies);
    await openSection(page, "#/regions");
    await page.waitForSelector('[data-board-region="19.06"] tr[data-region="19.06.01"]');
    await page.waitForSelector(`[data-board-region="19.01"] tr[data-region="${bangka}"]`);
    const headings = await page.$$eval(".region-board h3", (items) => items.map((item) => item.textContent ?? ""));
    assert.equal(headings.length, 2);
    assert.match(headings[0], /Belitung Timur/);
    assert.match(headings[1], /Bangka/);
    await screenshot(page, "console-region-board-two-regions");
    assert.deepEqual(await seriousViolations(page), []);
    await page.close();
  });

  test("a report's reporting deadline counts down live in the region's time (WIB), and its handling deadline appears beside it once reviewed", async () => {
    const { page } = await signedInOfficer();
    const title = "Fitnah satu jam lalu di Manggar";
    const occurredAt = new Date(Date.now() - 60 * 60 * 1000).toISOString();
    const { errors } = await hub.query(REPORT, { input: { ...reportInput(title), occurredAt } }, ormasOf(ids.org.pemuda));
    assert.equal(errors, undefined, JSON.stringify(errors));
    await page.waitForFunction((wanted: string) => document.querySelector(".alerts")?.textContent?.includes(wanted), { timeout: 5_000 }, title);
    const [open] = await page.$$(`xpath/.//ul[contains(@class, "alerts")]//button[contains(., "${title}")]`);
    await (open as unknown as { click(): Promise<void> }).click();
    const reporting = '[data-deadline="reporting"]';
    await page.waitForSelector(reporting);
    const first = await page.$eval(reporting, (element) => element.textContent ?? "");
    assert.match(first, /Batas lapor ke Bawaslu: .* 23\.59 WIB · sisa [67] hari \d\d:\d\d:\d\d/, "the end of the 7th day in Manggar's time, and the time left");
    await page.waitForFunction((selector: string, before: string) => document.querySelector(selector)?.textContent !== before, { timeout: 3_000 }, reporting, first);
    assert.equal(await page.$('[data-deadline="handling"]'), null, "no handling deadline before an agency moves the report");
    await page.click('[data-status-action="VERIFIED"]');
    await page.waitForSelector('[data-deadline="handling"]', { timeout: 5_000 });
    assert.match(await page.$eval('[data-deadline="handling"]', (element) => element.textContent ?? ""), /Batas penanganan: .* 23\.59 WIB · sisa \d hari/);
    await screenshot(page, "console-deadlines");
    assert.deepEqual(await seriousViolations(page), []);
    await page.close();
  });

  /** Clicks "Unduh CSV" and reads the file the browser saved. */
  async function downloadedCsv(page: Page): Promise<{ bytes: Buffer; rows: Array<Record<string, string>> }> {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), "kawal-csv-"));
    try {
      await (await page.createCDPSession()).send("Page.setDownloadBehavior", { behavior: "allow", downloadPath: folder });
      const [download] = await page.$$(`xpath/.//button[contains(., "Unduh CSV")]`);
      await (download as unknown as { click(): Promise<void> }).click();
      const file = await new Promise<string>((resolve, reject) => {
        const deadline = Date.now() + 10_000;
        const look = () => {
          const done = fs.readdirSync(folder).find((name) => name.endsWith(".csv"));
          if (done) return resolve(path.join(folder, done));
          if (Date.now() > deadline) return reject(new Error("no CSV was downloaded"));
          setTimeout(look, 100);
        };
        look();
      });
      const bytes = fs.readFileSync(file);
      return { bytes, rows: parse(bytes, { columns: true, bom: true }) as Array<Record<string, string>> };
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  }

  test("an officer filters the list by category and downloads it as CSV: the file holds that list, with the BOM", async () => {
    const { page } = await signedInOfficer();
    await openSection(page, "#/incidents");
    await page.waitForSelector(".incidents tbody tr");
    await page.select("select[name=category]", "MONEY_POLITICS");
    await page.click(".filters button[type=submit]");
    await page.waitForFunction(() => [...document.querySelectorAll(".incidents tbody tr")].every((row) => row.textContent?.includes("Politik uang")));
    const { bytes, rows } = await downloadedCsv(page);
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], "UTF-8 with a byte-order mark");
    assert.ok(rows.length > 0);
    assert.deepEqual(new Set(rows.map((row) => row.category)), new Set(["MONEY_POLITICS"]), "the list as filtered on screen");
    await screenshot(page, "console-export");
    await page.close();
  });

  test("an officer narrows the list to the days of 25 November 2024 in Manggar's time (WIB), and the CSV holds the same reports", async () => {
    // Near midnight in WIB: the first is on the 25th there (the 24th in UTC), the second on the 26th (the 25th in UTC).
    const early = "Politik uang dini hari 25 November";
    const late = "Politik uang dini hari 26 November";
    for (const [title, occurredAt] of [[early, "2024-11-25T01:00:00+07:00"], [late, "2024-11-26T03:00:00+07:00"]]) {
      const { errors } = await hub.query(REPORT, { input: { ...reportInput(title), category: "MONEY_POLITICS", occurredAt } }, ormasOf(ids.org.pemuda));
      assert.equal(errors, undefined, JSON.stringify(errors));
    }
    const { page } = await signedInOfficer();
    await openSection(page, "#/incidents");
    await page.waitForSelector(".incidents tbody tr");
    await fill(page, "input[name=from]", "2024-11-25");
    await fill(page, "input[name=to]", "2024-11-25");
    await page.click(".filters button[type=submit]");
    const wanted = [early, "Dugaan pembagian sembako pada masa tenang"].sort(); // the demo's report of 25 Nov, 16.00 WIB
    await page.waitForFunction((count: number) => document.querySelectorAll(".incidents tbody tr").length === count, { timeout: 10_000 }, wanted.length);
    const shown = await page.$$eval(".incidents tbody tr button.link", (buttons) => buttons.map((button) => button.textContent ?? ""));
    assert.deepEqual(shown.sort(), wanted);
    const { rows } = await downloadedCsv(page);
    assert.deepEqual(rows.map((row) => row.title).sort(), wanted, "the CSV holds the list as filtered on screen");
    await screenshot(page, "console-date-filter");
    assert.deepEqual(await seriousViolations(page), []);
    await page.close();
  });

  test("an officer reviews a new report with a note and its status changes, in the list and in the history", async () => {
    const { page } = await signedInOfficer();
    const title = "Hoaks jadwal pemungutan suara di Gantung";
    await fileReport(title);
    await page.waitForFunction((wanted: string) => document.querySelector(".alerts")?.textContent?.includes(wanted), { timeout: 5_000 }, title);
    const [open] = await page.$$(`xpath/.//ul[contains(@class, "alerts")]//button[contains(., "${title}")]`);
    await (open as unknown as { click(): Promise<void> }).click();
    await page.waitForSelector(".review textarea");
    await page.type(".review textarea", "Sudah dicek ke akun aslinya");
    await page.click('[data-status-action="VERIFIED"]');
    await waitForText(page, "Status diubah.");
    await page.waitForFunction(() => document.querySelector(".history")?.textContent?.includes("Sudah dicek ke akun aslinya"), { timeout: 5_000 });
    await screenshot(page, "console-reviewed");
    const { data } = await hub.query<{ incidentReports: { edges: Array<{ node: { title: string; status: string } }> } }>(
      `{ incidentReports(filter: { regionCode: "19.06" }, first: 50) { edges { node { title status } } } }`,
      {},
      { sub: "officer", role: "AGENCY", org: ids.org.kesbangpol, regions: ["19.06"], scopes: [] },
    );
    assert.equal(data!.incidentReports.edges.find((edge) => edge.node.title === title)?.node.status, "VERIFIED");
    await page.close();
  });

  test("the laptop's network drops: the board shows it is reconnecting and, when back, catches up: nothing missed, nothing twice", async () => {
    const network = await startCutProxy(hub.url);
    try {
      const { page } = await signedInOfficer(new URL(network.url).origin);
      const before = "Sebelum jaringan putus";
      await fileReport(before);
      await page.waitForFunction((wanted: string) => document.querySelector(".alerts")?.textContent?.includes(wanted), { timeout: 5_000 }, before);

      network.setDown(true);
      await page.waitForSelector('[data-status="reconnecting"]', { timeout: 10_000 });
      const missed = ["Selama jaringan putus #1", "Selama jaringan putus #2"];
      for (const title of missed) await fileReport(title);
      await screenshot(page, "console-reconnecting");
      network.setDown(false);

      await page.waitForSelector('[data-status="live"]', { timeout: 20_000 });
      for (const title of missed) await page.waitForFunction((wanted: string) => document.querySelector(".alerts")?.textContent?.includes(wanted), { timeout: 5_000 }, title);
      const shown = await page.$$eval(".alerts li strong", (items) => items.map((item) => item.textContent ?? ""));
      for (const title of [before, ...missed]) assert.equal(shown.filter((text) => text === title).length, 1, `${title} shown ${shown.filter((text) => text === title).length} times`);
      await page.close();
    } finally {
      await network.dispose();
    }
  });
});

describe("the console with 20-second access tokens, in a real browser", { skip: skipWithoutChromium() }, () => {
  let hub: TestHub;
  let ids: DemoIds;
  let browser: Browser;
  before(async () => {
    hub = await startTestHub("sqlite", { KAWAL_ACCESS_TOKEN_SECONDS: "20" });
    ids = await loadDemoStory(hub);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await hub?.dispose();
  });

  test("the board outlives its access token: it renews the token and the socket, and a later alert still arrives, once", async () => {
    const officer = (await loadDemoAccounts(hub.url, hub.hub.config)).find((account) => account.loginName.startsWith("petugas"))!;
    const origin = new URL(hub.url).origin;
    const { page } = await hubOnlyPage(browser, origin);
    await page.goto(`${origin}/`);
    await signInOnPage(page, officer.loginName, officer.password);
    await page.waitForSelector('[data-status="live"]', { timeout: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 25_000)); // past the first token's expiry
    const title = "Laporan setelah token pertama habis";
    const { errors } = await hub.query(REPORT, { input: reportInput(title) }, ormasOf(ids.org.pemuda));
    assert.equal(errors, undefined, JSON.stringify(errors));
    await page.waitForFunction((wanted: string) => document.querySelector(".alerts")?.textContent?.includes(wanted), { timeout: 10_000 }, title);
    const shown = await page.$$eval(".alerts li strong", (items) => items.map((item) => item.textContent));
    assert.deepEqual(shown, [title]);
    assert.ok(await page.$("form.sign-in") === null, "the officer was signed out");
    await page.close();
  });
});
