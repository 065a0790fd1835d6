import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointKey, jobPrefix, savepointKey } from '../../core/checkpoint/storage-location.js';
import { compileConfig, configFromEnvironmentRecord } from '../../core/config/index.js';
import { loadBundledHandler } from './support/bundle.js';
import { cfnLintVersion, runCfnLint } from './support/cfn-lint.js';
import {
  arnText,
  asArray,
  type CfnTemplate,
  environmentOf,
  isObject,
  type Json,
  type PackagedService,
  packageService,
  property,
  REPO_ROOT,
  referencedId,
  removePackage,
  resource,
  resourcesOfType,
} from './support/cloudformation.js';
import {
  actionsOf,
  statementsOf,
  stringLike,
  type WildcardAllowance,
  wildcardGrants,
} from './support/iam-statements.js';

/**
 * The deployment as CloudFormation sees it: `osls package` of serverless.yml (offline),
 * once with the defaults (the stack creates the stream, no output stream) and once with an
 * existing stream and an output stream (`--param="streamArn=..."`, the common case, and
 * `--param="outputStream=..."`).
 */

/** Wildcards the template keeps on purpose. Anything else with "*" fails the test. */
const WILDCARD_ALLOWANCES: readonly WildcardAllowance[] = [
  {
    holder: 'StateBucketPolicy',
    statementId: 'DenyInsecureTransport',
    reason: 'a Deny: s3:* refuses every action over plain HTTP, it grants nothing',
  },
  {
    holder: 'ControlIamRoleLambdaExecution',
    statementId: '7',
    reason:
      "lambda:ListEventSourceMappings has no resource-level permission; a restore lists the processor's " +
      'mappings to re-enable them after its restart strategy disabled them (UpdateEventSourceMapping is scoped)',
  },
  {
    holder: 'ProcessorIamRoleLambdaExecution',
    statementId: '6',
    reason:
      'lambda:ListEventSourceMappings has no resource-level permission; the processor lists its own ' +
      'mappings to disable them when the restart strategy is exhausted (UpdateEventSourceMapping is scoped)',
  },
  {
    holder: 'ServerlessDeploymentBucketPolicy',
    statementId: '0',
    reason: "osls's own TLS-only Deny on its deployment bucket, it grants nothing",
  },
];

const JOB_ID = 'flinkless-dev';
const BUCKET = 'flinkless-dev-us-east-1-state';
const EXISTING_STREAM_ARN = 'arn:aws:kinesis:us-east-1:123456789012:stream/clicks';
const OUTPUT_STREAM = 'results';
const OUTPUT_STREAM_ARN = `arn:\${AWS::Partition}:kinesis:\${AWS::Region}:\${AWS::AccountId}:stream/${OUTPUT_STREAM}`;
const ROLES = [
  'ProcessorIamRoleLambdaExecution',
  'CoordinatorWindowIamRoleLambdaExecution',
  'ControlIamRoleLambdaExecution',
] as const;
const FUNCTIONS = [
  'ProcessorLambdaFunction',
  'CoordinatorWindowLambdaFunction',
  'ControlLambdaFunction',
] as const;

let created: PackagedService | undefined;
let existing: PackagedService | undefined;

function templateOf(service: PackagedService | undefined): CfnTemplate {
  if (service === undefined) throw new Error('expected beforeAll to have packaged the service');
  return service.template;
}

beforeAll(async () => {
  // One after the other: both builds use the service's .esbuild/ folder.
  created = await packageService(['--stage', 'dev']);
  existing = await packageService([
    '--stage',
    'dev',
    `--param=streamArn=${EXISTING_STREAM_ARN}`,
    `--param=outputStream=${OUTPUT_STREAM}`,
  ]);
}, 240_000);

afterAll(async () => {
  await removePackage(created);
  await removePackage(existing);
});

