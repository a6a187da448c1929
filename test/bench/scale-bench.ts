import "reflect-metadata";
import { mustGraphQL } from "../../platform/graphql-fetch";
import type { HubConfig } from "../../platform/config";
import { BenchHub, nationalAgency, startBenchHub } from "./bench-hub";
import { benchEntitiesInProcess } from "./entities-bench";
import { IncidentCategory } from "../../subgraphs/incidents/entities";
import { regionCatalog } from "../../subgraphs/kit/regions";
import { body } from "./loadgen";
import { DIRECTORY, INCIDENTS, MANGGAR, SEARCH } from "./operations";
import type { ScaleRun } from "./results";
import { Prng, seedOf } from "./prng";
import { LoadSettings, measure, Scenario } from "./scenario";
import { THEMES } from "./seed-names";
import { dropScaleData, seedScale } from "./seed-scale";
import type { SeedManifest } from "./seed-scale";

export const SCALE_SCENARIOS = {
  directory: "directory paging deep into a regency",
  search: "name search",
  incidents: "incident list by region and category",
  story: "Manggar story (five subgraphs)",
  directoryDistinct: "directory: a different region every request",
  searchDistinct: "name search: a different phrase every request",
  incidentsDistinct: "incident list: a different region and category every request",
} as const;

/** Bodies of a distinct load: more than a run sends (about 2,100 req/s for 12 s at most), so none repeats. */
export const DISTINCT_BODIES = 40_000;

/** `count` different values from `draw`, which may repeat itself. */
export function distinctDraws(count: number, draw: () => string): string[] {
  const drawn = new Set<string>();
  while (drawn.size < count) drawn.add(draw());
  return [...drawn];
}

/**
 * Loads in which no request repeats, so neither the gateway's response cache nor the subgraphs' remembered
 * counts and pages (kit/list-versions.ts) can answer one: every request walks the indexes. Regions are
 * regencies, districts and villages; phrases a theme word and a place name; lists a region and one
 * category or all.
 */
function distinctScenarios(): Record<"directoryDistinct" | "searchDistinct" | "incidentsDistinct", Scenario> {
  const prng = new Prng(seedOf("distinct loads"));
  const regions = [...regionCatalog().values()].filter((region) => region.level !== "PROVINCE");
  const areas = regions.filter((region) => region.level !== "VILLAGE");
  const categories = [null, ...Object.values(IncidentCategory)];
  const directory = distinctDraws(DISTINCT_BODIES, () => prng.pick(regions).code).map((region) => body(DIRECTORY, { region, first: 20 }));
  const search = distinctDraws(DISTINCT_BODIES, () => `${prng.pick(THEMES)} ${prng.pick(areas).name.split(" ")[0]}`.toLowerCase()).map((phrase) =>
    body(SEARCH, { search: phrase, first: 20 }),
  );
  const incidents = distinctDraws(DISTINCT_BODIES, () => JSON.stringify([prng.pick(areas).code, prng.pick(categories)])).map((pair) => {
    const [region, category] = JSON.parse(pair) as [string, string | null];
    return body(INCIDENTS, { region, ...(category ? { categories: [category] } : {}), first: 20 });
  });
  return {
    directoryDistinct: { name: SCALE_SCENARIOS.directoryDistinct, bodies: directory, distinct: true },
    searchDistinct: { name: SCALE_SCENARIOS.searchDistinct, bodies: search, distinct: true },
    incidentsDistinct: { name: SCALE_SCENARIOS.incidentsDistinct, bodies: incidents, distinct: true },
  };
}

