/** The process's environment and streams, passed in so that tests can run commands in-process. */
export interface Io {
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export const processIo = (): Io => ({ env: process.env, stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });

/** One JSON document on stdout. */
export const printJson = (io: Io, value: unknown, pretty = true): void => {
  io.stdout.write(`${pretty ? JSON.stringify(value, null, 2) : JSON.stringify(value)}\n`);
};
