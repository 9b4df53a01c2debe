package dev.herald.transport.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.herald.tck.TransportBenchmark;
import dev.herald.transport.EncodedEvent;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Herald's RabbitMQ publish against the raw {@code amqp-client} in the same run ({@link TransportBenchmark}): the
 * same persistent messages into the topic's exchange (routed to its stream and one quorum queue), on a
 * confirm-mode channel, each call waiting for its publisher confirms. {@code -Dherald.rabbitmq.bench.events=20000}
 * for real figures.
 */
class RabbitMqBenchmarkTest {

    private static final RabbitMqOptions OPTIONS = RabbitMqTestBroker.options("bench");

    @AfterAll
    static void deleteQueuesAndExchanges() throws Exception {
        RabbitMqTestBroker.deleteEverything(OPTIONS);
    }

    /** The raw client: one confirm-mode channel, the bodies and properties Herald would send. */
    private record Raw(Channel channel, Names names, Instant now) implements TransportBenchmark.RawClient<Raw.Message> {

        record Message(String exchange, AMQP.BasicProperties props, byte[] body) {
        }

        @Override
        public String describe() {
            return "raw amqp-client, confirm-mode channel";
        }

        @Override
        public Message prepare(String topic, EncodedEvent event) {
            return new Message(names.exchange(topic), Messages.published(event, now), event.json());
        }

        @Override
        public void publish(String topic, List<Message> batch) throws Exception {
            for (Message message : batch) {
                channel.basicPublish(message.exchange(), "", message.props(), message.body());
            }
            channel.waitForConfirmsOrDie(30_000);
        }
    }

    @Test
    void publishThroughputAgainstTheRawClientAndEndToEndLatency() throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(OPTIONS.uri());
        TransportBenchmark.Report report;
        try (RabbitMqTransport transport = RabbitMqTransport.open(OPTIONS);
             Connection connection = factory.newConnection("herald-bench-raw")) {
            Channel channel = connection.createChannel();
            channel.confirmSelect();
            report = TransportBenchmark.named("rabbitmq", "persistent, publisher confirms, stream + quorum queue")
                    .run(transport, new Raw(channel, new Names(OPTIONS.prefix()), Instant.now()));
        }
        assertThat(report.ratios()).hasSize(1).allSatisfy(ratio -> assertThat(ratio).isPositive());
    }
}
