import { createGraphiQLFetcher, Fetcher, FetcherOpts, FetcherParams } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import "graphiql/style.css";
import { buildClientSchema, buildSchema, DocumentNode, getIntrospectionQuery, getOperationAST, GraphQLSchema, IntrospectionQuery, parse } from "graphql";
import { Client, createClient } from "graphql-ws";
import { createRoot } from "react-dom/client";
import { EXAMPLE_TABS } from "./examples";

const HTTP_URL = new URL("/graphql", location.href).toString();
const WS_URL = HTTP_URL.replace(/^http/, "ws");

/** The Authorization header the person typed in the headers editor, if any. */
function authorizationOf(headers: Record<string, unknown> | undefined): string | undefined {
  const entry = Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === "authorization");
  return typeof entry?.[1] === "string" && entry[1] !== "" ? entry[1] : undefined;
}

/*
 * Subscriptions go over graphql-ws, whose token travels in connection_init rather than a header: a new
 * socket is opened whenever the Authorization header in the editor changes.
 */
let socket: { authorization: string | undefined; client: Client; fetcher: Fetcher } | undefined;

/**
 * What the toolkit's fetcher should see for the text actually sent: GraphiQL can still carry the operation name
 * and parsed document of the tab it came from. A name the document does not hold is dropped for the
 * document's own, and the document is parsed afresh, so a one-operation document runs as itself and a
 * subscription goes over the socket (the toolkit decides that from the document and the name).
 */
function ownRequest(params: FetcherParams, options: FetcherOpts | undefined): [FetcherParams, FetcherOpts] {
  let document: DocumentNode;
  try {
    document = parse(params.query);
  } catch {
    return [params, { ...options }]; // the hub names the syntax error
  }
  const named = params.operationName && getOperationAST(document, params.operationName) ? params.operationName : (getOperationAST(document)?.name?.value ?? params.operationName);
  return [{ ...params, operationName: named }, { ...options, documentAST: document }];
}

const fetcher: Fetcher = (params, options) => {
  const authorization = authorizationOf(options?.headers);
  if (!socket || socket.authorization !== authorization) {
    void socket?.client.dispose();
    const client = createClient({ url: WS_URL, lazy: true, connectionParams: authorization ? { authorization } : {} });
    socket = { authorization, client, fetcher: createGraphiQLFetcher({ url: HTTP_URL, wsClient: client }) };
  }
  return socket.fetcher(...ownRequest(params, options));
};

/** The schema by introspection, or, where the hub turns introspection off (production), the committed public schema. */
async function loadSchema(): Promise<GraphQLSchema> {
  try {
    const response = await fetch(HTTP_URL, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: getIntrospectionQuery() }) });
    const answer = (await response.json()) as { data?: IntrospectionQuery };
    if (answer.data?.__schema) return buildClientSchema(answer.data);
  } catch {
    // Fall through to the committed schema.
  }
  const sdl = await (await fetch("/schema/api.graphql")).text();
  return buildSchema(sdl);
}

async function main(): Promise<void> {
  const schema = await loadSchema();
  const root = document.getElementById("root");
  if (!root) return;
  createRoot(root).render(<GraphiQL fetcher={fetcher} schema={schema} defaultTabs={EXAMPLE_TABS} defaultHeaders={"{}"} defaultEditorToolsVisibility="headers" />);
}

void main();
