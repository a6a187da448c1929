import { ChildProcess, spawn, spawnSync } from "node:child_process";
import net from "node:net";
import { sparePort } from "./ports";

/**
 * A Redis of the test's own, so a test can kill the broker without touching the Redis other tests and
 * engineers share on 6379: `redis-server` on a spare port, nothing saved to disk.
 */
export interface PrivateRedis {
  /** redis://127.0.0.1:<port> */
  url: string;
  port: number;
  /** Kills the server (SIGKILL: no goodbye to its clients, as when the broker's host dies) and waits for its exit. */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops it for good. */
  dispose(): Promise<void>;
}

/** A skip reason when no `redis-server` binary is installed (never on CI, where it is required), else false. */
export function skipWithoutRedisServer(): string | false {
  if (spawnSync("redis-server", ["--version"]).status === 0) return false;
  if (process.env.CI) throw new Error("CI needs the redis-server binary for the broker outage tests");
  return "no redis-server binary installed";
}

async function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.end();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Starts a private redis-server on a spare port. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await sparePort();
  let child: ChildProcess | undefined;

  async function start(): Promise<void> {
    const started = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
    child = started;
    const deadline = Date.now() + 5000;
    while (!(await acceptsConnections(port))) {
      if (started.exitCode !== null) throw new Error(`redis-server on port ${port} exited with ${started.exitCode}`);
      if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not start within 5 s`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async function kill(): Promise<void> {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    running.kill("SIGKILL");
    await exited;
  }

  await start();
  return { url: `redis://127.0.0.1:${port}`, port, kill, start, dispose: kill };
}
