/** Whether an error says the reader of our output has gone (a pipe closed by `head`, a hung-up terminal). */
export function closedOutput(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED' || code === 'EIO';
}
