import { Type, type TObject } from '@sinclair/typebox';
import type { Scope } from '../catalogue/scopes.js';

/**
 * Every reference-API resource (SPEC §7), declared once: where it lives under /api/v1, the scope
 * that reads it, the scope that writes it and which writes exist. routes.ts builds every route,
 * and the tests build the security matrix, from this table.
 */
/** The kinds of reference-API record; also the first half of their audit actions (`finding.create`). */
export type RecordKind =
  | 'control'
  | 'risk'
  | 'evidence_requirement'
  | 'evidence_claim'
  | 'assessment'
  | 'finding'
  | 'exception'
  | 'monitor'
  | 'monitor_run'
  | 'indicator'
  | 'measurement'
  | 'submission_requirement'
  | 'submission_package'
  | 'submission_package_event'
  | 'framework'
  | 'framework_version'
  | 'asset'
  | 'party_engagement'
  | 'change_request'
  | 'baseline'
  | 'release'
  | 'vulnerability'
  | 'vulnerability_assessment'
  | 'webhook';

export interface ResourceDef {
  /** Path under /api/v1; `:parentId` marks a nested collection. */
  path: string;
  /** Id prefix, and the name used in audit events (`finding.create`). */
  prefix: string;
  kind: RecordKind;
  read: Scope;
  write?: Scope;
  create?: TObject;
  update?: TObject;
  /** DELETE /{id} exists. */
  deletable?: boolean;
  /** For nested collections: the resource whose record `:parentId` names. */
  parent?: string;
  /** Records are visible only to the service account that created them. */
  ownedByCaller?: boolean;
}

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });
const HttpsUrl = Type.String({ maxLength: 2048, pattern: '^https://[^\\s]+$', description: 'An https:// URL' });
const Severity = Type.Union(['low', 'medium', 'high', 'critical'].map((s) => Type.Literal(s)));
const FindingStatus = Type.Union(['open', 'in_progress', 'resolved', 'accepted'].map((s) => Type.Literal(s)));
const strict = { additionalProperties: false } as const;

const FindingFields = {
  title: Text(200),
  severity: Type.Optional(Severity),
  description: Type.Optional(Type.String({ maxLength: 10_000 })),
  status: Type.Optional(FindingStatus),
  controlId: Type.Optional(Type.String({ maxLength: 64 })),
  assetId: Type.Optional(Type.String({ maxLength: 64 })),
};

const EvidenceClaimFields = {
  requirementId: Text(64),
  summary: Text(2000),
  attachments: Type.Optional(Type.Array(Type.Object({ name: Text(255), url: HttpsUrl, contentType: Type.Optional(Text(100)) }, strict), { maxItems: 20 })),
};

const readOnly = (path: string, prefix: string, kind: RecordKind, read: Scope): ResourceDef => ({ path, prefix, kind, read });

export const RESOURCES: readonly ResourceDef[] = [
  readOnly('governance/controls', 'ctl', 'control', 'governance.controls:read'),
  readOnly('governance/risks', 'rsk', 'risk', 'governance.risks:read'),
  readOnly('governance/evidence-requirements', 'evr', 'evidence_requirement', 'governance.evidence:read'),
  {
    path: 'governance/evidence-claims',
    prefix: 'evc',
    kind: 'evidence_claim',
    read: 'governance.evidence:read',
    write: 'governance.evidence:write',
    create: Type.Object(EvidenceClaimFields, strict),
    update: Type.Partial(Type.Object(EvidenceClaimFields), { ...strict, minProperties: 1 }),
  },
  readOnly('governance/assessments', 'asm', 'assessment', 'governance.assessments:read'),
  {
    path: 'governance/findings',
    prefix: 'fnd',
    kind: 'finding',
    read: 'governance.findings:read',
    write: 'governance.findings:write',
    create: Type.Object(FindingFields, strict),
    update: Type.Partial(Type.Object(FindingFields), { ...strict, minProperties: 1 }),
  },
  readOnly('governance/exceptions', 'exc', 'exception', 'governance.exceptions:read'),
  readOnly('governance/monitors', 'mon', 'monitor', 'governance.monitoring:read'),
  readOnly('governance/monitor-runs', 'mrn', 'monitor_run', 'governance.monitoring:read'),
  readOnly('governance/indicators', 'ind', 'indicator', 'governance.indicators:read'),
  readOnly('governance/measurements', 'msr', 'measurement', 'governance.indicators:read'),
  readOnly('governance/submission-requirements', 'sbr', 'submission_requirement', 'governance.submissions:read'),
  readOnly('governance/submission-packages', 'sbp', 'submission_package', 'governance.submissions:read'),
  {
    path: 'governance/submission-packages/:parentId/events',
    prefix: 'sbe',
    kind: 'submission_package_event',
    parent: 'governance/submission-packages',
    read: 'governance.submissions:read',
    write: 'governance.submissions:write',
    create: Type.Object(
      {
        type: Type.Union(['prepared', 'submitted', 'accepted', 'rejected', 'withdrawn', 'note'].map((s) => Type.Literal(s))),
        note: Type.Optional(Type.String({ maxLength: 2000 })),
        occurredAt: Type.Optional(Type.String({ format: 'date-time' })),
      },
      strict,
    ),
  },
  readOnly('governance/frameworks', 'frm', 'framework', 'governance.frameworks:read'),
  readOnly('governance/framework-versions', 'frv', 'framework_version', 'governance.frameworks:read'),
  readOnly('assets', 'ast', 'asset', 'assets:read'),
  readOnly('party-engagements', 'pen', 'party_engagement', 'party-engagements:read'),
  readOnly('change-management/change-requests', 'chr', 'change_request', 'change-management:read'),
  readOnly('change-management/baselines', 'bsl', 'baseline', 'change-management:read'),
  readOnly('change-management/releases', 'rel', 'release', 'change-management:read'),
  readOnly('vulnerability-management/vulnerabilities', 'vul', 'vulnerability', 'vulnerability-management:read'),
  readOnly('vulnerability-management/assessments', 'vas', 'vulnerability_assessment', 'vulnerability-management:read'),
];

export const resourceByPath = (path: string): ResourceDef | undefined => RESOURCES.find((r) => r.path === path);
