package dev.herald.event;

import java.net.URI;
import java.util.Optional;

/**
 * Tells which schema URI an event of a given type should name in its {@code dataschema} when the
 * producer did not choose one: the type's current (latest) version. The schema registry implements
 * it; the event model depends only on this interface so that it stays free of schema machinery.
 */
@FunctionalInterface
public interface DataSchemaResolver {

    /** The URI of the type's current schema version, or empty when the type has no schema. */
    Optional<URI> currentSchema(String type);
}