describe('IAM: least privilege', () => {
  it('gives every function a role of its own and keeps no unused shared role', () => {
    const template = templateOf(created);

    const roles = FUNCTIONS.map((id) => referencedId(property(resource(template, id), 'Role')));

    expect(roles).toEqual([
      'ProcessorIamRoleLambdaExecution',
      'CoordinatorWindowIamRoleLambdaExecution',
      'ControlIamRoleLambdaExecution',
    ]);
    for (const role of roles) expect(resource(template, role ?? '').Type).toBe('AWS::IAM::Role');
    expect(template.Resources.IamRoleLambdaExecution).toBeUndefined();
  });

  it('builds every ARN outside the state machine definition with the partition of the region (aws-cn, aws-us-gov)', () => {
    for (const template of [templateOf(created), templateOf(existing)]) {
      // The ARN a user passes as streamArn is theirs; every ARN we build must use AWS::Partition.
      // The state machine definition is the shared ASL, whose service-integration URIs the
      // local executor needs verbatim; everything else, IAM above all, is checked.
      const checked = Object.values(template.Resources).filter(
        (r) => (r as { Type?: string }).Type !== 'AWS::StepFunctions::StateMachine',
      );
      const resources = JSON.stringify(checked).replaceAll(EXISTING_STREAM_ARN, '<streamArn>');
      expect(resources.match(/arn:aws:[^"]*/g) ?? []).toEqual([]);
    }
  });

  it('grants no wildcard action and no "*" resource outside the documented allowances', () => {
    for (const template of [templateOf(created), templateOf(existing)]) {
      expect(wildcardGrants(template, WILDCARD_ALLOWANCES)).toEqual([]);
    }
  });

  it("scopes S3 object access to the job prefixes and listing to the state bucket's job prefixes", () => {
    const template = templateOf(created);
    const jobObjects = [
      `arn:\${AWS::Partition}:s3:::${BUCKET}/checkpoints/${JOB_ID}/*`,
      `arn:\${AWS::Partition}:s3:::${BUCKET}/savepoints/${JOB_ID}/*`,
    ];
    const anySavepoint = `arn:\${AWS::Partition}:s3:::${BUCKET}/savepoints/*`;

    const statements = ROLES.flatMap((role) => statementsOf(template, role)).filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('s3:')),
    );

    for (const statement of statements) {
      const resources = asArray(statement.Resource).map(arnText);
      if (actionsOf(statement).includes('s3:ListBucket')) {
        expect(actionsOf(statement)).toEqual(['s3:ListBucket']);
        expect(resources).toEqual([`arn:\${AWS::Partition}:s3:::${BUCKET}`]);
        expect(statement.Condition).toEqual({
          StringLike: { 's3:prefix': [`checkpoints/${JOB_ID}/*`, `savepoints/${JOB_ID}/*`] },
        });
      } else if (resources.includes(anySavepoint)) {
        // restore { savepointPath, allowJobIdChange } reads another job's savepoint: read only.
        expect(actionsOf(statement)).toEqual(['s3:GetObject']);
        expect(resources).toEqual([anySavepoint]);
      } else {
        expect(jobObjects).toEqual(expect.arrayContaining(resources));
      }
    }
    // objects and listing for each function; the control function also writes savepoint
    // _metadata and reads savepoints of other jobs
    expect(statements.length).toBe(8);
  });

  it("lets every role list what the job lists and reads, and nothing of another job's", () => {
    const template = templateOf(created);
    const listable = (role: string, prefix: string) =>
      statementsOf(template, role).some(
        (statement) =>
          actionsOf(statement).includes('s3:ListBucket') &&
          isObject(statement.Condition) &&
          isObject(statement.Condition.StringLike) &&
          asArray(statement.Condition.StringLike['s3:prefix']).some(
            (pattern) => typeof pattern === 'string' && stringLike(pattern, prefix),
          ),
      );
    // Cleanup lists the job's root; a missing snapshot's 403 is checked by listing its key.
    const ours = [
      jobPrefix('checkpoints', JOB_ID),
      checkpointKey('checkpoints', JOB_ID, 7, 'shardId-000000000000', 'u1'),
      savepointKey('savepoints', JOB_ID, 8, 'shardId-000000000000', 'u2'),
    ];
    const theirs = [jobPrefix('checkpoints', `${JOB_ID}2`), 'checkpoints/', '', 'savepoints/other-job/'];

    for (const role of ROLES) {
      expect(ours.filter((prefix) => !listable(role, prefix))).toEqual([]);
      expect(theirs.filter((prefix) => listable(role, prefix))).toEqual([]);
    }
  });

  it('lets the processor inject barriers into the source stream and delete snapshots as the coordinator does', () => {
    const template = templateOf(created);
    const grants = (role: string, action: string) =>
      statementsOf(template, role)
        .filter((statement) => actionsOf(statement).includes(action))
        .flatMap((statement) => asArray(statement.Resource));

    for (const action of ['kinesis:PutRecords', 'kinesis:ListShards']) {
      expect(grants('ProcessorIamRoleLambdaExecution', action)).toEqual([
        { 'Fn::GetAtt': ['SourceStream', 'Arn'] },
      ]);
    }
    expect(grants('ProcessorIamRoleLambdaExecution', 's3:DeleteObject')).toEqual(
      grants('CoordinatorWindowIamRoleLambdaExecution', 's3:DeleteObject'),
    );
    expect(grants('ProcessorIamRoleLambdaExecution', 's3:DeleteObject')).toHaveLength(2);
  });

  it("limits DynamoDB access to this table and to the job's partition key", () => {
    const template = templateOf(created);
    for (const role of ROLES) {
      const dynamodb = statementsOf(template, role).filter((s) =>
        actionsOf(s).some((a) => a.startsWith('dynamodb:')),
      );

      expect(dynamodb).toHaveLength(1);
      expect(asArray(dynamodb[0]?.Resource).map(arnText)).toEqual([
        `arn:\${AWS::Partition}:dynamodb:\${AWS::Region}:\${AWS::AccountId}:table/flinkless-dev-checkpoints`,
      ]);
      expect(dynamodb[0]?.Condition).toEqual({
        'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [`JOB#${JOB_ID}`] },
      });
    }
  });

  it('lets the state machine invoke only the window function and start only itself', () => {
    const template = templateOf(created);
    const machine = resource(template, 'CoordinatorStateMachine');
    const name = property(machine, 'StateMachineName');

    const statements = statementsOf(template, 'CoordinatorStateMachineRole');

    expect(referencedId(property(machine, 'RoleArn'))).toBe('CoordinatorStateMachineRole');
    expect(statements.map((s) => [actionsOf(s), asArray(s.Resource).map(arnText)])).toEqual([
      [
        ['lambda:InvokeFunction'],
        [
          `arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:${property(resource(template, 'CoordinatorWindowLambdaFunction'), 'FunctionName')}`,
        ],
      ],
      [
        ['states:StartExecution'],
        [`arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:stateMachine:${name}`],
      ],
    ]);
  });

  it('uses the given stream ARN everywhere and creates no stream when streamArn is passed', () => {
    const template = templateOf(existing);
    const kinesis = ROLES.flatMap((role) => statementsOf(template, role)).filter((s) =>
      actionsOf(s).some((a) => a.startsWith('kinesis:')),
    );
    const onOutput = (s: (typeof kinesis)[number]) =>
      asArray(s.Resource).map(arnText).includes(OUTPUT_STREAM_ARN);

    expect(resourcesOfType(template, 'AWS::Kinesis::Stream')).toEqual([]);
    for (const statement of kinesis.filter((s) => !onOutput(s))) {
      expect(asArray(statement.Resource)).toEqual([EXISTING_STREAM_ARN]);
    }
    const [mapping] = resourcesOfType(template, 'AWS::Lambda::EventSourceMapping');
    expect(mapping?.[1].Properties?.EventSourceArn).toBe(EXISTING_STREAM_ARN);
    for (const id of FUNCTIONS) expect(environmentOf(template, id).FLINKLESS_STREAM).toBe('clicks');
  });
});

describe('output stream (ctx.output)', () => {
  /** [role, statement] for every statement granting kinesis:PutRecords. */
  function putRecordsGrants(template: CfnTemplate) {
    return ROLES.flatMap((role) =>
      statementsOf(template, role)
        .filter((statement) => actionsOf(statement).includes('kinesis:PutRecords'))
        .map((statement) => [role, actionsOf(statement), asArray(statement.Resource)] as const),
    );
  }

  it('sets no FLINKLESS_OUTPUT_STREAM and grants PutRecords on the source stream only by default', () => {
    const template = templateOf(created);

    const grants = putRecordsGrants(template);

    for (const id of FUNCTIONS) expect(environmentOf(template, id).FLINKLESS_OUTPUT_STREAM).toBeUndefined();
    // Barriers only: the processor, RunWindow and control, each on the stack's source stream.
    expect(grants.map(([role, , resources]) => [role, resources])).toEqual(
      ROLES.map((role) => [role, [{ 'Fn::GetAtt': ['SourceStream', 'Arn'] }]]),
    );
  });

  it('passes the output stream to the processor and grants PutRecords on it to the processor alone', () => {
    const template = templateOf(existing);

    const onOutput = putRecordsGrants(template).filter(([, , resources]) =>
      resources.map(arnText).includes(OUTPUT_STREAM_ARN),
    );

    expect(environmentOf(template, 'ProcessorLambdaFunction').FLINKLESS_OUTPUT_STREAM).toBe(OUTPUT_STREAM);
    expect(onOutput).toEqual([
      ['ProcessorIamRoleLambdaExecution', ['kinesis:PutRecords'], [{ 'Fn::Sub': OUTPUT_STREAM_ARN }]],
    ]);
  });
});

describe('storage and stream resources', () => {
  it('blocks all public access to the state bucket and denies requests without TLS', () => {
    const template = templateOf(created);
    const policy = resource(template, 'StateBucketPolicy');

    const deny = statementsOf(template, 'StateBucketPolicy').find((s) => s.Effect === 'Deny');

    expect(property(resource(template, 'StateBucket'), 'PublicAccessBlockConfiguration')).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(referencedId(property(policy, 'Bucket'))).toBe('StateBucket');
    expect(deny?.Condition).toEqual({ Bool: { 'aws:SecureTransport': 'false' } });
    expect(deny?.Principal).toBe('*');
    expect(asArray(deny?.Resource)).toHaveLength(2); // the bucket and its objects
  });

  it('encrypts the state bucket by default and keeps versions of deleted snapshots', () => {
    const bucket = resource(templateOf(created), 'StateBucket');

    const rules = asArray(property(bucket, 'BucketEncryption', 'ServerSideEncryptionConfiguration'));

    expect(rules).toHaveLength(1);
    const algorithm = isObject(rules[0])
      ? property({ Type: '', Properties: rules[0] }, 'ServerSideEncryptionByDefault', 'SSEAlgorithm')
      : undefined;
    expect(['AES256', 'aws:kms']).toContain(algorithm);
    expect(property(bucket, 'VersioningConfiguration', 'Status')).toBe('Enabled');
  });

  it('aborts stale multipart uploads after a day and never expires current objects', () => {
    const bucket = resource(templateOf(created), 'StateBucket');

    const rules = asArray(property(bucket, 'LifecycleConfiguration', 'Rules')).filter(isObject);

    expect(
      rules.find((r) => isObject(r.AbortIncompleteMultipartUpload))?.AbortIncompleteMultipartUpload,
    ).toEqual({
      DaysAfterInitiation: 1,
    });
    for (const rule of rules) {
      // Expiration of current objects would delete retained checkpoints and savepoints.
      expect(rule.ExpirationInDays).toBeUndefined();
      expect(rule.ExpirationDate).toBeUndefined();
      expect(rule.Transitions).toBeUndefined();
    }
  });

  it('makes the checkpoint table on-demand, point-in-time recoverable and encrypted', () => {
    const table = resource(templateOf(created), 'CheckpointTable');

    expect(property(table, 'BillingMode')).toBe('PAY_PER_REQUEST');
    expect(property(table, 'PointInTimeRecoverySpecification')).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(property(table, 'SSESpecification', 'SSEEnabled')).toBe(true);
    expect(property(table, 'KeySchema')).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(property(table, 'AttributeDefinitions')).toEqual([
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
    ]);
  });

  it('creates a KMS-encrypted source stream when no streamArn is given', () => {
    const stream = resource(templateOf(created), 'SourceStream');

    expect(stream.Type).toBe('AWS::Kinesis::Stream');
    expect(property(stream, 'StreamEncryption')).toEqual({
      EncryptionType: 'KMS',
      KeyId: 'alias/aws/kinesis',
    });
  });

  it('sets a retention on the log group of every function', () => {
    const template = templateOf(created);
    const groups = resourcesOfType(template, 'AWS::Logs::LogGroup').map(([, group]) => group);

    for (const id of FUNCTIONS) {
      const name = property(resource(template, id), 'FunctionName');
      const group = groups.find((g) => property(g, 'LogGroupName') === `/aws/lambda/${name}`);
      expect(property(group ?? { Type: '' }, 'RetentionInDays')).toBeGreaterThan(0);
    }
  });
});

describe('functions and the coordinator', () => {
  it('maps the Kinesis stream with one batch per shard in order, never skipping records', () => {
    const mappings = resourcesOfType(templateOf(created), 'AWS::Lambda::EventSourceMapping');

    expect(mappings).toHaveLength(1);
    const [, mapping] = mappings[0] ?? [];
    expect(referencedId(mapping?.Properties?.FunctionName)).toBe('ProcessorLambdaFunction');
    expect(mapping?.Properties).toMatchObject({
      ParallelizationFactor: 1,
      MaximumRetryAttempts: -1,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
    });
  });

  it('runs both functions on arm64 nodejs22.x, the window task for up to 900 s', () => {
    const template = templateOf(created);
    for (const id of FUNCTIONS) {
      expect(property(resource(template, id), 'Runtime')).toBe('nodejs22.x');
      expect(property(resource(template, id), 'Architectures')).toEqual(['arm64']);
    }
    const window = resource(template, 'CoordinatorWindowLambdaFunction');
    expect([property(window, 'Timeout'), property(window, 'MemorySize')]).toEqual([900, 128]);
  });

  it('gives each function an environment that compiles to the core defaults, with checkpoints every minute', () => {
    const template = templateOf(created);
    const expected = compileConfig({
      jobId: JOB_ID,
      checkpointsDir: `s3://${BUCKET}/checkpoints`,
      savepointsDir: `s3://${BUCKET}/savepoints`,
      intervalMs: 60_000,
    });

    for (const id of FUNCTIONS) {
      const environment = environmentOf(template, id);
      expect(compileConfig(configFromEnvironmentRecord(environment))).toEqual(expected);
      expect(environment.FLINKLESS_TABLE).toBe('flinkless-dev-checkpoints');
      expect(environment.FLINKLESS_STREAM).toBe('flinkless-dev-source');
      // Emulator endpoints belong to stage local (params.local) only.
      expect(Object.keys(environment).filter((name) => name.startsWith('FLINKLESS_ENDPOINT_'))).toEqual([]);
    }
  });

  it('deploys the state machine from infra/coordinator.asl.json with RunWindow on the window function', async () => {
    const source = JSON.parse(await readFile(join(REPO_ROOT, 'infra', 'coordinator.asl.json'), 'utf8')) as {
      States: Record<string, unknown>;
    };
    const machine = resource(templateOf(created), 'CoordinatorStateMachine');
    const sub = property(machine, 'DefinitionString', 'Fn::Sub');
    const [text, parameters]: Json[] = Array.isArray(sub) ? sub : [sub ?? null, {}];
    if (typeof text !== 'string' || !isObject(parameters)) throw new Error('expected an Fn::Sub definition');

    const definition = JSON.parse(text) as { States: Record<string, { Resource?: string }> };
    const runWindow = definition.States.RunWindow?.Resource ?? '';
    // Every ${...} left in the text is a parameter of the Fn::Sub or escaped as ${!...}.
    const unresolved = [...text.matchAll(/\$\{([^!}][^}]*)\}/g)].map((m) => m[1] ?? '');

    expect(Object.keys(definition.States)).toEqual(Object.keys(source.States));
    expect(property(machine, 'StateMachineType')).toBe('STANDARD');
    expect(referencedId(parameters[runWindow.slice(2, -1)])).toBe('CoordinatorWindowLambdaFunction');
    expect(unresolved.filter((name) => !(name in parameters) && !name.startsWith('AWS::'))).toEqual([]);
  });
});

