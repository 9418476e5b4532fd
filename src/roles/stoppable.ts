/** A running part of the hub that can be stopped. */
export type Stoppable = () => Promise<void>;
