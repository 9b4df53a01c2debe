package dev.herald.schema;

import com.networknt.schema.Schema;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * An immutable snapshot of a registry's contents: every version of every type with its compiled
 * validator, indexed by type and by URI. A registry swaps in a new snapshot to add a version, so readers
 * never lock and never see a half-added version.
 */
final class Catalog {

    /** A version together with its validator, compiled once. */
    record Entry(SchemaVersion version, Schema compiled) {
    }

    static final Catalog EMPTY = new Catalog(new TreeMap<>(), new HashMap<>(), new HashMap<>());

    private final TreeMap<String, List<Entry>> byType;
    private final Map<URI, Entry> byUri;
    /** Who claimed each URI, to name both parties when two versions claim the same one. */
    private final Map<URI, String> claimedBy;

    private Catalog(TreeMap<String, List<Entry>> byType, Map<URI, Entry> byUri, Map<URI, String> claimedBy) {
        this.byType = byType;
        this.byUri = byUri;
        this.claimedBy = claimedBy;
    }

    Set<String> types() {
        return Collections.unmodifiableSet(byType.keySet());
    }

    /** The type's versions, oldest first; empty for an unknown type. */
    List<Entry> versions(String type) {
        return byType.getOrDefault(type, List.of());
    }

    /** The type's newest version; empty for an unknown type. */
    Optional<Entry> latest(String type) {
        List<Entry> versions = versions(type);
        return versions.isEmpty() ? Optional.empty() : Optional.of(versions.getLast());
    }

    Optional<Entry> byUri(URI uri) {
        return Optional.ofNullable(byUri.get(uri));
    }

    /**
     * This catalog plus {@code entry}, which must be the next version of its type.
     *
     * @param source names the entry's file in error messages
     * @throws SchemaCatalogException when one of the entry's URIs already names another version
     */
    Catalog plus(Entry entry, String source) {
        SchemaVersion version = entry.version();
        List<URI> uris = new ArrayList<>(version.aliases());
        uris.addFirst(version.uri());
        Map<URI, Entry> newByUri = new HashMap<>(byUri);
        Map<URI, String> newClaimedBy = new HashMap<>(claimedBy);
        for (URI uri : uris) {
            if (newByUri.putIfAbsent(uri, entry) != null) {
                throw new SchemaCatalogException(source, "URI " + uri + " already names "
                        + describe(newByUri.get(uri).version()) + " (" + newClaimedBy.get(uri) + ")");
            }
            newClaimedBy.put(uri, source);
        }
        TreeMap<String, List<Entry>> newByType = new TreeMap<>(byType);
        List<Entry> typeVersions = new ArrayList<>(versions(version.type()));
        typeVersions.add(entry);
        newByType.put(version.type(), List.copyOf(typeVersions));
        return new Catalog(newByType, newByUri, newClaimedBy);
    }

    private static String describe(SchemaVersion version) {
        return version.type() + " v" + version.version();
    }
}
