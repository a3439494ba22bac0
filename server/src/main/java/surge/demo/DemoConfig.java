package surge.demo;

import surge.config.Doc;

/** The demo dataset ({@code demo.*}). */
@Doc("The demo dataset.")
public record DemoConfig(@Doc("Seed the demo dataset at start (`bin/run` turns it on).") boolean seed) {}
