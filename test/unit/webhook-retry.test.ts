import assert from "node:assert/strict";
import { test } from "node:test";
import { retryDelay } from "../../gateway/webhooks";

const schedule = { initialMs: 5000, maxMs: 3_600_000 };

test("a failed webhook delivery waits between half and all of a doubling delay (jitter), never past the longest", () => {
  for (const [attempt, ceiling] of [[1, 5000], [2, 10_000], [3, 20_000], [12, 3_600_000], [200, 3_600_000]]) {
    for (let draw = 0; draw < 50; draw++) {
      const delay = retryDelay(attempt, schedule);
      assert.ok(delay >= ceiling / 2 && delay <= ceiling, `attempt ${attempt}: ${delay} ms outside ${ceiling / 2}..${ceiling}`);
    }
  }
});
