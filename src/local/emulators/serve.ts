/**
 * The one command line for every emulator:
 *   node --import tsx src/local/emulators/serve.ts <kms|rds|cloudflow> [--port P] [--host H] [--access-key ID:SECRET] [emulator flags]
 * It only picks the emulator's command and serves it; each emulator's flags live with the emulator.
 * A failure is reported by its message alone, which never holds a secret.
 */
import { cloudflowCommand } from './cloudflow/emulator.js';
import { kmsCommand } from './kms/emulator.js';
import { rdsCommand } from './rds/emulator.js';
import { serveUntilSignalled, type EmulatorCommand } from './command.js';

const EMULATORS: readonly EmulatorCommand[] = [kmsCommand, rdsCommand, cloudflowCommand];

function usage(): string {
  return [
    'usage: serve.ts <emulator> [--port P] [--host H] [--access-key ID:SECRET] [flags]',
    ...EMULATORS.map((c) => `  ${c.name.padEnd(9)} ${c.summary} (default port ${c.defaultPort})`),
  ].join('\n');
}

async function main(argv: readonly string[]): Promise<void> {
  const [name, ...rest] = argv;
  const command = EMULATORS.find((c) => c.name === name);
  if (!command) {
    console.error(usage());
    process.exit(2);
  }
  serveUntilSignalled(await command.start(rest));
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
