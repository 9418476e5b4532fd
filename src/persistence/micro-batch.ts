/**
 * Gathers calls made while earlier ones are in flight and runs them as one batch (one round trip,
 * one commit). An idle system runs each call at once, alone; under load, callers queue behind the
 * `maxInFlight` batches running and leave together in the next, so the cost of a round trip and a
 * commit is shared by many requests exactly when it matters. Each caller still gets its own
 * result only after its batch is done (committed, for writes).
 *
 * If a batch fails, its items are run again one by one, so one bad item (a unique violation from
 * a concurrent duplicate) fails only its own caller.
 */
interface Waiting<I, O> { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }

export class MicroBatcher<I, O> {
  readonly #run: (items: I[]) => Promise<O[]>;
  readonly #maxBatch: number;
  readonly #maxInFlight: number;
  #queue: Waiting<I, O>[] = [];
  #inFlight = 0;

  constructor(run: (items: I[]) => Promise<O[]>, opts: { maxBatch: number; maxInFlight: number }) {
    this.#run = run;
    this.#maxBatch = opts.maxBatch;
    this.#maxInFlight = opts.maxInFlight;
  }

  call(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#inFlight < this.#maxInFlight && this.#queue.length) {
      const batch = this.#queue.splice(0, this.#maxBatch);
      this.#inFlight++;
      void this.#execute(batch).finally(() => {
        this.#inFlight--;
        this.#pump();
      });
    }
  }

  async #execute(batch: Waiting<I, O>[]): Promise<void> {
    try {
      const out = await this.#run(batch.map((b) => b.item));
      if (out.length !== batch.length) throw new Error(`batch of ${batch.length} returned ${out.length} results`);
      batch.forEach((b, i) => b.resolve(out[i] as O));
    } catch (err) {
      if (batch.length === 1) return batch[0]?.reject(err);
      // Isolate the failing item(s): everyone else still succeeds.
      await Promise.all(batch.map(async (b) => {
        try {
          const [o] = await this.#run([b.item]);
          b.resolve(o as O);
        } catch (e) {
          b.reject(e);
        }
      }));
    }
  }
}
