import { HubClient } from "./hub-client";
import { IncidentAlerts, LatestIncidents } from "./operations";

/*
 * `node dist/main.js`: lists the newest incident reports, then prints each live alert as it arrives, one line
 * each, until stopped. Configured by the environment:
 *   KAWAL_URL            the gateway's GraphQL endpoint (required), e.g. http://localhost:4000/graphql
 *   KAWAL_CLIENT_ID      the partner app's client id (required)
 *   KAWAL_CLIENT_SECRET  its client secret (required)
 *   KAWAL_SEND_HASHES    "1": send operations by hash (the app's trusted documents are on); default: by text
 */

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`partner-tool: ${name} must be set`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  const hub = new HubClient({
    url: required("KAWAL_URL"),
    clientId: required("KAWAL_CLIENT_ID"),
    clientSecret: required("KAWAL_CLIENT_SECRET"),
    sendHashes: process.env.KAWAL_SEND_HASHES === "1",
  });
  const { incidentReports } = await hub.execute(LatestIncidents, { first: 5 });
  console.log(`incidents: ${incidentReports.totalCount}`);
  for (const { node } of incidentReports.edges) console.log(`incident ${node.id} ${node.category} ${node.title}`);
  const stop = hub.subscribe(IncidentAlerts, {}, {
    onData: ({ incidentAlerts: alert }) => console.log(`alert ${alert.sequence} ${alert.kind} ${alert.report.category} ${alert.report.title}`),
    onError: (error) => {
      console.error(`partner-tool: the alert stream failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  });
  console.log("listening for alerts");
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => {
    stop();
    process.exit(0);
  });
}

main().catch((error: unknown) => {
  console.error(`partner-tool: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
