package surge.timeline;

import surge.redis.LuaScript;

/**
 * The Lua scripts of {@link Timelines}. Each runs atomically in Redis, so a fan-out, a rebuild, a follow and a read of
 * one timeline never interleave halfway. Keys per user: {@code tl:} the sorted set, {@code tm:} its meta hash
 * ({@code fp}: the fingerprint of the authors it holds; {@code trimmed}: entries were cut at the capacity;
 * {@code building}: a rebuild's token while it reads the database), {@code tg:} articles deleted during a rebuild,
 * {@code tu:} authors the user unfollowed lately (a fan-out that read the followers before the unfollow skips them).
 */
final class TimelineScripts {
  private TimelineScripts() {}

  /** Cuts the set at ARGV cap (rank order: the oldest go) and says so in the meta. */
  private static final String TRIM = "local function trim(tl, tm, cap)\n"
      + "  local card = redis.call('ZCARD', tl)\n"
      + "  if card > cap then redis.call('ZREMRANGEBYRANK', tl, 0, card - cap - 1); redis.call('HSET', tm, 'trimmed', '1') end\n"
      + "end\n";

  /** KEYS tl, tm; ARGV fp, n, ttl → {status} or {'ok', trimmed, card, [member, score, ...]}. */
  static final LuaScript READ = LuaScript.of(""
      + "local m = redis.call('HMGET', KEYS[2], 'fp', 'trimmed', 'building')\n"
      + "if m[3] then return {'building'} end\n"
      + "if not m[1] then return {'missing'} end\n"
      + "if m[1] ~= ARGV[1] then return {'stale'} end\n"
      + "redis.call('EXPIRE', KEYS[1], ARGV[3]); redis.call('EXPIRE', KEYS[2], ARGV[3])\n"
      + "return {'ok', m[2] or '0', redis.call('ZCARD', KEYS[1]),"
      + " redis.call('ZREVRANGE', KEYS[1], 0, tonumber(ARGV[2]) - 1, 'WITHSCORES')}");

  /** KEYS tl, tm, tg; ARGV token: empties the timeline and marks it as being rebuilt (fan-outs still land in it). */
  static final LuaScript BEGIN = LuaScript.of(""
      + "redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])\n"
      + "redis.call('HSET', KEYS[2], 'building', ARGV[1])\n"
      + "redis.call('EXPIRE', KEYS[2], 60)\n"
      + "return 1");

  /**
   * KEYS tl, tm, tg; ARGV token, fp, trimmed, cap, ttl, score, member, ...: adds what the database had to what fan-outs
   * added meanwhile, drops what was deleted meanwhile; 0 when another rebuild took the timeline over.
   */
  static final LuaScript COMPLETE = LuaScript.of(TRIM
      + "if redis.call('HGET', KEYS[2], 'building') ~= ARGV[1] then return 0 end\n"
      + "for i = 6, #ARGV, 2 do redis.call('ZADD', KEYS[1], ARGV[i], ARGV[i + 1]) end\n"
      + "for _, gone in ipairs(redis.call('SMEMBERS', KEYS[3])) do redis.call('ZREM', KEYS[1], gone) end\n"
      + "redis.call('DEL', KEYS[3])\n"
      + "redis.call('HSET', KEYS[2], 'fp', ARGV[2], 'trimmed', ARGV[3])\n"
      + "redis.call('HDEL', KEYS[2], 'building')\n"
      + "trim(KEYS[1], KEYS[2], tonumber(ARGV[4]))\n"
      + "redis.call('EXPIRE', KEYS[1], ARGV[5]); redis.call('EXPIRE', KEYS[2], ARGV[5])\n"
      + "return 1");

  /**
   * KEYS (tl, tm, tu) per follower; ARGV score, member, author, cap: adds a new article to every timeline that exists
   * (others are built when read) unless its owner unfollowed the author lately. Returns how many were added.
   */
  static final LuaScript FAN_OUT = LuaScript.of(TRIM
      + "local added = 0\n"
      + "for i = 1, #KEYS, 3 do\n"
      + "  if redis.call('EXISTS', KEYS[i + 1]) == 1 and redis.call('SISMEMBER', KEYS[i + 2], ARGV[3]) == 0 then\n"
      + "    added = added + redis.call('ZADD', KEYS[i], ARGV[1], ARGV[2])\n"
      + "    trim(KEYS[i], KEYS[i + 1], tonumber(ARGV[4]))\n"
      + "  end\n"
      + "end\n"
      + "return added");

  /** KEYS (tl, tm, tg) per follower; ARGV member: removes a deleted article, remembered for a rebuild under way. */
  static final LuaScript REMOVE = LuaScript.of(""
      + "for i = 1, #KEYS, 3 do\n"
      + "  redis.call('ZREM', KEYS[i], ARGV[1])\n"
      + "  if redis.call('HEXISTS', KEYS[i + 1], 'building') == 1 then\n"
      + "    redis.call('SADD', KEYS[i + 2], ARGV[1]); redis.call('EXPIRE', KEYS[i + 2], 120)\n"
      + "  end\n"
      + "end\n"
      + "return 1");

  /**
   * KEYS tl, tm, tu; ARGV before, after, fits, cap, author, score, member, ...: the user followed the author. A timeline
   * built for the authors before the follow gets the author's articles (all of them: {@code fits}) and the new
   * fingerprint; one that was cut at its capacity, or an author with more articles than it holds, is dropped instead
   * and rebuilt on read (adding only some would leave a gap in the middle of the feed).
   */
  static final LuaScript FOLLOW = LuaScript.of(TRIM
      + "redis.call('SREM', KEYS[3], ARGV[5])\n"
      + "local m = redis.call('HMGET', KEYS[2], 'fp', 'trimmed', 'building')\n"
      + "if m[3] or not m[1] then return 0 end\n"
      + "if m[1] ~= ARGV[1] or m[2] == '1' or ARGV[3] ~= '1' then redis.call('DEL', KEYS[1], KEYS[2]); return 0 end\n"
      + "for i = 6, #ARGV, 2 do redis.call('ZADD', KEYS[1], ARGV[i], ARGV[i + 1]) end\n"
      + "redis.call('HSET', KEYS[2], 'fp', ARGV[2])\n"
      + "trim(KEYS[1], KEYS[2], tonumber(ARGV[4]))\n"
      + "return 1");

  /**
   * KEYS tl, tm, tu; ARGV before, after, author, member, ...: the user unfollowed the author; their newest articles (as
   * many as a timeline holds: older ones cannot be in it) leave the timeline. Removing keeps what is left a prefix of
   * the feed, so a cut timeline stays usable.
   */
  static final LuaScript UNFOLLOW = LuaScript.of(""
      + "redis.call('SADD', KEYS[3], ARGV[3]); redis.call('EXPIRE', KEYS[3], 300)\n"
      + "local m = redis.call('HMGET', KEYS[2], 'fp', 'building')\n"
      + "if m[2] or not m[1] then return 0 end\n"
      + "if m[1] ~= ARGV[1] then redis.call('DEL', KEYS[1], KEYS[2]); return 0 end\n"
      + "for i = 4, #ARGV do redis.call('ZREM', KEYS[1], ARGV[i]) end\n"
      + "redis.call('HSET', KEYS[2], 'fp', ARGV[2])\n"
      + "return 1");
}
