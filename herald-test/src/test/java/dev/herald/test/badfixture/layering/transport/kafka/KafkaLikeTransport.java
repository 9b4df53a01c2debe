package dev.herald.test.badfixture.layering.transport.kafka;

import dev.herald.test.badfixture.layering.server.AdminApi;
import dev.herald.test.badfixture.layering.transport.embedded.EmbeddedLikeLog;

/** BREAKS both transport rules: it uses another transport and the server. */
public class KafkaLikeTransport {

    final EmbeddedLikeLog spill = new EmbeddedLikeLog();

    void report() {
        AdminApi.announce("kafka up");
    }
}
