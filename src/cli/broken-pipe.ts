/**
 * A reader that stops early — `kiln predict titanic data.csv | head -1` — closes the pipe, and the next
 * write to it fails with EPIPE. Node reports that as an unhandled 'error' event: a stack trace on the
 * terminal for what is no mistake of the user's nor of Kiln's. The reader has what it wanted, so the rest
 * of the output is dropped and the command ends as it would have (a server keeps serving).
 */
export function ignoreBrokenPipes(streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') return;
      // any other failure of stdout/stderr cannot be reported on them either: the exit code says it
      process.exitCode = 3;
    });
  }
}
