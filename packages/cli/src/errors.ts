/** An error the CLI reports as one line (`gatehouse: ...`) with this exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
