// One subscription through the graphql-ws client from npm, its messages as JSON lines on stdout:
//   node subscribe.mjs <ws url> <token or "-"> <query> [variables JSON]
// prints {"ready":true} once the server acknowledged connection_init, {"next":...} per event, {"error":...} for an
// error message, {"closed":code} when the socket closes; exits after the first next, error or close.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [url, token, query, variables] = process.argv.slice(2);
const print = (value) => process.stdout.write(JSON.stringify(value) + '\n');

const client = createClient({
  url,
  webSocketImpl: WebSocket,
  lazy: false,
  retryAttempts: 0,
  connectionParams: token === '-' ? {} : { Authorization: `Token ${token}` },
  on: {
    connected: () => print({ ready: true }),
    closed: (event) => {
      print({ closed: event.code, reason: event.reason });
      process.exit(0);
    },
  },
});

client.subscribe({ query, variables: variables ? JSON.parse(variables) : undefined }, {
  next: (value) => {
    print({ next: value });
    client.dispose().then(() => process.exit(0));
  },
  error: (error) => {
    print({ error: Array.isArray(error) ? error : String(error.code ?? error.message ?? error) });
    process.exit(0);
  },
  complete: () => {},
});
