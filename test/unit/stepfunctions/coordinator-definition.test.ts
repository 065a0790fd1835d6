import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../core/errors/index.js';
import {
  COORDINATOR_STATE_NAMES,
  type CoordinatorSubstitutions,
  loadCoordinatorDefinition,
  loadCoordinatorDefinitionTemplate,
} from '../../../infra/coordinator-definition.js';
import {
  LOCAL_COORDINATOR_WINDOW_FUNCTION_ARN,
  validateCoordinatorDefinition,
} from '../../../local/stepfunctions/index.js';

const DEPLOY_SUBSTITUTIONS: CoordinatorSubstitutions = {
  CoordinatorWindowFunctionArn: { 'Fn::GetAtt': ['CoordinatorWindowLambdaFunction', 'Arn'] },
};

describe('coordinator definition', () => {
  it('passes asl-validator as stored, with its placeholder Resource', () => {
    // Act
    const errors = validateCoordinatorDefinition();

    // Assess
    expect(errors).toEqual([]);
  });

  it('passes asl-validator with the local ARN and with the deployment Fn::GetAtt substituted', () => {
    // Prepare
    const local = loadCoordinatorDefinition({
      CoordinatorWindowFunctionArn: LOCAL_COORDINATOR_WINDOW_FUNCTION_ARN,
    });
    const deploy = loadCoordinatorDefinition(DEPLOY_SUBSTITUTIONS);

    // Act / Assess
    expect(validateCoordinatorDefinition(local)).toEqual([]);
    expect(validateCoordinatorDefinition(deploy)).toEqual([]);
  });

  it('reports a transition to a state that does not exist', () => {
    // Prepare
    const broken = loadCoordinatorDefinitionTemplate();
    broken.States.Sleep = { ...broken.States.Sleep, Next: 'Nowhere' };

    // Act
    const errors = validateCoordinatorDefinition(broken);

    // Assess
    expect(errors.join('\n')).toContain('Nowhere');
  });

  it('declares exactly the state names the code refers to', () => {
    // Act
    const names = Object.keys(loadCoordinatorDefinitionTemplate().States);

    // Assess
    expect([...names].sort()).toEqual([...COORDINATOR_STATE_NAMES].sort());
  });

  it('puts the substituted value where the placeholder was and leaves no placeholder behind', () => {
    // Act
    const local = loadCoordinatorDefinition({
      CoordinatorWindowFunctionArn: LOCAL_COORDINATOR_WINDOW_FUNCTION_ARN,
    });
    const deploy = loadCoordinatorDefinition(DEPLOY_SUBSTITUTIONS);

    // Assess
    expect(local.States.RunWindow?.Resource).toBe(LOCAL_COORDINATOR_WINDOW_FUNCTION_ARN);
    expect(deploy.States.RunWindow?.Resource).toEqual({
      'Fn::GetAtt': ['CoordinatorWindowLambdaFunction', 'Arn'],
    });
    expect(JSON.stringify(local)).not.toMatch(/"\$\{[A-Za-z]/);
  });

  it('rejects a substitution for a placeholder the file does not have, naming it', () => {
    // Prepare
    const misspelled = { CoordinatorWindowFunctionArn: 'arn', CoordinatorWindowFnArn: 'arn' };

    // Act / Assess
    expect(() => loadCoordinatorDefinition(misspelled)).toThrowError(ConfigError);
    expect(() => loadCoordinatorDefinition(misspelled)).toThrowError(/CoordinatorWindowFnArn/);
  });

  it('rejects a load that leaves a placeholder without a value, naming it', () => {
    // Prepare
    const missing = {} as CoordinatorSubstitutions;

    // Act / Assess
    expect(() => loadCoordinatorDefinition(missing)).toThrowError(
      /substitutions\.CoordinatorWindowFunctionArn: expected a value for the placeholder/,
    );
  });

  it('returns a fresh object on every load, so a validator writing into one cannot leak into the next', () => {
    // Prepare
    const first = loadCoordinatorDefinitionTemplate();
    validateCoordinatorDefinition(first);
    first.States.RunWindow = { Type: 'Pass', End: true };

    // Act
    const second = loadCoordinatorDefinitionTemplate();

    // Assess
    expect(second.States.RunWindow?.Type).toBe('Task');
    expect(second.States.RunWindow).not.toHaveProperty('QueryLanguage');
  });
});
