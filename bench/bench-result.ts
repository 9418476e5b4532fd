/** What each benchmark returns to `bench/run.ts`: its figures next to the baseline measured in the same run. */
export interface BenchResult {
  name: string;
  figures: Record<string, number | string>;
  baseline: Record<string, number | string>;
  verdict: string;
}
