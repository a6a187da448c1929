/**
 * The resume cursor of a subscription: where it sits in the upstream operation and in an event, and how two
 * cursors compare.
 *
 * A client need not select the cursor field, and may write the resume argument as a literal or leave it out;
 * the engine still has to read the cursor of every event and set the argument when it re-subscribes. So the
 * primary fetch is rewritten once, at planning: the cursor field is selected under a private alias (response
 * shaping drops it again during hydration) and the resume argument is bound to a variable.
 */
import {
  ArgumentNode,
  DocumentNode,
  FieldNode,
  getNamedType,
  GraphQLSchema,
  isObjectType,
  Kind,
  OperationDefinitionNode,
  parse,
  parseType,
  print,
  valueFromASTUntyped,
  VariableDefinitionNode,
} from "graphql";
import type { FetchNode } from "@apollo/query-planner";
import type { UpstreamResult } from "./connector";

export interface CursorOptions<Scope = unknown> {
  /** Field of the subscription's root type holding the resume cursor. Default "sequence". */
  field: string;
  /** Argument of the subscription root field that resumes after a cursor. Default "after". */
  argument: string;
  /**
   * Orders two cursors (negative: a before b); events at or before the last cursor seen are dropped as a
   * replay overlap. Default `compareCursors`.
   */
  compare: (a: string, b: string) => number;
  /**
   * Reads the newest cursor from the subgraph owning the subscription, as the shared upstream's scope
   * (undefined when there is none or the read fails). An upstream opened without a cursor first reads it and
   * subscribes from there, so a drop before the first event, or an event between the read and the
   * subscribe, is replayed, not lost. Default: none (such an upstream starts live, and resumes only once it
   * has seen an event).
   */
  head?: (serviceName: string, scope: Scope) => Promise<string | undefined>;
}

/** The cursor options with their defaults filled in; undefined when resume is off (`cursor: false`). */
export function cursorOptions<Scope>(given: Partial<CursorOptions<Scope>> | false | undefined): CursorOptions<Scope> | undefined {
  if (given === false) return undefined;
  return { field: "sequence", argument: "after", compare: compareCursors, ...given };
}

/**
 * The contract calls a cursor opaque but strictly increasing; the subgraphs hand out digit strings, which
 * must order by number ("10" after "9") at any length. Other strings order by code unit.
 */
export function compareCursors(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    const x = a.replace(/^0+(?=\d)/, "");
    const y = b.replace(/^0+(?=\d)/, "");
    if (x.length !== y.length) return x.length - y.length;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The primary fetch as it goes upstream, rewritten to carry the cursor and take the resume argument. */
export interface UpstreamOperation {
  /** Subgraph name in the supergraph. */
  readonly serviceName: string;
  readonly query: string;
  readonly operationName?: string;
  /** The client's variables the query uses. */
  readonly variableUsages: readonly string[];
  /** Response key of the root field in an event. */
  readonly rootKey: string;
  /** Whether events carry the cursor (the root type has the cursor field). */
  readonly tracksCursor: boolean;
  /** The variable the resume argument is bound to, and the literal the client wrote in its place, if any. */
  readonly resume?: { readonly variable: string; readonly literal?: unknown };
}

/** Alias under which events carry the cursor, whatever the client selected. */
const CURSOR_ALIAS = "__kawalCursor";
/** Variable the resume argument is bound to when the client wrote a literal or nothing. */
const RESUME_VARIABLE = "__kawalAfter";

const name = (value: string) => ({ kind: Kind.NAME, value }) as const;
const variable = (value: string) => ({ kind: Kind.VARIABLE, name: name(value) }) as const;

/** Rewrites a plan's primary fetch for resume; without cursor options it goes upstream as planned. */
export function upstreamOperation(
  primary: FetchNode,
  apiSchema: GraphQLSchema,
  cursor: Pick<CursorOptions, "field" | "argument"> | undefined,
): UpstreamOperation {
  const planned = { serviceName: primary.serviceName, operationName: primary.operationName, variableUsages: primary.variableUsages ?? [] };
  const document = parse(primary.operation);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const root = operation?.selectionSet.selections.find((s): s is FieldNode => s.kind === Kind.FIELD);
  const rootKey = root ? (root.alias ?? root.name).value : "";
  const fieldDef = root ? apiSchema.getSubscriptionType()?.getFields()[root.name.value] : undefined;
  if (!operation || !root || !fieldDef || !cursor) return { ...planned, query: primary.operation, rootKey, tracksCursor: false };

  const returnType = getNamedType(fieldDef.type);
  const tracksCursor = isObjectType(returnType) && cursor.field in returnType.getFields() && !!root.selectionSet;
  let selectionSet = root.selectionSet;
  if (tracksCursor && selectionSet) {
    const cursorSelection: FieldNode = { kind: Kind.FIELD, alias: name(CURSOR_ALIAS), name: name(cursor.field) };
    selectionSet = { ...selectionSet, selections: [...selectionSet.selections, cursorSelection] };
  }
  const argDef = fieldDef.args.find((a) => a.name === cursor.argument);
  let args = root.arguments ?? [];
  let variableDefinitions = operation.variableDefinitions ?? [];
  let resume: UpstreamOperation["resume"];
  if (argDef) {
    const given = args.find((a) => a.name.value === cursor.argument);
    if (given && given.value.kind === Kind.VARIABLE) {
      resume = { variable: given.value.name.value };
    } else {
      resume = { variable: RESUME_VARIABLE, literal: given ? valueFromASTUntyped(given.value) : undefined };
      const bound: ArgumentNode = { kind: Kind.ARGUMENT, name: name(cursor.argument), value: variable(RESUME_VARIABLE) };
      args = given ? args.map((a) => (a === given ? bound : a)) : [...args, bound];
      const definition: VariableDefinitionNode = { kind: Kind.VARIABLE_DEFINITION, variable: variable(RESUME_VARIABLE), type: parseType(String(argDef.type)) };
      variableDefinitions = [...variableDefinitions, definition];
    }
  }
  const newRoot: FieldNode = { ...root, arguments: args, selectionSet };
  const newOperation: OperationDefinitionNode = {
    ...operation,
    variableDefinitions,
    selectionSet: { ...operation.selectionSet, selections: operation.selectionSet.selections.map((s) => (s === root ? newRoot : s)) },
  };
  const newDocument: DocumentNode = { ...document, definitions: document.definitions.map((d) => (d === operation ? newOperation : d)) };
  return { ...planned, query: print(newDocument), rootKey, tracksCursor, resume };
}

/** The cursor a subscription starts from: the client's resume variable, else the literal it wrote. */
export function initialCursor(operation: UpstreamOperation, variables: Record<string, unknown>): unknown {
  const resume = operation.resume;
  if (!resume) return undefined;
  return resume.variable in variables ? variables[resume.variable] : resume.literal;
}

/** The cursor an event carries, if the operation tracks one. */
export function cursorOf(operation: UpstreamOperation, event: UpstreamResult): string | undefined {
  if (!operation.tracksCursor) return undefined;
  const root = event.data?.[operation.rootKey];
  const value = root && typeof root === "object" ? (root as Record<string, unknown>)[CURSOR_ALIAS] : undefined;
  return typeof value === "string" || typeof value === "number" ? String(value) : undefined;
}
