package surge.edge;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import surge.config.ConfigException;

/**
 * How many client connections fit in the process's open-files limit. Every connection is a descriptor, and so is
 * every database, Redis, Kafka and cluster connection, every jar on the class path and every log file: a node that
 * accepts clients until {@code accept()} fails with "Too many open files" has no descriptor left for its own pools
 * either, and stops serving everyone. So the node keeps a reserve for itself and caps clients below the rest.
 *
 * @param fileLimit the process's open-files limit; 0 when the platform does not say
 * @param reserved descriptors kept for the node itself
 * @param maxConnections the client connection cap; 0 = none (only when the limit is unknown and none is configured)
 */
public record FileBudget(long fileLimit, int reserved, int maxConnections) {
  /** The least reserve: the JVM's own files (class path, epoll, pipes, logs) and connections made after start. */
  static final int BASE_RESERVE = 1024;

  /**
   * The budget for {@code limits} in a process allowed {@code fileLimit} descriptors (0 = unknown), whose pools hold up
   * to {@code poolConnections} connections. A configured cap that does not fit stops start-up, naming its keys.
   */
  public static FileBudget plan(long fileLimit, EdgeLimits limits, int poolConnections) {
    int reserve = limits.reservedFiles() > 0 ? limits.reservedFiles()
        : (int) Math.min(Integer.MAX_VALUE, Math.max(BASE_RESERVE, fileLimit / 10) + poolConnections);
    if (fileLimit <= 0) return new FileBudget(0, reserve, limits.maxConnections());
    long room = fileLimit - reserve;
    if (room < 1) {
      throw new ConfigException("the open-files limit of this process (" + fileLimit + ") leaves no room for client"
          + " connections after the " + reserve + " descriptors reserved for the node (edge.reservedFiles, or derived"
          + " from db.poolSize and the shards): raise the limit (ulimit -n) or lower edge.reservedFiles");
    }
    if (limits.maxConnections() > room) {
      throw ConfigException.key("edge.maxConnections", limits.maxConnections()
          + " connections do not fit the open-files limit of this process (" + fileLimit + ") less the " + reserve
          + " descriptors reserved for the node (edge.reservedFiles, db.poolSize): at most " + room
          + "; lower it, set it to 0 to derive it, or raise the limit (ulimit -n)");
    }
    return new FileBudget(fileLimit, reserve, limits.maxConnections() > 0 ? limits.maxConnections() : (int) room);
  }

  /** This process's open-files limit, or 0 where the JVM cannot tell (not a Unix). */
  public static long processFileLimit() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.UnixOperatingSystemMXBean unix ? unix.getMaxFileDescriptorCount() : 0;
  }

  /**
   * The live-stream cap: {@code configured} ({@code stream.maxConnections}), or the whole connection budget when 0.
   * Streams are connections too, so more than the budget could never be open.
   */
  public int streamCap(int configured) {
    if (configured == 0) return maxConnections > 0 ? maxConnections : Integer.MAX_VALUE;
    if (maxConnections > 0 && configured > maxConnections) {
      throw ConfigException.key("stream.maxConnections", configured
          + " streams exceed the node's connection budget of " + maxConnections + " (edge.maxConnections, or derived"
          + " from the open-files limit " + fileLimit + "): lower it or set it to 0 to follow the budget");
    }
    return configured;
  }

  /** The share of the budget at which idle and slow connections get the shorter bound. */
  public int pressureThreshold(int percent) {
    return maxConnections <= 0 ? Integer.MAX_VALUE : (int) Math.max(1, (long) maxConnections * percent / 100);
  }
}
