import net from "node:net";

/**
 * A TCP proxy in front of a subgraph (or the gateway) that can lose one reply: armed, it lets the next request through and
 * cuts both connections as soon as the answer starts to come back, so the subgraph has done the work and the
 * caller never hears of it (a crash or a network cut between COMMIT and response).
 */
export interface CutProxy {
  /** The subgraph's GraphQL URL, through the proxy. */
  url: string;
  /** Loses the next reply that comes back. */
  cutNextReply(): void;
  /** Replies lost so far. */
  readonly cuts: number;
  /** Cuts every connection open now, as a dropped network would; later ones go through. */
  cutAll(): void;
  /** Down: every open connection is cut and new ones are closed at once (a network that is gone) until set up again. */
  setDown(down: boolean): void;
  dispose(): Promise<void>;
}

export async function startCutProxy(targetUrl: string): Promise<CutProxy> {
  const target = new URL(targetUrl);
  let armed = false;
  let cuts = 0;
  let down = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (down) return void client.destroy();
    const upstream = net.connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => undefined);
    }
    client.on("data", (chunk) => upstream.write(chunk));
    upstream.on("data", (chunk) => {
      if (armed) {
        armed = false;
        cuts++;
        client.destroy();
        upstream.destroy();
        return;
      }
      client.write(chunk);
    });
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${target.pathname}`,
    cutNextReply: () => void (armed = true),
    cutAll: () => sockets.forEach((socket) => socket.destroy()),
    setDown(value) {
      down = value;
      if (down) sockets.forEach((socket) => socket.destroy());
    },
    get cuts() {
      return cuts;
    },
    async dispose() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
