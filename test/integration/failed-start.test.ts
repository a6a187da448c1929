import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import mysql from "mysql2/promise";
import { databaseName } from "../../subgraphs/kit/database";
import { startSubgraph } from "../../subgraphs/kit/subgraph";
import { organizations } from "../../subgraphs/organizations";
import { backends, dropTestData, testConfig } from "../support/hub";

test("a subgraph whose port is taken leaves no connection to its database open", async (t) => {
  if (!(await backends()).includes("mysql")) return t.skip("MySQL is not reachable");
  const taken = http.createServer();
  await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
  const config = testConfig("mysql");
  const admin = await mysql.createConnection({ host: config.databaseUrl!.hostname, port: Number(config.databaseUrl!.port || 3306), user: "root" });
  try {
    const port = (taken.address() as AddressInfo).port;
    await assert.rejects(startSubgraph(organizations, config, { port, host: "127.0.0.1" }));
    const [rows] = await admin.query("SELECT COUNT(*) AS open FROM information_schema.PROCESSLIST WHERE DB = ?", [databaseName("organizations", config)]);
    assert.equal((rows as Array<{ open: number }>)[0].open, 0, "the failed start's connection pool is closed");
  } finally {
    await admin.end();
    await new Promise((resolve) => taken.close(resolve));
    await dropTestData(config);
  }
});
