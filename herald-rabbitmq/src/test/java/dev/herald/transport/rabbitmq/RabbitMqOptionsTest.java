package dev.herald.transport.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Options are checked at once, every broken rule named, and passwords are never printed; no broker. */
class RabbitMqOptionsTest {

    @Test
    void everyBrokenRuleIsNamedInOneError() {
        assertThatThrownBy(() -> new RabbitMqOptions(URI.create("http://user:secret@host"), "Bad Prefix", 0, 0, 0,
                Duration.ZERO, Duration.ZERO, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("uri: must be an amqp:// or amqps:// URI", "prefix: must be a lowercase letter",
                        "deliveryLimit: must be at least 1", "prefetch: must be between 1 and 65535",
                        "publisherChannels: must be at least 1", "confirmTimeout: must be positive",
                        "retention: must be at least one second", "orderingShards: must be between 1 and 256")
                .hasMessageNotContaining("secret");
    }

    @Test
    void withersChangeOneFieldAndThePasswordIsHiddenInMessages() {
        RabbitMqOptions options = RabbitMqOptions.defaults().withUri(URI.create("amqps://herald:s3cret@rabbit:5671/events"))
                .withDeliveryLimit(20).withOrderingShards(8);
        assertThat(options.deliveryLimit()).isEqualTo(20);
        assertThat(options.orderingShards()).isEqualTo(8);
        assertThat(options.prefix()).isEqualTo("herald");
        assertThat(options.safeUri()).isEqualTo("amqps://herald:***@rabbit:5671/events").doesNotContain("s3cret");
    }
}
