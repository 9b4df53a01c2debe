package dev.herald.test.readme;

import static dev.herald.test.HeraldAssertions.assertThatEvents;

import dev.herald.schema.SchemaRegistry;
import dev.herald.store.EventStore;
import dev.herald.test.TestEventStore;
import dev.herald.test.readme.app.ci.Pipelines;
import dev.herald.test.readme.app.security.SecretScanner;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlainStoreTest {

    @Test
    void aRecordingStoreWithoutTheExtension() {
        try (EventStore store = TestEventStore.create(SchemaRegistry.builtinCatalog())) {
            new SecretScanner(store).start();

            new Pipelines(store).finish(11, "success", List.of("app.env"));

            assertThatEvents(store).published("vulnerabilities.new_finding").withDataContaining(
                    "{\"title\": \"Secret committed in app.env\"}");
        }
    }
}
