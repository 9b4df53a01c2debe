package dev.herald.schema;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where a {@link SchemaRegistry} keeps its versions beyond the process, shared by every registry opened on
 * it: the Herald server keeps them in its state database, so that every instance serves one catalog.
 *
 * <p>Versions are immutable once stored. Two registries may try to store the same version of a type at
 * once (two instances registering together); the store lets exactly one win, and the loser catches up
 * with {@link #newerThan} and tries again on top of the winner's version.
 */
public interface SchemaStore {

    /**
     * One stored version.
     *
     * @param type    the event type
     * @param version its number, from 1
     * @param schema  the JSON Schema document as registered
     */
    record Stored(String type, int version, JsonNode schema) {

        public Stored {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(schema, "schema");
        }
    }

    /**
     * The stored versions a reader holding {@code known} lacks, ordered by type, then version.
     *
     * @param known for each type the reader holds, its highest version; types absent here are read whole
     */
    List<Stored> newerThan(Map<String, Integer> known);

    /**
     * Stores a new version together with its claim on the external URIs that name it, all or nothing.
     *
     * @param aliases the version's {@value SchemaVersion#ALIASES_KEYWORD}, which no other version may claim
     * @return false when another writer stored this version of the type, or claimed one of the aliases, first;
     *         nothing is stored then
     */
    boolean add(Stored version, List<URI> aliases);
}
