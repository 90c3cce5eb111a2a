// The GraphQL client: queries and mutations over HTTP POST with the CSRF
// header (the session cookie goes along by itself), subscriptions over
// graphql-transport-ws on the same /graphql path.
import { Client, cacheExchange, fetchExchange, subscriptionExchange, type CombinedError } from "@urql/core";
import { createClient as createWSClient } from "graphql-ws";
import type { MessageKey } from "../i18n/en";

export type ConnectionListener = (connected: boolean) => void;

export function newClient(onConnection: ConnectionListener, onUnauthenticated: () => void): Client {
  const ws = createWSClient({
    url: `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/graphql`,
    lazy: true,
    retryAttempts: Infinity,
    shouldRetry: () => true,
    on: {
      connected: () => onConnection(true),
      closed: (e) => {
        onConnection(false);
        // 4401/4403: the session is gone or refused.
        const code = (e as CloseEvent | undefined)?.code;
        if (code === 4401 || code === 4403) onUnauthenticated();
      },
    },
  });
  return new Client({
    url: "/graphql",
    fetchOptions: { credentials: "same-origin", headers: { "X-Ledger-CSRF": "1" } },
    preferGetMethod: false,
    requestPolicy: "cache-and-network",
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query || "" };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });
}

/** errorKey turns a GraphQL error into a sentence of the catalogue. */
export function errorKey(err: CombinedError | undefined): MessageKey | null {
  if (!err) return null;
  if (err.networkError && !err.graphQLErrors.length) return "error.network";
  const code = String(err.graphQLErrors[0]?.extensions?.code ?? "");
  const known = ["FORBIDDEN", "UNAUTHENTICATED", "UNAVAILABLE", "NOT_FOUND", "CONFLICT", "BAD_USER_INPUT"];
  return known.includes(code) ? (`error.${code}` as MessageKey) : "error.other";
}
