package dev.herald.test.readme;

import static dev.herald.test.HeraldAssertions.assertThatEvents;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.event.EventBuilder;
import dev.herald.event.InvalidEventException;
import dev.herald.schema.SchemaRegistry;
import dev.herald.store.EventStore;
import dev.herald.test.EventFixtures;
import dev.herald.test.HeraldExtension;
import io.cloudevents.CloudEvent;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class OwnSchemasTest {

    @RegisterExtension
    static final HeraldExtension HERALD =
            HeraldExtension.withSchemas(() -> SchemaRegistry.load(Path.of("src/test/resources/readme-schemas")));

    @Test
    void invoicesFollowOurSchema(EventStore store, EventFixtures fixtures) {
        store.publish(fixtures.event("billing.invoice_sent", data -> data.put("amount", 99)).build());

        assertThatEvents(store).published("billing.invoice_sent").withData(
                "{\"invoice_id\": 31, \"amount\": 99, \"currency\": \"EUR\"}");
    }

    @Test
    void anInvoiceWithoutAnAmountIsRefused(EventStore store) {
        CloudEvent noAmount = EventBuilder.create(store.schemas()).type("billing.invoice_sent").source("/billing")
                .data(Map.of("invoice_id", 32, "currency", "EUR")).build();

        assertThatThrownBy(() -> store.publish(noAmount)).isInstanceOf(InvalidEventException.class);
        assertThatEvents(store).refused("billing.invoice_sent"); // expected, so the extension lets the test pass
    }
}
