// The built server as `npm start` runs it (packages/server/dist), plus a catalogue of
// BENCH_FORWARD_ROUTES generated routes (§12) for the forward-authentication scenario (§13).
// Until the server reads GATEHOUSE_CATALOGUE itself, this is how the bench hands it one; the
// catalogue's only API has the server's own audience, and every route needs `audit-log:read`.
import { loadConfig } from '../../packages/server/dist/config.js';
import { createGatehouse } from '../../packages/server/dist/gatehouse.js';

/** `count` routes over 10 services, half of them organization routes; `/svc9/res199/{id}` is the last. */
export function benchRoutes(count) {
  return Array.from({ length: count }, (_, i) =>
    i % 2 === 1
      ? { method: 'GET', path: `/svc${i % 10}/res${i}/{id}`, scope: 'audit-log:read' }
      : { method: i % 4 === 0 ? 'POST' : 'GET', path: `/orgs/{orgId}/svc${i % 10}/res${i}/{id}`, scope: 'audit-log:read', org: 'orgId' },
  );
}

const { config } = loadConfig();
const routes = benchRoutes(Number(process.env.BENCH_FORWARD_ROUTES ?? 200));
const gatehouse = await createGatehouse({
  config,
  catalogue: {
    apis: [{ id: 'bench', audience: config.audience, scopes: [{ name: 'audit-log:read', description: 'Read the audit log' }], routes }],
    roles: { viewer: [], member: [], admin: [], owner: [] },
    demo: true,
  },
});
await gatehouse.app.listen({ host: config.host, port: config.port });
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    gatehouse.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
