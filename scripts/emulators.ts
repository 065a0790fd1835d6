/**
 * npm run emulators [-- --stage local]
 *
 * Starts the Kinesis, DynamoDB and S3 emulators on the ports serverless.yml gives the
 * stage (params.local), creates the stream, table and bucket its functions use, prints
 * them, and stays up until Ctrl-C. Then, in another terminal:
 *   npx osls invoke local -f control -p events/control-status.json --stage local
 */
import { parseArgs } from 'node:util';
import { createAwsClients } from '../core/aws/clients.js';
import { CheckpointError } from '../core/errors/index.js';
import { emulatorConnection } from '../local/connection.js';
import { startEmulators } from '../local/emulators.js';
import { provisionResources } from '../local/resources.js';
import { emulatorPlan, stageSettings } from '../local/serverless-stage.js';

const { values } = parseArgs({ options: { stage: { type: 'string', default: 'local' } } });
const stage = values.stage;

/** Known failures (wrong stage, a port in use) as one line, not a stack trace. */
async function orExit<T>(step: Promise<T> | (() => T)): Promise<T> {
  try {
    return await (typeof step === 'function' ? step() : step);
  } catch (error) {
    if (!(error instanceof CheckpointError)) throw error;
    console.error(`npm run emulators: ${error.message}`);
    process.exit(2);
  }
}

const settings = await stageSettings(stage);
const plan = await orExit(() => emulatorPlan(settings.environment, stage));
const emulators = await orExit(startEmulators({ ports: plan.ports }));
const clients = createAwsClients(emulatorConnection(emulators.endpoints));
try {
  await provisionResources(clients, plan.names, { shardCount: settings.shardCount });
} catch (error) {
  clients.destroy();
  await emulators.stop();
  throw error;
}

console.log(`emulators for stage ${stage} (Ctrl-C stops them and deletes their data)
  kinesis   ${emulators.endpoints.kinesis}   stream ${plan.names.stream} (${settings.shardCount} shard${settings.shardCount === 1 ? '' : 's'})
  dynamodb  ${emulators.endpoints.dynamodb}   table  ${plan.names.table}
  s3        ${emulators.endpoints.s3}   bucket ${plan.names.bucket}
ready: npx osls invoke local -f control -p events/control-status.json --stage ${stage}`);

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: stopping the emulators`);
  clients.destroy();
  await emulators.stop();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
