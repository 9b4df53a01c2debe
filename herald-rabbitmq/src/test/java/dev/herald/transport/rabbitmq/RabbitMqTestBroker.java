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
 * The RabbitMQ the tests use (also from other modules' tests, through this module's test jar):
 * {@code herald.rabbitmq.uri}, else the local broker with the guest user. Each test class works under a fresh
 * name prefix, so its exchanges and queues never meet another run's, and deletes everything under it when done.
 */
public final class RabbitMqTestBroker {

    private RabbitMqTestBroker() {
    }

    /** The broker's AMQP URI. */
    public static URI uri() {
        return URI.create(System.getProperty("herald.rabbitmq.uri", "amqp://guest:guest@127.0.0.1:5672"));
    }

    /** A fresh prefix: {@code test-<what>-<random>}. */
    public static String freshPrefix(String what) {
        byte[] random = new byte[4];
        ThreadLocalRandom.current().nextBytes(random);
        return "test-" + what + "-" + HexFormat.of().formatHex(random);
    }

    /** Options on the test broker under a fresh prefix, with 4 ordering shards. */
    public static RabbitMqOptions options(String what) {
        return RabbitMqOptions.defaults().withOrderingShards(4).withPrefix(freshPrefix(what)).withUri(uri());
    }

    /** Deletes every queue and exchange under the options' prefix; see {@link #deleteEverything(URI, String)}. */
    public static void deleteEverything(RabbitMqOptions options) throws Exception {
        deleteEverything(options.uri(), options.prefix());
    }

    /**
     * Deletes every queue and exchange whose name starts with {@code prefix} and a dot. AMQP cannot list them, so
     * {@code rabbitmqctl} does (on the broker's host); without it, nothing is deleted.
     */
    public static void deleteEverything(URI uri, String prefix) throws Exception {
        String start = prefix + ".";
        List<String> queues = rabbitmqctl("list_queues", "name").stream().filter(n -> n.startsWith(start)).toList();
        List<String> exchanges = rabbitmqctl("list_exchanges", "name").stream().filter(n -> n.startsWith(start)).toList();
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(uri);
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
