package dev.herald.transport.kafka;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) in a child JVM, started
 * from the {@code kafka_2.13} jars on the test classpath through Kafka's public entry points:
 * {@code kafka.tools.StorageTool format --standalone}, then {@code kafka.Kafka server.properties}.
 * Random free ports on 127.0.0.1, a temporary log directory, a small heap
 * ({@code herald.kafka.broker.heap}, default 512m). Stopped by {@link #close()} and, as a fallback,
 * when the test JVM exits. The broker's output goes to {@code broker.log} in its directory. Published in
 * this module's test jar so that other modules' tests (the CLI's {@code serve --transport kafka}) use the
 * same broker.
 *
 * <p>Group settings are tuned for tests: heartbeats every 250 ms and 6 s sessions, so assignments
 * move in well under a second.
 */
public final class KafkaTestBroker implements AutoCloseable {

    private final Path dir;
    private final Path config;
    private final Path log;
    private final int port;
    private Process process;

    /** The broker logs warnings only (through logback, which is on the test classpath). */
    private static final Path LOGBACK;

    static {
        try {
            LOGBACK = Files.createTempFile("herald-kafka-broker-logback", ".xml");
            LOGBACK.toFile().deleteOnExit();
            Files.writeString(LOGBACK, """
                    <configuration>
                      <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                        <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{30} - %msg%n</pattern></encoder>
                      </appender>
                      <root level="WARN"><appender-ref ref="OUT"/></root>
                    </configuration>
                    """);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private KafkaTestBroker(Path dir, int port, int controllerPort) throws IOException {
        this.dir = dir;
        this.port = port;
        this.config = dir.resolve("server.properties");
        this.log = dir.resolve("broker.log");
        Files.writeString(config, properties(dir.resolve("data"), port, controllerPort));
    }

    /** Formats a new log directory and starts the broker; returns once it answers. */
    public static KafkaTestBroker start() throws Exception {
        Path dir = Files.createTempDirectory("herald-kafka-broker-");
        KafkaTestBroker broker = new KafkaTestBroker(dir, freePort(), freePort());
        Runtime.getRuntime().addShutdownHook(new Thread(broker::kill, "herald-kafka-broker-stop"));
        broker.format();
        broker.startServer();
        return broker;
    }

    /** {@code host:port} to connect to. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** Stops the broker (controlled shutdown) and starts it again on the same ports and data. */
    void restart() throws Exception {
        long stopping = System.nanoTime();
        stopServer();
        long starting = System.nanoTime();
        startServer();
        System.out.println("[herald-kafka] broker stopped in " + (starting - stopping) / 1_000_000 + " ms, started in "
                + (System.nanoTime() - starting) / 1_000_000 + " ms");
    }

    /** Stops the broker cleanly; {@link #restart()} would start it again. */
    void stopServer() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Starts the broker on its formatted directory and waits until it answers. */
    void startServer() throws Exception {
        process = java("kafka.Kafka", config.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        awaitReady(Duration.ofSeconds(90));
    }

    @Override
    public void close() throws IOException {
        try {
            stopServer();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        }
        deleteRecursively(dir);
    }

    private void kill() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
        }
        try {
            deleteRecursively(dir);
        } catch (IOException e) {
            // best effort at JVM exit
        }
    }

    private void format() throws Exception {
        Process format = java("kafka.tools.StorageTool", "format", "--standalone", "-t", Uuid.randomUuid().toString(),
                "-c", config.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
            format.destroyForcibly();
            throw new IllegalStateException("formatting the broker's storage failed:\n" + Files.readString(log));
        }
    }

    private void awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        // The port first: an admin client connecting too early logs a warning per attempt.
        while (!listening()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("the broker did not listen on " + port + ":\n" + Files.readString(log));
            }
            Thread.sleep(100);
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000))) {
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the broker exited with " + process.exitValue() + ":\n"
                            + Files.readString(log));
                }
                try {
                    if (!admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception notYet) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the broker did not answer within " + timeout + ":\n"
                                + Files.readString(log), notYet);
                    }
                }
                Thread.sleep(100);
            }
        }
    }

    private boolean listening() {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static ProcessBuilder java(String mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx" + System.getProperty("herald.kafka.broker.heap", "512m"));
        command.add("-Xms64m");
        command.add("-XX:+UseSerialGC");
        command.add("-Djava.awt.headless=true");
        // A class-data archive kept in target/ halves the broker's start on later runs (and on
        // restart): most of a cold start is loading classes, slow on a busy 2-core machine.
        Path target = Path.of("target");
        if (Files.isDirectory(target)) {
            command.add("-XX:+AutoCreateSharedArchive");
            command.add("-XX:SharedArchiveFile=" + target.resolve("kafka-broker-" + Runtime.version().feature() + ".jsa")
                    .toAbsolutePath());
            command.add("-Xlog:cds=off,cds+dynamic=off");
        }
        command.add("-Dlogback.configurationFile=" + LOGBACK);
        command.add("-cp");
        command.add(jars());
        command.add(mainClass);
        command.addAll(List.of(args));
        return new ProcessBuilder(command);
    }

    /**
     * The jars of the test classpath (Kafka's among them), without directories: the broker needs
     * none of this module's classes, and class-data archives refuse non-empty directories.
     */
    private static String jars() {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return Stream.of(classpath.split(java.io.File.pathSeparator)).filter(entry -> entry.endsWith(".jar"))
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
    }

    private static String properties(Path data, int port, int controllerPort) {
        return String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + data,
                "auto.create.topics.enable=false",
                "num.partitions=1",
                "num.network.threads=2",
                "num.io.threads=4",
                "background.threads=4",
                "num.recovery.threads.per.data.dir=1",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=4",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=4",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "group.consumer.min.heartbeat.interval.ms=100",
                "group.consumer.heartbeat.interval.ms=250",
                "group.consumer.min.session.timeout.ms=3000",
                "group.consumer.session.timeout.ms=6000",
                "")
                + "\n";
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
