// recover --cancel on a single-account secret (RotationStrategy single), through the CLI as a user runs
// it, against the KMS emulator and the real MariaDB: allowed before set changed the password, refused
// once the database holds the pending one (ACSPending is then the only password that logs in), and
// recover then finishes the rotation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../src/local/fixtures/kms-admin.js';
import { createSandbox, uniqueName } from '../../src/local/fixtures/mysql-sandbox.js';
import type { WorldSecret } from '../../src/local/fixtures/rotation-world.js';
import { invokeStep } from '../../src/local/runner/rotate.js';
import { CliWorld } from '../support/cli.js';
import { loginWith } from '../support/flow-login.js';

let cli: CliWorld;
beforeAll(async () => {
  cli = await CliWorld.start();
});
afterAll(async () => {
  await cli?.close();
});

/** A self-managed secret without MasterSecret: a single-account rotation by default. */
async function singleSecret(): Promise<WorldSecret> {
  const sandbox = await createSandbox({ prefix: 'sc', server: cli.world.server });
  const secret: WorldSecret = { secretName: uniqueName('single-'), sandbox };
  cli.world.secrets.push(secret);
  const data = {
    Endpoint: cli.world.server.host,
    Port: cli.world.server.port,
    AccountName: sandbox.app.user,
    AccountPassword: sandbox.app.password,
    SSL: false,
    DBName: sandbox.database,
  };
  await cli.world.admin.createSecret({ name: secret.secretName, data: JSON.stringify(data) });
  return secret;
}

const step = (secret: WorldSecret, name: 'new' | 'set', versionId?: string) =>
  invokeStep(cli.world.inputFor(secret), name, versionId, {
    env: cli.world.env,
    context: { credentials: LOCAL_CREDENTIALS },
    sink: () => {},
  });

const stagesOf = async (secret: WorldSecret) =>
  Object.fromEntries((await cli.world.store.listVersions(secret.secretName)).map((v) => [v.versionId, v.stages]));

describe('recover --cancel, single account', () => {
  it('cancels a rotation whose set has not run: the database still holds the ACSCurrent password', async () => {
    const secret = await singleSecret();
    const { VersionId } = await step(secret, 'new');
    const run = await cli.run('recover', secret.secretName, '--cancel', '--force');
    expect(run.code, run.stderr).toBe(0);
    expect((await stagesOf(secret))[VersionId]).toEqual([]);
    expect(await loginWith(cli.world, secret)).toBe('hello');
  });

  it('refuses once set changed the password, keeping ACSPending; recover then finishes the rotation', async () => {
    const secret = await singleSecret();
    const { VersionId } = await step(secret, 'new');
    await step(secret, 'set', VersionId);
    expect(await loginWith(cli.world, secret)).toMatch(/^refused/);
    const before = await stagesOf(secret);
    const refused = await cli.run('recover', secret.secretName, '--cancel', '--force');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('it already holds the pending one');
    expect(await stagesOf(secret)).toEqual(before);
    const recover = await cli.run('recover', secret.secretName, '--force');
    expect(recover.code, recover.stderr).toBe(0);
    expect(await cli.world.currentVersion(secret.secretName)).toBe(VersionId);
    expect(await loginWith(cli.world, secret)).toBe('hello');
  });
});
