import { parseArgs } from "node:util";
import { ConfigError, SUBGRAPH_NAMES, SubgraphName } from "../platform/config";

/** What `node dist/launcher/subgraph.js <name> [<name> ...] [--port N | --port <name>=N ...]` asks for. */
export interface SubgraphArguments {
  /** The subgraphs to run, in the order given. */
  names: SubgraphName[];
  /** `--port N` or `--port=N`: a whole number from 0 to 65535; undefined when not given. */
  port: number | undefined;
  /** `--port <name>=N`, once per subgraph it sets. */
  ports: Partial<Record<SubgraphName, number>>;
}

function portNumber(raw: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) > 65535) throw new ConfigError("--port", "must be a whole number from 0 to 65535, or <subgraph>=<number>", raw);
  return Number(raw);
}

/**
 * Reads the subgraph launcher's arguments: subgraph names (else SUBGRAPH from `env`), `--port N` (also
 * `--port=N`) or `--port <name>=N` once per subgraph. A ConfigError names the argument it refuses.
 */
export function parseSubgraphArguments(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): SubgraphArguments {
  // Not strict: an unknown option is refused below by its own name, and `--port` with its value missing or
  // taken from the next argument gets the port's message.
  const { positionals, tokens } = parseArgs({ args: [...argv], options: { port: { type: "string", multiple: true } }, allowPositionals: true, strict: false, tokens: true });
  const rawPorts: string[] = [];
  for (const token of tokens) {
    if (token.kind !== "option") continue;
    if (token.name !== "port") throw new ConfigError(token.rawName, "is not an option here: give subgraph names, and --port N or --port <subgraph>=N", token.rawName);
    rawPorts.push(token.value ?? "");
  }
  const names = positionals.length > 0 ? positionals : env.SUBGRAPH ? [env.SUBGRAPH] : [];
  if (names.length === 0) throw new ConfigError("SUBGRAPH", `must name a subgraph: one of ${SUBGRAPH_NAMES.join(", ")}`, "");
  for (const name of names) if (!SUBGRAPH_NAMES.includes(name as SubgraphName)) throw new ConfigError("SUBGRAPH", `must be one of ${SUBGRAPH_NAMES.join(", ")}`, name);
  if (new Set(names).size !== names.length) throw new ConfigError("SUBGRAPH", "must name each subgraph once", names.join(" "));
  const named = rawPorts.filter((raw) => raw.includes("="));
  const plain = rawPorts.filter((raw) => !raw.includes("="));
  if (plain.length > 1 || (plain.length > 0 && named.length > 0)) throw new ConfigError("--port", "must be given once as a number, or once per subgraph as <subgraph>=<number>", rawPorts.join(" "));
  const ports: Partial<Record<SubgraphName, number>> = {};
  for (const raw of named) {
    const [name, value] = raw.split("=", 2);
    if (!names.includes(name)) throw new ConfigError("--port", `must name a subgraph this process runs (${names.join(", ")})`, raw);
    if (ports[name as SubgraphName] !== undefined) throw new ConfigError("--port", "must set each subgraph's port once", raw);
    ports[name as SubgraphName] = portNumber(value);
  }
  const port = plain.length > 0 ? portNumber(plain[0]) : undefined;
  if (names.length > 1 && port !== undefined && port !== 0) throw new ConfigError("--port", "must be 0 (a free port for each) when several subgraphs share the process", plain[0]);
  return { names: names as SubgraphName[], port, ports };
}
