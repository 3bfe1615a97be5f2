import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/audit/api';
import { csvCell, exportFileName, toCsv, toJsonLines } from '../../src/audit/export';

const event = (over: Partial<AuditEvent> = {}): AuditEvent => ({
  id: 'evt_1',
  occurredAt: '2026-06-01T12:00:00.000Z',
  action: 'token.grant',
  outcome: 'success',
  actor: { type: 'service_account', id: 'svc_1', name: 'Findings Sync' },
  target: { type: 'access_token', id: 'at_1' },
  credential: 'sec_1',
  ip: '127.0.0.1',
  userAgent: 'curl/8.5.0',
  detail: { scope: 'governance.findings:read' },
  ...over,
});

describe('CSV export escaping (RFC 4180)', () => {
  it('leaves plain cells alone and empties null', () => {
    expect(csvCell('token.grant')).toBe('token.grant');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
  });

  it('quotes commas, quotes and line breaks, doubling quotes', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line1\nline2')).toBe('"line1\nline2"');
    expect(csvCell('cr\r')).toBe('"cr\r"');
  });

  it('defuses cells a spreadsheet would run as formulas', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
  });

  it('writes objects as JSON', () => {
    expect(csvCell({ scope: 'a:read' })).toBe('"{""scope"":""a:read""}"');
  });

  it('writes a header and one CRLF-terminated row per event', () => {
    const csv = toCsv([event(), event({ id: 'evt_2', actor: { type: 'user', id: 'usr_1', name: 'Smith, Jo' }, target: null, detail: {} })]);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('id,occurredAt,action,outcome,actorType,actorId,actorName,targetType,targetId,credential,ip,userAgent,detail');
    expect(lines[1]).toBe(
      'evt_1,2026-06-01T12:00:00.000Z,token.grant,success,service_account,svc_1,Findings Sync,access_token,at_1,sec_1,127.0.0.1,curl/8.5.0,"{""scope"":""governance.findings:read""}"',
    );
    expect(lines[2]).toBe('evt_2,2026-06-01T12:00:00.000Z,token.grant,success,user,usr_1,"Smith, Jo",,,sec_1,127.0.0.1,curl/8.5.0,');
    expect(lines[3]).toBe('');
    expect(toCsv([])).toBe(`${lines[0]}\r\n`);
  });
});

describe('JSON lines export', () => {
  it('one event per line, each parseable on its own', () => {
    const out = toJsonLines([event(), event({ id: 'evt_2', userAgent: 'line\nbreak' })]);
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[1]!).userAgent).toBe('line\nbreak');
    expect(toJsonLines([])).toBe('');
  });

  it('names the file after the organization and the moment, without colons', () => {
    expect(exportFileName('org_1', 'csv', new Date('2026-06-01T12:34:56.789Z'))).toBe('gatehouse-audit-org_1-2026-06-01T12-34-56.csv');
  });
});
