/**
 * What the operator commands read of one secret: its versions and stages with creation times, the
 * account each version holds, the RDS instance it belongs to (the `--instance-id` flag, else the
 * secret's `<ROTATION_TAG_KEY>-instance` tag), and the backend that can check a version's login.
 * SecretData is parsed here and never leaves as text: callers see account names, never a password.
 */
import * as openapiSdk from '@alicloud/openapi-client';
import * as teaUtil from '@alicloud/tea-util';
import { z } from 'zod';
import { sdkClass } from '../alibaba/interop.js';
import type { Backend, LoginState, SecretAccount } from '../backends/backend.js';
import { backendFor } from '../clients.js';
import { createLogger } from '../log.js';
import { kmsRpcParams } from '../secrets/kms-store.js';
import { parseSecretJson, Stage, secretLabel } from '../secrets/schema.js';
import type { VersionInfo } from '../secrets/store.js';
import { SecretNotFoundError } from '../errors.js';
import { cliKmsEndpoint, type CliContext } from './context.js';

export interface VersionView {
  versionId: string;
  stages: string[];
  createdAt: number | undefined;
}

export interface SecretView {
  secretName: string;
  versions: VersionView[];
  current: VersionView | undefined;
  pending: VersionView | undefined;
  previous: VersionView | undefined;
  instanceId: string | undefined;
}

const DescribeSecretTags = z.object({
  Tags: z.object({ Tag: z.array(z.object({ TagKey: z.string(), TagValue: z.string().optional() })).optional() }).optional(),
});

/** The instance named by the secret's `<tagKey>-instance` tag, if any (DescribeSecret with FetchTags). */
export async function taggedInstance(context: CliContext, secretName: string): Promise<string | undefined> {
  const endpoint = cliKmsEndpoint(context.env, context.region);
  const client = new (sdkClass(openapiSdk))(
    new openapiSdk.Config({ endpoint: endpoint.host, protocol: endpoint.protocol, regionId: context.region, ...context.credentials() }),
  );
  let body: unknown;
  try {
    const response: unknown = await client.callApi(
      kmsRpcParams('DescribeSecret', endpoint.protocol),
      new openapiSdk.OpenApiRequest({ body: { SecretName: secretName, FetchTags: 'true' } }),
      new teaUtil.RuntimeOptions({ connectTimeout: 5_000, readTimeout: 10_000 }),
    );
    body = (response as { body?: unknown }).body;
  } catch {
    // Tags are a convenience: without kms:DescribeSecret the operator passes --instance-id.
    return undefined;
  }
  const parsed = DescribeSecretTags.safeParse(body);
  const key = `${context.config.rotationTagKey}-instance`;
  const value = parsed.success ? parsed.data.Tags?.Tag?.find((t) => t.TagKey === key)?.TagValue : undefined;
  return value && /^[A-Za-z0-9_-]{1,64}$/.test(value) ? value : undefined;
}

export async function readSecretView(context: CliContext, secretName: string, instanceId: string | undefined): Promise<SecretView> {
  const versions: VersionInfo[] = await context.store().listVersions(secretName);
  if (versions.length === 0) throw new SecretNotFoundError(`secret ${secretName} has no versions`);
  const holder = (stage: string) => versions.find((v) => v.stages.includes(stage));
  return {
    secretName,
    versions,
    current: holder(Stage.Current),
    pending: holder(Stage.Pending),
    previous: holder(Stage.Previous),
    instanceId: instanceId ?? (await taggedInstance(context, secretName)),
  };
}

/** The backend a rotation of this secret would use: RDS API with an instance, self-managed MySQL otherwise. */
export async function backendOf(context: CliContext, view: SecretView): Promise<Backend> {
  const log = createLogger({ sink: context.debug ? (line) => context.output.err(line) : () => {}, debug: context.debug });
  const event = {
    SecretName: view.secretName,
    RegionId: context.region,
    Step: 'test' as const,
    VersionId: view.current?.versionId ?? 'none',
    ...(view.instanceId ? { InstanceId: view.instanceId } : {}),
  };
  return backendFor(event, context.config, undefined, log);
}

/** A version's account as its backend reads it; undefined when the SecretData is not that backend's format. */
export async function accountOf(
  context: CliContext,
  backend: Backend,
  view: SecretView,
  version: VersionView,
): Promise<SecretAccount | undefined> {
  const value = await context.store().find(view.secretName, { versionId: version.versionId });
  if (!value || value.dataType !== 'text') return undefined;
  const label = secretLabel(view.secretName, `version ${version.versionId}`);
  try {
    return backend.readSecret(parseSecretJson(value.data, label), label);
  } catch {
    return undefined;
  }
}

/** The AccountName a version holds, read without validating the rest (a status must show a broken version too). */
export async function accountNameOf(context: CliContext, secretName: string, version: VersionView): Promise<string | null> {
  const value = await context.store().find(secretName, { versionId: version.versionId });
  if (!value || value.dataType !== 'text') return null;
  try {
    const name = (JSON.parse(value.data) as { AccountName?: unknown }).AccountName;
    return typeof name === 'string' ? name : null;
  } catch {
    return null;
  }
}

export async function loginStateOf(
  context: CliContext,
  backend: Backend,
  view: SecretView,
  version: VersionView,
): Promise<LoginState | undefined> {
  const account = await accountOf(context, backend, view, version);
  if (!account) return undefined;
  // A database the workstation cannot reach is that, not a secret it cannot read: TransientError goes through.
  return backend.loginState(account.account);
}

export function isoTime(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
