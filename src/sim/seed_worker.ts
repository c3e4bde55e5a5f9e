/** A Deno Worker of `deno task sim --jobs K`: runs the chunks of seeds it is sent. */
/// <reference lib="deno.worker" />
import { runChunk, type SeedChunk } from "./seeds.ts";

self.onmessage = async (e: MessageEvent<SeedChunk>) => {
  self.postMessage(await runChunk(e.data));
};
