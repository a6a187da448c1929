import { performance } from "node:perf_hooks";
import sharp from "sharp";
import { loadDemoStory } from "../support/demo";
import { uploadEvidence } from "../support/evidence";
import { dropTestData, ormasOf, testConfig, testHubOn } from "../support/hub";
import { percentile, round } from "./stats";

/*
 * Evidence uploads (issue 18): a photo of about 5 MB sent through the gateway's POST /evidence, streamed to the
 * incidents subgraph, hashed, re-encoded without metadata and stored under the data folder (SQLite), by 4 uploaders
 * at once; latency is from the first byte sent to the answer with the stored file's hash.
 */

export interface EvidenceRun {
  /** Bytes of the photo as uploaded. */
  imageBytes: number;
  /** Bytes of the photo as stored (re-encoded without metadata). */
  storedBytes: number;
  uploads: number;
  concurrency: number;
  latencyMs: { p50: number; p99: number; max: number };
  uploadsPerSecond: number;
}

/** A camera-sized noisy photo (noise keeps JPEG from compressing it much): about 5 MB. */
async function fiveMegabytePhoto(): Promise<Buffer> {
  return sharp({ create: { width: 2800, height: 2100, channels: 3, background: "#808080", noise: { type: "gaussian", mean: 128, sigma: 40 } } })
    .jpeg({ quality: 95 })
    .withExif({ IFD0: { Make: "Samsang", Model: "Galaksi A99" } })
    .toBuffer();
}

export async function benchEvidence(quick: boolean, log: (line: string) => void): Promise<EvidenceRun> {
  const config = testConfig("sqlite");
  const hub = await testHubOn(config);
  try {
    const ids = await loadDemoStory(hub);
    const token = await hub.token(ormasOf(ids.org.pemuda));
    const photo = await fiveMegabytePhoto();
    const uploads = quick ? 8 : 40;
    const concurrency = 4;
    const first = await uploadEvidence(hub.url, token, photo); // warm-up: sharp's and file-type's first load
    if (first.status !== 201) throw new Error(`evidence upload failed: ${first.status} ${JSON.stringify(first.body)}`);
    const latencies: number[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < uploads) {
          next += 1;
          const sent = performance.now();
          const answer = await uploadEvidence(hub.url, token, photo);
          if (answer.status !== 201) throw new Error(`evidence upload failed: ${answer.status} ${JSON.stringify(answer.body)}`);
          latencies.push(performance.now() - sent);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const sorted = latencies.sort((a, b) => a - b);
    const run: EvidenceRun = {
      imageBytes: photo.length,
      storedBytes: first.body.size ?? 0,
      uploads,
      concurrency,
      latencyMs: { p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)), max: round(sorted[sorted.length - 1]) },
      uploadsPerSecond: round(uploads / seconds),
    };
    log(`  ${uploads} uploads of ${(photo.length / 1e6).toFixed(1)} MB, ${concurrency} at once: p50 ${run.latencyMs.p50} ms, p99 ${run.latencyMs.p99} ms, ${run.uploadsPerSecond}/s`);
    return run;
  } finally {
    await hub.dispose();
    await dropTestData(config);
  }
}
