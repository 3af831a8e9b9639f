/**
 * `npm start -- --due N`: N tagged demo secrets (one on the emulated RDS instance; of the rest, every
 * other one made to look 40 days old against a 30-day interval, the others 3 days old) through
 * flows/rotate-due.yaml, then a check that exactly the due ones rotated.
 */
import { LOCAL_CREDENTIALS } from '../fixtures/kms-admin.js';
import type { ServerAddress } from '../fixtures/mysql-sandbox.js';
import { RotationWorld, WORLD_REGION, type WorldSecret } from '../fixtures/rotation-world.js';
import { runFlow } from '../runner/flow.js';
import { printEvents, verdict } from './print.js';

const TAG = 'fc-rotation';

interface DemoSecret {
  secret: WorldSecret;
  due: boolean;
  before: string | undefined;
}

export async function runDueDemo(server: ServerAddress, count: number): Promise<number> {
  const world = await RotationWorld.start({ rds: true, server });
  try {
    const secrets: DemoSecret[] = [];
    for (let i = 0; i < count; i++) {
      const due = i === 0 || i % 2 === 1;
      const ageDays = due ? 40 : 3;
      const tags: Record<string, string> = { [TAG]: '30d' };
      const secret =
        i === 0 && world.rds
          ? await world.addRdsSecret({ prefix: 'demo-rds-', ageDays, tags: { ...tags, [`${TAG}-instance`]: world.rds.instanceId } })
          : await world.addMysqlSecret({ prefix: 'demo-app-', ageDays, tags });
      secrets.push({ secret, due, before: await world.currentVersion(secret.secretName) });
      console.log(
        `${secret.secretName.padEnd(28)} ${secret.instanceId ? 'RDS API ' : 'MySQL   '} tag ${TAG}=30d, ACSCurrent ${String(ageDays).padStart(2)} days old: ${due ? 'due' : 'not due'}`,
      );
    }
    const input = { RegionId: WORLD_REGION, TagKey: TAG };
    console.log(`\nflow rotate-due, input ${JSON.stringify(input)}\n`);
    const logLines: string[] = [];
    const result = await runFlow('rotate-due', input, {
      env: world.env,
      credentials: LOCAL_CREDENTIALS,
      sink: (line) => logLines.push(line),
      onEvent: printEvents(),
    });
    console.log(`\n${verdict(result)}`);
    console.log(`${logLines.length} structured log lines written by the function.\n`);

    let wrong = 0;
    for (const { secret, due, before } of secrets) {
      const rotated = (await world.currentVersion(secret.secretName)) !== before;
      if (rotated !== due) wrong++;
      console.log(
        `${secret.secretName.padEnd(28)} ${rotated ? 'rotated' : 'left alone'}${rotated === due ? '' : `  (expected ${due ? 'rotated' : 'left alone'})`}`,
      );
    }
    const rotatedCount = secrets.filter((s) => s.due).length;
    console.log(wrong === 0 ? `\nexactly the ${rotatedCount} due secrets rotated.` : `\n${wrong} secrets did not go as expected.`);
    return result.status === 'Succeeded' && wrong === 0 ? 0 : 1;
  } finally {
    await world.close();
  }
}