/** Walks the biggest regency's directory page by page and returns the request of every page. */
async function directoryPages(bench: BenchHub, region: string, pages: number): Promise<string[]> {
  const bodies: string[] = [];
  let after: string | null = null;
  for (let page = 0; page < pages; page++) {
    const variables: Record<string, unknown> = { region, first: 20, after };
    bodies.push(body(DIRECTORY, variables));
    const data: { organizations: { pageInfo: { hasNextPage: boolean; endCursor: string | null } } } = await mustGraphQL(bench.url, DIRECTORY, variables, bench.token);
    if (!data.organizations.pageInfo.hasNextPage) break;
    after = data.organizations.pageInfo.endCursor;
  }
  return bodies;
}

function scenarios(seed: SeedManifest, pages: string[]): Record<keyof typeof SCALE_SCENARIOS, Scenario> {
  const { sample } = seed;
  return {
    directory: { name: SCALE_SCENARIOS.directory, bodies: pages },
    search: { name: SCALE_SCENARIOS.search, bodies: sample.searchTerms.map((search) => body(SEARCH, { search, first: 20 })) },
    incidents: {
      name: SCALE_SCENARIOS.incidents,
      bodies: [
        body(INCIDENTS, { region: sample.incidentProvince, categories: ["BLACK_CAMPAIGN", "HOAX"], first: 20 }),
        body(INCIDENTS, { region: sample.bigRegency, categories: ["MONEY_POLITICS"], first: 20 }),
        body(INCIDENTS, { region: sample.bigRegency, first: 20 }),
      ],
    },
    story: { name: SCALE_SCENARIOS.story, bodies: [body(MANGGAR, { id: String(sample.storyEventId) })] },
    ...distinctScenarios(),
  };
}

export interface ScaleOptions {
  settings: LoadSettings;
  /** Directory pages to follow into the biggest regency. */
  pages: number;
  entitySizes: number[];
  entityRuns: number;
  /** Keep the seeded databases afterwards (for `seed:scale`-style inspection). */
  keep: boolean;
}

/**
 * Part 3: seeds one data set, then measures the four scale scenarios through the hub (subgraphs forked,
 * as `npm start` runs them), then `_entities` straight to each subgraph (in process, to count statements).
 */
export async function benchScale(config: HubConfig, scale: number, options: ScaleOptions, log: (line: string) => void): Promise<ScaleRun> {
  const seed = await seedScale(config, scale, log);
  log(`  loaded ${Object.values(seed.rows).reduce((a, b) => a + b, 0)} rows in ${seed.seconds.total} s (${seed.rowsPerSecond} rows/s)`);
  try {
    const run: ScaleRun = { backend: seed.backend, scale, seed, scenarios: {}, entities: [] };
    // The response cache off: these targets are about the data path (indexes, keyset cursors), and the load
    // repeats a few requests that the cache would otherwise answer without touching a database.
    const bench = await startBenchHub({ ...config, responseCacheSeconds: 0 });
    try {
      const pages = await directoryPages(bench, seed.sample.bigRegency, options.pages);
      for (const [key, scenario] of Object.entries(scenarios(seed, pages))) {
        const result = await measure(bench.url, bench.ourHeaders, scenario, options.settings);
        run.scenarios[key] = result;
        log(`  ${scenario.name}: ${result.requestsPerSecond} req/s, p50 ${result.latency.p50} ms, p95 ${result.latency.p95} ms, p99 ${result.latency.p99} ms${result.non2xx ? `, ${result.non2xx} non-2xx` : ""}`);
      }
    } finally {
      await bench.dispose();
    }
    // Statement counts need the subgraphs' database handles: a hub with its subgraphs in this process.
    run.entities = await benchEntitiesInProcess(config, nationalAgency(), options.entitySizes, options.entityRuns);
    const worst = run.entities.filter((entity) => entity.representations === Math.max(...options.entitySizes));
    log(`  _entities x${Math.max(...options.entitySizes)}: ${worst.map((entity) => `${entity.typename} ${entity.latencyMs.median} ms/${entity.statementsPerBatch} stmt`).join(", ")}`);
    return run;
  } finally {
    if (!options.keep) await dropScaleData(config);
  }
}
