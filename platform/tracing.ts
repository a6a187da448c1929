import { Attributes, context, propagation, Span, SpanStatusCode, trace } from "@opentelemetry/api";
import type { SpanProcessor } from "@opentelemetry/sdk-trace-base";

/*
 * OpenTelemetry traces. Off unless OTEL_EXPORTER_OTLP_ENDPOINT is set: then the SDK is loaded (not before, so
 * a hub without tracing never loads it) and spans go out over OTLP/HTTP. The helpers below check one flag
 * first, so when tracing is off they cost a branch. @apollo/gateway makes its own spans (gateway.request,
 * gateway.plan, gateway.fetch, ...) through the same global tracer provider.
 */

let on = false;
const tracer = trace.getTracer("kawal-damai");

/** Whether this process records spans. */
export function tracing(): boolean {
  return on;
}

/**
 * Starts tracing for `service` (service.name): with `processor` (tests: an in-memory exporter), else with
 * OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT (the standard OTEL_EXPORTER_OTLP_* variables apply), else not at all.
 * Returns the function that flushes and stops it.
 */
export function startTracing(service: string, processor?: SpanProcessor, env: NodeJS.ProcessEnv = process.env): () => Promise<void> {
  if (on || (!processor && !env.OTEL_EXPORTER_OTLP_ENDPOINT)) return async () => {};
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when tracing is on */
  const sdk = require("@opentelemetry/sdk-node") as typeof import("@opentelemetry/sdk-node");
  const spanProcessor =
    processor ??
    new sdk.tracing.BatchSpanProcessor(
      new (require("@opentelemetry/exporter-trace-otlp-http") as typeof import("@opentelemetry/exporter-trace-otlp-http")).OTLPTraceExporter(),
    );
  const provider = new sdk.node.NodeTracerProvider({
    resource: sdk.resources.resourceFromAttributes({ "service.name": env.OTEL_SERVICE_NAME || service }),
    spanProcessors: [spanProcessor],
  });
  // AsyncLocalStorage context and the W3C trace-context propagator (traceparent, tracestate).
  provider.register();
  on = true;
  return async () => {
    on = false;
    await provider.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  };
}

/** Marks `span` as failed with `error`, and hands the error back to be thrown on. */
function failed(span: Span, error: unknown): unknown {
  span.recordException(error as Error);
  span.setStatus({ code: SpanStatusCode.ERROR });
  return error;
}

/** Runs `fn` inside a span named `name`, ending it when `fn` settles (errors recorded). */
export function withSpan<T>(name: string, attributes: Attributes, fn: () => Promise<T>): Promise<T> {
  if (!on) return fn();
  return tracer.startActiveSpan(name, { attributes }, async (span: Span) => {
    try {
      return await fn();
    } catch (error) {
      throw failed(span, error);
    } finally {
      span.end();
    }
  });
}

/** Records a span that already happened: it ended now, after `ms` milliseconds (SQL statements). */
export function recordSpan(name: string, ms: number, attributes: Attributes, failed = false): void {
  if (!on) return;
  const end = Date.now();
  const span = tracer.startSpan(name, { attributes, startTime: end - ms });
  if (failed) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end(end);
}

/** Runs `fn` in the trace context carried by incoming `headers` (traceparent), so its spans join that trace. */
export function withIncomingContext<T>(headers: Record<string, string | string[] | undefined>, fn: () => T): T {
  if (!on) return fn();
  return context.with(propagation.extract(context.active(), headers), fn);
}

/** Adds the current trace context (traceparent, tracestate) to outgoing headers. */
export function injectContext(set: (name: string, value: string) => void): void {
  if (!on) return;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  for (const [name, value] of Object.entries(carrier)) set(name, value);
}

/** Starts a span under the current one without making it current; call the returned function to end it. */
export function openSpan(name: string, attributes: Attributes): (error?: unknown) => void {
  if (!on) return () => {};
  const span = tracer.startSpan(name, { attributes });
  return (error) => {
    if (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  };
}

/** Runs synchronous `fn` inside a span named `name` (errors recorded). */
export function inSpan<T>(name: string, attributes: Attributes, fn: () => T): T {
  if (!on) return fn();
  return tracer.startActiveSpan(name, { attributes }, (span: Span) => {
    try {
      return fn();
    } catch (error) {
      throw failed(span, error);
    } finally {
      span.end();
    }
  });
}

/** The current trace context as headers (traceparent, tracestate): none when tracing is off. */
export function traceHeaders(): Record<string, string> {
  const carrier: Record<string, string> = {};
  injectContext((name, value) => (carrier[name] = value));
  return carrier;
}
