import { ACTIVITY_DAYS, DEFAULT_SECRET_ROTATION_DAYS } from '@gatehouse/contract';
import type { Clock } from '../clock.js';
import type { Db } from '../db/db.js';
import { notFound } from '../errors.js';

const DAY_MS = 86_400_000;

/** A UTC calendar day as `YYYY-MM-DD`. */
const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

interface Row {
  last_token_issued_at: Date | null;
  last_token_ip: string | null;
  secret_rotation_days: number | null;
  secret_created_at: Date | null;
}

/**
 * Issue 14 item 5: what a service account did lately, for its console page and `/manage/v1`.
 * Grants per UTC day come from the counter the grants' group commit keeps
 * (service_account_grant_days, see audit/store.ts): at most 30 rows a page, however busy the
 * account. "Now" is the injected clock, so the window and the secret's age move with it.
 */
export class ServiceAccountActivityReader {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async read(orgId: string, id: string) {
    const now = this.clock.now().getTime();
    // The current secret is the one without an end (expires_at NULL); a rotation makes a new one.
    const rows = await this.db.query<Row>(
      `SELECT s.last_token_issued_at, s.last_token_ip, o.secret_rotation_days,
              (SELECT max(created_at) FROM service_account_secrets c WHERE c.service_account_id = s.id AND c.expires_at IS NULL) AS secret_created_at
         FROM service_accounts s JOIN organizations o ON o.id = s.org_id
        WHERE s.id = $1 AND s.org_id = $2`,
      [id, orgId],
    );
    const row = rows[0];
    if (!row) throw notFound('service account');

    const first = utcDay(now - (ACTIVITY_DAYS - 1) * DAY_MS);
    const counted = await this.db.query<{ day: string; grants: number }>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, grants FROM service_account_grant_days
        WHERE service_account_id = $1 AND day >= $2::date AND day <= $3::date`,
      [id, first, utcDay(now)],
    );
    const byDay = new Map(counted.map((r) => [r.day, Number(r.grants)]));
    const days = Array.from({ length: ACTIVITY_DAYS }, (_, i) => {
      const date = utcDay(now - (ACTIVITY_DAYS - 1 - i) * DAY_MS);
      return { date, grants: byDay.get(date) ?? 0 };
    });

    const threshold = row.secret_rotation_days ?? DEFAULT_SECRET_ROTATION_DAYS;
    const ageMs = row.secret_created_at ? Math.max(0, now - row.secret_created_at.getTime()) : null;
    return {
      serviceAccountId: id,
      days,
      lastTokenIssuedAt: row.last_token_issued_at,
      lastUsedAddress: row.last_token_ip,
      secretCreatedAt: row.secret_created_at,
      secretAgeDays: ageMs === null ? null : Math.floor(ageMs / DAY_MS),
      rotationThresholdDays: threshold,
      // "Older than the threshold": a secret exactly 90 days old is not yet marked.
      rotationRecommended: ageMs !== null && ageMs > threshold * DAY_MS,
    };
  }
}
