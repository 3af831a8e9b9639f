/**
 * Cloud credentials for the SDK clients: FC's STS credentials from the invocation context, or
 * Alibaba's default credential chain when there are none. Never logged.
 */
import * as credentialsSdk from '@alicloud/credentials';
import { sdkClass } from './sdk-interop.js';

export type CloudCredentials =
  | { accessKeyId: string; accessKeySecret: string; securityToken?: string | undefined }
  /** An @alicloud/credentials client: the default credential chain. */
  | { credential: unknown };

export interface ContextCredentials {
  accessKeyId?: string;
  accessKeySecret?: string;
  securityToken?: string;
}

/** `key` identifies the credentials for client caching without holding the secret itself. */
export function resolveCredentials(fromContext: ContextCredentials | undefined): { key: string; credentials: CloudCredentials } {
  const c = fromContext;
  if (c?.accessKeyId && c.accessKeySecret) {
    return {
      key: `${c.accessKeyId}|${c.securityToken ?? ''}`,
      credentials: { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, securityToken: c.securityToken },
    };
  }
  // ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET / _SECURITY_TOKEN, profiles, instance roles.
  return { key: 'default-chain', credentials: { credential: new (sdkClass(credentialsSdk))() } };
}
