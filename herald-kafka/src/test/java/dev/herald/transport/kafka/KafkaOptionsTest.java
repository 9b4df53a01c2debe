package dev.herald.transport.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaOptionsTest {

    @Test
    void flatPropertiesSplitIntoClientAndHeraldSettings() {
        KafkaOptions options = KafkaOptions.fromProperties(Map.of(
                "bootstrap.servers", "b1:9092,b2:9092",
                "security.protocol", "SASL_SSL",
                "sasl.jaas.config", "secret",
                "producer.compression.type", "lz4",
                "consumer.max.poll.records", "200",
                "admin.request.timeout.ms", "5000",
                "herald.partitions", "12",
                "herald.encoding", "structured",
                "herald.topic.retention.ms", "604800000",
                "herald.dlq.topic.retention.ms", "-1"));
        assertThat(options.bootstrapServers()).isEqualTo("b1:9092,b2:9092");
        assertThat(options.clientProperties()).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.jaas.config", "secret");
        assertThat(options.producerProperties()).containsEntry("compression.type", "lz4");
        assertThat(options.consumerProperties()).containsEntry("max.poll.records", "200");
        assertThat(options.adminProperties()).containsEntry("request.timeout.ms", "5000");
        assertThat(options.partitions()).isEqualTo(12);
        assertThat(options.encoding()).isEqualTo(KafkaOptions.Encoding.STRUCTURED);
        assertThat(options.topicConfigs()).containsEntry("retention.ms", "604800000");
        assertThat(options.deadLetterTopicConfigs()).containsEntry("retention.ms", "-1");
        assertThat(options.toString()).doesNotContain("secret");
        assertThat(KafkaOptions.fromProperties(Map.of("bootstrap.servers", "b:9092", "herald.query.time.skew.ms", "2500"))
                .queryTimeSkew()).isEqualTo(Duration.ofMillis(2500));
        assertThat(KafkaOptions.builder("b:9092").build().queryTimeSkew()).isEqualTo(Duration.ofSeconds(10));
        assertThatThrownBy(() -> KafkaOptions.builder("b:9092").queryTimeSkew(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("queryTimeSkew");
    }

    @Test
    void namesFollowTheSubscription() {
        KafkaOptions options = KafkaOptions.builder("b:9092").groupIdPrefix("app.").deadLetterSuffix(".dead")
                .commitInterval(Duration.ofMillis(50)).build();
        assertThat(options.groupId("audit")).isEqualTo("app.audit");
        assertThat(options.deadLetterTopic("audit")).isEqualTo("audit.dead");
    }

    @Test
    void unknownHeraldKeysAndBadValuesAreRefused() {
        assertThatThrownBy(() -> KafkaOptions.fromProperties(Map.of("bootstrap.servers", "b:9092", "herald.nope", "1")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KafkaOptions.builder("b:9092").partitions(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KafkaOptions.fromProperties(Map.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
