import "reflect-metadata";
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, HubConfig, loadConfig } from "../platform/config";
import { openStorage, Storage } from "../subgraphs/kit/storage";
import { recordId, regionCode } from "../subgraphs/kit/validate";
import { identity } from "../subgraphs/identity";
import { oneTimePassword } from "../subgraphs/identity/credentials";
import { AccountRole, Integration } from "../subgraphs/identity/entities";
import { parseManifest, replaceTrustedDocuments } from "../subgraphs/identity/trusted-documents";
import { TRUSTED_DOCUMENTS_TOPIC } from "../gateway/trusted-documents";
import { createPubSub } from "../platform/pubsub";
import { hasAdministrator, insertAccount } from "../subgraphs/identity/seed";
import { organizations } from "../subgraphs/organizations";
import { elections } from "../subgraphs/elections";
import { applyElections, ElectionImportError, ImportCounts, ImportedElection, parseElections } from "../subgraphs/elections/import";
import { withGeneratedSecrets } from "./hub";

/*
 * `npm run admin -- import-elections FILE`: KPU elections and candidate pairs from a CSV or JSON file
 * (subgraphs/elections/import.ts describes both; docs/examples/elections.csv is a sample) into the elections
 * database: checked as a whole, every bad row listed and nothing written if any is bad; importing the same file
 * again changes nothing.
 *
 * `npm run admin -- create-admin --org <id> --login <name> [--regions 19.06] [--role AGENCY]`: the first
 * administrator of a fresh identity database, with a one-time password printed once (changed at the first
 * sign-in). It reads the organization from the organizations database (the hub need not run) and writes
 * the identity database directly, on the embedded default (./data) or DATABASE_URL alike; in the
 * docker-compose layout: `docker compose run --rm identity node dist/launcher/admin.js create-admin ...`.
 * Further accounts are made through the API by administrators (createAccount).
 *
 * `npm run admin -- load-trusted-documents --client <client id> FILE`: replaces a partner app's trusted documents
 * with the operations of FILE (GraphQL Code Generator's persisted-documents.json or an Apollo persisted-query
 * manifest), checked as a whole and audited, as the loadTrustedDocuments mutation does. Whether the list is
 * enforced stays as it is (setTrustedDocumentsRequired). With REDIS_URL the gateways are told at once; without, they
 * see the new list within their refresh interval (30 s).
 */

const USAGE = [
  "usage: npm run admin -- create-admin --org <organization id> --login <e-mail or phone> [--regions 19.06[,19.07]] [--role AGENCY|ORMAS]",
  "       npm run admin -- import-elections <file.csv | file.json>",
  "       npm run admin -- load-trusted-documents --client <client id> <persisted-documents.json | manifest.json>",
].join("\n");

/** A refusal of the command line: one line, exit code 1. */
export class AdminCommandError extends Error {}

export interface CreatedAdministrator {
  accountId: number;
  loginName: string;
  role: AccountRole;
  regions: string[];
  oneTimePassword: string;
}

interface OrganizationRow {
  kind: string;
  regionCode: string;
  status: string;
}

async function readOrganization(config: HubConfig, id: number): Promise<OrganizationRow | undefined> {
  const storage = await openStorage({ name: "organizations", entities: organizations.entities, migrations: organizations.migrations }, config);
  try {
    const rows = (await storage.reader.query("SELECT kind, regionCode, status FROM organizations WHERE id = ?", [id])) as OrganizationRow[];
    return rows[0];
  } finally {
    await storage.close();
  }
}

/** Runs `create-admin` with these arguments (argv after the command name) against `config`'s databases. */
export async function createAdministrator(config: HubConfig, argv: string[]): Promise<CreatedAdministrator> {
  const { values } = parseArgs({
    args: argv,
    options: { org: { type: "string" }, login: { type: "string" }, regions: { type: "string" }, role: { type: "string" } },
    strict: true,
    allowPositionals: false,
  });
  if (!values.org || !values.login) throw new AdminCommandError(`--org and --login are required\n${USAGE}`);
  const check = <T>(run: () => T): T => {
    try {
      return run();
    } catch (error) {
      throw new AdminCommandError(error instanceof Error ? error.message : String(error));
    }
  };
  const organizationId = check(() => recordId("--org", values.org!));
  const organization = await readOrganization(config, organizationId);
  if (!organization) throw new AdminCommandError(`--org: no organization ${organizationId} in the directory (register it first; \`npm run token\` mints a token to do so)`);
  if (organization.status !== "ACTIVE") throw new AdminCommandError(`--org: organization ${organizationId} is ${organization.status}, not ACTIVE`);
  const role = (values.role ?? (organization.kind === "AGENCY" ? "AGENCY" : "ORMAS")).toUpperCase();
  if (role !== "AGENCY" && role !== "ORMAS") throw new AdminCommandError(`--role: must be AGENCY or ORMAS (got "${values.role}")`);
  if (role === "AGENCY" && organization.kind !== "AGENCY") throw new AdminCommandError(`--role: AGENCY is for accounts of agencies; organization ${organizationId} is ${organization.kind}`);
  const regions = check(() => (values.regions ?? organization.regionCode).split(",").map((code, index) => regionCode(`--regions[${index}]`, code)));
  const password = oneTimePassword();
  let storage: Storage | undefined;
  try {
    storage = await openStorage({ name: "identity", entities: identity.entities, migrations: identity.migrations }, config);
    if (await hasAdministrator(storage.reader)) {
      throw new AdminCommandError("an administrator exists already: further accounts are created by administrators through the API (createAccount)");
    }
    const account = await insertAccount(storage, { organizationId, role: role as AccountRole, regions, loginName: values.login, password, admin: true, mustChangePassword: true, origin: "the command line" }).catch((error: unknown) => {
      throw error instanceof AdminCommandError ? error : new AdminCommandError(error instanceof Error ? error.message : String(error));
    });
    return { accountId: account.id, loginName: account.loginName, role: account.role, regions, oneTimePassword: password };
  } finally {
    await storage?.close();
  }
}

