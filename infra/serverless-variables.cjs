'use strict';
/**
 * Values that serverless.yml reads with `${file(./infra/serverless-variables.cjs):<name>}`.
 * osls calls an exported function with ({ options, resolveConfigurationProperty, resolveVariable })
 * while it resolves variables, offline (nothing here calls AWS).
 *
 * - coordinatorDefinition: infra/coordinator.asl.json through the same loader the local
 *   executor uses (infra/coordinator-definition.ts), so the deployed state machine and the
 *   tested one are one definition. The raw file must not go through `${file(...)}`: its
 *   `${CoordinatorWindowFunctionArn}` token would meet variable resolution.
 * - sourceStream: the Kinesis stream the processor consumes; `--param="streamArn=..."`
 *   names an existing stream, otherwise the stack creates one: sourceStreamResources.
 * - outputStream / processorStatements: the stream ctx.output writes to
 *   (`--param="outputStream=<name>"`, default none) and the processor's IAM statements,
 *   which grant kinesis:PutRecords on it only when it is set.
 */
const path = require('node:path');
const { require: tsxRequire } = require('tsx/cjs/api');

/** Logical id osls gives the `coordinatorWindow` function (see serverless.yml). */
const WINDOW_FUNCTION_LOGICAL_ID = 'CoordinatorWindowLambdaFunction';
/** Logical id of the stream resource created when no streamArn is given. */
const SOURCE_STREAM_LOGICAL_ID = 'SourceStream';
const STREAM_NAME = /^[A-Za-z0-9_.-]{1,128}$/;
const STREAM_ARN = /^arn:(aws[a-z-]*):kinesis:([a-z0-9-]+):\d{12}:stream\/([A-Za-z0-9_.-]{1,128})$/;

function loadDefinitionModule() {
  return tsxRequire(path.join(__dirname, 'coordinator-definition.ts'), __filename);
}

/**
 * serverless-step-functions hands the definition to CloudFormation as an Fn::Sub
 * template, where any other `${...}` text (the top-level Comment quotes the placeholder)
 * would be read as a parameter. `${!` is Fn::Sub's escape for a literal `${`.
 */
function escapeForFnSub(value) {
  if (typeof value === 'string') return value.replaceAll('${', '${!');
  if (Array.isArray(value)) return value.map(escapeForFnSub);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, escapeForFnSub(item)]));
  }
  return value;
}

function coordinatorDefinition() {
  const { loadCoordinatorDefinition } = loadDefinitionModule();
  // serverless-step-functions makes this Fn::GetAtt a parameter of the definition's Fn::Sub.
  // The state machine then depends on the function, never the other way round: the
  // function's and the state machine role's ARNs are built from names (no circular reference).
  const definition = loadCoordinatorDefinition({
    CoordinatorWindowFunctionArn: { 'Fn::GetAtt': [WINDOW_FUNCTION_LOGICAL_ID, 'Arn'] },
  });
  // Substituted first, so the only `${` left are free text (the Comment quotes the placeholder).
  return escapeForFnSub(definition);
}

/** { arn, name, created }: an existing stream from `param:streamArn`, else the stack's own. */
async function sourceStream({ resolveConfigurationProperty }) {
  const given = await resolveConfigurationProperty(['custom', 'flinkless', 'source', 'streamArn']);
  if (typeof given === 'string' && given.trim() !== '') {
    const match = STREAM_ARN.exec(given.trim());
    if (match === null) {
      throw new Error(
        `param streamArn: expected a Kinesis stream ARN like arn:aws:kinesis:us-east-1:123456789012:stream/name, found ${JSON.stringify(given)}. ` +
          'Pass --param="streamArn=<arn>" or omit it to let the stack create the stream.',
      );
    }
    const region = await resolveConfigurationProperty(['provider', 'region']);
    if (match[2] !== region) {
      throw new Error(
        `param streamArn: expected a stream in the deployment region ${region} (an event source mapping cannot cross regions), found ${match[2]} in ${given}. ` +
          'Deploy with --region matching the stream.',
      );
    }
    return { arn: given.trim(), name: match[3], created: false };
  }
  const name = await resolveConfigurationProperty(['custom', 'flinkless', 'source', 'streamName']);
  return { arn: { 'Fn::GetAtt': [SOURCE_STREAM_LOGICAL_ID, 'Arn'] }, name, created: true };
}

/**
 * The `resources` fragment holding SourceStream when the stack creates the stream, else
 * nothing (an empty fragment, so the template has no condition that is always false).
 */
async function sourceStreamResources(context) {
  const stream = await sourceStream(context);
  if (!stream.created) return {};
  const setting = (name) => context.resolveConfigurationProperty(['custom', 'flinkless', 'source', name]);
  return {
    Resources: {
      [SOURCE_STREAM_LOGICAL_ID]: {
        Type: 'AWS::Kinesis::Stream',
        Properties: {
          Name: stream.name,
          ShardCount: Number(await setting('shardCount')),
          RetentionPeriodHours: Number(await setting('retentionHours')),
          StreamModeDetails: { StreamMode: 'PROVISIONED' },
          // Encrypted at rest with the AWS managed key: usable through Kinesis by any
          // principal the stream's IAM allows, so the functions need no kms: statement.
          StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
        },
      },
    },
  };
}

/**
 * { name, arn }: the stream ctx.output writes to, from custom.flinkless.output.streamName;
 * { name: null } when none is set (null leaves FLINKLESS_OUTPUT_STREAM out of the template).
 * A name, not an ARN: core/aws/kinesis-output-sink.ts addresses the stream by name, so it
 * is in the deployment's region and account.
 */
async function outputStream({ resolveConfigurationProperty }) {
  const given = await resolveConfigurationProperty(['custom', 'flinkless', 'output', 'streamName']);
  const name = typeof given === 'string' ? given.trim() : '';
  if (name === '') return { name: null, arn: null };
  if (!STREAM_NAME.test(name)) {
    const hint = name.startsWith('arn:')
      ? ' (an ARN: pass the stream name, in the deployment region and account)'
      : '';
    throw new Error(
      `param outputStream: expected a Kinesis stream name (1-128 of A-Z a-z 0-9 _ . -), found ${JSON.stringify(given)}${hint}. ` +
        'Pass --param="outputStream=<name>" or omit it to disable outputs.',
    );
  }
  return {
    name,
    arn: { 'Fn::Sub': `arn:\${AWS::Partition}:kinesis:\${AWS::Region}:\${AWS::AccountId}:stream/${name}` },
  };
}

/** custom.flinkless.processorStatements, plus kinesis:PutRecords on the output stream if one is set. */
async function processorStatements(context) {
  const statements = await context.resolveConfigurationProperty([
    'custom',
    'flinkless',
    'processorStatements',
  ]);
  const output = await outputStream(context);
  if (output.name === null) return statements;
  return [...statements, { Effect: 'Allow', Action: ['kinesis:PutRecords'], Resource: [output.arn] }];
}

module.exports = {
  coordinatorDefinition,
  outputStream,
  processorStatements,
  sourceStream,
  sourceStreamResources,
};
