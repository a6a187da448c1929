/**
 * Requests the hub sends to addresses its users chose (webhook receivers), guarded against server-side
 * request forgery: in production only https, and only to public unicast addresses, checked after DNS
 * resolution and pinned for the connection (the socket connects to the very address that was checked, so a
 * second, different DNS answer cannot slip in). No redirect is followed: a 3xx is an answer like any other.
 * In development plain http is allowed, to loopback only (a receiver on the developer's machine).
 */
import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import ipaddr from "ipaddr.js";
import { Message, message, render } from "./i18n";

export interface OutboundPolicy {
  /** Production rules: https only, public addresses only. */
  production: boolean;
}

/** A URL or address the policy refuses; the message says which rule. */
export class OutboundRefused extends Error {
  /** The rule broken, said in any language (the message is its English). */
  constructor(readonly rule: Message) {
    super(render(rule));
    this.name = "OutboundRefused";
  }
}

/** Whether an IP address is public unicast (not private, loopback, link-local, multicast, reserved...). */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() === "unicast";
}

function isLoopback(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() === "loopback";
}

/** Refuses an address the policy forbids for this protocol. */
function checkAddress(address: string, protocol: string, policy: OutboundPolicy): void {
  if (policy.production && !isPublicAddress(address)) {
    throw new OutboundRefused(message("outbound.privateAddress", { address }));
  }
  if (protocol === "http:" && !isLoopback(address)) {
    throw new OutboundRefused(message("outbound.plainHttp", { address }));
  }
}

/** The scheme rules of a receiver URL, before any DNS lookup; the message says which rule. */
export function checkUrlShape(raw: string, policy: OutboundPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundRefused(message("outbound.absoluteUrl"));
  }
  if (url.username || url.password) throw new OutboundRefused(message("outbound.noCredentials"));
  if (policy.production ? url.protocol !== "https:" : !["https:", "http:"].includes(url.protocol)) {
    throw new OutboundRefused(message(policy.production ? "outbound.https" : "outbound.httpsOrLoopback"));
  }
  return url;
}

const lookupAll = (hostname: string) => dns.promises.lookup(hostname, { all: true, verbatim: true });

/** Every address the URL's host resolves to, each checked: a URL whose host resolves to a forbidden address is refused. */
export async function checkUrl(raw: string, policy: OutboundPolicy): Promise<URL> {
  const url = checkUrlShape(raw, policy);
  let addresses: dns.LookupAddress[];
  try {
    addresses = await lookupAll(hostOf(url));
  } catch {
    throw new OutboundRefused(message("outbound.unresolved", { host: url.hostname }));
  }
  for (const { address } of addresses) checkAddress(address, url.protocol, policy);
  return url;
}

/** The host as DNS and net want it: IPv6 literals without their brackets. */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, "$1");
}

/** A lookup for http.request that resolves, checks every address, and connects to the first: the check is the connection's. */
function pinnedLookup(protocol: string, policy: OutboundPolicy): LookupFunction {
  return (hostname, options, callback) => {
    lookupAll(hostname).then(
      (addresses) => {
        try {
          for (const { address } of addresses) checkAddress(address, protocol, policy);
        } catch (error) {
          return callback(error as Error, "", 4);
        }
        const first = addresses[0];
        if (!first) return callback(new Error(`its host ${hostname} does not resolve`), "", 4);
        // Node asks for all addresses when it races connections (autoSelectFamily); answer in the form asked.
        if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, [first]);
        else callback(null, first.address, first.family);
      },
      (error: Error) => callback(error, "", 4),
    );
  };
}

export interface PostOptions {
  policy: OutboundPolicy;
  /** Headers beside content-type. */
  headers: Record<string, string>;
  /** Longest wait for the connection (DNS, TCP, TLS). Default 5,000 ms. */
  connectTimeoutMs?: number;
  /** Longest wait for the whole exchange, response body included. Default 10,000 ms. */
  totalTimeoutMs?: number;
  /** Most bytes of the response body read (the rest is dropped, the connection closed). Default 4,096. */
  maxResponseBytes?: number;
  /** Cuts the request (the sender stops). Default none. */
  signal?: AbortSignal;
}

export interface PostResult {
  status: number;
  /** The start of the response body (at most maxResponseBytes), for the delivery log. */
  body: string;
}

/**
 * POSTs a JSON body under the outbound policy. Rejects with OutboundRefused when the policy forbids the
 * URL or its addresses, and with an Error naming the timeout or network failure otherwise.
 */
export async function postJson(raw: string, body: string, options: PostOptions): Promise<PostResult> {
  const url = checkUrlShape(raw, options.policy);
  const connectTimeoutMs = options.connectTimeoutMs ?? 5000;
  const totalTimeoutMs = options.totalTimeoutMs ?? 10_000;
  const maxBytes = options.maxResponseBytes ?? 4096;
  const transport = url.protocol === "https:" ? https : http;
  // An address literal is connected to without a lookup, so it is checked here.
  if (ipaddr.isValid(hostOf(url))) checkAddress(hostOf(url), url.protocol, options.policy);
  return new Promise<PostResult>((resolve, reject) => {
    const request = transport.request(url, {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)), ...options.headers },
      lookup: pinnedLookup(url.protocol, options.policy),
      agent: false, // a fresh connection each time: a pooled socket would skip the lookup, and so the check
      signal: options.signal,
    });
    const total = setTimeout(() => request.destroy(new Error(`no complete answer within ${totalTimeoutMs} ms`)), totalTimeoutMs);
    const connect = setTimeout(() => request.destroy(new Error(`no connection within ${connectTimeoutMs} ms`)), connectTimeoutMs);
    request.on("socket", (socket) => {
      const connected = () => clearTimeout(connect);
      socket.once(url.protocol === "https:" ? "secureConnect" : "connect", connected);
    });
    request.on("error", (error) => {
      clearTimeout(total);
      clearTimeout(connect);
      reject(error);
    });
    request.on("response", (response) => {
      clearTimeout(connect);
      const chunks: Buffer[] = [];
      let read = 0;
      const finish = () => {
        clearTimeout(total);
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") });
      };
      response.on("data", (chunk: Buffer) => {
        if (read >= maxBytes) return;
        chunks.push(chunk.subarray(0, maxBytes - read));
        read += chunk.length;
        // Enough read: the status is what counts, the rest of a large answer is not waited for.
        if (read >= maxBytes) {
          finish();
          response.destroy();
        }
      });
      response.on("end", finish);
      response.on("error", (error) => {
        clearTimeout(total);
        reject(error);
      });
    });
    request.end(body);
  });
}
