/**
 * A start-up failure the operator can fix: the message names the setting to change and the address
 * involved, so launchers print it as one line, without a stack trace.
 */
export class StartupError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "StartupError";
  }
}

/** The first `code` (ECONNREFUSED, EADDRINUSE, ...) along an error's cause chain. */
export function errorCode(error: unknown): string | undefined {
  for (let cause = error; typeof cause === "object" && cause !== null; cause = (cause as { cause?: unknown }).cause) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

/** Error codes of a server that could not be reached at all. */
export const UNREACHABLE = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ETIMEDOUT", "ECONNRESET"]);
