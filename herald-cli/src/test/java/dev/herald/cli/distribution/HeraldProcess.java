package dev.herald.cli.distribution;

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
import java.util.concurrent.TimeUnit;

/**
 * One {@code herald serve} of the assembled distribution — the {@code bin/herald} launcher with the jar
 * and {@code herald-cli/target/lib} — in a child process, as a user runs it: so that a runtime jar
 * missing from the distribution fails the test instead of hiding behind the test classpath.
 *
 * <pre>{@code
 * try (HeraldProcess herald = HeraldProcess.serve(dataDir).transport("postgres")
 *         .set("postgres.url", url).adminToken(TOKEN).start()) {
 *     URI base = herald.baseUri();   // ready: /readyz answered 200
 * }
 * }</pre>
 *
 * <p>The process listens on a free loopback port, keeps its data directory, and writes its standard
 * output and error to {@code herald.log} there ({@link #output()}; failures quote its tail). {@link #kill()}
 * is a SIGKILL (a crash), {@link #stop()} a SIGTERM (a graceful stop), {@link #restart()} starts it again
 * on the same port, data and settings. {@link #close()} stops it and, as a fallback, the test JVM's exit
 * kills it.
 */
public final class HeraldProcess implements AutoCloseable {

    /** The distribution's root directory: the project root holding {@code bin/herald}. */
    public static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isExecutable(dir.resolve("bin/herald"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("bin/herald not found above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    /** The distribution's runtime jars ({@code herald-cli/target/lib}); fails when it was not assembled. */
    public static Path lib() {
        Path lib = root().resolve("herald-cli/target/lib");
        if (!Files.isDirectory(lib)) {
            throw new IllegalStateException(lib + " does not exist: run the package phase first");
        }
        return lib;
    }

    /** Starts configuring a {@code herald serve} with this data directory. */
    public static Builder serve(Path data) {
        return new Builder(data);
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Builder spec;
    private final int port;
    private final Path log;
    private Process process;

    private HeraldProcess(Builder spec, int port) {
        this.spec = spec;
        this.port = port;
        this.log = spec.data.resolve("herald.log");
    }

    /** The base URL, {@code http://127.0.0.1:<port>/}. */
    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    /** The port it listens on (the same across restarts). */
    public int port() {
        return port;
    }

    /** Whether the process is running. */
    public boolean alive() {
        return process != null && process.isAlive();
    }

    /** Everything the process wrote to stdout and stderr so far, across restarts. */
    public String output() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGKILL: the instance dies at once, as in a crash; waits until it is gone. */
    public void kill() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            awaitExit(Duration.ofSeconds(10));
        }
    }

    /** SIGTERM: a graceful stop; waits up to 30 s, then kills. */
    public void stop() {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!awaitExit(Duration.ofSeconds(30))) {
                kill();
            }
        }
    }

    /** Starts the stopped or killed instance again, on the same port, data and settings; waits until ready. */
    public void restart() {
        if (alive()) {
            throw new IllegalStateException("still running: stop or kill it first");
        }
        launch();
    }

    @Override
    public void close() {
        stop();
    }

    private boolean awaitExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return false;
        }
    }

    private void launch() {
        List<String> command = new ArrayList<>(List.of(root().resolve("bin/herald").toString(), "serve",
                "--host", "127.0.0.1", "--port", Integer.toString(port), "--data", spec.data.toString()));
        if (spec.transport != null) {
            command.addAll(List.of("--transport", spec.transport));
        }
        spec.settings.forEach((key, value) -> command.addAll(List.of("--set", key + "=" + value)));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        // The distribution as assembled by the build under test: never rebuild it from inside a test.
        builder.environment().put("HERALD_SKIP_BUILD", "1");
        builder.environment().put("HERALD_JAVA_OPTS", spec.javaOptions);
        builder.environment().putAll(spec.environment);
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        }
        Process started = process;
        Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly, "herald-process-kill"));
        awaitReady();
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
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for herald serve", e);
            }
            if (System.nanoTime() > deadline) {
                kill();
                throw new IllegalStateException("herald serve was not ready within " + spec.startTimeout + ":\n" + tail());
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for herald serve", e);
            }
        }
    }

    /** The last lines of the output, for failure messages. */
    public String tail() {
        List<String> lines = output().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What to run: transport, settings, environment. */
    public static final class Builder {

        private final Path data;
        private String transport;
        private final Map<String, String> settings = new LinkedHashMap<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private String javaOptions = "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1";
        private Duration startTimeout = Duration.ofSeconds(90);

        private Builder(Path data) {
            this.data = Objects.requireNonNull(data, "data");
        }

        /** {@code --transport NAME}. */
        public Builder transport(String name) {
            this.transport = name;
            return this;
        }

        /** {@code --set KEY=VALUE}. */
        public Builder set(String key, String value) {
            settings.put(key, value);
            return this;
        }

        /** One more environment variable of the process (e.g. {@code HERALD_SECRET_KEY}). */
        public Builder environment(String name, String value) {
            environment.put(name, value);
            return this;
        }

        /** The first start's admin token ({@code HERALD_ADMIN_TOKEN}). */
        public Builder adminToken(String token) {
            environment.put("HERALD_ADMIN_TOKEN", token);
            return this;
        }

        /** The JVM options ({@code HERALD_JAVA_OPTS}); default: a small heap and quick start for tests. */
        public Builder javaOptions(String options) {
            this.javaOptions = options;
            return this;
        }

        /** How long to wait for {@code /readyz} (default 90 s: a busy 2-core machine starts JVMs slowly). */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = timeout;
            return this;
        }

        /** Starts the process on a free port and returns once {@code /readyz} answers 200. */
        public HeraldProcess start() {
            try {
                Files.createDirectories(data);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            HeraldProcess herald = new HeraldProcess(this, freePort());
            herald.launch();
            return herald;
        }
    }
}
