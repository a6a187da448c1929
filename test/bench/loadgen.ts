import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { LoadResult, LoadSpec } from "./stats";

/**
 * Runs one load in a second process (load.js) and returns its measurements. The servers stay in this
 * process, so the load generator never competes with them for the same event loop.
 */
export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const script = path.join(__dirname, "load.js");
  const limit = (spec.durationSeconds + spec.warmupSeconds + 60) * 1000;
  // In a file: thousands of distinct bodies are far longer than one command-line argument may be.
  const specFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "kawal-load-")), "spec.json");
  fs.writeFileSync(specFile, JSON.stringify(spec));
  return new Promise<LoadResult>((resolve, reject) => {
    const done = () => fs.rmSync(path.dirname(specFile), { recursive: true, force: true });
    execFile(process.execPath, [script, specFile], { timeout: limit, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      done();
      if (error) return reject(new Error(`load generator failed: ${error.message}\n${stderr}`));
      try {
        resolve(JSON.parse(stdout.trim().split("\n").pop() ?? "") as LoadResult);
      } catch {
        reject(new Error(`load generator printed no result: ${stdout}\n${stderr}`));
      }
    });
  });
}

/** A GraphQL request body as JSON text. */
export function body(query: string, variables: Record<string, unknown> = {}): string {
  return JSON.stringify({ query, variables });
}
