import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createFrameCache } from "../../gateway/subscriptions/policies/frames";

describe("subscription policy: frames encoded once", () => {
  const prefix = (id: string) => `{"id":${JSON.stringify(id)},"type":"next","payload":`;

  test("a frame is prefix, payload and suffix, as bytes", () => {
    const frames = createFrameCache("}");
    assert.equal(frames.frame(prefix("1"), '{"data":{"n":1}}').toString(), '{"id":"1","type":"next","payload":{"data":{"n":1}}}');
  });

  test("the same payload under the same prefix is the very same buffer; another prefix gets its own", () => {
    const frames = createFrameCache("}");
    const payload = '{"data":{"n":1}}';
    const first = frames.frame(prefix("1"), payload);
    assert.equal(frames.frame(prefix("1"), payload), first);
    const other = frames.frame(prefix("2"), payload);
    assert.notEqual(other, first);
    assert.equal(frames.frame(prefix("1"), payload), first, "both stay cached while the payload is the current one");
  });

  test("the next payload replaces the cached frames", () => {
    const frames = createFrameCache("\n\n");
    const first = frames.frame("data: ", "1");
    const second = frames.frame("data: ", "2");
    assert.equal(second.toString(), "data: 2\n\n");
    assert.notEqual(frames.frame("data: ", "1"), first, "an earlier payload is encoded anew");
  });
});
