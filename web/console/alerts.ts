import { Client, createClient } from "graphql-ws";

/*
 * The live alert feed of the board over graphql-ws. The token goes in connection_init, so a socket is
 * replaced by a fresh one (with a fresh token) 45 s before the token expires (the session renews it at 60 s); every new subscription
 * starts `after` the last sequence received, and graphql-ws's own reconnects (a laptop that slept, a dropped
 * network) replay from the subscription's first `after`, so alerts already shown are dropped by sequence:
 * nothing missed, nothing twice.
 */

export interface Alert {
  sequence: string;
  kind: string;
  raisedAt: string;
  report: {
    id: string;
    title: string;
    category: string;
    severity: string;
    region: { code: string; name: string };
    candidatePair: { ballotNumber: number; headCandidate: string } | null;
    event: { title: string } | null;
    reporter: { name: string } | null;
  };
}

const ALERTS = `subscription Board($after: String, $filter: AlertFilter) {
  incidentAlerts(after: $after, filter: $filter) {
    sequence kind raisedAt
    report { id title category severity region { code name } candidatePair { ballotNumber headCandidate } event { title } reporter { name } }
  }
}`;

const ALL_CATEGORIES = ["BLACK_CAMPAIGN", "NEGATIVE_CAMPAIGN", "SARA_INSULT", "HOAX", "MONEY_POLITICS", "ASN_NEUTRALITY", "INTIMIDATION", "CAMPAIGN_PROPS", "VOTER_DATA", "OTHER"];

export type FeedStatus = "connecting" | "live" | "reconnecting";

export interface FeedOptions {
  /** A valid access token (renewed by the caller's session), or null when signed out. */
  accessToken: () => Promise<string | null>;
  /** When the current access token expires (ISO), to replace the socket a minute before. */
  tokenExpiresAt: () => string | null;
  /** The sequence to start after (the newest alert before the board opened). */
  after: string | null;
  onAlert: (alert: Alert) => void;
  onStatus: (status: FeedStatus) => void;
}

export interface Feed {
  close(): void;
}

export function openAlertFeed(options: FeedOptions): Feed {
  let last = options.after;
  const seen = new Set<string>();
  let client: Client | undefined;
  let stop: (() => void) | undefined;
  let renewal: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  function connect(): void {
    if (closed) return;
    stop?.();
    void client?.dispose();
    options.onStatus(last === options.after && seen.size === 0 ? "connecting" : "reconnecting");
    const socket = createClient({
      url: new URL("/graphql", location.href).toString().replace(/^http/, "ws"),
      connectionParams: async () => {
        const token = await options.accessToken();
        return token ? { authorization: `Bearer ${token}` } : {};
      },
      retryAttempts: Number.POSITIVE_INFINITY,
      shouldRetry: () => true,
      on: {
        connected: () => options.onStatus("live"),
        closed: () => !closed && options.onStatus("reconnecting"),
      },
    });
    client = socket;
    stop = socket.subscribe<{ incidentAlerts: Alert }>(
      { query: ALERTS, variables: { after: last, filter: { categories: ALL_CATEGORIES } } },
      {
        next: ({ data }) => {
          const alert = data?.incidentAlerts;
          if (!alert || seen.has(alert.sequence)) return;
          seen.add(alert.sequence);
          last = alert.sequence;
          options.onAlert(alert);
        },
        // The token expired or was refused mid-subscription: a new socket, a fresh token, from `last`.
        error: () => {
          if (closed) return;
          options.onStatus("reconnecting");
          setTimeout(connect, 1000);
        },
        complete: () => undefined,
      },
    );
    clearTimeout(renewal);
    const expiresAt = options.tokenExpiresAt();
    if (expiresAt) renewal = setTimeout(connect, Math.max(5_000, Date.parse(expiresAt) - Date.now() - 45_000));
  }

  connect();
  return {
    close() {
      closed = true;
      clearTimeout(renewal);
      stop?.();
      void client?.dispose();
    },
  };
}
