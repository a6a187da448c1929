import type { BenchResults, ScaleRun } from "./results";

/** A target of issue 5 and whether this run met it. */
export interface TargetCheck {
  target: string;
  measured: string;
  status: "met" | "missed" | "not measured";
}

const status = (ok: boolean | null): TargetCheck["status"] => (ok === null ? "not measured" : ok ? "met" : "missed");

function run(results: BenchResults, backend: string, scale: number): ScaleRun | undefined {
  return results.scale.find((entry) => entry.backend === backend && entry.scale === scale);
}

/** Checks every target of the issue against the results. */
export function checkTargets(results: BenchResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const comparisons = results.gateway?.comparisons ?? [];
  checks.push({
    target: "our gateway >= plain @apollo/gateway on all three operations (throughput ratio >= 1.0)",
    measured: comparisons.map((c) => `${c.operation.split(" (")[0]}: ${c.throughputRatio}x (cache off: ${c.uncachedRatio}x)`).join("; ") || "-",
    status: status(comparisons.length ? comparisons.every((c) => c.throughputRatio >= 1) : null),
  });
  const story = comparisons.find((c) => c.operation.startsWith("Manggar"));
  checks.push({
    target: "Manggar story: ours >= 1.5x plain",
    measured: story
      ? `${story.throughputRatio}x (${story.ours.requestsPerSecond} vs ${story.plain.requestsPerSecond} req/s); cache off: ${story.uncachedRatio}x (${story.oursUncached.requestsPerSecond} req/s)`
      : "-",
    status: status(story ? story.throughputRatio >= 1.5 : null),
  });
  const full = run(results, "mysql", 1);
  const small = run(results, "mysql", 0.01);
  // Each list is measured twice: with its requests repeated (as the screens of many users repeat them), and
  // with every request different, so nothing remembered answers it. The p95 target is met when both meet
  // it. Growth is checked for each apart: the repeated lists ask for full pages at every size, as the issue
  // does, while at 1% most different requests find nothing (an empty answer reaches no other subgraph), so
  // that row compares empty answers at 1% with full ones at 100% and is stricter than the issue.
  for (const key of ["directory", "search", "incidents"] as const) {
    const variants = [
      { label: "repeated", key },
      { label: "every request different", key: `${key}Distinct` },
    ];
    const p95 = (entry: ScaleRun | undefined, variant: string) => entry?.scenarios[variant]?.latency.p95;
    const measured = variants.filter((variant) => p95(full, variant.key) !== undefined);
    checks.push({
      target: `100% national size on MySQL: ${key} p95 < 50 ms at concurrency ${results.settings.connections}`,
      measured: measured.map((variant) => `${variant.label}: p95 ${p95(full, variant.key)} ms`).join("; ") || "-",
      status: status(measured.length ? measured.every((variant) => p95(full, variant.key)! < 50) : null),
    });
    for (const variant of variants) {
      const [at100, at1] = [p95(full, variant.key), p95(small, variant.key)];
      const growth = at100 !== undefined && at1 !== undefined ? at100 / at1 : undefined;
      checks.push({
        target: `${key}, ${variant.label}: p95 at 100% within 1.5x of p95 at 1% (MySQL)${variant.key === key ? "" : " (stricter than the issue: at 1% most answers are empty)"}`,
        measured: growth === undefined ? "-" : `${at100} / ${at1} ms = ${growth.toFixed(2)}x`,
        status: status(growth === undefined ? null : growth <= 1.5),
      });
    }
  }
  const entityRuns = results.scale.filter((entry) => entry.entities.some((entity) => entity.representations === 1000));
  const largest = entityRuns.sort((a, b) => b.scale - a.scale || a.backend.localeCompare(b.backend));
  for (const entry of largest.filter((e) => e.scale === largest[0]?.scale)) {
    const thousand = entry.entities.filter((entity) => entity.representations === 1000);
    const slowest = Math.max(...thousand.map((entity) => entity.latencyMs.median));
    const statements = Math.max(...thousand.map((entity) => entity.statementsPerBatch));
    checks.push({
      target: `_entities with 1,000 representations: 1 SQL statement, < 30 ms (${entry.backend}, ${entry.scale * 100}% data)`,
      measured: `${statements} statement(s) per batch; slowest type median ${slowest} ms`,
      status: status(statements === 1 && slowest < 30),
    });
  }
  if (largest.length === 0) checks.push({ target: "_entities with 1,000 representations: 1 SQL statement, < 30 ms", measured: "-", status: "not measured" });
  for (const page of results.web ?? []) {
    checks.push({
      target: `${page.page}: first load < ${page.budgetMs} ms on loopback, JavaScript < ${page.budgetGzipKB} KB gzipped (issue 16)`,
      measured: `${page.firstLoadMs.p50} ms (max ${page.firstLoadMs.max}); ${page.javascript.gzipKB} KB gzipped`,
      status: status(page.firstLoadMs.max < page.budgetMs && page.javascript.gzipKB < page.budgetGzipKB),
    });
  }
  return checks;
}
