package surge.auth;

import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id password hashes in the PHC string format ({@code $argon2id$v=19$m=..,t=..,p=..$salt$hash}).
 * Hashing costs tens of milliseconds of CPU by design, so it runs on a worker pool, never on an
 * event loop. Each stored hash carries its own parameters, so raising the cost affects new hashes only.
 */
public final class PasswordHasher {
  private static final int SALT_BYTES = 16;
  private static final int HASH_BYTES = 32;
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getDecoder();

  private final WorkerExecutor workers;
  private final PasswordsConfig cost;
  private final SecureRandom random = new SecureRandom();
  /** Verified when an email is unknown, so that login takes as long for unknown accounts as for known ones. */
  private volatile String decoy;

  public PasswordHasher(WorkerExecutor workers, PasswordsConfig cost) {
    this.workers = workers;
    this.cost = cost;
  }

  public Future<String> hash(String password) {
    return workers.executeBlocking(() -> hashNow(password), false);
  }

  /** True when the password matches; a null stored hash (unknown account) is checked against a decoy and fails. */
  public Future<Boolean> verify(String password, String stored) {
    return workers.executeBlocking(() -> {
      if (stored == null) {
        if (decoy == null) decoy = hashNow("decoy-password-for-unknown-accounts");
        matches(password, decoy); // same work as a real check, result ignored
        return false;
      }
      return matches(password, stored);
    }, false);
  }

  String hashNow(String password) {
    byte[] salt = new byte[SALT_BYTES];
    random.nextBytes(salt);
    return hashWithSalt(password, salt, cost);
  }

  /**
   * A PHC string for a given salt. Blocking (tens of milliseconds): tools and workers only. The
   * benchmark dataset generator uses it to store one deterministic hash for every seeded user.
   */
  public static String hashWithSalt(String password, byte[] salt, PasswordsConfig cost) {
    byte[] hash = derive(password, salt, cost.memoryKib(), cost.iterations(), cost.parallelism(), HASH_BYTES);
    return "$argon2id$v=19$m=" + cost.memoryKib() + ",t=" + cost.iterations() + ",p=" + cost.parallelism()
        + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(hash);
  }

  /** False for a wrong password and for anything that is not a well-formed hash of ours (never throws on it). */
  static boolean matches(String password, String phc) {
    String[] parts = phc.split("\\$");
    // ["", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash]
    if (parts.length != 6 || !parts[1].equals("argon2id")) return false;
    try {
      int m = 0, t = 0, p = 0;
      for (String kv : parts[3].split(",")) {
        if (kv.length() < 3 || kv.charAt(1) != '=') return false;
        int value = Integer.parseInt(kv.substring(2));
        switch (kv.charAt(0)) {
          case 'm' -> m = value;
          case 't' -> t = value;
          case 'p' -> p = value;
          default -> { return false; }
        }
      }
      // The ranges passwords.* accepts (PasswordsConfig): a stored string outside them is not ours, and a huge m or t
      // would otherwise allocate gigabytes or run for minutes on a worker thread.
      if (m < 8 || m > 4 << 20 || t < 1 || t > 100 || p < 1 || p > 64) return false;
      byte[] salt = B64D.decode(parts[4]);
      byte[] expected = B64D.decode(parts[5]);
      if (salt.length == 0 || expected.length < 4) return false; // Argon2's minimum output is 4 bytes
      byte[] actual = derive(password, salt, m, t, p, expected.length);
      return MessageDigest.isEqual(expected, actual);
    } catch (RuntimeException e) { // NumberFormatException, bad base64, parameters Argon2 refuses
      return false;
    }
  }

  private static byte[] derive(String password, byte[] salt, int memoryKib, int iterations, int parallelism, int length) {
    Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
        .withVersion(Argon2Parameters.ARGON2_VERSION_13)
        .withSalt(salt).withMemoryAsKB(memoryKib).withIterations(iterations).withParallelism(parallelism)
        .build();
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(params);
    byte[] out = new byte[length];
    generator.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
    return out;
  }
}
