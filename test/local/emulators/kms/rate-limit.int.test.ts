// The KMS emulator's rate limit, through the real KMS SDK client: above the quota a call is answered
// HTTP 429 Rejected.Throttling ("QPS Limit Exceeded"), counted, kept out of the call log and never applied.
import KmsModule, * as $Kms from '@alicloud/kms20160120';
import * as $Rpc from '@alicloud/rpc-client';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { cloudErrorInfo, isTransient } from '../../../../src/alibaba/errors.js';
import { sdkClass } from '../../../../src/alibaba/interop.js';
import { startKmsEmulator, type KmsEmulator } from '../../../../src/local/emulators/kms/emulator.js';
import { SlidingWindowLimiter } from '../../../../src/local/emulators/kms/rate-limit.js';
import { failure } from '../../../support/failure.js';

const KmsClass = sdkClass($Kms);
type KmsClient = InstanceType<typeof KmsModule.default>;

const SdkError = z.object({
  code: z.string(),
  message: z.string(),
  data: z.object({ Code: z.string(), Message: z.string(), statusCode: z.number().optional() }).passthrough().optional(),
});

let emulator: KmsEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

function client(kms: KmsEmulator): KmsClient {
  return new KmsClass(
    new $Rpc.Config({
      endpoint: `127.0.0.1:${kms.port}`,
      protocol: 'http',
      regionId: 'cn-hangzhou',
      accessKeyId: 'ak',
      accessKeySecret: 's',
    }),
  );
}

const put = (kms: KmsClient, versionId: string) =>
  kms.putSecretValue(new $Kms.PutSecretValueRequest({ secretName: 'rl', versionId, secretData: `data-${versionId}` }));

describe('KMS emulator rateLimit', () => {
  it('answers calls above the limit with 429 Rejected.Throttling, counts them and applies none', async () => {
    const kms = await startKmsEmulator({
      seed: [{ SecretName: 'rl', SecretData: 'first' }],
      rateLimit: { callsPerSecond: 5 },
    });
    emulator = kms;
    const sdk = client(kms);
    const settled = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => put(sdk, `v${i + 2}`)));
    const ok = settled.filter((s) => s.status === 'fulfilled');
    expect(ok).toHaveLength(5);
    expect(kms.throttledCount).toBe(3);
    expect(kms.calls).toHaveLength(5);

    const refused = await failure(put(sdk, 'v-late'), SdkError);
    expect(refused.data?.Code).toBe('Rejected.Throttling');
    expect(refused.data?.Message).toBe('QPS Limit Exceeded');
    expect(cloudErrorInfo(refused)).toEqual({ code: 'Rejected.Throttling', status: 429 });
    expect(isTransient(cloudErrorInfo(refused))).toBe(true);
    expect(kms.throttledCount).toBe(4);

    // Only the admitted puts made versions: v1 and five more.
    kms.setRateLimit(undefined);
    const ids = await sdk.listSecretVersionIds(new $Kms.ListSecretVersionIdsRequest({ secretName: 'rl', includeDeprecated: 'true' }));
    expect(ids.versionIds?.versionId).toHaveLength(6);
    expect(JSON.stringify(kms.snapshot())).not.toContain('data-v-late');
  });

  it('lets calls in again once the window has moved on, and can be set on a running emulator', async () => {
    const kms = await startKmsEmulator({ seed: [{ SecretName: 'rl', SecretData: 'first' }] });
    emulator = kms;
    const sdk = client(kms);
    const read = () => sdk.getSecretValue(new $Kms.GetSecretValueRequest({ secretName: 'rl' }));
    for (let i = 0; i < 5; i++) await read();
    expect(kms.throttledCount).toBe(0);
    kms.setRateLimit({ callsPerSecond: 2 });
    await new Promise((r) => setTimeout(r, 1_050));
    await read();
    await read();
    expect((await failure(read(), SdkError)).data?.Code).toBe('Rejected.Throttling');
    await new Promise((r) => setTimeout(r, 1_050));
    expect((await read()).secretData).toBe('first');
    expect(kms.throttledCount).toBe(1);
  });

  it('is a sliding one-second window over admitted calls', () => {
    let t = 0;
    const limiter = new SlidingWindowLimiter({ callsPerSecond: 2 }, () => t);
    expect([limiter.admit(), limiter.admit()]).toEqual([undefined, undefined]);
    t = 999;
    expect(limiter.admit()?.code).toBe('Rejected.Throttling');
    t = 1_000;
    expect(limiter.admit()).toBeUndefined();
    expect(limiter.admit()).toBeUndefined();
    expect(limiter.admit()?.status).toBe(429);
    expect(limiter.throttledCount).toBe(2);
    expect(() => limiter.set({ callsPerSecond: 0 })).toThrow(/positive/);
  });
});
