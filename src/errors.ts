/**
 * Typed errors. Every message is prefixed with where it comes from (graphology's style),
 * and input errors carry the file and line so that a user can fix the input.
 */

/** Base class: anything anonscope throws on purpose. */
export class AnonscopeError extends Error {
  override name = 'AnonscopeError';
}

/** Bad input from the user: a file, a parameter, a node id. The CLI exits with code 2. */
export class InputError extends AnonscopeError {
  override name = 'InputError';
}

/** A graph or data file that does not parse. `file` and `line` say where. */
export class FormatError extends InputError {
  override name = 'FormatError';
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly problem: string,
    options?: ErrorOptions,
  ) {
    super(line === undefined ? `${file}: ${problem}` : `${file}:${line}: ${problem}`, options);
  }
}

/** A parameter out of range or of the wrong kind. */
export class ParameterError extends InputError {
  override name = 'ParameterError';
}

/** The compute device failed, was lost, or cannot hold the job. The CLI exits with code 3. */
export class DeviceError extends AnonscopeError {
  override name = 'DeviceError';
}
