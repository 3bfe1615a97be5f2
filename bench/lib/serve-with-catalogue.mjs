// The built server as `npm start` runs it (packages/server/dist), plus a catalogue of
// BENCH_FORWARD_ROUTES generated routes (§12) for the forward-authentication scenario (§13).
// Until the server reads GATEHOUSE_CATALOGUE itself, this is how the bench hands it one; the
// catalogue's only API is the demo one (the server's own audience), and every route needs `audit-log:read`.
import { demoCatalogue } from '../../packages/server/dist/catalogue/load.js';
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
// The built-in demo catalogue (its §6 scopes, role table and reference API) with the routes added:
// a catalogue passed in is validated like a file, and an API must declare the scopes its routes use.
const demo = demoCatalogue(config.audience);
const gatehouse = await createGatehouse({ config, catalogue: { ...demo, apis: [{ ...demo.apis[0], routes }] } });
await gatehouse.app.listen({ host: config.host, port: config.port });
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    gatehouse.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
