declare module 'asl-validator' {
  interface AslValidationError {
    'Error code': string;
    Message: string;
  }
  interface AslValidatorOptions {
    checkPaths?: boolean;
    checkArn?: boolean;
  }
  function aslValidator(
    definition: unknown,
    options?: AslValidatorOptions,
  ): { isValid: boolean; errors: AslValidationError[]; errorsText: (separator?: string) => string };
  export default aslValidator;
}
