import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

/** infra/serverless-variables.cjs, called as osls calls it while resolving serverless.yml. */

type Resolve = (path: string[]) => Promise<unknown>;
interface Variables {
  coordinatorDefinition(): { Comment: string; States: Record<string, { Resource?: unknown }> };
  sourceStream(context: { resolveConfigurationProperty: Resolve }): Promise<{
    arn: unknown;
    name: string;
    created: boolean;
  }>;
  sourceStreamResources(context: { resolveConfigurationProperty: Resolve }): Promise<{
    Resources?: Record<string, { Type: string }>;
  }>;
  outputStream(context: {
    resolveConfigurationProperty: Resolve;
  }): Promise<{ name: string | null; arn: unknown }>;
  processorStatements(context: { resolveConfigurationProperty: Resolve }): Promise<unknown[]>;
}

const variables = createRequire(import.meta.url)('../../infra/serverless-variables.cjs') as Variables;

const PROCESSOR_STATEMENT = { Effect: 'Allow', Action: ['kinesis:GetRecords'], Resource: ['source'] };

function configuration(streamArn: string, outputStream = ''): { resolveConfigurationProperty: Resolve } {
  const values: Record<string, unknown> = {
    'custom.flinkless.source.streamArn': streamArn,
    'custom.flinkless.output.streamName': outputStream,
    'custom.flinkless.processorStatements': [PROCESSOR_STATEMENT],
    'custom.flinkless.source.streamName': 'flinkless-dev-source',
    'custom.flinkless.source.shardCount': 2,
    'custom.flinkless.source.retentionHours': 24,
    'provider.region': 'us-east-1',
  };
  return { resolveConfigurationProperty: async (path) => values[path.join('.')] };
}

describe('serverless variables', () => {
  it('takes the stream name from a given stream ARN and creates no stream', async () => {
    const context = configuration('arn:aws:kinesis:us-east-1:123456789012:stream/clicks');

    const stream = await variables.sourceStream(context);
    const resources = await variables.sourceStreamResources(context);

    expect(stream).toEqual({
      arn: 'arn:aws:kinesis:us-east-1:123456789012:stream/clicks',
      name: 'clicks',
      created: false,
    });
    expect(resources).toEqual({});
  });

  it('creates the stream when no ARN is given', async () => {
    const context = configuration('');

    const stream = await variables.sourceStream(context);
    const resources = await variables.sourceStreamResources(context);

    expect(stream).toEqual({
      arn: { 'Fn::GetAtt': ['SourceStream', 'Arn'] },
      name: 'flinkless-dev-source',
      created: true,
    });
    expect(resources.Resources?.SourceStream?.Type).toBe('AWS::Kinesis::Stream');
  });

  it.each([
    [
      'a stream in another region',
      'arn:aws:kinesis:eu-west-1:123456789012:stream/clicks',
      /region us-east-1/,
    ],
    ['something that is not a stream ARN', 'clicks', /expected a Kinesis stream ARN/],
  ])('rejects %s, saying what it expected', async (_label, arn, message) => {
    await expect(variables.sourceStream(configuration(arn))).rejects.toThrow(message);
  });

  it('leaves outputs disabled and the processor without PutRecords on them when no output stream is set', async () => {
    const context = configuration('');

    const output = await variables.outputStream(context);
    const statements = await variables.processorStatements(context);

    expect(output).toEqual({ name: null, arn: null });
    expect(statements).toEqual([PROCESSOR_STATEMENT]);
  });

  it('grants the processor kinesis:PutRecords on the output stream, and only that, when one is set', async () => {
    const context = configuration('', 'results');

    const output = await variables.outputStream(context);
    const statements = await variables.processorStatements(context);

    expect(output.name).toBe('results');
    expect(statements).toEqual([
      PROCESSOR_STATEMENT,
      {
        Effect: 'Allow',
        Action: ['kinesis:PutRecords'],
        Resource: [
          { 'Fn::Sub': `arn:\${AWS::Partition}:kinesis:\${AWS::Region}:\${AWS::AccountId}:stream/results` },
        ],
      },
    ]);
  });

  it.each([
    ['an ARN', 'arn:aws:kinesis:us-east-1:123456789012:stream/results', /pass the stream name/],
    ['a name with a slash', 'results/2', /expected a Kinesis stream name/],
  ])('rejects %s as the output stream, saying what it expected', async (_label, name, message) => {
    await expect(variables.outputStream(configuration('', name))).rejects.toThrow(message);
  });

  it('hands over the coordinator definition with the window function and Fn::Sub-safe text', () => {
    const definition = variables.coordinatorDefinition();

    expect(definition.States.RunWindow?.Resource).toEqual({
      'Fn::GetAtt': ['CoordinatorWindowLambdaFunction', 'Arn'],
    });
    // Free text that quotes a ${...} token (the Comment does) is escaped for Fn::Sub.
    expect(JSON.stringify(definition)).not.toMatch(/\$\{[^!]/);
  });
});