/** Runs `import-elections FILE` against `config`'s elections database. */
export async function importElections(config: HubConfig, argv: string[]): Promise<ImportCounts> {
  if (argv.length !== 1) throw new AdminCommandError(USAGE);
  const [file] = argv;
  const format = path.extname(file).toLowerCase() === ".csv" ? "csv" : path.extname(file).toLowerCase() === ".json" ? "json" : null;
  if (!format) throw new AdminCommandError(`${file}: must be a .csv or .json file`);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new AdminCommandError(`${file}: cannot be read (${error instanceof Error ? error.message : String(error)})`);
  }
  let imported: ImportedElection[];
  try {
    imported = parseElections(text, format);
  } catch (error) {
    throw error instanceof ElectionImportError ? new AdminCommandError(`${file}: ${error.message}`) : error;
  }
  const storage = await openStorage({ name: "elections", entities: elections.entities, migrations: elections.migrations }, config);
  try {
    return await storage.write((manager) => applyElections(manager, imported));
  } finally {
    await storage.close();
  }
}

/** Runs `load-trusted-documents --client <id> FILE` against `config`'s identity database; the count of operations loaded. */
export async function loadTrustedDocuments(config: HubConfig, argv: string[]): Promise<{ clientId: string; loaded: number; gatewaysTold: boolean }> {
  const { values, positionals } = parseArgs({ args: argv, options: { client: { type: "string" } }, strict: true, allowPositionals: true });
  if (!values.client || positionals.length !== 1) throw new AdminCommandError(`--client and one manifest file are required\n${USAGE}`);
  const [file] = positionals;
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new AdminCommandError(`${file}: cannot be read (${error instanceof Error ? error.message : String(error)})`);
  }
  let entries: ReturnType<typeof parseManifest>;
  try {
    entries = parseManifest(text, file);
  } catch (error) {
    throw new AdminCommandError(error instanceof Error ? error.message : String(error));
  }
  const storage = await openStorage({ name: "identity", entities: identity.entities, migrations: identity.migrations }, config);
  try {
    const integration = await storage.reader.getRepository(Integration).findOneBy({ clientId: values.client });
    if (!integration) throw new AdminCommandError(`--client: no partner app with client id ${values.client} (createIntegration registers one)`);
    await storage.write((manager) => replaceTrustedDocuments(manager, integration, entries, null));
    return { clientId: integration.clientId, loaded: entries.length, gatewaysTold: config.redisUrl ? await tellGateways(config.redisUrl) : false };
  } finally {
    await storage.close();
  }
}

/** Tells the gateways over Redis that a list changed; false when Redis did not take it within 3 s (the load stands). */
async function tellGateways(redisUrl: URL): Promise<boolean> {
  const bus = createPubSub(redisUrl);
  try {
    const timeout = new Promise<boolean>((resolve) => setTimeout(resolve, 3_000, false).unref());
    return await Promise.race([bus.publish(TRUSTED_DOCUMENTS_TOPIC, {}).then(() => true, () => false), timeout]);
  } finally {
    await bus.close();
  }
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (command === "import-elections") {
    const counts = await importElections(withGeneratedSecrets(loadConfig()), rest);
    const line = (what: string, c: ImportCounts["elections"]) => `${what}: ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged`;
    console.log(`Imported. ${line("Elections", counts.elections)}; ${line("candidate pairs", counts.pairs)}.`);
    return;
  }
  if (command === "load-trusted-documents") {
    const { clientId, loaded, gatewaysTold } = await loadTrustedDocuments(withGeneratedSecrets(loadConfig()), rest);
    console.log(`Loaded ${loaded} trusted documents for ${clientId}. Gateways use them ${gatewaysTold ? "now" : "within 30 s"}; setTrustedDocumentsRequired switches enforcement.`);
    return;
  }
  if (command !== "create-admin") throw new AdminCommandError(USAGE);
  const config = withGeneratedSecrets(loadConfig());
  const created = await createAdministrator(config, rest);
  console.log(`Created administrator ${created.loginName} (account ${created.accountId}, ${created.role}, regions ${created.regions.join(", ")}).`);
  console.log(`One-time password (shown once; it must be changed at the first sign-in, with changePassword or POST /auth/change-password):`);
  console.log(created.oneTimePassword);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    if (error instanceof AdminCommandError || error instanceof ConfigError) console.error(`admin: ${error.message}`);
    else if (error instanceof TypeError && "code" in error) console.error(`admin: ${error.message}\n${USAGE}`); // parseArgs: unknown or malformed option
    else console.error(error);
    process.exit(1);
  });
}
