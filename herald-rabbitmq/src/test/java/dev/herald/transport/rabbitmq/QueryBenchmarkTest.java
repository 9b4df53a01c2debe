package dev.herald.transport.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.herald.tck.TestEvents;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.LogPage;
import dev.herald.transport.LogQuery;
import io.cloudevents.CloudEvent;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * {@code Transport.query} on RabbitMQ against a raw stream consumer in the same run: a full read of a topic (Herald
 * pages of 1,000, each appending its marker and decoding every event) against the raw {@code amqp-client}
 * reading the same stream from its first offset (decoding nothing, then decoding each event), and the cost of a
 * small page. Events: {@code -Dherald.rabbitmq.bench.query.events} (default 5,000).
 */
class QueryBenchmarkTest {

    private static final int EVENTS = Integer.getInteger("herald.rabbitmq.bench.query.events", 5_000);
    private static final int ROUNDS = 3;
    private static final RabbitMqOptions OPTIONS = RabbitMqTestBroker.options("bench-query");

    @AfterAll
    static void deleteQueuesAndExchanges() throws Exception {
        RabbitMqTestBroker.deleteEverything(OPTIONS);
    }

    @Test
    void printsQueryFiguresAgainstARawStreamConsumer() throws Exception {
        String topic = "query-" + UUID.randomUUID().toString().substring(0, 8);
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(OPTIONS.uri());
        try (RabbitMqTransport transport = RabbitMqTransport.open(OPTIONS);
             Connection connection = factory.newConnection("herald-bench-query-raw")) {
            String run = UUID.randomUUID().toString();
            for (int from = 0; from < EVENTS; from += 500) {
                transport.publish(topic, EncodedEvent.all(TestEvents.probes(run, from, Math.min(500, EVENTS - from))));
            }
            String stream = new Names(OPTIONS.prefix()).stream(topic);
            double herald = 0;
            double raw = 0;
            double decoded = 0;
            double smallPage = Double.MAX_VALUE;
            for (int round = 0; round < ROUNDS; round++) {
                long start = System.nanoTime();
                assertThat(readAll(transport, topic)).isEqualTo(EVENTS);
                herald = Math.max(herald, EVENTS / ((System.nanoTime() - start) / 1e9));
                start = System.nanoTime();
                rawRead(connection, stream, false);
                raw = Math.max(raw, EVENTS / ((System.nanoTime() - start) / 1e9));
                start = System.nanoTime();
                rawRead(connection, stream, true);
                decoded = Math.max(decoded, EVENTS / ((System.nanoTime() - start) / 1e9));
                start = System.nanoTime();
                assertThat(transport.query(LogQuery.of(topic).withLimit(10)).entries()).hasSize(10);
                smallPage = Math.min(smallPage, (System.nanoTime() - start) / 1e6);
            }
            System.out.printf(Locale.ROOT, "[herald-rabbitmq bench] query, %,d events in one stream, best of %d rounds%n",
                    EVENTS, ROUNDS);
            System.out.printf(Locale.ROOT, "[herald-rabbitmq bench]   full read, pages of 1,000: Herald %,.0f events/s, "
                    + "raw stream consumer %,.0f messages/s (%.2f× raw), raw consumer decoding each event %,.0f events/s "
                    + "(%.2f×)%n", herald, raw, herald / raw, decoded, herald / decoded);
            System.out.printf(Locale.ROOT, "[herald-rabbitmq bench]   first page of 10 events (marker publish, confirm, "
                    + "read): %.1f ms%n", smallPage);
        }
    }

    private static int readAll(RabbitMqTransport transport, String topic) {
        int read = 0;
        LogQuery query = LogQuery.of(topic).withLimit(1000);
        for (LogPage page = transport.query(query); ; page = transport.query(query)) {
            read += page.entries().size();
            query = query.withAfter(page.cursor());
            if (!page.more()) {
                return read;
            }
        }
    }

    /** Reads the stream from its first offset until {@link #EVENTS} events (the markers skipped) arrived. */
    private static void rawRead(Connection connection, String stream, boolean decode) throws Exception {
        Channel channel = connection.createChannel();
        channel.basicQos(500);
        CountDownLatch done = new CountDownLatch(1);
        AtomicInteger events = new AtomicInteger();
        String tag = channel.basicConsume(stream, false, Map.of("x-stream-offset", "first"), new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties props, byte[] body)
                    throws java.io.IOException {
                if (body.length > 0) {
                    CloudEvent event = decode ? Messages.event(body) : null;
                    if ((event != null || !decode) && events.incrementAndGet() == EVENTS) {
                        done.countDown();
                    }
                }
                if (channel.isOpen()) {
                    channel.basicAck(envelope.getDeliveryTag(), false);
                }
            }
        });
        assertThat(done.await(60, TimeUnit.SECONDS)).as("the raw consumer read every event").isTrue();
        StreamScanner.stopReading(channel, tag);
    }
}
