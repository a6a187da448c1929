/*
 * The load generator, run as its own process (`node dist/test/bench/load.js <spec.json>`) so the load does
 * not share an event loop with the servers it measures. It drives autocannon at a fixed concurrency,
 * records every response time itself (autocannon's histogram has no p95), and prints one JSON line.
 */
import fs from "node:fs";
import autocannon from "autocannon";
import { LoadResult, LoadSpec, summarize } from "./stats";

/** The next request of a distinct or many-caller load, shared by every connection, warm-up included. */
let next = 0;

type AutocannonRequest = NonNullable<Parameters<typeof autocannon>[0]["requests"]>[number];

/** The n-th request of a distinct or many-caller load. */
function nextRequest(spec: LoadSpec, request: AutocannonRequest, n: number): AutocannonRequest {
  const body = spec.bodies[((spec.firstBody ?? 0) + n) % spec.bodies.length];
  const callerHeaders = spec.headerSets?.[n % spec.headerSets.length];
  return { ...request, body, ...(callerHeaders ? { headers: { ...request.headers, ...callerHeaders } } : {}) };
}

function once(spec: LoadSpec, seconds: number, record: (ms: number) => void): Promise<{ non2xx: number; errors: number; timeouts: number; duration: number }> {
  const headers = { "content-type": "application/json", ...spec.headers };
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        duration: seconds,
        timeout: 30,
        // Each connection cycles through the bodies in order (deep pages, several search terms, ...), or, for
        // a distinct or many-caller load, every request takes the next body (and caller) of all.
        requests:
          spec.distinct || spec.headerSets
            ? [{ method: "POST", headers, setupRequest: (request) => nextRequest(spec, request, next++) }]
            : spec.bodies.map((body) => ({ method: "POST", headers, body })),
      },
      (error, result) => (error ? reject(error) : resolve({ non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts, duration: result.duration })),
    );
    instance.on("response", (_client: unknown, _status: number, _bytes: number, ms: number) => record(ms));
  });
}

async function main(): Promise<void> {
  const spec = JSON.parse(fs.readFileSync(process.argv[2], "utf8")) as LoadSpec;
  // Warm-up: JIT, query-plan caches and pooled sockets settle before anything is recorded.
  if (spec.warmupSeconds > 0) await once(spec, spec.warmupSeconds, () => {});
  const latencies: number[] = [];
  const run = await once(spec, spec.durationSeconds, (ms) => latencies.push(ms));
  const result: LoadResult = { ...summarize(latencies, run.duration), non2xx: run.non2xx, errors: run.errors, timeouts: run.timeouts };
  process.stdout.write(JSON.stringify(result) + "\n");
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
