import "reflect-metadata";
import fs from "node:fs";
import path from "node:path";
import { composeSupergraph } from "./composition";

/** `npm run compose`: writes schema/<subgraph>.graphql, schema/supergraph.graphql and the public schema/api.graphql from code. */
async function main(): Promise<void> {
  const directory = path.join(__dirname, "..", "..", "schema");
  const { subgraphs, supergraphSdl, apiSdl } = await composeSupergraph();
  for (const [name, sdl] of Object.entries(subgraphs)) fs.writeFileSync(path.join(directory, `${name}.graphql`), sdl);
  fs.writeFileSync(path.join(directory, "supergraph.graphql"), supergraphSdl);
  fs.writeFileSync(path.join(directory, "api.graphql"), apiSdl);
  console.log(`composed ${Object.keys(subgraphs).length} subgraphs into schema/supergraph.graphql`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
