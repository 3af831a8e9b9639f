/**
 * `emulate [--kms-port 8300] [--rds-port 8301] [--cloudflow-port 8302] [--seed FILE]
 * [--rds-instance ID=MYSQL_URL[,engineVersion=V]]...` (CONTRACT: CLI): the KMS, RDS and CloudFlow
 * emulators in one process, the CloudFlow one running the shipped flows with this function
 * in-process against the other two. Prints the environment to export, then serves until interrupted.
 */
import { once } from 'node:events';
import { z } from 'zod';
import { LOCAL_CREDENTIALS } from '../../local/fixtures/kms-admin.js';
import { startCloudFlowEmulator, type CloudFlowEmulator } from '../../local/emulators/cloudflow/emulator.js';
import { readSeedFile, startKmsEmulator, type KmsEmulator } from '../../local/emulators/kms/emulator.js';
import { parseInstanceArg, startRdsEmulator, type RdsEmulator, type RdsInstanceSpec } from '../../local/emulators/rds/emulator.js';
import { defineCommand, UsageError } from '../command.js';

const Port = (flag: string, fallback: number) =>
  z
    .string()
    .regex(/^\d{1,5}$/, `--${flag} takes a port number`)
    .transform(Number)
    .pipe(z.number().max(65535, `--${flag} takes a port number`))
    .default(fallback);

export const emulateCommand = defineCommand({
  name: 'emulate',
  usage: 'emulate [--kms-port P] [--rds-port P] [--cloudflow-port P] [--seed FILE] [--rds-instance ID=MYSQL_URL[,engineVersion=V]]...',
  summary: 'run the KMS, RDS and CloudFlow emulators together, for trying every command locally',
  help: [
    'Starts the three emulators in this process (ports 8300, 8301, 8302 by default), prints the environment',
    'to export in another shell, and serves until Ctrl-C. The CloudFlow emulator hosts flows/ and runs their',
    'tasks with this function in-process against the KMS and RDS emulators.',
    '--seed FILE           secrets to create first: a JSON array of {SecretName, SecretData, SecretType?, Tags?}',
    '--rds-instance SPEC   an RDS instance backed by a MySQL server: rm-local=mysql://root@127.0.0.1:3306[,engineVersion=8.0]',
  ].join('\n'),
  options: {
    'kms-port': { type: 'string' },
    'rds-port': { type: 'string' },
    'cloudflow-port': { type: 'string' },
    seed: { type: 'string' },
    'rds-instance': { type: 'string', multiple: true },
  },
  positionals: [],
  flags: z.object({
    'kms-port': Port('kms-port', 8300),
    'rds-port': Port('rds-port', 8301),
    'cloudflow-port': Port('cloudflow-port', 8302),
    seed: z.string().min(1, '--seed takes a file').optional(),
    'rds-instance': z.array(z.string()).default([]),
  }),
  async run(flags, context) {
    let instances: RdsInstanceSpec[];
    try {
      instances = flags['rds-instance'].map(parseInstanceArg);
    } catch (err) {
      throw new UsageError(err instanceof Error ? err.message : '--rds-instance is malformed');
    }
    const seed =
      flags.seed === undefined
        ? undefined
        : await readSeedFile(flags.seed).catch((err: unknown) => {
            throw new UsageError(err instanceof Error ? err.message : '--seed cannot be read');
          });
    const started: { close(): Promise<unknown> }[] = [];
    try {
      const kms: KmsEmulator = await startKmsEmulator({ port: flags['kms-port'], regionId: context.region, ...(seed ? { seed } : {}) });
      started.push(kms);
      const rds: RdsEmulator = await startRdsEmulator({ port: flags['rds-port'], regionId: context.region, instances });
      started.push(rds);
      const cloudflow: CloudFlowEmulator = await startCloudFlowEmulator({
        port: flags['cloudflow-port'],
        functionEnv: { KMS_ENDPOINT: kms.endpoint, RDS_ENDPOINT: rds.endpoint },
        sink: context.debug ? (line) => context.output.err(line) : () => {},
      });
      started.push(cloudflow);
      const out = context.output.out;
      out(`export KMS_ENDPOINT=${kms.endpoint}`);
      out(`export RDS_ENDPOINT=${rds.endpoint}`);
      out(`export CLOUDFLOW_ENDPOINT=${cloudflow.endpoint}`);
      out(`export ALIBABA_CLOUD_REGION_ID=${context.region}`);
      out(`export ALIBABA_CLOUD_ACCESS_KEY_ID=${LOCAL_CREDENTIALS.accessKeyId}`);
      out(`export ALIBABA_CLOUD_ACCESS_KEY_SECRET=${LOCAL_CREDENTIALS.accessKeySecret}`);
      context.output.err(
        `emulating KMS (${seed?.length ?? 0} secrets), RDS (${instances.map((i) => i.instanceId).join(', ') || 'no instances'}) and CloudFlow (flows/); Ctrl-C stops`,
      );
      await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
      return 0;
    } finally {
      for (const server of started.reverse()) await server.close().catch(() => undefined);
    }
  },
});
