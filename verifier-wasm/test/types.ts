// Type-level test of the generated declarations (npm run test:types):
// compiles only if pkg/node's .d.ts matches the documented API.
import {
  verifyAttestation, verifyBatch, verifyTrustRootChain, inspect, version, verifyRecordProof,
  type VerifyOptions, type VerifyReport, type Check, type ChainVerdict, type InspectResult, type AttestError,
} from '../pkg/node';

const options: VerifyOptions = {
  trustRoots: ['{}', new Uint8Array()],
  rootKeys: ['00'],
  now: '2026-11-21T12:00:00Z',
  signals: '{}',
  output: new Uint8Array([1, 2]),
  network: '',
  allowHosts: ['api.example.com'],
  bundleManifest: '{}',
  bundleFiles: { 'policy.json': new Uint8Array() },
  minTrustRootVersion: 1,
};
const minimal: VerifyOptions = { trustRoots: [], rootKeys: [] };

const report: VerifyReport = verifyAttestation('{}', options);
const valid: boolean = report.valid;
const type: string = report.type;
const first: Check | undefined = report.checks.find((c) => c.status === 'fail');
const status: 'pass' | 'fail' | 'skip' | undefined = first?.status;
const reason: string | undefined = first?.reason;
const digest: string | undefined = report.digest;
verifyAttestation(new Uint8Array(), minimal);
const path: string | undefined = first?.path;
const batch: VerifyReport[] = verifyBatch(['{}', new Uint8Array()], options);
const batchValid: boolean | undefined = batch[0]?.valid;

const chain: ChainVerdict = verifyTrustRootChain(['{}'], { rootKeys: ['00'], now: '2026-11-21T12:00:00Z' });
const newestVersion: number | undefined = chain.newest?.version;
const decoded: InspectResult = inspect('{}');
const d: string = decoded.decoded.digest;
const v: string = version();

try {
  verifyAttestation('{}', minimal);
} catch (e) {
  const err = e as AttestError;
  const code: 'ATTEST_INVALID_ARGUMENT' | 'ATTEST_INPUT_TOO_LARGE' | 'ATTEST_MALFORMED_DOCUMENT' | 'ATTEST_INTERNAL' | 'ATTEST_NOT_INITIALIZED' = err.code;
  const option: string | undefined = err.option;
  void code; void option;
}

// @ts-expect-error: rootKeys is required
verifyAttestation('{}', { trustRoots: [] });
// @ts-expect-error: status is a closed set
const bad: Check = { id: 'parse', status: 'ok', detail: '' };

void [valid, type, status, reason, digest, newestVersion, d, v, bad];

const proof: VerifyReport = verifyRecordProof('{}', { root: '00' });
const proofValid: boolean = proof.valid;
verifyRecordProof(new Uint8Array(), { summary: '{}' });

void proofValid;
