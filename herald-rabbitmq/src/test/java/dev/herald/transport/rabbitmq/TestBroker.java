package dev.herald.transport.rabbitmq;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The RabbitMQ the tests use: {@code herald.rabbitmq.uri}, else the local broker with the guest user. Each test
 * class works under a fresh name prefix, so its exchanges and queues never meet another run's, and deletes
 * everything under it when done.
 */
final class TestBroker {

    private TestBroker() {
    }

    /** Options on the test broker under a fresh prefix. */
    static RabbitMqOptions options(String what) {
        byte[] random = new byte[4];
        ThreadLocalRandom.current().nextBytes(random);
        RabbitMqOptions options = RabbitMqOptions.defaults().withOrderingShards(4)
                .withPrefix("test-" + what + "-" + HexFormat.of().formatHex(random));
        String uri = System.getProperty("herald.rabbitmq.uri");
        return uri == null ? options : options.withUri(URI.create(uri));
    }

    /**
     * Deletes every queue and exchange whose name starts with the options' prefix. AMQP cannot list them, so
     * {@code rabbitmqctl} does (on the broker's host); without it, nothing is deleted.
     */
    static void deleteEverything(RabbitMqOptions options) throws Exception {
        String start = options.prefix() + ".";
        List<String> queues = rabbitmqctl("list_queues", "name").stream().filter(n -> n.startsWith(start)).toList();
        List<String> exchanges = rabbitmqctl("list_exchanges", "name").stream().filter(n -> n.startsWith(start)).toList();
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(options.uri());
        try (Connection connection = factory.newConnection("herald-test-cleanup")) {
            Channel channel = connection.createChannel();
            for (String queue : queues) {
                channel.queueDelete(queue);
            }
            for (String exchange : exchanges) {
                channel.exchangeDelete(exchange);
            }
        }
    }

    private static List<String> rabbitmqctl(String command, String column) throws IOException, InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder("rabbitmqctl", command, column, "--no-table-headers", "--quiet")
                    .redirectErrorStream(false).start();
        } catch (IOException e) {
            System.err.println("rabbitmqctl is not available, test queues and exchanges stay: " + e.getMessage());
            return List.of();
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            return List.of();
        }
        return output.lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
    }
}