describe('bundled handlers', () => {
  async function load(functionId: string, zipName: string) {
    const service = created;
    const handlerPath = String(property(resource(templateOf(service), functionId), 'Handler'));
    // "functions/processor/handler.handler": file functions/processor/handler.cjs, export handler.
    const file = `${handlerPath.slice(0, handlerPath.lastIndexOf('.'))}.cjs`;
    const directory = service?.directory ?? '';
    return loadBundledHandler(join(directory, zipName), file, join(directory, 'unzipped', zipName));
  }

  it.each([
    ['ProcessorLambdaFunction', 'processor.zip'],
    ['CoordinatorWindowLambdaFunction', 'coordinatorWindow.zip'],
  ])('%s loads from its zip as CommonJS, with Node zstd instead of a native addon', async (id, zip) => {
    const { handler, source } = await load(id, zip);

    expect(typeof handler).toBe('function');
    expect(source).toContain('zstdCompressSync');
    expect(source).not.toContain('binding.node');
  });

  it('runs the bundled window task far enough to name the missing FLINKLESS_JOB_ID', async () => {
    const { handler } = await load('CoordinatorWindowLambdaFunction', 'coordinatorWindow.zip');
    const saved = process.env.FLINKLESS_JOB_ID;
    delete process.env.FLINKLESS_JOB_ID;
    try {
      const run = handler as (
        event: unknown,
        context: { getRemainingTimeInMillis(): number },
      ) => Promise<unknown>;

      await expect(run({ jobId: JOB_ID }, { getRemainingTimeInMillis: () => 60_000 })).rejects.toThrow(
        /FLINKLESS_JOB_ID/,
      );
    } finally {
      if (saved !== undefined) process.env.FLINKLESS_JOB_ID = saved;
    }
  });
});

const cfnLint = cfnLintVersion();
if (cfnLint === undefined) {
  console.log(
    'test/deploy: cfn-lint (Python) is not on PATH, skipping the template lint (pip install cfn-lint)',
  );
}

describe.skipIf(cfnLint === undefined)('cfn-lint', () => {
  it('finds no error in either template (warnings are printed)', () => {
    for (const [label, service] of [
      ['created stream', created],
      ['existing stream', existing],
    ] as const) {
      const matches = runCfnLint(join(service?.directory ?? '', 'cloudformation-template-update-stack.json'));

      for (const m of matches.filter((x) => x.Level !== 'Error')) {
        console.log(`cfn-lint ${cfnLint} (${label}) ${m.Level} ${m.Rule.Id}: ${m.Message}`);
      }
      expect(matches.filter((m) => m.Level === 'Error').map((m) => `${m.Rule.Id}: ${m.Message}`)).toEqual([]);
    }
  }, 120_000);
});
