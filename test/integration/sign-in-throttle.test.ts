import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { openStorage, Storage } from "../../subgraphs/kit/storage";
import { identity } from "../../subgraphs/identity";
import { DEFAULT_THROTTLE, SignInThrottle } from "../../subgraphs/identity/throttle";
import { backends, dropTestData, testConfig } from "../support/hub";

/*
 * Sign-in failures are counted in the identity database, so two replicas behind one load balancer slow down a
 * guesser as one would: the counts one replica keeps, the other reads, and failures counted by both at the same
 * moment are all kept.
 */

describe("the sign-in throttle shared by the replicas of the identity subgraph", async () => {
  for (const backend of await backends()) {
    describe(`on ${backend}`, () => {
      const config = testConfig(backend);
      let first: Storage;
      let second: Storage;
      let replicaA: SignInThrottle;
      let replicaB: SignInThrottle;
      const failOn = (throttle: SignInThrottle, storage: Storage, login: string, address: string) => storage.write((manager) => throttle.failed(manager, login, address));

      before(async () => {
        const options = { name: identity.name, entities: identity.entities, migrations: identity.migrations };
        first = await openStorage(options, config);
        // Replicas share a MySQL database; the embedded SQLite default has one identity process, one writer.
        second = backend === "mysql" ? await openStorage(options, config) : first;
        replicaA = new SignInThrottle(first);
        replicaB = new SignInThrottle(second);
      });
      after(async () => {
        await first.close();
        if (second !== first) await second.close();
        await dropTestData(config);
      });

      test("three failures are free; the fourth, counted on another replica, slows the login name from any address", async () => {
        for (let i = 0; i < 3; i++) await failOn(replicaA, first, "+6281234567890", "10.0.0.1");
        assert.equal(await replicaB.delayFor("+6281234567890", "10.0.0.2"), 0);
        await failOn(replicaB, second, "+6281234567890", "10.0.0.1");
        assert.equal(await replicaA.delayFor("+6281234567890", "10.0.0.2"), 1000);
        assert.equal(await replicaA.delayFor("someone.else@beltim.id", "10.0.0.2"), 0, "other login names are not slowed");
        await replicaB.succeeded("+6281234567890");
        assert.equal(await replicaA.delayFor("+6281234567890", "10.0.0.2"), 0, "a success on any replica clears the login name's count");
      });

      test("one address guessing many login names is slowed after 20, wherever it guessed", async () => {
        for (let i = 0; i < 21; i++) await failOn(i % 2 ? replicaA : replicaB, i % 2 ? first : second, `guess${i}@beltim.id`, "10.0.0.9");
        assert.equal(await replicaA.delayFor("fresh@beltim.id", "10.0.0.9"), 1000);
        assert.equal(await replicaB.delayFor("fresh@beltim.id", "10.0.0.8"), 0);
      });

      test("failures counted on both replicas at the same moment are all kept", async () => {
        // No ceiling in reach, so the delay tells the exact count: 3 free, then 1 s doubling.
        const options = { ...DEFAULT_THROTTLE, perLogin: { free: 3, firstDelayMs: 1000, maxDelayMs: 1e9 } };
        const [onA, onB] = [new SignInThrottle(first, options), new SignInThrottle(second, options)];
        await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? failOn(onA, first, "siti@beltim.id", `10.1.0.${i}`) : failOn(onB, second, "siti@beltim.id", `10.1.0.${i}`))));
        assert.equal(await onA.delayFor("siti@beltim.id", undefined), 1000 * 2 ** 6, "ten failures counted");
      });

      test("a count is forgotten once no failure came for the forget period, and a new failure starts it again", async () => {
        const brief = new SignInThrottle(first, { ...DEFAULT_THROTTLE, forgetMs: 200 });
        for (let i = 0; i < 5; i++) await first.write((manager) => brief.failed(manager, "rina@beltim.id", undefined));
        assert.equal(await brief.delayFor("rina@beltim.id", undefined), 2000);
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.equal(await brief.delayFor("rina@beltim.id", undefined), 0, "forgotten");
        await first.write((manager) => brief.failed(manager, "rina@beltim.id", undefined));
        assert.equal(await brief.delayFor("rina@beltim.id", undefined), 0, "one new failure, not six");
      });
    });
  }
});
