import pino, { DestinationStream, Logger } from "pino";
import pretty from "pino-pretty";

export type { Logger };

/**
 * LOG_LEVEL: fatal, error, warn, info, debug, trace or silent. Default info; warn under `node --test`
 * (NODE_TEST_CONTEXT), where a line per request would bury the test report.
 */
function levelFromEnv(env: NodeJS.ProcessEnv): string {
  const level = env.LOG_LEVEL?.trim();
  if (level && (level === "silent" || level in pino.levels.values)) return level;
  return env.NODE_TEST_CONTEXT ? "warn" : "info";
}

/** JSON lines on stdout in production (NODE_ENV=production); coloured, readable lines otherwise. */
function defaultDestination(env: NodeJS.ProcessEnv): DestinationStream {
  if (env.NODE_ENV === "production") {
    const stdout = pino.destination({ dest: 1, sync: false });
    // Lines still buffered when the process exits (process.exit after a fatal error) are written first.
    process.once("exit", () => {
      try {
        stdout.flushSync();
      } catch {
        // Nothing written yet, or stdout already closed: nothing to save.
      }
    });
    return stdout;
  }
  return pretty({ sync: true, singleLine: true, translateTime: "HH:MM:ss.l", ignore: "pid,hostname,component", messageFormat: "{component}: {msg}" });
}

let destination: DestinationStream | undefined;

/** Every line goes through here, so a test can capture the lines of loggers created before it started. */
const forwarding: DestinationStream = {
  write(line: string) {
    (destination ??= defaultDestination(process.env)).write(line);
  },
};

/** The process's root logger; components take a child (`logger("gateway")`). */
const root: Logger = pino(
  {
    level: levelFromEnv(process.env),
    base: { pid: process.pid },
    // No `redact`: it would cost several times a line's own formatting on every request. Callers log chosen
    // fields, never request bodies, headers or tokens (the request log's fields are fixed in request-log.ts).
  },
  forwarding,
);

/** A logger whose lines carry `component`. */
export function logger(component: string): Logger {
  return root.child({ component });
}

/**
 * Sends every line to `stream` instead of stdout, at `level` (default the current one); returns the undo.
 * For tests, which read the lines as written rather than parsing stdout.
 */
export function redirectLogs(stream: DestinationStream, level?: string): () => void {
  const previous = { destination, level: root.level };
  destination = stream;
  if (level) root.level = level;
  return () => {
    destination = previous.destination;
    root.level = previous.level;
  };
}

/** `log` behind the console's warn/error signature, for modules that take a console-like reporter. */
export function consoleOf(log: Logger): Pick<Console, "warn" | "error"> {
  const write =
    (level: "warn" | "error") =>
    (...args: unknown[]) => {
      const error = args.find((arg) => arg instanceof Error);
      const message = args.filter((arg) => !(arg instanceof Error)).map(String).join(" ").replace(/:$/, "");
      if (error) log[level]({ err: error }, message);
      else log[level](message);
    };
  return { warn: write("warn"), error: write("error") };
}
