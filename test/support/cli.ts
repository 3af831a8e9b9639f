/**
 * Drives the operator CLI as a user does: `bin/fc-secret-rotation.mjs` in a child process with an
 * environment of its own (the emulators' endpoints, a region, the local access key), its exit code,
 * stdout and stderr returned. And a world with a CloudFlow emulator beside the KMS and RDS ones.
 */
import { execFile } from 'node:child_process';
import { startCloudFlowEmulator, type CloudFlowEmulator } from '../../src/local/emulators/cloudflow/emulator.js';
import { LOCAL_CREDENTIALS } from '../../src/local/fixtures/kms-admin.js';
import { RotationWorld, WORLD_REGION } from '../../src/local/fixtures/rotation-world.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/fc-secret-rotation.mjs', ...args],
      { env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

export class CliWorld {
  private constructor(
    readonly world: RotationWorld,
    readonly cloudflow: CloudFlowEmulator,
  ) {}

  static async start(options: { rds?: boolean } = {}): Promise<CliWorld> {
    const world = await RotationWorld.start(options);
    const cloudflow = await startCloudFlowEmulator({ functionEnv: world.env, timeScale: 0, sink: () => {} });
    return new CliWorld(world, cloudflow);
  }

  /** The environment an operator exports to point the CLI at this world (what `emulate` prints). */
  get env(): Record<string, string> {
    return {
      KMS_ENDPOINT: this.world.kms.endpoint,
      ...(this.world.rds ? { RDS_ENDPOINT: this.world.rds.emulator.endpoint } : {}),
      CLOUDFLOW_ENDPOINT: this.cloudflow.endpoint,
      ALIBABA_CLOUD_REGION_ID: WORLD_REGION,
      ALIBABA_CLOUD_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: LOCAL_CREDENTIALS.accessKeySecret,
    };
  }

  run(...args: string[]): Promise<CliRun> {
    return runCli(args, this.env);
  }

  async close(): Promise<void> {
    await this.cloudflow.close();
    await this.world.close();
  }
}
