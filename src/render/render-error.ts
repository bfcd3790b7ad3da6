import { HpcbenchError, ExitCode } from '../errors.js';

/** A value that cannot be placed in a script safely, or a template that failed to render. */
export class RenderError extends HpcbenchError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.usage, hint });
  }
}
