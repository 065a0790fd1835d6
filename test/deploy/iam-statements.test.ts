import { describe, expect, it } from 'vitest';
import type { CfnTemplate, JsonObject } from './support/cloudformation.js';
import { stringLike, wildcardGrants } from './support/iam-statements.js';

/** The wildcard finder the template test relies on: it must see what it is meant to see. */

function templateWith(statement: JsonObject): CfnTemplate {
  return {
    Resources: {
      SomeRole: {
        Type: 'AWS::IAM::Role',
        Properties: { Policies: [{ PolicyName: 'p', PolicyDocument: { Statement: [statement] } }] },
      },
    },
  };
}

describe('wildcardGrants', () => {
  it.each([
    [{ Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::b/k' }, 'Action "*"'],
    [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:*'], Resource: 'arn:aws:s3:::b/k' }, 'Action "s3:*"'],
    [{ Effect: 'Allow', Action: 's3:Get*', Resource: 'arn:aws:s3:::b/k' }, 'Action "s3:Get*"'],
    [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }, 'Resource "*"'],
    [
      { Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Sub': `arn:\${AWS::Partition}:s3:::*` } },
      'Resource',
    ],
    [
      { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: 'arn:aws:dynamodb:us-east-1:1:table/*' },
      'Resource',
    ],
    [{ Effect: 'Allow', NotAction: 'iam:*', Resource: 'arn:aws:s3:::b/k' }, 'NotAction'],
  ])('reports %j', (statement, found) => {
    const grants = wildcardGrants(templateWith(statement), []);

    expect(grants.map((g) => g.found).join(' ')).toContain(found);
  });

  it('accepts one-by-one actions on prefix-scoped resources', () => {
    const statement = {
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject'],
      Resource: [{ 'Fn::Sub': `arn:\${AWS::Partition}:s3:::bucket/checkpoints/job/*` }],
    };

    expect(wildcardGrants(templateWith(statement), [])).toEqual([]);
  });

  it('skips an allowed statement and only that one', () => {
    const statement = { Sid: 'Tls', Effect: 'Deny', Action: 's3:*', Resource: 'arn:aws:s3:::b/k' };

    const allowed = wildcardGrants(templateWith(statement), [
      { holder: 'SomeRole', statementId: 'Tls', reason: 'r' },
    ]);
    const other = wildcardGrants(templateWith(statement), [
      { holder: 'OtherRole', statementId: 'Tls', reason: 'r' },
    ]);

    expect(allowed).toEqual([]);
    expect(other).toHaveLength(1);
  });
});

describe('stringLike', () => {
  it.each([
    ['checkpoints/job/*', 'checkpoints/job/', true],
    ['checkpoints/job/*', 'checkpoints/job/chk-1/shard.snap', true],
    ['checkpoints/job/*', 'checkpoints/job2/', false],
    ['checkpoints/job/*', 'checkpoints/', false],
    ['checkpoints/job/*', 'Checkpoints/job/', false],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['a.c', 'abc', false],
  ])('matches %s against %s: %s', (pattern, value, expected) => {
    expect(stringLike(pattern, value)).toBe(expected);
  });
});
