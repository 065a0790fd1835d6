'use strict';
/**
 * osls always compiles the shared Lambda role (IamRoleLambdaExecution, logs on every
 * /aws/lambda/<service>-<stage>* group); serverless-iam-roles-per-function then gives each
 * function its own role and leaves the shared one in the template, used by nobody. This
 * removes it when nothing refers to it, so the stack holds only roles that are used.
 */
class DropUnusedDefaultRole {
  constructor(serverless) {
    this.serverless = serverless;
    // After every plugin's before:package:finalize (the per-function roles) and the merge of
    // serverless.yml resources, just before the template is written.
    this.hooks = { 'before:aws:package:finalize:saveServiceState': () => this.dropUnusedDefaultRole() };
  }

  dropUnusedDefaultRole() {
    const provider = this.serverless.getProvider('aws');
    const roleLogicalId = provider.naming.getRoleLogicalId();
    const template = this.serverless.service.provider.compiledCloudFormationTemplate;
    if (template.Resources[roleLogicalId] === undefined) return;
    const { [roleLogicalId]: _role, ...others } = template.Resources;
    const rest = JSON.stringify({ ...template, Resources: others });
    // A Ref, Fn::GetAtt or DependsOn names it as a whole JSON string; Fn::Sub as ${Id} or ${Id.Attr}.
    if (rest.includes(JSON.stringify(roleLogicalId)) || new RegExp(`\\$\\{${roleLogicalId}[.}]`).test(rest)) {
      return;
    }
    delete template.Resources[roleLogicalId];
  }
}

module.exports = DropUnusedDefaultRole;
