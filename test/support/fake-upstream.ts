import { executeSync, FieldNode, GraphQLSchema, Kind, OperationDefinitionNode, parse, valueFromASTUntyped } from "graphql";
import { UpstreamConnector, UpstreamError, UpstreamRequest, UpstreamResult, UpstreamSink } from "../../gateway/subscriptions/engine";

/**
 * The subgraph end of the subscription engine, without a network: records every upstream subscription the
 * engine opens, and answers each from a graphql-js schema, so an event has exactly the shape the engine's
 * rewritten query asks for (its private cursor alias included) without the test knowing that shape.
 */
export class FakeUpstream<Scope = unknown> implements UpstreamConnector<Scope> {
  /** Every subscription the engine opened, in order, stopped ones included. */
  readonly subscriptions: FakeSubscription<Scope>[] = [];

  constructor(private readonly schema: GraphQLSchema) {}

  subscribe(request: UpstreamRequest<Scope>, sink: UpstreamSink): () => void {
    const subscription = new FakeSubscription(request, sink, this.schema);
    this.subscriptions.push(subscription);
    return () => subscription.stop();
  }

  /** The subscriptions the engine has not stopped. */
  open(): FakeSubscription<Scope>[] {
    return this.subscriptions.filter((subscription) => !subscription.stopped);
  }

  /** The `count`-th subscription (from 1), once the engine has opened it. */
  async opened(count: number): Promise<FakeSubscription<Scope>> {
    await eventually(() => this.subscriptions.length >= count, `the engine did not open upstream subscription #${count}`);
    return this.subscriptions[count - 1];
  }
}

export class FakeSubscription<Scope> {
  stopped = false;
  private readonly root: FieldNode;

  constructor(
    readonly request: UpstreamRequest<Scope>,
    private readonly sink: UpstreamSink,
    private readonly schema: GraphQLSchema,
  ) {
    const operation = parse(request.query).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    const root = operation?.selectionSet.selections.find((s): s is FieldNode => s.kind === Kind.FIELD);
    if (!root) throw new Error(`no root field in ${request.query}`);
    this.root = root;
  }

  /** The value the engine gave the root field's argument `name`, whether as a variable or a literal. */
  argument(name: string): unknown {
    const value = this.root.arguments?.find((argument) => argument.name.value === name)?.value;
    if (!value) return undefined;
    return value.kind === Kind.VARIABLE ? this.request.variables[value.name.value] : valueFromASTUntyped(value);
  }

  /** One event: the subscription's query answered with `rootValue`, as the subgraph would send it. */
  emit(rootValue: Record<string, unknown>): void {
    if (this.stopped) throw new Error("the engine stopped this subscription");
    const result = executeSync({ schema: this.schema, document: parse(this.request.query), rootValue, variableValues: this.request.variables });
    this.sink.next(JSON.parse(JSON.stringify(result)) as UpstreamResult);
  }

  /** The link drops, as when the subgraph restarts. */
  drop(): void {
    this.sink.error(new UpstreamError("the subscription socket closed (1006)", true));
  }

  stop(): void {
    this.stopped = true;
  }
}

/** Waits, a turn of the event loop at a time, until `condition` holds; fails after a second. */
export async function eventually(condition: () => boolean, failure: string): Promise<void> {
  const deadline = Date.now() + 1000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(failure);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
