import type { Catalogue, CatalogueApi } from '@gatehouse/access';

/**
 * The catalogue forward authentication is tested against (§12): one API of SBOM buckets on
 * organization routes and a findings route without `org:`, with the roles that grant them.
 * `others` adds APIs with their own audiences (a token for one is refused on the other's routes).
 */
export function bucketsCatalogue(audience: string, others: CatalogueApi[] = []): Catalogue {
  return {
    apis: [
      {
        id: 'buckets',
        audience,
        scopes: [
          { name: 'sbom.buckets:read', description: 'List buckets.' },
          { name: 'sbom.buckets:write', description: 'Create buckets.' },
          { name: 'governance.findings:read', description: 'Read findings.' },
        ],
        routes: [
          { method: 'GET', path: '/orgs/{orgId}/buckets', scope: 'sbom.buckets:read', org: 'orgId' },
          { method: 'POST', path: '/orgs/{orgId}/buckets', scope: 'sbom.buckets:write', org: 'orgId' },
          { method: 'GET', path: '/v1/findings/{id}', scope: 'governance.findings:read' },
        ],
      },
      ...others,
    ],
    roles: {
      viewer: ['sbom.buckets:read', 'governance.findings:read'],
      member: ['sbom.buckets:read', 'sbom.buckets:write', 'governance.findings:read'],
      admin: ['sbom.buckets:read', 'sbom.buckets:write', 'governance.findings:read'],
      owner: ['sbom.buckets:read', 'sbom.buckets:write', 'governance.findings:read'],
    },
    demo: true,
  };
}
