package surge.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * What a configuration key means, written once: on the record component that binds it (or on a section record),
 * and rendered into docs/configuration.md by {@link KeyReference}. Markdown, one sentence or a few.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.TYPE})
public @interface Doc {
  String value();
}
