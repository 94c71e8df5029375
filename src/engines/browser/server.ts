import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Route = { type: string; body: string | Uint8Array };

/**
 * A loopback HTTP server on a free port: routes are set and removed while it runs (the
 * bundle, the page, each job's arrays). Nothing listens beyond 127.0.0.1.
 */
export class LoopbackServer {
  private readonly routes = new Map<string, Route>();
  private server: Server | undefined;
  url = '';

  set(path: string, route: Route): void {
    this.routes.set(path, route);
  }

  delete(path: string): void {
    this.routes.delete(path);
  }

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const route = this.routes.get(new URL(request.url ?? '/', 'http://localhost').pathname);
      if (!route) {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { 'content-type': route.type, 'cache-control': 'no-store' });
      response.end(route.body);
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(0, '127.0.0.1', resolve);
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }
}
