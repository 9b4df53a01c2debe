package dev.herald.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A {@code herald serve} in a child process, for benchmarks: the server gets its own JVM (its own heap,
 * JIT and GC, and its CPU time measured apart from the load generator's), started with the same
 * {@code java} binary and class path as this process. The benchmark module cannot depend on the CLI, so
 * the CLI's main class is launched by name ({@value #MAIN_CLASS}); run a benchmark through
 * {@code herald bench …}, whose class path holds it.
 *
 * <pre>{@code
 * try (HeraldServe herald = HeraldServe.builder(dataDir).transport("postgres")
 *         .set("postgres.url", url).set("state.url", url).adminToken(token).start()) {
 *     URI base = herald.baseUri();                 // ready: /readyz answered 200
 *     ...
 *     Duration cpu = herald.cpuTime();             // the server's CPU so far
 * }
 * }</pre>
 *
 * <p>Several instances can share one PostgreSQL (a cluster): give each its own data directory, the same
 * {@code postgres.url}/{@code state.url} and the same {@link Builder#adminToken admin token} (the first
 * instance creates it in the shared state; the others find it there). Each listens on its own free
 * loopback port. Output goes to {@code herald.log} in the data directory ({@link #tail()} quotes it in
 * failures). {@link #close()} stops the process gracefully (SIGTERM, then SIGKILL after 30 s); a JVM
 * shutdown hook kills it should the benchmark die first.
 */
public final class HeraldServe implements AutoCloseable {

    /** The main class of the {@code herald} command (module herald-cli). */
    public static final String MAIN_CLASS = "dev.herald.cli.Herald";

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Builder spec;
    private final int port;
    private final Path log;
    private final Process process;
    private final Thread killer;

    private HeraldServe(Builder spec, int port) {
        this.spec = spec;
        this.port = port;
        this.log = spec.data.resolve("herald.log");
        List<String> command = command(spec, port);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(spec.environment);
        try {
            this.process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command.getFirst(), e);
        }
        Process started = process;
        this.killer = new Thread(started::destroyForcibly, "herald-serve-kill");
        Runtime.getRuntime().addShutdownHook(killer);
    }

    /** Starts configuring a {@code herald serve} with this data directory (created if missing). */
    public static Builder builder(Path data) {
        return new Builder(data);
    }

    /** Whether {@value #MAIN_CLASS} is on this process's class path (false in a bare herald-bench run). */
    public static boolean available() {
        try {
            Class.forName(MAIN_CLASS, false, HeraldServe.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** The base URL, {@code http://127.0.0.1:<port>/}. */
    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    /** The process id (for {@code jcmd}, say). */
    public long pid() {
        return process.pid();
    }

    /** CPU time the server process used so far (user and system), or empty where the OS does not tell. */
    public Optional<Duration> cpuTime() {
        return process.info().totalCpuDuration();
    }

    /** The last 40 lines the process wrote. */
    public String tail() {
        try {
            List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    /** The log file the process writes its stdout and stderr to. */
    public Path log() {
        return log;
    }

    /** Stops the server gracefully (SIGTERM) and waits up to 30 s, then kills it. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(killer);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway and finds the process gone
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + spec.startTimeout.toNanos();
        HttpRequest ready = HttpRequest.newBuilder(baseUri().resolve("/readyz")).timeout(Duration.ofSeconds(2)).build();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("herald serve exited with " + process.exitValue() + ":\n" + tail());
            }
            try {
                if (HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                close();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for herald serve", e);
            }
            if (System.nanoTime() > deadline) {
                close();
                throw new IllegalStateException("herald serve was not ready within " + spec.startTimeout + ":\n"
                        + tail());
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                close();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for herald serve", e);
            }
        }
    }

    /** {@code java [jvm options] -cp <this class path> dev.herald.cli.Herald serve …}. */
    private static List<String> command(Builder spec, int port) {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED"));
        command.addAll(spec.jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), MAIN_CLASS, "serve",
                "--host", "127.0.0.1", "--port", Integer.toString(port), "--data", spec.data.toString()));
        if (spec.transport != null) {
            command.addAll(List.of("--transport", spec.transport));
        }
        spec.settings.forEach((key, value) -> command.addAll(List.of("--set", key + "=" + value)));
        return command;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What to run: transport, settings, environment, JVM options. */
    public static final class Builder {

        private final Path data;
        private String transport;
        private final Map<String, String> settings = new LinkedHashMap<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private final List<String> jvmOptions = new ArrayList<>(List.of("-Xmx512m"));
        private Duration startTimeout = Duration.ofSeconds(90);

        private Builder(Path data) {
            this.data = Objects.requireNonNull(data, "data");
        }

        /** {@code --transport NAME} (default: embedded). */
        public Builder transport(String name) {
            this.transport = name;
            return this;
        }

        /** {@code --set KEY=VALUE}. */
        public Builder set(String key, String value) {
            settings.put(key, value);
            return this;
        }

        /** One more environment variable of the process. */
        public Builder environment(String name, String value) {
            environment.put(name, value);
            return this;
        }

        /** The admin token ({@code HERALD_ADMIN_TOKEN}, at least 32 characters): used when the state has no token yet. */
        public Builder adminToken(String token) {
            environment.put("HERALD_ADMIN_TOKEN", token);
            return this;
        }

        /** The JVM options, replacing the default {@code -Xmx512m} (e.g. a heap size and {@code -XX:StartFlightRecording=…}). */
        public Builder jvmOptions(List<String> options) {
            jvmOptions.clear();
            jvmOptions.addAll(options);
            return this;
        }

        /** How long to wait for {@code /readyz} (default 90 s: a busy small machine starts JVMs slowly). */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** Starts the process on a free loopback port and returns once {@code /readyz} answers 200. */
        public HeraldServe start() {
            try {
                Files.createDirectories(data);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            HeraldServe herald = new HeraldServe(this, freePort());
            herald.awaitReady();
            return herald;
        }
    }
}
