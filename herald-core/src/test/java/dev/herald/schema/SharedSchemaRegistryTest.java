package dev.herald.schema;

import static dev.herald.schema.TestSchemas.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

/**
 * Registries sharing one {@link SchemaStore}, as the instances of a Herald cluster do: what one registers the
 * others find on refresh, and two registering the same type at once never both take one version number.
 */
class SharedSchemaRegistryTest {

    private static final String TYPE = "shop.order.created";
    private static final String V1 = """
            {"type": "object", "required": ["order_id"], "x-herald-aliases": ["https://shop.example/order/v1"],
             "properties": {"order_id": {"type": "integer"}}}""";
    private static final String V2 = """
            {"type": "object", "required": ["order_id"],
             "properties": {"order_id": {"type": "integer"}, "note": {"type": "string"}}}""";
    private static final String V2_OTHER = """
            {"type": "object", "required": ["order_id"],
             "properties": {"order_id": {"type": "integer"}, "channel": {"type": "string"}}}""";

    /** The store contract in memory: versions and aliases are taken by the first writer. */
    static final class MemoryStore implements SchemaStore {
        private final ReentrantLock lock = new ReentrantLock();
        private final TreeMap<String, List<Stored>> versions = new TreeMap<>();
        private final Map<URI, String> aliases = new HashMap<>();

        @Override
        public List<Stored> newerThan(Map<String, Integer> known) {
            lock.lock();
            try {
                List<Stored> newer = new ArrayList<>();
                versions.forEach((type, stored) -> newer.addAll(stored.subList(
                        Math.min(known.getOrDefault(type, 0), stored.size()), stored.size())));
                return newer;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public boolean add(Stored version, List<URI> claimed) {
            lock.lock();
            try {
                List<Stored> stored = versions.computeIfAbsent(version.type(), t -> new ArrayList<>());
                if (stored.size() != version.version() - 1 || claimed.stream().anyMatch(aliases::containsKey)) {
                    return false;
                }
                stored.add(version);
                claimed.forEach(uri -> aliases.put(uri, version.type()));
                return true;
            } finally {
                lock.unlock();
            }
        }
    }

    private final MemoryStore store = new MemoryStore();
    private final SchemaRegistry one = SchemaRegistry.open(store, SchemaRegistry.Options.defaults());
    private final SchemaRegistry other = SchemaRegistry.open(store, SchemaRegistry.Options.defaults());

    @Test
    void aVersionRegisteredByOneIsFoundByTheOtherOnRefresh() {
        one.register(TYPE, json(V1), Compatibility.BACKWARD);
        assertThat(other.latest(TYPE)).as("not before it refreshes").isEmpty();

        other.refresh();

        assertThat(other.latest(TYPE)).map(SchemaVersion::version).contains(1);
        assertThat(other.byUri(URI.create("https://shop.example/order/v1"))).isPresent();
        assertThat(SchemaRegistry.open(store, SchemaRegistry.Options.defaults()).versions(TYPE))
                .as("a registry opened later starts with it").hasSize(1);
    }

    @Test
    void theLoserOfARaceForAVersionRegistersOnTopOfTheWinnersAfterCheckingCompatibilityWithIt() {
        one.register(TYPE, json(V1), Compatibility.BACKWARD);
        other.refresh();

        one.register(TYPE, json(V2), Compatibility.BACKWARD);
        SchemaVersion late = other.register(TYPE, json(V2_OTHER), Compatibility.BACKWARD);

        assertThat(late.version()).isEqualTo(3);
        assertThat(other.versions(TYPE)).extracting(SchemaVersion::schema)
                .containsExactly(json(V1), json(V2), json(V2_OTHER));
        assertThat(store.newerThan(Map.of())).hasSize(3);
    }

    @Test
    void theLoserRegisteringTheSameSchemaGetsTheWinnersVersion() {
        one.register(TYPE, json(V1), Compatibility.BACKWARD);

        SchemaVersion same = other.register(TYPE, json(V1), Compatibility.BACKWARD);

        assertThat(same.version()).isEqualTo(1);
        assertThat(store.newerThan(Map.of())).hasSize(1);
    }

    @Test
    void theLoserIsRefusedWhenTheWinnersVersionMakesItsSchemaIncompatible() {
        one.register(TYPE, json(V1), Compatibility.BACKWARD);
        other.refresh();
        one.register(TYPE, json("""
                {"type": "object", "required": ["order_id"], "properties": {"order_id": {"type": "string"}}}"""),
                Compatibility.NONE);

        assertThatThrownBy(() -> other.register(TYPE, json(V2), Compatibility.BACKWARD))
                .isInstanceOf(IncompatibleSchemaException.class);
        assertThat(store.newerThan(Map.of())).hasSize(2);
    }

    @Test
    void anAliasClaimedMeanwhileByAnotherTypeIsRefusedAndNothingIsStored() {
        one.register("shop.order.placed", json(V1), Compatibility.BACKWARD);

        assertThatThrownBy(() -> other.register(TYPE, json(V1), Compatibility.BACKWARD))
                .isInstanceOf(SchemaCatalogException.class).hasMessageContaining("https://shop.example/order/v1");
        assertThat(other.versions(TYPE)).isEmpty();
        assertThat(store.newerThan(Map.of())).extracting(SchemaStore.Stored::type).containsExactly("shop.order.placed");
    }
}
