/** Reads a request or reply body up to a cap, without buffering more than the cap. */

/** The body was over the cap; `size` is what was known when reading stopped. */
export class BodyTooLarge {
  constructor(readonly size: number) {}
}

/**
 * Returns the body bytes, or `BodyTooLarge` as soon as more than `maxBytes` are announced
 * (Content-Length) or received (chunked). Rejects if `signal` aborts while reading.
 */
export async function readBounded(
  message: Request | Response,
  maxBytes: number,
  signal?: AbortSignal,
): Promise<Uint8Array<ArrayBuffer> | BodyTooLarge> {
  const announced = Number(message.headers.get("content-length") ?? NaN);
  if (announced > maxBytes) {
    await message.body?.cancel().catch(() => {});
    return new BodyTooLarge(announced);
  }
  if (!message.body) return new Uint8Array();
  const reader = message.body.getReader();
  const cancel = () => reader.cancel(signal?.reason).catch(() => {});
  signal?.addEventListener("abort", cancel, { once: true });
  try {
    const chunks: Uint8Array[] = [];
    let size = 0;
    while (true) {
      signal?.throwIfAborted();
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        return new BodyTooLarge(size);
      }
      chunks.push(value);
    }
    signal?.throwIfAborted();
    const body = new Uint8Array(size);
    let at = 0;
    for (const chunk of chunks) {
      body.set(chunk, at);
      at += chunk.byteLength;
    }
    return body;
  } finally {
    signal?.removeEventListener("abort", cancel);
    reader.releaseLock();
  }
}
