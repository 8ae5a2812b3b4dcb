/**
 * Reads a fetch Response body up to `maxBytes` and stops there (the rest is never read).
 * `truncated` says whether the body went on past the cap.
 */
export async function readBody(r: Response, maxBytes: number): Promise<{ text: string; truncated: boolean }> {
  const reader = r.body?.getReader();
  if (!reader) return { text: '', truncated: false };
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (size + value.length > maxBytes) {
      chunks.push(value.subarray(0, maxBytes - size));
      truncated = true;
      await reader.cancel().catch(() => {});
      break;
    }
    chunks.push(value);
    size += value.length;
  }
  return { text: Buffer.concat(chunks).toString('utf8'), truncated };
}
