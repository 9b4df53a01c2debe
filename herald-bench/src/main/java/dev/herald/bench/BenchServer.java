package dev.herald.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The server side of {@code herald bench http} and {@code herald bench webhooks}: their shared options,
 * the {@code herald serve} child process ({@link HeraldServe}) on a scratch data directory (and, on
 * PostgreSQL, a scratch schema), and what a row needs to say how busy the server was.
 */
final class BenchServer implements AutoCloseable {

    /** The options every server benchmark takes. */
    static final Set<String> OPTIONS = Set.of("--transport", "--postgres-url", "--server-heap", "--server-log",
            "--server-set", "--jfr", "--data");

    /** Their usage lines. */
    static final String USAGE = """
              --transport T      embedded (default) or postgres
              --postgres-url U   JDBC URL of the PostgreSQL to use with --transport postgres, e.g.
                                 'jdbc:postgresql://127.0.0.1:5432/herald?user=herald'; the run uses a fresh
                                 schema herald_bench_<random> (and <schema>_state, <schema>_raw) and drops them
              --server-heap H    the server's -Xmx (default 512m)
              --server-log L     the server's HERALD_LOG_LEVEL: INFO (default, as herald serve logs: a line per
                                 event), WARN or DEBUG
              --server-set K=V   one more server setting, as herald serve --set K=V (repeatable), e.g.
                                 --server-set state.pool-size=32
              --jfr FILE         record the server with JDK Flight Recorder (profile settings) into FILE
              --data DIR         put the server's data directory under DIR (default: a temp directory); it is
                                 deleted afterwards either way""";

    private final HeraldServe serve;
    private final Path dir;
    private final PostgresScratch postgres;
    private final String token;
    private final String transport;
    private final String logLevel;
    private final String heap;
    private final Map<String, String> extra;

    private BenchServer(HeraldServe serve, Path dir, PostgresScratch postgres, String token, String transport,
                        String logLevel, String heap, Map<String, String> extra) {
        this.serve = serve;
        this.dir = dir;
        this.postgres = postgres;
        this.token = token;
        this.transport = transport;
        this.logLevel = logLevel;
        this.heap = heap;
        this.extra = extra;
    }

    /**
     * Starts {@code herald serve} in a child process with the run's options, no rate limit on tokens
     * ({@code auth.rate-limit=0}: a benchmark is one very busy client) and these further settings.
     */
    static BenchServer start(BenchArgs args, Map<String, String> settings) throws SQLException {
        return start(args, settings, List.of());
    }

    /** As {@link #start(BenchArgs, Map)}, with more JVM options for the server (system properties, say). */
    static BenchServer start(BenchArgs args, Map<String, String> settings, List<String> jvmOptions)
            throws SQLException {
        if (!HeraldServe.available()) {
            throw new IllegalStateException("the herald command is not on the class path: run this benchmark as "
                    + "'herald bench ...'");
        }
        String transport = args.choice("--transport", "embedded", Set.of("embedded", "postgres"));
        String url = args.text("--postgres-url", null);
        if (transport.equals("postgres") && url == null) {
            throw new IllegalArgumentException("--transport postgres needs --postgres-url");
        }
        String heap = args.text("--server-heap", "512m");
        if (!heap.matches("[0-9]+[kKmMgG]?")) {
            throw new IllegalArgumentException("--server-heap must be a size such as 512m, not '" + heap + "'");
        }
        String logLevel = args.choice("--server-log", "INFO", Set.of("INFO", "WARN", "DEBUG")).toUpperCase(Locale.ROOT);
        List<String> jvm = new ArrayList<>(List.of("-Xmx" + heap));
        String jfr = args.text("--jfr", null);
        if (jfr != null) {
            jvm.add("-XX:StartFlightRecording=filename=" + Path.of(jfr).toAbsolutePath() + ",settings=profile");
        }
        jvm.addAll(jvmOptions);
        Map<String, String> extra = new LinkedHashMap<>();
        for (String setting : args.all("--server-set")) {
            int equals = setting.indexOf('=');
            if (equals <= 0) {
                throw new IllegalArgumentException("--server-set takes KEY=VALUE, not '" + setting + "'");
            }
            extra.put(setting.substring(0, equals), setting.substring(equals + 1));
        }
        Path dir = directory(args.text("--data", null));
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String token = HexFormat.of().formatHex(random);
        PostgresScratch postgres = transport.equals("postgres") ? PostgresScratch.on(url) : null;
        HeraldServe.Builder builder = HeraldServe.builder(dir.resolve("server")).transport(transport)
                .adminToken(token).jvmOptions(jvm).environment("HERALD_LOG_LEVEL", logLevel)
                .set("auth.rate-limit", "0");
        if (postgres != null) {
            builder.set("postgres.url", postgres.url()).set("postgres.schema", postgres.schema());
        }
        settings.forEach(builder::set);
        extra.forEach(builder::set);
        try {
            return new BenchServer(builder.start(), dir, postgres, token, transport, logLevel, heap, extra);
        } catch (RuntimeException e) {
            cleanUp(dir, postgres);
            throw e;
        }
    }

    URI baseUri() {
        return serve.baseUri();
    }

    /** The admin token, for {@code Authorization: Bearer}. */
    String token() {
        return token;
    }

    String transport() {
        return transport;
    }

    /** The scratch PostgreSQL, or null on the embedded transport. */
    PostgresScratch postgres() {
        return postgres;
    }

    /** The server's CPU time so far in nanoseconds, -1 where the OS does not tell. */
    long cpuNanos() {
        return serve.cpuTime().map(Duration::toNanos).orElse(-1L);
    }

    /** A line on how the server runs, for the report. */
    String describe() throws SQLException {
        return String.format(Locale.ROOT, "server: herald serve in a child process (pid %d, -Xmx%s, HERALD_LOG_LEVEL=%s"
                        + "%s), transport %s%s, data in %s%s", serve.pid(), heap, logLevel,
                logLevel.equals("INFO") ? ": a log line per event, as by default" : "", transport,
                postgres == null ? "" : " (" + postgres.version() + ", schema " + postgres.schema() + ")", dir,
                extra.isEmpty() ? "" : ", settings " + extra);
    }

    /** The last lines of the server's output, for a failure. */
    String tail() {
        return serve.tail();
    }

    /** Stops the server, drops the scratch schemas and deletes the data. */
    @Override
    public void close() {
        try {
            serve.close();
        } finally {
            cleanUp(dir, postgres);
        }
    }

    private static void cleanUp(Path dir, PostgresScratch postgres) {
        try {
            if (postgres != null) {
                postgres.close();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop the scratch schemas: " + e.getMessage(), e);
        } finally {
            delete(dir);
        }
    }

    private static Path directory(String parent) {
        try {
            if (parent == null) {
                return Files.createTempDirectory("herald-bench-");
            }
            Files.createDirectories(Path.of(parent));
            return Files.createTempDirectory(Path.of(parent), "herald-bench-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes a scratch directory and everything in it, as far as it can. */
    static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // best effort: a scratch directory
        }
    }

    /** For rows: a measurement's share of the machine, from CPU nanoseconds over a wall-clock span. */
    static double share(long cpuNanos, long elapsedNanos) {
        return cpuNanos < 0 ? Double.NaN
                : cpuNanos / ((double) elapsedNanos * Runtime.getRuntime().availableProcessors());
    }

}
