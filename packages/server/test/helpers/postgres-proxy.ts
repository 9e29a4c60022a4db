/**
 * A TCP proxy between a test's PostgresDatabase and the test server, for tests that must watch
 * or disturb the wire: `wire` connects each client socket to its upstream (forwarding, counting,
 * delaying). Sockets are tracked, so `cut()` can drop every open connection and `close()` ends
 * the proxy.
 */
import net from 'node:net';
import { POSTGRES_TEST_URL } from './test-server.ts';

export interface PostgresProxy {
  /** POSTGRES_TEST_URL pointed at the proxy. */
  url: string;
  /** Destroys every open connection (the client sees its socket end, with no error message). */
  cut(): void;
  close(): Promise<void>;
}

export async function postgresProxy(wire: (client: net.Socket, upstream: net.Socket) => void): Promise<PostgresProxy> {
  const target = new URL(POSTGRES_TEST_URL);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    sockets.add(client).add(upstream);
    wire(client, upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(POSTGRES_TEST_URL);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as net.AddressInfo).port);
  const cut = () => {
    for (const s of sockets) s.destroy();
    sockets.clear();
  };
  return {
    url: url.toString(),
    cut,
    close: async () => {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
