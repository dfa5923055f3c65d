import { describe, expect, it } from 'vitest';
import { defaultTeamsSettings, type VoiceService } from '../../domain/records.js';
import type { SyncCursor } from '../../store/repositories/sync-cursors.repository.js';
import { FULL_READ_EVERY_MS, fullReadReason } from './sync-read.js';

const now = new Date('2026-03-02T12:00:00Z');
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3600_000).toISOString();
const service = { id: 's1', teams: defaultTeamsSettings } as VoiceService;
const cursor: SyncCursor = {
  serviceId: 's1',
  tenantId: 't1',
  usersDeltaLink: 'https://graph/users/delta?$deltatoken=x',
  teamsReadAt: hoursAgo(1),
  fullReadAt: hoursAgo(2),
};

describe('fullReadReason', () => {
  it('reads only changes when the cursor is fresh and every portal user is matched', () => {
    expect(fullReadReason(cursor, 't1', service, now, 0)).toBeNull();
  });

  it('reads everything on the first sync, for another tenant, without a delta position, and daily', () => {
    expect(fullReadReason(undefined, 't1', service, now, 0)).toMatch(/first sync/);
    expect(fullReadReason(cursor, 't2', service, now, 0)).toMatch(/tenant connection changed/);
    expect(fullReadReason({ ...cursor, usersDeltaLink: null }, 't1', service, now, 0)).toMatch(/no delta/);
    const old = { ...cursor, fullReadAt: new Date(now.getTime() - FULL_READ_EVERY_MS).toISOString() };
    expect(fullReadReason(old, 't1', service, now, 0)).toBe('daily full read');
  });

  it('reads everything in Large Tenant Mode and to match users added in the portal since the last full read', () => {
    const ltm = { ...service, teams: { ...defaultTeamsSettings, largeTenantMode: true } };
    expect(fullReadReason(cursor, 't1', ltm, now, 0)).toMatch(/Large Tenant Mode/);
    expect(fullReadReason(cursor, 't1', service, now, 2)).toMatch(/2 portal user/);
  });

  it("reads everything when the service's settings (e.g. the Phone App) changed since the last full read", () => {
    expect(fullReadReason(cursor, 't1', { ...service, updatedAt: hoursAgo(3) }, now, 0)).toBeNull();
    expect(fullReadReason(cursor, 't1', { ...service, updatedAt: hoursAgo(1) }, now, 0)).toMatch(
      /settings changed/,
    );
  });
});
