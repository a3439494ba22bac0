package surge.auth;

import surge.config.Doc;
import surge.config.Range;

/** Argon2id cost parameters ({@code passwords.*}); stored hashes carry their own, so changes apply to new hashes. */
@Doc("Argon2id cost of new password hashes (OWASP's minimum by default); each stored hash keeps its own.")
public record PasswordsConfig(
    @Doc("Memory per hash, KiB.") @Range(min = 8, max = 4 << 20) int memoryKib,
    @Doc("Passes over the memory.") @Range(min = 1, max = 100) int iterations,
    @Doc("Lanes.") @Range(min = 1, max = 64) int parallelism) {}
