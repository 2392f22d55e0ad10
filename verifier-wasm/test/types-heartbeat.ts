// Type-level test of the heartbeat module's declarations (npm run test:types).
import {
  verifyHeartbeat, auditHeartbeats, verifyAttestation,
  type HeartbeatAudit, type StreamReport, type AuditOptions, type HeartbeatOptions, type VerifyReport,
} from '../pkg/heartbeat/node';

const options: HeartbeatOptions = { trustRoots: ['{}'], rootKeys: ['00'], now: '2026-11-21T12:00:00Z', heartbeatPolicy: '{}' };
const hb: VerifyReport = verifyHeartbeat('{}', options);
const same: VerifyReport = verifyAttestation('{}', options);
const auditOptions: AuditOptions = { ...options, windowStart: '2026-11-21T11:50:00Z' };
const audit: HeartbeatAudit = auditHeartbeats(['{}', new Uint8Array()], auditOptions);
const stream: StreamReport | undefined = audit.streams[0];
const health: 'healthy' | 'missing' | 'invalid' | 'drift' | undefined = stream?.health;
const gapSeconds: number | undefined = stream?.gaps[0]?.seconds;
const open: boolean | undefined = stream?.gaps[0]?.open;
// @ts-expect-error: health is a closed set
const bad: StreamReport['health'] = 'ok';
void [hb, same, health, gapSeconds, open, bad, audit.reports[0]?.valid];
