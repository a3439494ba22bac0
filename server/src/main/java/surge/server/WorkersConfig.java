package surge.server;

import surge.config.Doc;
import surge.config.Range;

/** The node's shared worker pool for CPU work off the event loop ({@code workers.*}). */
@Doc("The worker pool for CPU work off the event loop.")
public record WorkersConfig(@Doc("Worker threads for password hashing.") @Range(min = 1, max = 256) int poolSize) {}
