import type { Connection } from 'mongoose';
import { processRssBytes } from './cpu';
import { waitFor } from './pacer';

/** How fast the processor stores a backlog of messages queued while it was not running. */
export interface ProcessorDrain {
  messages: number;
  /** From the processor answering ready to the last signal stored. */
  seconds: number;
  storedPerSecond: number;
  /** Highest RSS of the processor process while it drained. */
  maxRssMiB: number;
}

/**
 * Queues `messages` through `post` (ingest answers 202 once the broker confirmed) with the processor
 * stopped, then starts it and counts stored signals until all are in: the processor's storing
 * capacity alone, without the offered rate or the gateway in the way.
 */
export async function measureProcessorDrain(options: {
  messages: number;
  post: (index: number) => Promise<boolean>;
  startProcessor: () => Promise<{ pid: number }>;
  db: Connection;
  timeoutMs: number;
}): Promise<ProcessorDrain> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < options.messages) {
        const index = next++;
        if (!(await options.post(index)))
          throw new Error(`ingest refused message ${index} while queueing the drain backlog`);
      }
    }),
  );
  const before = await options.db.collection('signals').countDocuments();
  const processor = await options.startProcessor();
  const startedAt = performance.now();
  let maxRss = 0;
  const drained = await waitFor(
    async () => {
      maxRss = Math.max(maxRss, processRssBytes(processor.pid) ?? 0);
      return (await options.db.collection('signals').estimatedDocumentCount()) - before >= options.messages;
    },
    options.timeoutMs,
    100,
  );
  const seconds = (performance.now() - startedAt) / 1000;
  if (!drained)
    throw new Error(
      `the processor did not store ${options.messages} queued messages within ${options.timeoutMs / 1000} s`,
    );
  return {
    messages: options.messages,
    seconds,
    storedPerSecond: options.messages / seconds,
    maxRssMiB: maxRss / 1_048_576,
  };
}
