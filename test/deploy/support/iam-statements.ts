import {
  arnText,
  asArray,
  type CfnTemplate,
  isObject,
  type Json,
  type JsonObject,
} from './cloudformation.js';

/** One statement of a policy in the template, with where it is. */
export interface LocatedStatement {
  /** Logical id of the role, policy or bucket policy holding it. */
  holder: string;
  /** Sid, or the statement's index in its document. */
  statementId: string;
  statement: JsonObject;
}

/** A wildcard the template is allowed to keep, and why. */
export interface WildcardAllowance {
  holder: string;
  statementId: string;
  reason: string;
}

export interface WildcardGrant {
  holder: string;
  statementId: string;
  found: string;
}

const POLICY_DOCUMENT_PATHS: Readonly<Record<string, (properties: JsonObject) => Json[]>> = {
  'AWS::IAM::Role': (p) =>
    asArray(p.Policies).map((policy) => (isObject(policy) ? (policy.PolicyDocument ?? null) : null)),
  'AWS::IAM::Policy': (p) => [p.PolicyDocument ?? null],
  'AWS::IAM::ManagedPolicy': (p) => [p.PolicyDocument ?? null],
  'AWS::S3::BucketPolicy': (p) => [p.PolicyDocument ?? null],
};

/** Every statement of every identity policy and bucket policy in the template. */
export function policyStatements(template: CfnTemplate): LocatedStatement[] {
  const located: LocatedStatement[] = [];
  for (const [holder, resource] of Object.entries(template.Resources)) {
    const documentsOf = POLICY_DOCUMENT_PATHS[resource.Type];
    if (documentsOf === undefined || resource.Properties === undefined) continue;
    for (const document of documentsOf(resource.Properties)) {
      if (!isObject(document)) continue;
      asArray(document.Statement).forEach((statement, index) => {
        if (!isObject(statement)) return;
        const sid = typeof statement.Sid === 'string' ? statement.Sid : String(index);
        located.push({ holder, statementId: sid, statement });
      });
    }
  }
  return located;
}

/** True for "*", "s3:*" and any action name holding a "*" (e.g. "s3:Get*"). */
function isWildcardAction(action: Json): boolean {
  return typeof action === 'string' && action.includes('*');
}

/**
 * True for "*", for every resource of a service ("arn:aws:s3:::*", "arn:aws:kinesis:*:*:*")
 * and for every resource of one type ("...:table/*", a whole bucket "...:::bucket/*").
 */
function isWildcardResource(resource: Json): boolean {
  const text = arnText(resource);
  if (text === undefined) return false;
  if (text === '*') return true;
  // ${AWS::Partition} and the like hold '::'; stand them in with one segment before splitting.
  const parts = text.replace(/\$\{AWS::[A-Za-z]+\}/g, 'pseudo').split(':');
  const name = parts.slice(5).join(':');
  return parts[0] === 'arn' && (name === '*' || name === '' || /^[a-z-]+\/\*$/.test(name));
}

/**
 * Statements that grant (or deny) with a wildcard action or a "*" resource, except the
 * allowed ones. NotAction / NotResource are wildcards by nature and are reported too.
 */
export function wildcardGrants(
  template: CfnTemplate,
  allowances: readonly WildcardAllowance[],
): WildcardGrant[] {
  const grants: WildcardGrant[] = [];
  for (const { holder, statementId, statement } of policyStatements(template)) {
    if (allowances.some((a) => a.holder === holder && a.statementId === statementId)) continue;
    const report = (found: string) => grants.push({ holder, statementId, found });
    for (const action of asArray(statement.Action)) {
      if (isWildcardAction(action)) report(`Action ${JSON.stringify(action)}`);
    }
    for (const resource of asArray(statement.Resource)) {
      if (isWildcardResource(resource)) report(`Resource ${JSON.stringify(resource)}`);
    }
    if (statement.NotAction !== undefined) report('NotAction');
    if (statement.NotResource !== undefined) report('NotResource');
  }
  return grants;
}

/** The statements of one role or policy, in order. */
export function statementsOf(template: CfnTemplate, holder: string): JsonObject[] {
  return policyStatements(template)
    .filter((located) => located.holder === holder)
    .map((located) => located.statement);
}

export function actionsOf(statement: JsonObject): string[] {
  return asArray(statement.Action).filter((action): action is string => typeof action === 'string');
}

/**
 * IAM's StringLike: `*` matches any run of characters (none included), `?` exactly one,
 * everything else itself, case-sensitively.
 */
export function stringLike(pattern: string, value: string): boolean {
  const source = [...pattern]
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 's').test(value);
}
