import "reflect-metadata";
import { parseArgs } from "node:util";
import { Caller, callerFromClaims, ClaimsError } from "../caller/claims";
import { hubTokenKey, signToken } from "../caller/tokens";
import { ConfigError, loadConfig } from "../platform/config";
import { withGeneratedSecrets } from "./hub";

/*
 * `npm run token -- --role INTEGRATOR --org <id> --scope "read:incidents subscribe:alerts" --regions 19`: a
 * token signed as the hub signs (its KAWAL_SIGNING_KEY_FILE key, else KAWAL_JWT_SECRET or the embedded default's generated ./data/jwt-secret),
 * for tests, scripts and partner apps until they have credentials of their own. Prints the token alone.
 * Options: --sub (default "cli-<role>"), --expires (default 12h; "30m", "7d"), --regions comma-separated.
 */

const USAGE = 'usage: npm run token -- --role AGENCY|ORMAS|INTEGRATOR [--org <id>] [--regions 19,19.06] [--scope "read:incidents subscribe:alerts"] [--sub <name>] [--expires 12h]';

/** The caller and lifetime the arguments describe; ClaimsError naming the claim when they describe none. */
export function tokenRequest(argv: string[]): { caller: Caller; expiresIn: string } {
  const { values } = parseArgs({
    args: argv,
    options: { role: { type: "string" }, org: { type: "string" }, regions: { type: "string" }, scope: { type: "string" }, sub: { type: "string" }, expires: { type: "string" } },
    strict: true,
    allowPositionals: false,
  });
  const role = values.role?.toUpperCase();
  const caller = callerFromClaims({
    sub: values.sub ?? `cli-${(role ?? "").toLowerCase()}`,
    role,
    org: values.org,
    regions: values.regions ? values.regions.split(",").map((code) => code.trim()) : [],
    scope: values.scope ?? "",
  });
  const expiresIn = values.expires ?? "12h";
  if (!/^\d+[smhd]$/.test(expiresIn)) throw new ConfigError("--expires", "must be a number and a unit, such as 30m, 12h or 7d", expiresIn);
  return { caller, expiresIn };
}

async function main(): Promise<void> {
  const { caller, expiresIn } = tokenRequest(process.argv.slice(2));
  const config = withGeneratedSecrets(loadConfig());
  const signing = hubTokenKey(config);
  if ("unavailable" in signing) throw new ConfigError(config.signingKey ? "KAWAL_SIGNING_KEY_FILE" : "KAWAL_JWT_SECRET", `must let the hub sign tokens: ${signing.unavailable}`, "");
  console.log(await signToken(signing.key, caller, expiresIn));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    if (error instanceof ClaimsError || error instanceof ConfigError) console.error(`token: ${error.message}\n${USAGE}`);
    else if (error instanceof TypeError && "code" in error) console.error(`token: ${error.message}\n${USAGE}`);
    else console.error(error);
    process.exit(1);
  });
}
