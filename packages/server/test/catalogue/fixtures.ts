import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A catalogue of two APIs (§12's example plus a second API), as YAML. */
export const TWO_APIS = `apis:
  - id: orders
    audience: https://orders.example.com
    description: Orders API
    scopes:
      - { name: "orders:read",  description: "List and get orders." }
      - { name: "orders:write", description: "Create and cancel orders." }
    routes:
      - { method: GET,  path: "/orgs/{orgId}/orders", scope: "orders:read",  org: orgId }
      - { method: POST, path: "/orgs/{orgId}/orders", scope: "orders:write", org: orgId }
      - { method: GET,  path: "/v1/orders/{id}",      scope: "orders:read" }
  - id: billing
    audience: https://billing.example.com
    scopes:
      - { name: "invoices:read", description: "List invoices." }
roles:
  viewer: ["orders:read"]
  member: ["orders:read", "orders:write"]
  admin:  ["orders:read", "orders:write", "invoices:read"]
  owner:  ["orders:read", "orders:write", "invoices:read"]
`;

/** Writes `text` as `name` in a fresh temporary directory; returns its path. */
export function writeCatalogue(text: string, name = 'catalogue.yaml'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-catalogue-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}
