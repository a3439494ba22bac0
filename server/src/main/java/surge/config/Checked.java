package surge.config;

/**
 * A section whose keys must also agree with each other (or whose text values have a form). {@link Binder} calls
 * {@link #check} once the section and the sections inside it are bound and in range; records built by hand (tests,
 * tools) are not checked.
 */
public interface Checked {
  /** Throws a {@link ConfigException} naming the key (see {@link ConfigException#key}) when a value cannot work. */
  void check();
}
